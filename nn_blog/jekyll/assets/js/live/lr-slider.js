// A learning-rate slider on the loss surface: gradient descent (or momentum,
// or Adam) from the static figure's starting point, recomputed as the slider
// moves, with the same optimizers that train in the browser (nn-train.js,
// checked against NumPy). Past lr = 2 / lambda_max plain descent diverges.

import { matrix } from "../nn-engine.js";
import { adam, sgd } from "../nn-train.js";
import { canvas, data, el, palette, panel, planeMap, readout, rgb, widthFor } from "./common.js";

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

// L(w) for one point [w1, w2].
export function loss(surface, [a, b]) {
  const d = [a - surface.w_star[0], b - surface.w_star[1]];
  const [[h00, h01], [h10, h11]] = surface.H;
  return 0.5 * (d[0] * (h00 * d[0] + h01 * d[1]) + d[1] * (h10 * d[0] + h11 * d[1]));
}

// Steps in each of the two windows the growth test compares.
export const WINDOW = 10;

// Does the path grow? An oscillation (plain descent flips sign each step,
// momentum turns round the minimum) makes the loss itself go up and down, so
// compare its envelope: the highest loss over the last WINDOW steps against
// the highest over the WINDOW before. Whether the path ends nearer the
// minimum than it began says nothing: a slow divergence along the steep
// direction hides behind the fast progress along the valley floor.
export function grows(surface, points) {
  const L = points.map((p) => loss(surface, p));
  if (!L.every(Number.isFinite)) return true;
  const n = L.length;
  return Math.max(...L.slice(n - WINDOW)) > Math.max(...L.slice(n - 2 * WINDOW, n - WINDOW));
}

// The verdict for `method` at rate `lr` on `points` (its path): { diverges, text }.
// Plain descent on a quadratic diverges exactly when lr > 2 / lambda_max
// (surface.lr_limit): the theory decides, and the text gives the bound.
// Momentum and Adam: the growth test on the path drawn.
export function verdict(surface, method, lr, points) {
  const star = surface.w_star;
  const last = points.at(-1);
  const far = `${Math.hypot(last[0] - star[0], last[1] - star[1]).toFixed(2)} from the minimum`
    + ` after ${points.length - 1} steps`;
  const rate = `lr ${lr.toFixed(3)}`;
  if (method === "plain") {
    const bound = `2/λmax = ${surface.lr_limit.toFixed(3)}`;
    return lr > surface.lr_limit
      ? { diverges: true, text: `${rate}, above ${bound}: diverges` }
      : { diverges: false, text: `${rate}, below ${bound}: ${far}` };
  }
  return grows(surface, points)
    ? { diverges: true, text: `${rate}: the loss grows step after step: diverges` }
    : { diverges: false, text: `${rate}: ${far}` };
}

// Colours as the static figure computes them (nn_blog/figures/style.py).
const mix = (a, b, t) => rgb(a).map((x, i) => (1 - t) * x + t * rgb(b)[i]);
const css = (c) => `rgb(${c.map(Math.round).join(",")})`;

let count = 0;

export default async function lrSlider(figure) {
  const surface = await data("loss-surface");
  const box = panel(figure, figure.dataset.nnReplace === "true");
  const [x0, x1, y0, y1] = surface.extent;
  const w = widthFor(figure, 520);
  // the plot inside margins for the axes' numbers and names
  const M = { left: 28, right: 6, top: 18, bottom: 30 };
  const pw = w - M.left - M.right;
  const ph = Math.round((pw * (y1 - y0)) / (x1 - x0));
  const view = canvas(w, ph + M.top + M.bottom, "Loss surface with a gradient-descent path");
  view.canvas.removeAttribute("tabindex"); // a picture: the slider and menu take the keys
  const map = planeMap(surface.extent, pw, ph);
  const id = `nn-lr-rate-${++count}`;
  const slider = el("input", { type: "range", id, min: "0.005", max: "0.4", step: "0.005",
    value: "0.15" });
  const method = el("select", { "aria-label": "Optimizer" },
    el("option", { value: "plain", text: "gradient descent" }),
    el("option", { value: "momentum", text: "momentum 0.9" }),
    el("option", { value: "adam", text: "Adam" }));
  const said = readout(figure);
  // the verdict gets a row of its own: beside the slider its changing length
  // would resize the slider under the reader's pointer
  box.append(view.canvas, el("div", { class: "nn-live-controls" },
    el("label", { for: id, text: "learning rate" }), slider, method), said.node);
  let colours = await palette();

  // Filled level sets, as the static figure: exact ellipses (semi-axes
  // sqrt(2 L / c) along H's eigenvectors) at 12 geometric levels, darker
  // outwards on a page -> half-accent scale, over a frame of the outer shade.
  function surfaceAndAxes() {
    const { ctx } = view;
    const s = colours;
    ctx.fillStyle = s.page;
    ctx.fillRect(0, 0, w, view.h);
    const top = Math.max(...[[x0, y0], [x0, y1], [x1, y0], [x1, y1]].map((p) => loss(surface, p)));
    const end = mix(s.accent, s.page, 0.5);
    const begin = rgb(s.page).map((x, i) => 0.94 * x + 0.06 * end[i]);
    const shade = (t) => css(begin.map((x, i) => (1 - t) * x + t * end[i]));
    ctx.save();
    ctx.translate(M.left, M.top);
    ctx.beginPath();
    ctx.rect(0, 0, pw, ph);
    ctx.clip();
    ctx.fillStyle = shade(0.75);
    ctx.fillRect(0, 0, pw, ph);
    const [cx, cy] = map.toPixel(surface.w_star);
    const scale = pw / (x1 - x0);
    ctx.strokeStyle = css(mix(s.accent, s.page, 0.6));
    ctx.lineWidth = 0.8;
    for (let i = 11; i >= 0; i--) {
      const level = 0.05 * (top / 0.05) ** (i / 11);
      const [a, b] = surface.curvatures.map((c) => Math.sqrt((2 * level) / c) * scale);
      ctx.fillStyle = shade(0.7 * (i / 11));
      ctx.beginPath();
      ctx.ellipse(cx, cy, a, b, -surface.angle, 0, 2 * Math.PI); // y points down
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
    // axes: integer ticks and the parameters' names, in the muted text colour
    ctx.fillStyle = s.muted;
    ctx.strokeStyle = s.muted;
    ctx.lineWidth = 1;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.beginPath();
    for (let x = Math.ceil(x0); x <= x1; x++) {
      const px = M.left + map.toPixel([x, y0])[0];
      ctx.moveTo(px, M.top + ph);
      ctx.lineTo(px, M.top + ph + 3);
      ctx.fillText(x < 0 ? `−${-x}` : String(x), px, M.top + ph + 4);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let y = Math.ceil(y0); y <= y1; y++) {
      const py = M.top + map.toPixel([x0, y])[1];
      ctx.moveTo(M.left, py);
      ctx.lineTo(M.left - 3, py);
      ctx.fillText(y < 0 ? `−${-y}` : String(y), M.left - 5, py);
    }
    ctx.stroke();
    ctx.fillStyle = s.text;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText("w₁", M.left + pw / 2, view.h - 1);
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText("w₂", 2, 1); // above the axis' numbers
  }

  function marker(ctx, [x, y], star) {
    ctx.fillStyle = colours.text;
    ctx.strokeStyle = colours.page;
    ctx.lineWidth = 1;
    ctx.beginPath();
    if (star) {
      for (let k = 0; k < 10; k++) { // the minimum w*: a five-pointed star
        const r = k % 2 ? 3.2 : 7.5;
        const a = -Math.PI / 2 + (k * Math.PI) / 5;
        ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
      }
      ctx.closePath();
    } else {
      ctx.arc(x, y, 4, 0, 2 * Math.PI); // where every path starts
    }
    ctx.fill();
    ctx.stroke();
  }

  function render() {
    const lr = Number(slider.value);
    const points = path(surface, METHODS[method.value](lr), surface.steps);
    const judged = verdict(surface, method.value, lr, points);
    surfaceAndAxes();
    const { ctx } = view;
    ctx.save();
    ctx.translate(M.left, M.top);
    ctx.beginPath();
    ctx.rect(0, 0, pw, ph);
    ctx.clip();
    // a diverging path in the static figure's colour for the too-large rate
    const colour = judged.diverges ? colours.negative : colours.accent;
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    const clamp = (p) => map.toPixel(p).map((v) => Math.max(-1e4, Math.min(1e4, v)));
    points.forEach((p, i) => (i === 0 ? ctx.moveTo(...clamp(p)) : ctx.lineTo(...clamp(p))));
    ctx.stroke();
    points.forEach((p) => {
      const [px, py] = clamp(p);
      ctx.beginPath();
      ctx.arc(px, py, 1.8, 0, 2 * Math.PI);
      ctx.fill();
    });
    marker(ctx, map.toPixel(surface.w_star), true);
    marker(ctx, map.toPixel(surface.start), false);
    ctx.restore();
    said.say(judged.text);
    figure.dataset.nnDiverges = String(judged.diverges);
  }

  slider.addEventListener("input", render);
  method.addEventListener("change", render);
  render();
  return { redraw: async () => { colours = await palette(); render(); } };
}
