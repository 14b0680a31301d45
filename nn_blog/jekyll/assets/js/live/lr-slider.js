// A learning-rate slider on the loss surface: gradient descent (or momentum,
// or Adam) from the static figure's starting point, recomputed as the slider
// moves, with the same optimizers that train in the browser (nn-train.js,
// checked against NumPy). Past lr = 2 / lambda_max plain descent diverges,
// past 2 (1 + beta) / lambda_max momentum does (lambda_max from the export);
// the verdict says what the path drawn did (see `verdict`).

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

// The momentum the slider starts at (PyTorch's usual 0.9); β has a slider of its own.
export const BETA = 0.9;

export const METHODS = {
  plain: (lr) => sgd({ lr }),
  momentum: (lr, beta = BETA) => sgd({ lr, momentum: beta }),
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
// "Converges" is said only of a path whose loss ends below this share of its start.
export const FAR_BELOW = 1e-2;


// The largest rate that converges, where theory gives one: on a quadratic,
// plain descent for lr < 2 / lambda_max, heavy-ball momentum beta (PyTorch's
// u <- beta u + g, w <- w - lr u) for lr < 2 (1 + beta) / lambda_max.
// Adam has none (its steps are about lr long whatever the gradient): null.
export function bound(surface, method, beta = BETA) {
  if (method === "plain") return 2 / surface.lambda_max;
  if (method === "momentum") return (2 * (1 + beta)) / surface.lambda_max;
  return null;
}

// How much one step multiplies the distance from the minimum along the worst
// direction, in the long run: the spectral radius of the step's linear map,
// the larger root of r^2 - (1 + beta - lr c) r + beta = 0 over the
// curvatures c (beta = 0: |1 - lr c|).
export function growth(surface, lr, beta = 0) {
  return Math.max(...surface.curvatures.map((c) => {
    const b = 1 + beta - lr * c;
    const disc = b * b - 4 * beta;
    return disc < 0 ? Math.sqrt(beta) : (Math.abs(b) + Math.sqrt(disc)) / 2;
  }));
}

// Does the path's loss grow? An oscillation (momentum turns round the
// minimum) makes the loss go up and down, so it compares envelopes: the
// highest loss over the last WINDOW steps against the highest over the
// WINDOW before. A damped spiral's envelope can rise for a window too, so
// divergence is called only when the loss also ends above where it began.
export function grows(surface, points) {
  const L = points.map((p) => loss(surface, p));
  if (!L.every(Number.isFinite)) return true;
  const n = L.length;
  return L[n - 1] > L[0]
    && Math.max(...L.slice(n - WINDOW)) > Math.max(...L.slice(n - 2 * WINDOW, n - WINDOW));
}

const number = (v) => (Number.isFinite(v) ? (v >= 1e4 || v < 1e-3 ? v.toExponential(1)
  : v.toPrecision(2)) : "overflow").replace("-", "−");

// The verdict for `method` at rate `lr` (and momentum `beta`) on `points`,
// in the post's notation (μ the momentum, κmax the steepest curvature),
// its path: { state, diverges, text }. What the path did decides the words:
//   diverges   its loss ends above the start and still grows;
//   converges  its loss ends below FAR_BELOW of the start (and, where theory
//              has a bound, the rate is inside it);
//   unstable   past the theory's bound, growing, but in the steps drawn not
//              yet above the start (just past the bound the growth is slow);
//   near       Adam's "converges" (no theory: its loss ends as low, but at a
//              fixed rate it circles the minimum rather than settles);
//   slow       anything else: still on its way.
// `diverges` (the red path) is true for diverges and unstable: the theory's
// verdict on the rate, not the path's so far. Plain descent and momentum can
// diverge only past their bound, whatever the path did in its few steps.
export function verdict(surface, method, lr, points, beta = BETA) {
  const L0 = loss(surface, points[0]);
  const L = loss(surface, points.at(-1));
  const steps = points.length - 1;
  const limit = bound(surface, method, beta);
  const name = method === "momentum" ? `2(1+μ)/κmax = ${limit.toFixed(3)}` : "2/κmax = "
    + `${limit?.toFixed(3)}`;
  const rate = `lr ${lr.toFixed(3)}`;
  const where = limit === null ? rate : `${rate}, ${lr > limit ? "above" : "below"} ${name}`;
  const losses = `loss ${number(L)} after ${steps} steps (from ${number(L0)})`;
  // at the bound itself (to rounding) the steep direction neither shrinks nor
  // grows: not convergence
  const past = limit !== null && lr > limit - 1e-9;
  // Theory, where there is one, decides which side of the bound; the path
  // decides the words on that side (just inside momentum's bound a swing can
  // grow for a while, and still dies away: that is not divergence).
  let state;
  if (limit === null) {
    state = grows(surface, points) ? "diverges" : L < FAR_BELOW * L0 ? "near" : "slow";
  } else if (past) state = grows(surface, points) ? "diverges" : "unstable";
  else state = L < FAR_BELOW * L0 ? "converges" : "slow";
  const factor = growth(surface, lr, method === "momentum" ? beta : 0);
  const growing = `×${factor.toFixed(3)} a swing`;
  const said = {
    diverges: `${where}: diverges, ${losses}`,
    unstable: `${where}: unstable, ${growing}; ${losses}`,
    converges: `${where}: converges, ${losses}`,
    // Adam has no bound to be inside of: at a fixed rate it circles the
    // minimum with steps about lr long rather than settling
    near: `${where}: near the minimum, ${losses}`,
    slow: limit === null ? `${where}: still on its way, ${losses}`
      : `${where}: still on its way (${growing}), ${losses}`,
  }[state];
  return { state, diverges: state === "diverges" || state === "unstable", text: said };
}

// A range input under a finger: a vertical swipe that starts on it scrolls
// the page (touch-action: pan-y, in nn-figures.css) and must leave the value
// as it was. The browser may move the thumb on touchdown before it knows the
// gesture is a scroll; when it then takes the gesture over (pointercancel)
// the value goes back and `changed` redraws.
export function keepOnVerticalSwipe(range, changed) {
  let before = null;
  range.addEventListener("pointerdown", (event) => {
    before = event.pointerType === "touch" ? range.value : null;
  });
  range.addEventListener("pointercancel", () => {
    if (before !== null && range.value !== before) {
      range.value = before;
      changed();
    }
    before = null;
  });
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
  // up to 0.8: past momentum's bound 2(1+β)/λmax (0.633 at β = 0.9), so
  // every optimizer can be seen to fly off
  const slider = el("input", { type: "range", id, min: "0.005", max: "0.8", step: "0.005",
    value: "0.15" });
  // starting where the post's sentence on momentum's bound does (the export's momentum)
  const betaSlider = el("input", { type: "range", id: `${id}-beta`, min: "0", max: "0.99",
    step: "0.01", value: String(surface.momentum ?? BETA) });
  // the value beside it, for the eye (the slider itself tells a screen reader)
  const betaValue = el("span", { class: "nn-live-note", "aria-hidden": "true" });
  const method = el("select", { "aria-label": "Optimizer" },
    el("option", { value: "plain", text: "gradient descent" }),
    el("option", { value: "momentum", text: "momentum" }),
    el("option", { value: "adam", text: "Adam" }));
  const said = readout(figure);
  // the verdict gets a row of its own: beside the slider its changing length
  // would resize the slider under the reader's pointer
  const momentumRow = el("div", { class: "nn-live-controls" },
    el("label", { for: betaSlider.id, text: "momentum μ" }), betaSlider, betaValue);
  box.append(view.canvas, el("div", { class: "nn-live-controls" },
    el("label", { for: id, text: "learning rate" }), slider, method), momentumRow, said.node);
  for (const range of [slider, betaSlider]) keepOnVerticalSwipe(range, () => render());
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
    const beta = Number(betaSlider.value);
    // β matters to momentum alone; it stays in place (no jump in the layout)
    momentumRow.style.visibility = method.value === "momentum" ? "" : "hidden";
    betaSlider.disabled = method.value !== "momentum";
    betaValue.textContent = beta.toFixed(2);
    const points = path(surface, METHODS[method.value](lr, beta), surface.steps);
    const judged = verdict(surface, method.value, lr, points, beta);
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
  betaSlider.addEventListener("input", render);
  method.addEventListener("change", render);
  render();
  return { redraw: async () => { colours = await palette(); render(); } };
}
