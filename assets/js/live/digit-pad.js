// The digit pad: draw on an 8x8 grid (the digits' own resolution, pixel
// values 0-16); ten bars show the digits network's probabilities as you draw.
// Mouse, touch and pen draw (Pointer Events); Shift or the right button
// erases. Keyboard: arrows move the cursor, Space or Enter inks the cell,
// Delete/Backspace clears it.

import { predict } from "../nn-engine.js";
import { canvas, el, network, palette, panel, percent, pointer } from "./common.js";

const SIDE = 8;
const MAX = 16; // the data set's darkest pixel

export default async function digitPad(figure) {
  const net = await network(figure.dataset.nnNetwork || "digits");
  const box = panel(figure, false);
  const size = 224;
  const pad = canvas(size, size, "Drawing pad: 8 by 8 pixels");
  const cell = size / SIDE;
  const pixels = new Array(SIDE * SIDE).fill(0);
  let cursor = 27;
  let colours = await palette();
  let sample = 0;

  const bars = el("div", { class: "nn-live-bars", role: "group",
    "aria-label": "Probability of each digit" });
  const rows = net.classes.map((name) => {
    const bar = el("div", { class: "nn-live-bar" });
    const value = el("output", { text: "" });
    bars.append(el("span", { text: name }), el("div", {}, bar), value);
    return { bar, value };
  });
  const verdict = el("output", { "aria-live": "polite", class: "nn-live-note" });
  const controls = el("div", { class: "nn-live-controls" },
    el("button", { type: "button", text: "Clear", onclick: () => set(null) }),
    el("button", { type: "button", text: "Show me a test digit",
      onclick: () => set(net.json.samples.X[sample++ % net.json.samples.X.length]) }),
    verdict);
  box.append(el("div", { class: "nn-live-row" }, pad.canvas, bars), controls);

  function draw() {
    const { ctx } = pad;
    ctx.fillStyle = colours.page;
    ctx.fillRect(0, 0, size, size);
    pixels.forEach((v, i) => {
      ctx.globalAlpha = v / MAX;
      ctx.fillStyle = colours.text;
      ctx.fillRect((i % SIDE) * cell, Math.floor(i / SIDE) * cell, cell, cell);
    });
    ctx.globalAlpha = 1;
    ctx.strokeStyle = colours.grid;
    ctx.lineWidth = 1;
    for (let k = 1; k < SIDE; k++) {
      ctx.beginPath();
      ctx.moveTo(k * cell, 0);
      ctx.lineTo(k * cell, size);
      ctx.moveTo(0, k * cell);
      ctx.lineTo(size, k * cell);
      ctx.stroke();
    }
    if (document.activeElement === pad.canvas) {
      ctx.strokeStyle = colours.accent;
      ctx.lineWidth = 2;
      ctx.strokeRect((cursor % SIDE) * cell + 1, Math.floor(cursor / SIDE) * cell + 1,
        cell - 2, cell - 2);
    }
  }

  function update() {
    draw();
    const blank = pixels.every((v) => v === 0);
    const [p] = predict(net, [pixels]);
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

  function set(values) {
    values = values || new Array(SIDE * SIDE).fill(0);
    values.forEach((v, i) => { pixels[i] = v; });
    update();
  }

  // A soft brush: the cell under the pointer goes to full ink, its neighbours
  // darken a little (strokes in the data are a few pixels wide and soft).
  function ink(i, erase) {
    if (erase) {
      pixels[i] = 0;
      return;
    }
    const r = Math.floor(i / SIDE);
    const c = i % SIDE;
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr < 0 || rr >= SIDE || cc < 0 || cc >= SIDE) continue;
        const amount = dr === 0 && dc === 0 ? MAX : dr === 0 || dc === 0 ? 3 : 1;
        pixels[rr * SIDE + cc] = Math.min(MAX, pixels[rr * SIDE + cc] + amount);
      }
    }
  }

  let drawing = false;
  let last = -1;
  const cellAt = (event) => {
    const [x, y] = pointer(event, pad);
    const c = Math.min(SIDE - 1, Math.max(0, Math.floor(x / cell)));
    const r = Math.min(SIDE - 1, Math.max(0, Math.floor(y / cell)));
    return r * SIDE + c;
  };
  pad.canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    pad.canvas.setPointerCapture(event.pointerId);
    last = cellAt(event);
    ink(last, event.shiftKey || event.button === 2);
    update();
    event.preventDefault();
  });
  pad.canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const i = cellAt(event);
    if (i === last) return;
    last = i;
    ink(i, event.shiftKey || (event.buttons & 2) === 2);
    update();
  });
  const stop = () => { drawing = false; last = -1; };
  pad.canvas.addEventListener("pointerup", stop);
  pad.canvas.addEventListener("pointercancel", stop);
  pad.canvas.addEventListener("contextmenu", (event) => event.preventDefault());
  pad.canvas.addEventListener("focus", draw);
  pad.canvas.addEventListener("blur", draw);
  pad.canvas.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -SIDE, ArrowDown: SIDE };
    if (event.key in moves) {
      const next = cursor + moves[event.key];
      const sameRow = Math.abs(moves[event.key]) !== 1
        || Math.floor(next / SIDE) === Math.floor(cursor / SIDE);
      if (next >= 0 && next < SIDE * SIDE && sameRow) cursor = next;
      draw();
    } else if (event.key === " " || event.key === "Enter") {
      pixels[cursor] = pixels[cursor] >= MAX ? 0 : Math.min(MAX, pixels[cursor] + 8);
      update();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      pixels[cursor] = 0;
      update();
    } else return;
    event.preventDefault();
  });

  update();
  return {
    redraw: async () => { colours = await palette(); update(); },
  };
}
