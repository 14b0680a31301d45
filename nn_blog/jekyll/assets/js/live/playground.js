// The playground: the reader picks a data set (and adds points with a click or
// the keyboard), the hidden layers, activation, optimizer, learning rate, batch
// size and noise, and trains the network in the page: loss curves, every hidden
// neuron's heatmap, the weights as lines and the decision regions, redrawn each
// frame. The configuration lives in the URL (?pg=...), so a link shares it, and
// "Take it to Python" gives the declaration and lines that train the same
// network in nn-blog (same data, weights and batches: nn-playground.js).
//
// Frames: training takes batches until TRAIN_MS of the frame is spent (at least
// one), then one forward pass over a GRID x GRID plane feeds every picture; the
// loop stops while the page is hidden. figure.nnPlayground exposes the run and
// the frames' times for the tests.

import { forwardAll } from "../nn-engine.js";
import {
  ACTIVATIONS, BATCHES, DATASETS, DEFAULTS, MAX_LAYERS, MAX_POINTS, MAX_UNITS, NOISES,
  OPTIMIZERS, PYTHON, RATES, build, declaration, decode, encode, evaluate, pointOf,
  trainBatch, trainEpoch,
} from "../nn-playground.js";
import {
  canvas, crosshair, drawPoints, el, lossAxes, nudge, palette, panel, planeMap, readout,
  reducedMotion, rgb, strength, turn, widthFor,
} from "./common.js";

const TRAIN_MS = 5; // of a frame's ~16 ms: the rest draws
const MAX_EPOCHS = 2000; // then it pauses: the curves have long settled
const GRID = 36; // cells across the plane for the regions and the heatmaps
const STILL_MS = 500; // reduced motion: a picture every half second
const PARAM = "pg";

const STYLE = `
.nn-pg-form{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.5rem .75rem;
  margin:.5rem 0;font-size:.875rem}
.nn-pg-form label{display:flex;flex-direction:column;gap:.15rem;color:var(--text-muted,#59636e)}
.nn-pg-form select,.nn-live .nn-pg-buttons button{min-height:32px;font:inherit;font-size:.9rem}
.nn-pg-form select{color:var(--text,#1f2328);background:var(--bg-raised,#fff);
  border:1px solid var(--border,#e1e4e8);border-radius:4px;padding:.2rem .3rem}
.nn-pg-buttons{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:center;margin:.5rem 0}
.nn-pg-row{display:flex;flex-wrap:wrap;gap:.75rem;justify-content:center;align-items:flex-start}
.nn-pg-python pre{font-size:.8rem;overflow-x:auto;max-width:100%;text-align:left}
.nn-pg-python{text-align:left}
.nn-pg-form label[hidden]{display:none}
.nn-pg-python summary{min-height:24px;cursor:pointer}
.nn-pg-legend{font-size:.8rem;color:var(--text-muted,#59636e);text-align:center;margin:.25rem 0}
`;

const LABELS = { tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU", sigmoid: "sigmoid",
  sgd: "SGD", momentum: "SGD + momentum 0.9", adam: "Adam",
  xor: "XOR", moons: "moons", circles: "circles", spiral: "spiral (3 classes)" };

function select(label, options, value, name) {
  const s = el("select", { name });
  for (const [v, text] of options) s.append(el("option", { value: String(v), text }));
  s.value = String(value);
  return { node: el("label", {}, label, s), input: s };
}

// The plane the data set lives in, square, with room around its points.
function extentOf(X) {
  const xs = X.map((p) => p[0]);
  const ys = X.map((p) => p[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const half = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) / 2
    + 0.3;
  return [cx - half, cx + half, cy - half, cy + half];
}

export default async function playground(figure) {
  if (!document.getElementById("nn-pg-style")) {
    document.head.append(el("style", { id: "nn-pg-style", text: STYLE }));
  }
  const box = panel(figure, true);
  const w = widthFor(figure, 680);
  const side = Math.min(w, 320);
  const plane = canvas(side, side, "Decision regions and the data; click or tap to add a point "
    + "of the chosen class, or move the cross-hair with the arrow keys and press Enter");
  plane.canvas.setAttribute("role", "application");
  plane.canvas.classList.add("nn-live-point");
  const netView = canvas(Math.min(w, 340), 300, "The network: inputs, every hidden neuron's "
    + "output over the plane, the final output; lines are weights, thicker for larger");
  const curve = canvas(Math.min(w, 340), 120, "Training and test loss per epoch");
  [netView, curve].forEach((c) => c.canvas.removeAttribute("tabindex"));

  const url = new URL(location.href);
  let config = decode(url.searchParams.get(PARAM) || encode(DEFAULTS));
  const controls = {};
  const form = el("div", { class: "nn-pg-form" });
  function addControl(key, label, options, value) {
    controls[key] = select(label, options, value, `nn-pg-${key}`);
    form.append(controls[key].node);
  }
  addControl("data", "Data set", Object.keys(DATASETS).map((d) => [d, LABELS[d]]), config.data);
  addControl("noise", "Noise", NOISES.map((v) => [v, String(v)]), config.noise);
  addControl("depth", "Hidden layers", [0, 1, 2, 3].map((v) => [v, String(v)]),
    config.layers.length);
  for (let l = 0; l < MAX_LAYERS; l++) {
    addControl(`units${l}`, `Units in layer ${l + 1}`,
      Array.from({ length: MAX_UNITS }, (_, i) => [i + 1, String(i + 1)]), config.layers[l] || 4);
  }
  addControl("act", "Activation", ACTIVATIONS.map((a) => [a, LABELS[a]]), config.act);
  addControl("opt", "Optimizer", Object.keys(OPTIMIZERS).map((o) => [o, LABELS[o]]), config.opt);
  addControl("lr", "Learning rate", RATES.map((r) => [r, String(r)]), config.lr);
  addControl("batch", "Batch size", BATCHES.map((b) => [b, b ? String(b) : "all"]), config.batch);
  addControl("cls", "Points you add", [], 0);

  const button = (text, onclick) => el("button", { type: "button", text, onclick });
  const run$ = button("Start", () => (running ? pause("paused") : start()));
  const buttons = el("div", { class: "nn-pg-buttons" }, run$,
    button("Step", () => { pause(); stepEpoch(); }),
    button("Reset", () => { reset(); status.say(`reset: ${state()}`); }),
    button("New data", () => { config.seed = (config.seed + 1) % 2 ** 32; changed(); }),
    button("Clear my points", () => { config.points = []; changed(); }));
  const status = readout(figure);
  const yaml = el("code", {});
  const link = el("a", { href: "#" }, "a link to this configuration");
  const python = el("details", { class: "nn-pg-python" },
    el("summary", { text: "Take it to Python" }),
    el("p", { class: "nn-live-note", text: "Add this to _data/networks.yml (and a figure "
      + "that draws it to _data/figures.yml); nn-blog trains the same network on the same "
      + "data, starting weights and batches, in float64. The losses agree to many digits "
      + "for the first tens of epochs; after that, training magnifies the last-digit "
      + "rounding differences between the browser and NumPy, and the two runs can drift "
      + "apart to a slightly different accuracy:" }),
    el("pre", {}, yaml),
    el("p", { class: "nn-live-note", text: "In Python:" }),
    el("pre", {}, el("code", { text: PYTHON })),
    el("p", { class: "nn-live-note" }, "Or share ", link, "."));
  const legend = el("p", { class: "nn-pg-legend" });
  box.append(form, buttons, status.node,
    el("div", { class: "nn-pg-row" }, plane.canvas, el("div", {}, netView.canvas, curve.canvas,
      legend)), python);

  // the link opens the page at the figure: its own id, else the heading before it
  let anchor = figure.id;
  for (let n = figure; !anchor && n; n = n.previousElementSibling || n.parentElement) {
    if (/^H[1-6]$/.test(n.tagName) && n.id) anchor = n.id;
  }
  let colours = await palette();
  let run;
  let extent;
  let map;
  let cursor = null; // the keyboard's cross-hair on the plane
  let running = false;
  let loop = 0;
  let lastDraw = 0;
  const frames = []; // each frame's work in ms (training + drawing)

  const state = () => {
    const acc = evaluate(run, run.Xt, run.Yt).accuracy;
    const L = run.losses.at(-1);
    return run.epoch ? `epoch ${run.epoch}, training loss ${L.toFixed(3)}, test loss `
      + `${run.testLosses.at(-1).toFixed(3)}, test accuracy ${(100 * acc).toFixed(0)}%`
      : `epoch 0, test accuracy ${(100 * acc).toFixed(0)}%`;
  };

  function syncControls() {
    const c = controls;
    c.data.input.value = config.data;
    c.noise.input.value = String(config.noise);
    c.depth.input.value = String(config.layers.length);
    for (let l = 0; l < MAX_LAYERS; l++) {
      c[`units${l}`].node.hidden = l >= config.layers.length;
      if (l < config.layers.length) c[`units${l}`].input.value = String(config.layers[l]);
    }
    const k = DATASETS[config.data].classes;
    const cls = c.cls.input;
    const keep = Math.min(Number(cls.value) || 0, k - 1);
    cls.replaceChildren(...Array.from({ length: k },
      (_, i) => el("option", { value: String(i), text: `class ${i}` })));
    cls.value = String(keep);
  }

  function readControls(key) {
    const c = controls;
    const v = (name) => c[name].input.value;
    if (key === "data") {
      config.data = v("data");
      config.noise = DATASETS[config.data].noise;
      config.points = [];
    } else {
      config.noise = Number(v("noise"));
    }
    const depth = Number(v("depth"));
    config.layers = Array.from({ length: depth }, (_, l) => Number(v(`units${l}`)));
    config.act = v("act");
    config.opt = v("opt");
    config.lr = Number(v("lr"));
    config.batch = Number(v("batch"));
  }

  // the address bar follows the reader's changes (not the first drawing: an untouched
  // page keeps its plain address); the share link always holds the configuration
  function saveURL(write = true) {
    const u = new URL(location.href);
    u.searchParams.set(PARAM, encode(config));
    if (write) history.replaceState(history.state, "", u);
    const share = new URL(u);
    share.hash = anchor;
    link.href = share.href;
  }

  function showPython() { yaml.textContent = declaration(config, run.epoch); }

  // A new run of the configuration, drawn (`drawn` false: the caller draws it).
  function reset(drawn = true) {
    running = false;
    loop += 1;
    run$.textContent = "Start";
    run = build(config);
    extent = extentOf([...run.raw.Xtrain, ...run.raw.Xtest]);
    map = planeMap(extent, side, side);
    if (drawn) draw(performance.now());
    showPython();
    figure.dataset.nnEpoch = "0";
  }

  function changed(key) {
    if (key) readControls(key);
    syncControls();
    saveURL();
    reset();
    status.say(`new configuration: ${state()}`);
  }

  function pause(why) {
    if (!running && why !== "done") return;
    running = false;
    loop += 1;
    // end the epoch under way: paused weights are an epoch's, as the declaration's
    while (run.cursor && Number.isFinite(run.cursor.total)) trainBatch(run);
    draw(performance.now());
    figure.dataset.nnEpoch = String(run.epoch);
    run$.textContent = run.epoch >= MAX_EPOCHS ? "Start" : "Resume";
    showPython();
    if (why) status.say(`${why}: ${state()}`);
  }

  function start() {
    if (run.epoch >= MAX_EPOCHS || !Number.isFinite(run.losses.at(-1) ?? 0)) reset();
    running = true;
    run$.textContent = "Pause";
    status.say(`running: ${state()}`);
    schedule();
  }

  function schedule() {
    const id = loop;
    requestAnimationFrame((now) => frame(now, id));
  }

  function frame(now, id) {
    if (!running || id !== loop || document.hidden) return; // visibilitychange resumes
    const t0 = performance.now();
    const before = run.epoch;
    do trainBatch(run); while (performance.now() - t0 < TRAIN_MS && run.epoch < MAX_EPOCHS
      && Number.isFinite(run.losses.at(-1) ?? 0));
    if (!reducedMotion() || now - lastDraw > STILL_MS || run.epoch >= MAX_EPOCHS) draw(now);
    frames.push(performance.now() - t0);
    if (frames.length > 600) frames.shift();
    figure.dataset.nnEpoch = String(run.epoch);
    if (run.epoch !== before) status.say(`running: ${state()}`, false);
    if (!Number.isFinite(run.losses.at(-1) ?? 0)) {
      pause("done");
      status.say(`stopped at epoch ${run.epoch}: the loss is no longer a number; `
        + "try a smaller learning rate", 0);
      return;
    }
    if (run.epoch >= MAX_EPOCHS) { pause("done"); return; }
    if (run.epoch - before && run.epoch % 50 === 0) showPython();
    schedule();
  }

  function stepEpoch() {
    trainEpoch(run);
    draw(performance.now());
    showPython();
    figure.dataset.nnEpoch = String(run.epoch);
    status.say(`one epoch: ${state()}`);
  }

  // --- pictures ----------------------------------------------------------------------
  function planeRows() {
    const { mean, std } = run.net.input;
    const [x0, x1, y0, y1] = extent;
    const X = { rows: GRID * GRID, cols: 2, data: new Float64Array(GRID * GRID * 2) };
    for (let j = 0; j < GRID; j++) {
      for (let i = 0; i < GRID; i++) {
        const n = j * GRID + i;
        X.data[2 * n] = (x0 + ((i + 0.5) * (x1 - x0)) / GRID - mean[0]) / std[0];
        X.data[2 * n + 1] = (y1 - ((j + 0.5) * (y1 - y0)) / GRID - mean[1]) / std[1];
      }
    }
    return X;
  }

  const small = new OffscreenCanvas(GRID, GRID);
  const smallCtx = small.getContext("2d");
  const image = new ImageData(GRID, GRID);

  // Every tile of a frame goes into one atlas (a column of GRID x GRID cells), uploaded
  // once and then copied out: one upload per frame, not one per neuron (each upload
  // makes a software-rendered canvas flush).
  const SLOTS = 2 + MAX_LAYERS * MAX_UNITS + 3;
  const atlas = new OffscreenCanvas(GRID, GRID * SLOTS);
  const atlasCtx = atlas.getContext("2d");
  const atlasImage = new ImageData(GRID, GRID * SLOTS);
  let slots = [];

  // One unit's values over the plane as a tile: page colour where 0, accent
  // (positive) or the negative colour, as strong as |strength|.
  function tile(ctx, values, col, cols, activation, x, y, size) {
    const pos = rgb(colours.accent);
    const neg = rgb(colours.negative);
    const page = rgb(colours.page);
    const base = slots.length * GRID * GRID * 4;
    for (let n = 0; n < GRID * GRID; n++) {
      const t = Math.max(-1, Math.min(1, strength(values[n * cols + col], activation)));
      const c = t >= 0 ? pos : neg;
      const a = Math.abs(t) * 0.85;
      const o = base + 4 * n;
      atlasImage.data[o] = page[0] + (c[0] - page[0]) * a;
      atlasImage.data[o + 1] = page[1] + (c[1] - page[1]) * a;
      atlasImage.data[o + 2] = page[2] + (c[2] - page[2]) * a;
      atlasImage.data[o + 3] = 255;
    }
    slots.push([x, y, size]);
  }

  function flushTiles(ctx) {
    atlasCtx.putImageData(atlasImage, 0, 0);
    ctx.imageSmoothingEnabled = true;
    slots.forEach(([x, y, size], i) => ctx.drawImage(atlas, 0, i * GRID, GRID, GRID, x, y,
      size, size));
    slots = [];
  }

  function regionsImage(out) {
    const classes = colours.classes.map(rgb);
    const page = rgb(colours.page);
    const k = out.cols === 1 ? 2 : out.cols;
    for (let n = 0; n < GRID * GRID; n++) {
      let best = 0;
      let p;
      if (out.cols === 1) {
        p = out.data[n];
        best = p >= 0.5 ? 1 : 0;
        p = best ? p : 1 - p;
      } else { // softmax of the logits: the winner's probability
        let max = -Infinity;
        for (let c = 0; c < k; c++) max = Math.max(max, out.data[n * k + c]);
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.exp(out.data[n * k + c] - max);
        for (let c = 1; c < k; c++) if (out.data[n * k + c] > out.data[n * k + best]) best = c;
        p = Math.exp(out.data[n * k + best] - max) / sum;
      }
      const conf = Math.min(1, Math.max(0, (p - 1 / k) / (1 - 1 / k)));
      const a = colours.shade_alpha * conf ** 0.8;
      const c = classes[best % classes.length];
      for (let q = 0; q < 3; q++) image.data[4 * n + q] = page[q] + (c[q] - page[q]) * a;
      image.data[4 * n + 3] = 255;
    }
    smallCtx.putImageData(image, 0, 0);
  }

  function drawPlane(out) {
    const { ctx } = plane;
    regionsImage(out);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, side, side);
    drawPoints(ctx, map, run.raw.Xtest, run.raw.ytest, colours, 2.2);
    ctx.globalAlpha = 1;
    drawPoints(ctx, map, run.raw.Xtrain, run.raw.ytrain, colours, 3);
    ctx.strokeStyle = colours.text; // the reader's own points, ringed
    ctx.lineWidth = 1.5;
    for (const [x, y] of config.points) {
      const [px, py] = map.toPixel([x, y]);
      ctx.beginPath();
      ctx.arc(px, py, 5, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (cursor) crosshair(ctx, ...map.toPixel(cursor), colours.text);
  }

  function drawNetwork(acts) {
    const { ctx, w: cw, h: ch } = netView;
    ctx.fillStyle = colours.page;
    ctx.fillRect(0, 0, cw, ch);
    const sizes = [2, ...run.net.layers.map((l) => l.W.cols)];
    const cols = sizes.length;
    const size = Math.min(28, Math.floor((ch - 16) / MAX_UNITS) - 6);
    const xs = sizes.map((_, c) => 8 + ((cw - 16 - size) * c) / Math.max(1, cols - 1));
    const ys = sizes.map((n) => Array.from({ length: n },
      (_, i) => ch / 2 + (i - (n - 1) / 2) * (size + 6) - size / 2));
    for (let l = 0; l < run.net.layers.length; l++) { // weights first, under the tiles
      const W = run.net.layers[l].W;
      for (let i = 0; i < W.rows; i++) {
        for (let j = 0; j < W.cols; j++) {
          const v = W.data[i * W.cols + j];
          ctx.strokeStyle = v >= 0 ? colours.accent : colours.negative;
          ctx.globalAlpha = Math.min(1, 0.25 + Math.abs(v) / 2);
          ctx.lineWidth = Math.min(5, 0.4 + 1.5 * Math.abs(v));
          ctx.beginPath();
          ctx.moveTo(xs[l] + size, ys[l][i] + size / 2);
          ctx.lineTo(xs[l + 1], ys[l + 1][j] + size / 2);
          ctx.stroke();
        }
      }
    }
    ctx.globalAlpha = 1;
    const input = { data: acts.X.data, cols: 2 };
    for (let i = 0; i < 2; i++) tile(ctx, input.data, i, 2, "identity", xs[0], ys[0][i], size);
    acts.layers.forEach(({ A }, l) => {
      const last = l === acts.layers.length - 1;
      // one sigmoid output: 2p - 1, so the tile is red/blue where class 0/1 wins
      const values = last && A.cols === 1 ? A.data.map((p) => 2 * p - 1) : A.data;
      for (let j = 0; j < A.cols; j++) {
        tile(ctx, values, j, A.cols, last ? (A.cols === 1 ? "tanh" : "identity")
          : run.net.layers[l].activation,
          xs[l + 1], ys[l + 1][j], size);
      }
    });
    flushTiles(ctx);
    ctx.strokeStyle = colours.grid;
    ctx.lineWidth = 1;
    sizes.forEach((n, c) => ys[c].forEach((y) => ctx.strokeRect(xs[c] + 0.5, y + 0.5, size - 1,
      size - 1)));
    ctx.fillStyle = colours.muted;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("x₁ x₂", xs[0] + size / 2, ch - 13);
    ctx.fillText("output", xs.at(-1) + size / 2, ch - 13);
  }

  function drawCurve() {
    const all = [...run.losses, ...run.testLosses].filter(Number.isFinite);
    const xy = lossAxes(curve, colours, Math.max(0.1, ...all), Math.max(50, run.epoch));
    const { ctx } = curve;
    [[run.losses, colours.series[0], []], [run.testLosses, colours.series[1], [4, 3]]]
      .forEach(([L, colour, dash]) => {
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5;
        ctx.setLineDash(dash);
        ctx.beginPath();
        L.forEach((v, e) => (e ? ctx.lineTo(...xy(e + 1, v)) : ctx.moveTo(...xy(e + 1, v))));
        ctx.stroke();
      });
    ctx.setLineDash([]);
  }

  function draw(now) {
    lastDraw = now;
    const acts = planeActivations();
    drawPlane(acts.layers.at(-1).A);
    drawRest(acts);
  }
  function planeActivations() {
    const X = planeRows();
    return { X, layers: forwardAll(run.net, X) };
  }
  function drawRest(acts) {
    drawNetwork(acts);
    drawCurve();
    legend.textContent = "Loss per epoch: training (solid), test (dashed). Tiles: each neuron "
      + "over the plane, blue positive, red negative.";
    if (!running) status.say(state(), false);
  }

  // --- the reader's points ---------------------------------------------------------------
  function addPoint(at) {
    if (config.points.length >= MAX_POINTS) {
      status.say(`at most ${MAX_POINTS} points of your own`, 0);
      return;
    }
    const cls = Number(controls.cls.input.value);
    config.points.push(pointOf(at[0], at[1], cls));
    changed();
    status.say(`added a class ${cls} point; ${config.points.length} of your own`, 0);
  }
  plane.canvas.addEventListener("click", (event) => {
    const box2 = plane.canvas.getBoundingClientRect();
    addPoint(map.toPlane([((event.clientX - box2.left) * side) / box2.width,
      ((event.clientY - box2.top) * side) / box2.height]));
  });
  plane.canvas.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      addPoint(cursor || [(extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2]);
      return;
    }
    const next = nudge(event, extent,
      cursor || [(extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2]);
    if (next) { cursor = next; draw(performance.now()); }
  });
  plane.canvas.addEventListener("blur", () => { cursor = null; draw(performance.now()); });

  for (const [key, c] of Object.entries(controls)) {
    if (key !== "cls") c.input.addEventListener("change", () => changed(key));
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && running) schedule();
  });

  syncControls();
  saveURL(false);
  // The first picture in tasks of its own (the plane, then the rest): its code
  // runs cold, several times slower than in the frames that follow.
  reset(false);
  await turn();
  const acts = planeActivations();
  drawPlane(acts.layers.at(-1).A);
  await turn();
  lastDraw = performance.now();
  drawRest(acts);
  figure.nnPlayground = { get run() { return run; }, get config() { return config; },
    frames, evaluate: () => evaluate(run, run.Xt, run.Yt) };
  return { redraw: async () => { colours = await palette(); draw(performance.now()); } };
}
