// An epoch scrubber: the network's decision regions at each recorded epoch
// of its training (the snapshots the render service exported), chosen with a
// slider, the arrow keys, or "play". Replaces the animation: nothing moves
// unless the reader asks, and with reduced motion "play" is not offered.

import {
  canvas, drawPoints, el, network, palette, panel, planeMap, reducedMotion,
  readout, shadePlane, widthFor,
} from "./common.js";

const FRAME_MS = 700;
// Shading cells across: finer than the other figures' 96 (each frame is
// computed once per scheme and cached, so the cost is paid once per epoch)
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
  const label = readout();
  const play = el("button", { type: "button", text: "Play" });
  const controls = el("div", { class: "nn-live-controls" }, slider, label.node);
  if (!reducedMotion()) controls.prepend(play);
  box.append(view.canvas, controls);

  let colours = await palette();
  let frames = new Map(); // epoch index -> ImageData, drawn once per palette
  let timer = null;

  function show(index) {
    const epoch = epochs[index];
    if (!frames.has(index)) {
      shadePlane(view.ctx, net.atEpoch(epoch), extent, w, h, colours, CELLS);
      if (net.json.train) drawPoints(view.ctx, map, net.json.train.X, net.json.train.y, colours, 2);
      frames.set(index, view.ctx.getImageData(0, 0, view.canvas.width, view.canvas.height));
    } else {
      view.ctx.putImageData(frames.get(index), 0, 0);
    }
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
  return {
    redraw: async () => {
      colours = await palette();
      frames = new Map();
      show(Number(slider.value));
    },
  };
}
