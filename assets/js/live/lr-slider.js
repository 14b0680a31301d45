// A learning-rate slider on the loss surface: gradient descent (or momentum,
// or Adam) from the static figure's starting point, recomputed as the slider
// moves, with the same optimizers that train in the browser (nn-train.js,
// checked against NumPy). Past lr = 2 / c_max plain descent diverges.

import { matrix } from "../nn-engine.js";
import { adam, sgd } from "../nn-train.js";
import { canvas, data, el, palette, panel, planeMap, widthFor } from "./common.js";

// The points (steps + 1) an optimizer visits on L(w) = 1/2 (w - w*)^T H (w - w*),
// one step per exact gradient H (w - w*). Exported for the parity test.
export function path(surface, step, steps) {
  const { H, w_star: star } = surface;
  const w = matrix(1, 2, Float64Array.from(surface.start));
  const net = { layers: [{ W: w, b: new Float64Array(0) }] };
  const points = [Array.from(w.data)];
  for (let t = 0; t < steps; t++) {
    const d = [w.data[0] - star[0], w.data[1] - star[1]];
    const g = [H[0][0] * d[0] + H[0][1] * d[1], H[1][0] * d[0] + H[1][1] * d[1]];
    step(net, [{ dW: matrix(1, 2, Float64Array.from(g)), db: new Float64Array(0) }]);
    points.push(Array.from(w.data));
  }
  return points;
}

export const METHODS = {
  plain: (lr) => sgd({ lr }),
  momentum: (lr) => sgd({ lr, momentum: 0.9 }),
  adam: (lr) => adam({ lr }),
};

export default async function lrSlider(figure) {
  const surface = await data("loss-surface");
  const box = panel(figure, figure.dataset.nnReplace === "true");
  const [x0, x1, y0, y1] = surface.extent;
  const w = widthFor(figure, 520);
  const h = Math.round((w * (y1 - y0)) / (x1 - x0));
  const view = canvas(w, h, "Loss surface with a gradient-descent path");
  view.canvas.removeAttribute("tabindex");
  const map = planeMap(surface.extent, w, h);
  const slider = el("input", { type: "range", min: "0.005", max: "0.4", step: "0.005",
    value: "0.15", "aria-label": "Learning rate" });
  const method = el("select", { "aria-label": "Optimizer" },
    el("option", { value: "plain", text: "gradient descent" }),
    el("option", { value: "momentum", text: "momentum 0.9" }),
    el("option", { value: "adam", text: "Adam" }));
  const verdict = el("output", { "aria-live": "polite" });
  box.append(view.canvas, el("div", { class: "nn-live-controls" },
    el("label", { text: "learning rate" }), slider, method, verdict));
  let colours = await palette();

  function contours() {
    const { ctx } = view;
    const loss = ([a, b]) => {
      const d = [a - surface.w_star[0], b - surface.w_star[1]];
      const [[h00, h01], [h10, h11]] = surface.H;
      return 0.5 * (d[0] * (h00 * d[0] + h01 * d[1]) + d[1] * (h10 * d[0] + h11 * d[1]));
    };
    const top = Math.max(...[[x0, y0], [x0, y1], [x1, y0], [x1, y1]].map(loss));
    ctx.fillStyle = colours.panel;
    ctx.fillRect(0, 0, w, h);
    const [cx, cy] = map.toPixel(surface.w_star);
    const scale = w / (x1 - x0);
    ctx.strokeStyle = colours.faint;
    ctx.lineWidth = 0.8;
    for (let i = 0; i < 12; i++) {
      const level = 0.05 * (top / 0.05) ** (i / 11); // geometric, as the static figure
      const [a, b] = surface.curvatures.map((c) => Math.sqrt((2 * level) / c) * scale);
      ctx.beginPath();
      ctx.ellipse(cx, cy, a, b, -surface.angle, 0, 2 * Math.PI); // y points down
      ctx.stroke();
    }
    ctx.fillStyle = colours.text;
    ctx.font = "16px system-ui, sans-serif";
    ctx.fillText("★", cx - 6, cy + 6); // the minimum w*
    const [sx, sy] = map.toPixel(surface.start);
    ctx.beginPath();
    ctx.arc(sx, sy, 4, 0, 2 * Math.PI); // where every path starts
    ctx.fill();
  }

  function render() {
    const lr = Number(slider.value);
    const points = path(surface, METHODS[method.value](lr), surface.steps);
    contours();
    const { ctx } = view;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, w, h);
    ctx.clip();
    ctx.strokeStyle = colours.accent;
    ctx.fillStyle = colours.accent;
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    points.forEach((p, i) => {
      const [px, py] = map.toPixel(p).map((v) => Math.max(-1e4, Math.min(1e4, v)));
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    });
    ctx.stroke();
    points.forEach((p) => {
      const [px, py] = map.toPixel(p);
      if (Math.abs(px) < 1e4 && Math.abs(py) < 1e4) ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
    });
    ctx.restore();
    const dist = (p) => Math.hypot(p[0] - surface.w_star[0], p[1] - surface.w_star[1]);
    const last = points.at(-1);
    const diverges = !Number.isFinite(dist(last)) || dist(last) > dist(points[0]);
    verdict.textContent = `lr ${lr.toFixed(3)}: `
      + (diverges ? "diverges" : `${dist(last).toFixed(2)} from the minimum after `
        + `${surface.steps} steps`);
    figure.dataset.nnDiverges = String(diverges);
  }

  slider.addEventListener("input", render);
  method.addEventListener("change", render);
  render();
  return { redraw: async () => { colours = await palette(); render(); } };
}
