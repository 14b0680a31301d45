// An epoch scrubber: the network's decision regions at each recorded epoch
// of its training (the snapshots the render service exported), chosen with a
// slider, the arrow keys, or "play". Replaces the animation: nothing moves
// unless the reader asks, and with reduced motion "play" is not offered.

import {
  canvas, drawPoints, el, network, paintRegions, palette, panel, planeMap,
  readout, reducedMotion, regions, regionsInSlices, widthFor,
} from "./common.js";

const FRAME_MS = 700;
// Shading cells across: finer than the other figures' 96 (each epoch's cells
// are computed once per scheme and kept, so the cost is paid once per epoch)
// to keep the spiral's arms from looking blocky at 480 px.
const CELLS = 160;
// An epoch shown before its fine frame is ready gets a coarse one at once
// (ROUGH cells across: ~5 ms, 20 on a slow phone); its fine one is made next, a slice of rows at
// a time, in idle time or short timeouts, never holding the main thread more
// than about SLICE_MS (a 50 ms task makes the page feel stuck).
const ROUGH = 32;
const SLICE_MS = 8;

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
  // The saved epochs are not evenly spaced (0, 1, 2, 5, 10, ... 300) but the
  // slider steps from one to the next: each stop is labelled with its epoch
  // under the track, so the track does not pass for a linear scale of epochs.
  const labels = el("div", { class: "nn-live-ticks", "aria-hidden": "true" },
    ...epochs.map((e, i) => el("span", { text: String(e),
      // under the thumb's centre: the thumb (16 px) travels the track less its width
      style: `left:calc(8px + (100% - 16px) * ${i / (epochs.length - 1)})` })));
  const track = el("div", { class: "nn-live-track" }, slider, labels);
  // the slider speaks its own value (aria-valuetext); the readout speaks
  // only when "play" stops
  const label = readout(figure);
  const play = el("button", { type: "button", text: "Play" });
  const controls = el("div", { class: "nn-live-controls" }, track);
  if (!reducedMotion()) controls.prepend(play);
  // the label on a row of its own: beside the slider its changing length
  // would resize the slider under the reader's pointer
  box.append(view.canvas, controls, label.node);

  let colours = await palette();
  // epoch index -> its fine cells, one pixel each (CELLS x CELLS x 4 bytes, 100 kB):
  // computed once per palette, stretched over the canvas when shown. Keeping
  // whole frames instead would hold 3.7 MB per epoch on a 2x screen.
  let frames = new Map();
  let timer = null;
  const shown = net.json.points || net.json.train;

  // A frame's cells cost ~100 ms at CELLS (the forward pass over every cell),
  // so they are made in slices of rows (regionsInSlices), the epoch on show
  // first, then the others in order: the first drag through the epochs finds
  // most ready. Until its fine frame is done an epoch shows a coarse one.
  let rough = new Map();
  let making = false;
  function frame(index) {
    if (frames.has(index)) return frames.get(index);
    if (!rough.has(index)) {
      rough.set(index, regions(net.atEpoch(epochs[index]), extent, w, h, colours, ROUGH));
    }
    next();
    return rough.get(index);
  }
  function next() {
    const current = Number(slider.value);
    const index = frames.has(current) ? epochs.findIndex((_, i) => !frames.has(i)) : current;
    if (making || index < 0) return;
    making = true;
    const made = frames;
    regionsInSlices(net.atEpoch(epochs[index]), extent, w, h, colours, CELLS, SLICE_MS)
      .then((image) => {
        making = false;
        if (made === frames) { // not a frame of the palette before a redraw
          frames.set(index, image);
          figure.dataset.nnFramesReady = String(frames.size);
          if (index === Number(slider.value)) show(index); // the fine frame replaces the coarse
        }
        next();
      });
  }

  function show(index) {
    const epoch = epochs[index];
    paintRegions(view.ctx, frame(index), w, h, colours);
    if (shown) drawPoints(view.ctx, map, shown.X, shown.y, colours, 2);
    // An epoch's accuracy is its mean over the batches it trained on, as the
    // training recorded it; the last epoch's is the final weights' on the
    // whole training split, as results.json has it (export's train_accuracy);
    // epoch 0 trained on none, and the page has no training data to measure
    // the starting weights on, so it says so. Two decimals, as the post
    // prints accuracies: 99.85% is not 100%.
    const snap = net.json.snapshots[index];
    const value = index === epochs.length - 1 && net.json.train_accuracy !== undefined
      ? net.json.train_accuracy : snap.accuracy;
    const accuracy = value !== undefined
      ? `, training accuracy ${Number((100 * value).toFixed(2))}%`
      : epoch === 0 ? ": the starting weights, before any training" : "";
    const text = `epoch ${epoch} of ${epochs.at(-1)}${accuracy}`;
    label.shown.textContent = text;
    slider.setAttribute("aria-valuetext", text);
    slider.value = String(index);
    figure.dataset.nnEpoch = String(epoch);
    figure.dataset.nnFrame = frames.has(index) ? "fine" : "rough"; // for tests: wait for fine
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
  return {
    redraw: async () => {
      colours = await palette();
      frames = new Map();
      rough = new Map();
      show(Number(slider.value));
    },
  };
}
