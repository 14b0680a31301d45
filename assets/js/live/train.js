// Train the network in the reader's browser: from the post's own initial
// weights (its epoch-0 snapshot), on its own training split, with its
// declared loss, optimizer and batch size; the loss curve grows and the
// decision regions redraw as it learns. Start / pause / reset.

import { inputMatrix } from "../nn-engine.js";
import { epoch as trainEpoch, optimizer, targets, trainable } from "../nn-train.js";
import {
  canvas, drawPoints, el, network, palette, panel, planeMap, reducedMotion,
  shadePlane, widthFor,
} from "./common.js";

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
  const curve = canvas(Math.min(w, 280), 120, "Training loss per epoch");
  [view, curve].forEach((c) => c.canvas.removeAttribute("tabindex"));
  const map = planeMap(extent, w, h);
  const run = el("button", { type: "button", text: "Start" });
  const reset = el("button", { type: "button", text: "Reset" });
  const status = el("output", { "aria-live": "polite" });
  box.append(el("div", { class: "nn-live-row" }, view.canvas, curve.canvas),
    el("div", { class: "nn-live-controls" }, run, reset, status));

  const X = inputMatrix(exported, data.X); // standardised as in training
  const k = exported.layers.at(-1).W.cols;
  const Y = targets(data.y, k);
  const epochs = training.epochs;
  let colours = await palette();
  let net;
  let step;
  let rand;
  let losses;
  let running = false;

  function start() {
    net = trainable(exported.atEpoch(0));
    step = optimizer(training.optimizer);
    rand = random(1);
    losses = [];
    draw();
  }

  function draw() {
    shadePlane(view.ctx, net, extent, w, h, colours, 64);
    drawPoints(view.ctx, map, data.X, data.y, colours, 2);
    const { ctx, w: cw, h: ch } = curve;
    ctx.fillStyle = colours.page;
    ctx.fillRect(0, 0, cw, ch);
    ctx.strokeStyle = colours.grid;
    ctx.strokeRect(0.5, 0.5, cw - 1, ch - 1);
    if (losses.length) {
      const top = Math.max(...losses);
      ctx.strokeStyle = colours.accent;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      losses.forEach((L, i) => {
        const x = 4 + ((cw - 8) * (i + 1)) / epochs;
        const y = ch - 4 - ((ch - 8) * L) / top;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
    status.textContent = losses.length
      ? `epoch ${losses.length} of ${epochs}, loss ${losses.at(-1).toFixed(3)}`
      : `epoch 0 of ${epochs}: the post's starting weights`;
    figure.dataset.nnEpoch = String(losses.length);
  }

  // A few epochs per frame (one with reduced motion: fewer redraws a second).
  function frame() {
    if (!running) return;
    const batch = reducedMotion() ? 1 : 4;
    for (let i = 0; i < batch && losses.length < epochs; i++) {
      const order = shuffled(X.rows, rand);
      losses.push(trainEpoch(net, training.loss, step, X, Y, training.batch_size, order));
    }
    draw();
    if (losses.length >= epochs || !Number.isFinite(losses.at(-1))) {
      running = false;
      run.textContent = "Start";
      return;
    }
    requestAnimationFrame(frame);
  }

  run.addEventListener("click", () => {
    running = !running;
    run.textContent = running ? "Pause" : "Start";
    if (running) {
      if (losses.length >= epochs) start();
      requestAnimationFrame(frame);
    }
  });
  reset.addEventListener("click", () => {
    running = false;
    run.textContent = "Start";
    start();
  });

  start();
  return { redraw: async () => { colours = await palette(); draw(); } };
}
