// Train the network in the reader's browser: from the post's own initial
// weights (its epoch-0 snapshot), on its own training split, with its
// declared loss, optimizer and batch size; the loss curve grows and the
// decision regions redraw as it learns. Start / pause / reset.

import { inputMatrix } from "../nn-engine.js";
import {
  epoch as trainEpoch, lossAndGrads, optimizer, targets, trainable,
} from "../nn-train.js";
import {
  canvas, drawPoints, el, lossAxes, network, palette, panel, planeMap, readout,
  reducedMotion, shadePlane, turn, widthFor,
} from "./common.js";

// A whole run takes about RUN_MS of running time: each redraw trains up to
// the epoch the run's clock has reached (a slow device takes longer, it never
// skips an epoch). The clock runs on frames, not the wall: each frame moves
// it on by the time since the last one but never more than FRAME_MS, so a
// tab frozen for seconds (or a long garbage collection) resumes where it was
// rather than jumping tens of epochs; a hidden page pauses the run. The clock
// gives the early epochs most of the time: epoch e of E is due at
// RUN_MS (e/E)^(1/PACE), so the first tenth, where the loss falls and the
// boundary moves, takes about 1.6 s of the 5 and the settled rest goes
// quicker. With reduced motion the picture changes only every STILL_MS, in
// larger steps (the clock moves on by STILL_MS each).
const RUN_MS = 5000;
const PACE = 2;
const STILL_MS = 500;
const FRAME_MS = 50;
// Shading cells across the plane; the very first picture uses ROUGH (the
// engine's code runs cold then, several times slower: 64 cells took 30 ms).
const CELLS = 64;
const ROUGH = 32;

// Mulberry32: a small seeded generator, so every reset shuffles the same way.
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n, rand) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export default async function train(figure) {
  const exported = await network(figure.dataset.nnNetwork || "moons");
  const { train: data, training, plane: extent } = exported.json;
  if (!data || !exported.epochs.includes(0)) {
    throw new Error(`${exported.name} was exported without its training data or epoch 0`);
  }
  const box = panel(figure, figure.dataset.nnReplace === "true");
  const w = widthFor(figure, 360);
  const h = Math.round((w * (extent[3] - extent[2])) / (extent[1] - extent[0]));
  const view = canvas(w, h, `The ${exported.name} network learning`);
  const curve = canvas(Math.min(w, 280), 130, "Training loss per epoch");
  // pictures, not controls: no tab stop (the buttons take the keys)
  [view, curve].forEach((c) => c.canvas.removeAttribute("tabindex"));
  const map = planeMap(extent, w, h);
  const run = el("button", { type: "button", text: "Start" });
  const reset = el("button", { type: "button", text: "Reset" });
  // shown at every redraw, spoken only when the state changes
  const status = readout(figure);
  box.append(el("div", { class: "nn-live-row" }, view.canvas, curve.canvas),
    el("div", { class: "nn-live-controls" }, run, reset, status.node));

  const X = inputMatrix(exported, data.X); // standardised as in training
  const k = exported.layers.at(-1).W.cols;
  const Y = targets(data.y, k);
  const epochs = training.epochs;
  let colours = await palette();
  let net;
  let step;
  let rand;
  let first; // the loss of the starting weights on the whole training split
  let losses; // losses[e - 1]: epoch e's mean batch loss, as NumPy records it
  let running = false;
  let loop = 0; // which run a scheduled tick belongs to (a reset ends a run)
  let clock; // { t: the last frame's time, at: the run time reached then }
  let started = false; // a run begun since the last reset (pausing it offers "Resume")

  const at = () => `epoch ${losses.length} of ${epochs}, loss ${
    (losses.length ? losses.at(-1) : first).toFixed(3)}`;

  function start() {
    net = trainable(exported.atEpoch(0));
    step = optimizer(training.optimizer);
    rand = random(1);
    first = lossAndGrads(net, training.loss, X, Y).loss;
    losses = [];
    draw(ROUGH);
    status.shown.textContent = `${at()}: the post's starting weights`;
    // the fine plane in a task of its own: the first run of the engine's code is slow
    const id = loop;
    turn().then(() => { if (id === loop && !running && !losses.length) draw(); });
  }

  function curveDraw() {
    const xy = lossAxes(curve, colours, Math.max(first, ...losses.filter(Number.isFinite)),
      epochs, true);
    const { ctx } = curve;
    ctx.strokeStyle = colours.accent;
    ctx.fillStyle = colours.accent;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    [first, ...losses].forEach((L, e) => (e ? ctx.lineTo(...xy(e, L)) : ctx.moveTo(...xy(e, L))));
    ctx.stroke();
    const [px, py] = xy(losses.length, losses.length ? losses.at(-1) : first);
    ctx.beginPath(); // where the run is now (at epoch 0: the starting loss)
    ctx.arc(px, py, 3, 0, 2 * Math.PI);
    ctx.fill();
  }

  function draw(cells = CELLS) {
    shadePlane(view.ctx, net, extent, w, h, colours, cells);
    drawPoints(view.ctx, map, data.X, data.y, colours, 2);
    curveDraw();
    figure.dataset.nnEpoch = String(losses.length);
  }

  function stop(text) {
    running = false;
    const done = losses.length >= epochs || !Number.isFinite(losses.at(-1) ?? first);
    if (done) started = false;
    run.textContent = started ? "Resume" : "Start";
    status.say(text);
  }

  function tick(id = loop) {
    if (!running || id !== loop) return;
    const now = performance.now();
    clock.at += reducedMotion() ? STILL_MS : Math.min(FRAME_MS, Math.max(0, now - clock.t));
    clock.t = now;
    const due = Math.min(epochs, Math.floor(epochs * (clock.at / RUN_MS) ** PACE));
    const before = losses.length;
    while (losses.length < due && Number.isFinite(losses.at(-1) ?? first)) {
      const order = shuffled(X.rows, rand);
      losses.push(trainEpoch(net, training.loss, step, X, Y, training.batch_size, order));
    }
    if (losses.length > before) draw(); // a fast display gets frames with no new epoch
    if (!Number.isFinite(losses.at(-1) ?? first)) {
      return stop(`stopped at epoch ${losses.length}: the loss is no longer a number`);
    }
    if (losses.length >= epochs) return stop(`done: ${at()}`);
    status.shown.textContent = `running: ${at()}`;
    if (reducedMotion()) setTimeout(() => tick(id), STILL_MS);
    else requestAnimationFrame(() => tick(id));
  }

  run.addEventListener("click", () => {
    if (running) return stop(`paused at ${at()}`);
    if (losses.length >= epochs) start();
    running = true;
    started = true;
    loop += 1;
    // resuming: the clock goes on from the time the epochs so far were due
    clock = { t: performance.now(), at: RUN_MS * (losses.length / epochs) ** (1 / PACE) };
    run.textContent = "Pause";
    status.say(`running: ${at()}`);
    tick();
  });
  reset.addEventListener("click", () => {
    running = false;
    started = false;
    run.textContent = "Start";
    start();
    status.say(`reset: ${at()}, the post's starting weights`);
  });

  // a hidden page pauses the run (the reader resumes it): it neither trains
  // unseen nor jumps ahead when the page shows again
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && running) stop(`paused at ${at()}: the page was hidden`);
  });

  start();
  return { redraw: async () => { colours = await palette(); draw(); } };
}
