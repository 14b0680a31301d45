// An epoch scrubber: the network's decision regions at each recorded epoch
// of its training (the snapshots the render service exported), chosen with a
// slider, the arrow keys, or "play". Replaces the animation: nothing moves
// unless the reader asks, and with reduced motion "play" is not offered.

import {
  canvas, drawPoints, el, network, paintRegions, palette, panel, planeMap,
  readout, reducedMotion, regions, widthFor,
} from "./common.js";

const FRAME_MS = 700;
// Shading cells across: finer than the other figures' 96 (each epoch's cells
// are computed once per scheme and kept, so the cost is paid once per epoch)
// to keep the spiral's arms from looking blocky at 480 px.
const CELLS = 160;

export default async function scrubber(figure) {
  const net = await network(figure.dataset.nnNetwork || "spiral");
  const epochs = net.epochs;
  if (!epochs.length) throw new Error(`${net.name} was exported without snapshots`);
  const extent = net.json.plane;
  const box = panel(figure, true);
  const w = widthFor(figure, 480);
  const h = Math.round((w * (extent[3] - extent[2])) / (extent[1] - extent[0]));
  const view = canvas(w, h, `Decision regions of the ${net.name} network during training`,
    true);
  view.canvas.removeAttribute("tabindex"); // the slider takes the keys
  const map = planeMap(extent, w, h);
  const slider = el("input", { type: "range", min: "0", max: String(epochs.length - 1),
    step: "1", value: String(epochs.length - 1), "aria-label": "Epoch" });
  // the slider speaks its own value (aria-valuetext); the readout speaks
  // only when "play" stops
  const label = readout(figure);
  const play = el("button", { type: "button", text: "Play" });
  const controls = el("div", { class: "nn-live-controls" }, slider);
  if (!reducedMotion()) controls.prepend(play);
  // the label on a row of its own: beside the slider its changing length
  // would resize the slider under the reader's pointer
  box.append(view.canvas, controls, label.node);

  let colours = await palette();
  // epoch index -> its cells, one pixel each (CELLS x CELLS x 4 bytes, 100 kB):
  // computed once per palette, stretched over the canvas when shown. Keeping
  // whole frames instead would hold 3.7 MB per epoch on a 2x screen.
  let frames = new Map();
  let timer = null;
  const shown = net.json.points || net.json.train;

  // A frame's cells cost ~100 ms at CELLS (the forward pass over every cell),
  // so the ones not yet computed are computed while the page is idle, one per
  // idle slot: the first drag through the epochs then finds them ready.
  function frame(index) {
    if (!frames.has(index)) {
      frames.set(index, regions(net.atEpoch(epochs[index]), extent, w, h, colours, CELLS));
    }
    return frames.get(index);
  }
  const idle = (fn) => (window.requestIdleCallback
    ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 50));
  function warm() {
    const next = epochs.findIndex((_, i) => !frames.has(i));
    if (next >= 0) { frame(next); idle(warm); }
  }

  function show(index) {
    const epoch = epochs[index];
    paintRegions(view.ctx, frame(index), w, h, colours);
    if (shown) drawPoints(view.ctx, map, shown.X, shown.y, colours, 2);
    // An epoch's accuracy is its mean over the batches it trained on, as the
    // training recorded it; epoch 0 trained on none, and the page has no
    // training data to measure the starting weights on, so it says so.
    const snap = net.json.snapshots[index];
    const accuracy = snap.accuracy !== undefined
      ? `, training accuracy ${(100 * snap.accuracy).toFixed(0)}%`
      : epoch === 0 ? ": the starting weights, before any training" : "";
    const text = `epoch ${epoch} of ${epochs.at(-1)}${accuracy}`;
    label.shown.textContent = text;
    slider.setAttribute("aria-valuetext", text);
    slider.value = String(index);
    figure.dataset.nnEpoch = String(epoch);
  }

  function stop() {
    if (timer) label.say(label.shown.textContent, 0);
    clearInterval(timer);
    timer = null;
    play.textContent = "Play";
  }

  slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
  play.addEventListener("click", () => {
    if (timer) return stop();
    let index = Number(slider.value) >= epochs.length - 1 ? 0 : Number(slider.value);
    show(index);
    play.textContent = "Pause";
    timer = setInterval(() => {
      index += 1;
      if (index >= epochs.length) return stop();
      show(index);
    }, FRAME_MS);
  });

  show(epochs.length - 1);
  idle(warm);
  return {
    redraw: async () => {
      colours = await palette();
      frames = new Map();
      show(Number(slider.value));
      idle(warm);
    },
  };
}
