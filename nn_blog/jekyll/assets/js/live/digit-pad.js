// The digit pad: draw a digit; ten bars show the digits network's
// probabilities as you draw. The network learnt from UCI optdigits: scanned
// digits scaled into a 32x32 bitmap of on/off pixels, then each 4x4 block's
// count of on pixels, 0-16. Every one of its digits fills the height, none
// inks the outer block columns, and the strokes are thick: about a fifth of
// the height. So the pad keeps what you draw as lines and makes them into
// the data's 8x8 the same way, whatever size you drew at: the lines' box is
// scaled to fill the bitmap's height (squeezed to WIDEST across if wider),
// centred, inked with a pen as thick as the data's, on/off per pixel.
// Mouse, touch and pen draw (Pointer Events; Shift or the right button
// erases). Keyboard: arrows move a cursor over the 8x8 blocks, Space or
// Enter inks a block (neighbouring blocks join into a stroke),
// Delete/Backspace erases one; each move says where the cursor is.
// Ink outside the pad is not kept: a stroke that leaves it ends at its last
// point on it and one that comes back starts anew.
//
// The network has no "not a digit" answer: its ten probabilities always add
// up to one, so a dot or a dash still gets a confident-looking digit. The pad
// says it is unsure (bars faded, data-nn-unsure) when
//   - the top probability is below SURE (0.7), or
//   - the drawing is unlike every training digit: less than half the ink of
//     the least-inked one (export's typical.ink; a dot: the pad's pen is as
//     broad as the data's, but a plain vertical 1 holds a little less ink
//     than any of the data's, so half), or farther from the nearest class's
//     mean image than all but 0.5% of them (typical.distance; a dot, a dash,
//     a cross, a box; the class means are those of the export's sample
//     digits, as the export measured the threshold with). Both come from the
//     training split (nn_blog/export.py, typical()).

import { predict } from "../nn-engine.js";
import { canvas, el, network, palette, panel, percent, pointer, readout } from "./common.js";

const FINE = 32; // bitmap side
const SIDE = 8; // the network's image side: 4x4 blocks of the bitmap
const BLOCK = FINE / SIDE;
const PEN = 3; // pen radius in bitmap pixels: our digits hold ~345 on pixels, the data's 313 ± 34
const WIDEST = 24; // bitmap pixels a digit may span across (the data's edge columns stay blank)
const ERASER = 0.06; // eraser radius in pad widths (a key erases a block: BLOCK_ERASER)
const BLOCK_ERASER = 0.7 / SIDE;
const STEP = 0.01; // the most a line's points lie apart, in pad widths
const SURE = 0.7; // below this top probability the pad says it is unsure

const inside = ([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1;

// Each class's mean image over the export's sample digits (`samples`).
export function classMeans({ X, y }) {
  const means = [];
  y.forEach((c, i) => {
    means[c] = means[c] || { sum: new Array(X[i].length).fill(0), n: 0 };
    X[i].forEach((v, k) => { means[c].sum[k] += v; });
    means[c].n += 1;
  });
  return means.map(({ sum, n }) => sum.map((v) => v / n));
}

// How sure to be of `p` (the ten probabilities) for `inputs` (the 8x8
// counts), given the export's `typical` (ink, distance) and the class means:
// { unsure, why }, why one of "low" (top probability under SURE), "ink"
// (less ink than nearly every training digit), "far" (unlike every digit).
export function judge(p, inputs, typical, means) {
  const ink = inputs.reduce((a, b) => a + b, 0);
  if (typical && ink < typical.ink / 2) return { unsure: true, why: "ink" };
  if (typical) {
    const nearest = Math.min(...means.map((m) => Math.sqrt(
      m.reduce((sum, v, i) => sum + (v - inputs[i]) ** 2, 0))));
    if (nearest > typical.distance) return { unsure: true, why: "far" };
  }
  return Math.max(...p) < SURE ? { unsure: true, why: "low" } : { unsure: false, why: "" };
}

// "a 7", "an 8" (the digits' names: only 8 takes "an")
export const article = (name) => `${name === "8" ? "an" : "a"} ${name}`;

// Squared distance from point p to the segment a-b.
function distance2([px, py], [ax, ay], [bx, by]) {
  const [dx, dy] = [bx - ax, by - ay];
  const t = dx || dy
    ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy))) : 0;
  return (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2;
}

// Each line's segments (a lone point is a segment from itself to itself).
const segments = (points) => points.map((p, i) => [points[Math.max(0, i - 1)], p]);

// The 8x8 inputs (0-16) for the lines drawn ([[x, y], ...] each, in pad
// widths): scaled to fill the bitmap, centred, inked with the data's pen,
// each block's on pixels counted.
export function toInputs(lines) {
  const inputs = new Array(SIDE * SIDE).fill(0);
  const points = lines.flat();
  if (!points.length) return inputs;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // The pen's centre line fills the bitmap's height less the pen's own radius
  // at each end, as every digit of the data fills it; one wider than WIDEST is
  // squeezed across (the data's edge columns stay blank even for wide digits).
  const tall = (FINE - 2 * PEN) / (y1 - y0); // Infinity for a flat line
  const across = Math.min(tall, (WIDEST - 2 * PEN) / (x1 - x0));
  const [sx, sy] = [across, Number.isFinite(tall) ? tall : across]
    .map((s) => (Number.isFinite(s) ? s : 0)); // a lone dot: the pen at the centre
  const to = ([x, y]) => [FINE / 2 + (x - (x0 + x1) / 2) * sx, FINE / 2 + (y - (y0 + y1) / 2) * sy];
  const ink = new Uint8Array(FINE * FINE);
  for (const line of lines) {
    for (const [a, b] of segments(line.map(to))) {
      const top = Math.max(0, Math.floor(Math.min(a[1], b[1]) - PEN));
      const bottom = Math.min(FINE - 1, Math.ceil(Math.max(a[1], b[1]) + PEN));
      const left = Math.max(0, Math.floor(Math.min(a[0], b[0]) - PEN));
      const right = Math.min(FINE - 1, Math.ceil(Math.max(a[0], b[0]) + PEN));
      for (let r = top; r <= bottom; r++) {
        for (let c = left; c <= right; c++) {
          if (distance2([c + 0.5, r + 0.5], a, b) <= PEN * PEN) ink[r * FINE + c] = 1;
        }
      }
    }
  }
  ink.forEach((v, i) => {
    inputs[Math.floor(i / FINE / BLOCK) * SIDE + Math.floor((i % FINE) / BLOCK)] += v;
  });
  return inputs;
}

// `line` extended to `point` in steps of at most STEP, so that an eraser
// passing over any part of it finds points there.
function extend(line, point) {
  const last = line.at(-1) || point;
  const n = Math.max(1, Math.ceil(Math.hypot(point[0] - last[0], point[1] - last[1]) / STEP));
  for (let k = line.length ? 1 : n; k <= n; k++) {
    line.push([last[0] + ((point[0] - last[0]) * k) / n, last[1] + ((point[1] - last[1]) * k) / n]);
  }
}

// The lines with every point within `radius` of `at` rubbed out (a line
// rubbed through its middle becomes two).
export function rub(lines, at, radius) {
  return lines.flatMap((line) => {
    const kept = [[]];
    for (const p of line) {
      if (Math.hypot(p[0] - at[0], p[1] - at[1]) > radius) kept.at(-1).push(p);
      else if (kept.at(-1).length) kept.push([]);
    }
    return kept.filter((k) => k.length);
  });
}

let pads = 0; // for unique ids

export default async function digitPad(figure) {
  const net = await network(figure.dataset.nnNetwork || "digits");
  const box = panel(figure, false);
  const size = 224;
  const pad = canvas(size, size, "Digit drawing pad");
  const hint = el("p", { class: "nn-live-note", id: `nn-pad-hint-${++pads}`,
    style: "margin:.5rem 0 0",
    text: "Draw with a mouse, finger or pen (Shift erases), or use the keys: "
      + "arrows move, Space inks a square, Delete erases it. It has no “not a digit” "
      + "answer: it always picks a digit, and says when it is unsure." });
  // where the keyboard's cursor is, spoken as it moves
  const where = el("span", { class: "nn-live-sr", "aria-live": "polite" });
  pad.canvas.classList.add("nn-live-draw"); // the only canvas that keeps touch from scrolling
  Object.entries({ role: "application", "aria-roledescription": "drawing pad",
    "aria-describedby": hint.id }).forEach(([k, v]) => pad.canvas.setAttribute(k, v));
  const seen = canvas(64, 64, "The 8 by 8 pixels the network sees");
  seen.canvas.removeAttribute("tabindex");
  seen.canvas.style.border = "1px solid var(--text-muted, #59636e)"; // visible while blank
  const cell = size / SIDE;
  let lines = []; // what the reader drew, in pad widths (see toInputs)
  let sample = null; // a test digit's 8x8 inputs, shown as they are
  let cursor = 27;
  let colours = await palette();
  let next = 0;

  const bars = el("div", { class: "nn-live-bars", role: "group",
    "aria-label": "Probability of each digit" });
  const rows = net.classes.map((name) => {
    const bar = el("div", { class: "nn-live-bar" });
    // plain text, not a live region: the verdict alone speaks, once settled
    const value = el("span", { class: "nn-live-note" });
    bars.append(el("span", { text: name }), el("div", {}, bar), value);
    return { bar, value };
  });
  const verdict = readout(figure);
  const samples = net.json.samples.X;
  const means = classMeans(net.json.samples);
  const controls = el("div", { class: "nn-live-controls" },
    el("button", { type: "button", text: "Clear", onclick: () => clear() }),
    el("button", { type: "button", text: "Show me a test digit",
      onclick: () => { clear(); sample = samples[next++ % samples.length]; update(); } }),
    seen.canvas, verdict.node);
  box.append(el("div", { class: "nn-live-row" }, pad.canvas, bars), hint, controls, where);

  const inputs = () => sample || toInputs(lines);

  function grid(target, n, step) {
    const { ctx } = target;
    ctx.strokeStyle = colours.grid;
    ctx.lineWidth = 1;
    for (let k = 1; k < n; k++) {
      ctx.beginPath();
      ctx.moveTo(k * step, 0);
      ctx.lineTo(k * step, n * step);
      ctx.moveTo(0, k * step);
      ctx.lineTo(n * step, k * step);
      ctx.stroke();
    }
  }

  function blocks(target, values, step) {
    const { ctx } = target;
    ctx.fillStyle = colours.page;
    ctx.fillRect(0, 0, target.w, target.h);
    ctx.fillStyle = colours.text;
    values.forEach((v, i) => {
      ctx.globalAlpha = v / 16;
      ctx.fillRect((i % SIDE) * step, Math.floor(i / SIDE) * step, step, step);
    });
    ctx.globalAlpha = 1;
  }

  function draw() {
    const x = inputs();
    const { ctx } = pad;
    if (sample) {
      blocks(pad, x, cell);
      grid(pad, SIDE, cell);
    } else {
      ctx.fillStyle = colours.page;
      ctx.fillRect(0, 0, size, size);
      grid(pad, SIDE, cell); // under the ink: a guide to size, not a cut through the strokes
      ctx.lineCap = ctx.lineJoin = "round";
      ctx.strokeStyle = colours.text;
      ctx.lineWidth = size / 12;
      for (const line of lines) {
        ctx.beginPath();
        line.forEach(([px, py], i) => ctx[i ? "lineTo" : "moveTo"](px * size, py * size));
        if (line.length === 1) ctx.lineTo(line[0][0] * size, line[0][1] * size);
        ctx.stroke();
      }
    }
    ctx.strokeStyle = colours.grid;
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, size - 1, size - 1); // the pad's edge
    if (document.activeElement === pad.canvas) {
      ctx.strokeStyle = colours.accent;
      ctx.lineWidth = 2;
      ctx.strokeRect((cursor % SIDE) * cell + 1, Math.floor(cursor / SIDE) * cell + 1,
        cell - 2, cell - 2);
    }
    blocks(seen, x, 8);
  }

  function update() {
    draw();
    const x = inputs();
    const blank = x.every((v) => v === 0);
    const [p] = predict(net, [x]);
    let best = 0;
    p.forEach((q, j) => {
      rows[j].bar.style.width = `${(blank ? 0 : q) * 100}%`;
      rows[j].value.textContent = blank ? "" : percent(q);
      if (q > p[best]) best = j;
    });
    const sure = blank ? { unsure: false, why: "" } : judge(p, x, net.json.typical, means);
    const guess = `${article(net.classes[best])} (${percent(p[best])})`;
    const unlike = { ink: "too little ink", far: "unlike any digit it learnt" };
    bars.style.opacity = sure.unsure ? "0.45" : "";
    verdict.say(blank ? "Draw a digit"
      : !sure.unsure ? `Looks like ${guess}`
        : sure.why === "low" ? `Not sure: perhaps ${guess}`
          : `Not sure: ${unlike[sure.why]}; best guess ${guess}`);
    figure.dataset.nnPrediction = blank ? "" : net.classes[best];
    figure.dataset.nnUnsure = blank ? "" : sure.why || "false";
  }

  function clear() {
    lines = [];
    sample = null;
    update();
  }

  let drawing = null; // the line the pointer draws, or "erase"
  let rubbed = null; // where the eraser was last
  const at = (event) => pointer(event, pad).map((v) => v / size);
  // rub out along the eraser's path from `rubbed` to `point`
  function erase(point) {
    const path = [];
    extend(path, rubbed || point);
    extend(path, point);
    for (const p of path) lines = rub(lines, p, ERASER);
    rubbed = point;
  }
  pad.canvas.addEventListener("pointerdown", (event) => {
    if (sample) clear(); // draw your own from a blank pad
    left = false;
    pad.canvas.setPointerCapture(event.pointerId);
    if (event.shiftKey || (event.buttons & 2) === 2) {
      drawing = "erase";
      rubbed = null;
      erase(at(event));
    } else {
      lines.push(drawing = []);
      extend(drawing, at(event));
    }
    update();
    event.preventDefault();
  });
  let left = false; // the pen went off the pad: its next point on the pad starts a line
  pad.canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const point = at(event);
    if (drawing === "erase") erase(point);
    else if (!inside(point)) left = true; // the stroke ends at its last point on the pad
    else {
      if (left) lines.push(drawing = []);
      left = false;
      extend(drawing, point);
    }
    update();
  });
  const stop = () => { drawing = null; };
  pad.canvas.addEventListener("pointerup", stop);
  pad.canvas.addEventListener("pointercancel", stop);
  pad.canvas.addEventListener("contextmenu", (event) => event.preventDefault());
  pad.canvas.addEventListener("focus", draw);
  pad.canvas.addEventListener("blur", draw);
  let keyed = null; // the line the keys are inking: a block next to its last joins it
  pad.canvas.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    const r = Math.floor(cursor / SIDE);
    const c = cursor % SIDE;
    if (event.key in moves) {
      const [dr, dc] = moves[event.key];
      cursor = Math.min(SIDE - 1, Math.max(0, r + dr)) * SIDE
        + Math.min(SIDE - 1, Math.max(0, c + dc));
      draw();
      where.textContent = `row ${Math.floor(cursor / SIDE) + 1}, column ${cursor % SIDE + 1}`;
    } else if (["Enter", " ", "Delete", "Backspace"].includes(event.key)) {
      if (sample) clear();
      const point = [(c + 0.5) / SIDE, (r + 0.5) / SIDE];
      if (event.key === "Enter" || event.key === " ") {
        const last = keyed && keyed === lines.at(-1) && keyed.at(-1);
        const near = last && Math.max(Math.abs(last[0] - point[0]), Math.abs(last[1] - point[1]))
          < 1.5 / SIDE;
        if (!near) lines.push(keyed = []);
        extend(keyed, point);
      } else lines = rub(lines, point, BLOCK_ERASER);
      update();
    } else return;
    event.preventDefault();
  });

  update();
  return { redraw: async () => { colours = await palette(); update(); } };
}
