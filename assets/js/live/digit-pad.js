// The digit pad: draw a digit; ten bars show the digits network's
// probabilities as you draw. The pad is a 32x32 bitmap, made into the data
// set's 8x8 the way the UCI digits were: the drawing is scaled to fill the
// height (centred, at most 24 wide), then each 4x4 block's count of inked
// pixels is one input, 0-16. (Without the scaling, a stroke at the edge,
// where the training digits never had ink, would swamp the network.)
// Mouse, touch and pen draw (Pointer Events; Shift or the right button
// erases). Keyboard: arrows move the cursor over the 8x8 blocks, Space or
// Enter inks a block, Delete/Backspace clears it.

import { predict } from "../nn-engine.js";
import { canvas, el, network, palette, panel, percent, pointer } from "./common.js";

const FINE = 32; // bitmap side
const SIDE = 8; // the network's image side: 4x4 blocks of the bitmap
const BLOCK = FINE / SIDE;
const PEN = 1.9; // pen radius in bitmap pixels: strokes as thick as the data's
const WIDEST = 24; // bitmap pixels a digit may span across (the data's edge columns stay blank)

// The 8x8 inputs (0-16) for a 32x32 bitmap of 0/1: scaled to fit, centred, counted per block.
export function toInputs(ink) {
  let [r0, r1, c0, c1] = [FINE, -1, FINE, -1];
  ink.forEach((v, i) => {
    if (!v) return;
    const r = Math.floor(i / FINE);
    const c = i % FINE;
    [r0, r1, c0, c1] = [Math.min(r0, r), Math.max(r1, r), Math.min(c0, c), Math.max(c1, c)];
  });
  const inputs = new Array(SIDE * SIDE).fill(0);
  if (r1 < 0) return inputs;
  const h = r1 - r0 + 1;
  const w = c1 - c0 + 1;
  const scale = Math.min(FINE / h, WIDEST / w);
  const left = (FINE - w * scale) / 2;
  const top = (FINE - h * scale) / 2;
  for (let y = 0; y < FINE; y++) {
    for (let x = 0; x < FINE; x++) {
      // the source pixel under this target pixel's centre (nearest neighbour)
      const r = Math.floor(r0 + (y + 0.5 - top) / scale);
      const c = Math.floor(c0 + (x + 0.5 - left) / scale);
      if (r < r0 || r > r1 || c < c0 || c > c1 || !ink[r * FINE + c]) continue;
      inputs[Math.floor(y / BLOCK) * SIDE + Math.floor(x / BLOCK)] += 1;
    }
  }
  return inputs;
}

export default async function digitPad(figure) {
  const net = await network(figure.dataset.nnNetwork || "digits");
  const box = panel(figure, false);
  const size = 224;
  const pad = canvas(size, size, "Drawing pad for a digit");
  const seen = canvas(64, 64, "The 8 by 8 pixels the network sees");
  seen.canvas.removeAttribute("tabindex");
  const dot = size / FINE;
  const cell = size / SIDE;
  let ink = new Uint8Array(FINE * FINE);
  let sample = null; // a test digit's 8x8 inputs, shown as they are
  let cursor = 27;
  let colours = await palette();
  let next = 0;

  const bars = el("div", { class: "nn-live-bars", role: "group",
    "aria-label": "Probability of each digit" });
  const rows = net.classes.map((name) => {
    const bar = el("div", { class: "nn-live-bar" });
    const value = el("output", { text: "" });
    bars.append(el("span", { text: name }), el("div", {}, bar), value);
    return { bar, value };
  });
  const verdict = el("output", { "aria-live": "polite", class: "nn-live-note" });
  const samples = net.json.samples.X;
  const controls = el("div", { class: "nn-live-controls" },
    el("button", { type: "button", text: "Clear", onclick: () => clear() }),
    el("button", { type: "button", text: "Show me a test digit",
      onclick: () => { clear(); sample = samples[next++ % samples.length]; update(); } }),
    seen.canvas, verdict);
  box.append(el("div", { class: "nn-live-row" }, pad.canvas, bars), controls);

  const inputs = () => sample || toInputs(ink);

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
    if (sample) blocks(pad, x, cell);
    else {
      const { ctx } = pad;
      ctx.fillStyle = colours.page;
      ctx.fillRect(0, 0, size, size);
      ctx.fillStyle = colours.text;
      ink.forEach((v, i) => {
        if (v) ctx.fillRect((i % FINE) * dot, Math.floor(i / FINE) * dot, dot, dot);
      });
    }
    grid(pad, SIDE, cell);
    pad.ctx.strokeRect(0.5, 0.5, size - 1, size - 1); // the pad's edge
    if (document.activeElement === pad.canvas) {
      pad.ctx.strokeStyle = colours.accent;
      pad.ctx.lineWidth = 2;
      pad.ctx.strokeRect((cursor % SIDE) * cell + 1, Math.floor(cursor / SIDE) * cell + 1,
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
    verdict.textContent = blank ? "Draw a digit"
      : `Looks like a ${net.classes[best]} (${percent(p[best])})`;
    figure.dataset.nnPrediction = blank ? "" : net.classes[best];
  }

  function clear() {
    ink = new Uint8Array(FINE * FINE);
    sample = null;
    update();
  }

  // Ink (or erase) a round pen along the segment from a to b, in bitmap pixels.
  function stroke(a, b, value) {
    const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) * 2));
    for (let s = 0; s <= steps; s++) {
      const x = a[0] + ((b[0] - a[0]) * s) / steps;
      const y = a[1] + ((b[1] - a[1]) * s) / steps;
      const radius = value ? PEN : PEN * 2;
      for (let r = Math.floor(y - radius); r <= y + radius; r++) {
        for (let c = Math.floor(x - radius); c <= x + radius; c++) {
          if (r < 0 || r >= FINE || c < 0 || c >= FINE) continue;
          if (Math.hypot(c + 0.5 - x, r + 0.5 - y) <= radius) ink[r * FINE + c] = value;
        }
      }
    }
  }

  let last = null;
  const at = (event) => pointer(event, pad).map((v) => v / dot);
  const erasing = (event) => event.shiftKey || (event.buttons & 2) === 2;
  pad.canvas.addEventListener("pointerdown", (event) => {
    if (sample) clear(); // draw your own from a blank pad
    pad.canvas.setPointerCapture(event.pointerId);
    last = at(event);
    stroke(last, last, erasing(event) ? 0 : 1);
    update();
    event.preventDefault();
  });
  pad.canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    const point = at(event);
    stroke(last, point, erasing(event) ? 0 : 1);
    last = point;
    update();
  });
  const stop = () => { last = null; };
  pad.canvas.addEventListener("pointerup", stop);
  pad.canvas.addEventListener("pointercancel", stop);
  pad.canvas.addEventListener("contextmenu", (event) => event.preventDefault());
  pad.canvas.addEventListener("focus", draw);
  pad.canvas.addEventListener("blur", draw);
  pad.canvas.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    const r = Math.floor(cursor / SIDE);
    const c = cursor % SIDE;
    if (event.key in moves) {
      const [dr, dc] = moves[event.key];
      cursor = Math.min(SIDE - 1, Math.max(0, r + dr)) * SIDE
        + Math.min(SIDE - 1, Math.max(0, c + dc));
      draw();
    } else if (["Enter", " ", "Delete", "Backspace"].includes(event.key)) {
      if (sample) clear();
      const value = event.key === "Enter" || event.key === " " ? 1 : 0;
      for (let y = 0; y < BLOCK; y++) {
        ink.fill(value, (r * BLOCK + y) * FINE + c * BLOCK, (r * BLOCK + y) * FINE + (c + 1) * BLOCK);
      }
      update();
    } else return;
    event.preventDefault();
  });

  update();
  return { redraw: async () => { colours = await palette(); update(); } };
}
