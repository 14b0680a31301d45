// The playground's model, without the page: a configuration (what the reader
// picked, and what the URL keeps), the data and initial weights it makes, one
// epoch of training, and the _data/networks.yml declaration and Python lines
// that train the same network in nn-blog. No DOM: Node's tests import it.
//
// Everything random comes from Mulberry32, as nn_blog/prng.py computes it bit
// for bit (a declaration with `rng: mulberry32`): the data from stream 1, the
// split from stream 2, the weights and every epoch's shuffle from stream 3.
// Data sets, split, standardisation, initialisers and the epoch loop follow
// nn_blog/data.py, nn_blog/nn/init.py and nn_blog/nn/training.py operation for
// operation, so the losses agree with the Python engine's to rounding.

import { forwardAll, matrix } from "./nn-engine.js";
import { lossAndGrads, optimizer, targets } from "./nn-train.js";

const GOLDEN = 0x9e3779b9;
export const STREAM = { data: 1, split: 2, network: 3 };

export class Mulberry32 {
  constructor(seed) { this.state = seed >>> 0; }

  static stream(seed, k) { return new Mulberry32((seed + Math.imul(k, GOLDEN)) >>> 0); }

  nextU32() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  random() { return this.nextU32() / 4294967296; }

  uniform(low, high) { return low + (high - low) * this.random(); }

  // Box-Muller, one value per pair of draws (nn_blog/prng.py: normal)
  normal(loc, scale) {
    const u1 = this.random();
    const u2 = this.random();
    return loc + scale * (Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
  }

  // a shuffled copy of `items` (an array) or of 0..items-1 (Fisher-Yates)
  permutation(items) {
    const out = typeof items === "number" ? Array.from({ length: items }, (_, i) => i)
      : items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

// np.linspace(start, stop, num, endpoint): i * step + start, the last set to stop
function linspace(start, stop, num, endpoint = true) {
  const div = endpoint ? num - 1 : num;
  const step = (stop - start) / div;
  const y = Array.from({ length: num }, (_, i) => (div > 0 ? i * step + start : start));
  if (endpoint && num > 1) y[num - 1] = stop;
  return y;
}

function shuffled(X, y, rng) {
  const order = rng.permutation(y.length);
  return { X: order.map((i) => X[i]), y: order.map((i) => y[i]) };
}

function addNoise(X, rng, noise) { // rng.normal(scale=noise, size=X.shape), row-major
  return X.map(([a, b]) => {
    const da = rng.normal(0, noise);
    return [a + da, b + rng.normal(0, noise)];
  });
}

// The data sets of nn_blog/data.py; `noise` is XOR's spread.
export const DATASETS = {
  xor: { n: 200, noise: 0.25, classes: 2, param: "spread",
    make(rng, n, spread) {
      const corner = rng.permutation(Array.from({ length: n }, (_, i) => i % 4));
      const radius = Array.from({ length: n }, () => spread * Math.sqrt(rng.uniform(0, 1)));
      const angle = Array.from({ length: n }, () => rng.uniform(0, 2 * Math.PI));
      const bits = corner.map((c) => [c >> 1, c & 1]); // _CORNERS: 00, 01, 10, 11
      return { X: bits.map(([a, b], i) => [a + radius[i] * Math.cos(angle[i]),
        b + radius[i] * Math.sin(angle[i])]), y: bits.map(([a, b]) => a ^ b) };
    } },
  moons: { n: 200, noise: 0.2, classes: 2, param: "noise",
    make(rng, n, noise) {
      const up = Math.floor(n / 2);
      const X = [...linspace(0, Math.PI, up).map((t) => [Math.cos(t), Math.sin(t)]),
        ...linspace(0, Math.PI, n - up).map((t) => [1 - Math.cos(t), 0.5 - Math.sin(t)])];
      const y = X.map((_, i) => (i < up ? 0 : 1));
      return shuffled(addNoise(X, rng, noise), y, rng);
    } },
  circles: { n: 200, noise: 0.1, classes: 2, param: "noise",
    make(rng, n, noise, factor = 0.5) {
      const out = Math.floor(n / 2);
      const X = [...linspace(0, 2 * Math.PI, out, false).map((t) => [Math.cos(t), Math.sin(t)]),
        ...linspace(0, 2 * Math.PI, n - out, false)
          .map((t) => [factor * Math.cos(t), factor * Math.sin(t)])];
      const y = X.map((_, i) => (i < out ? 0 : 1));
      return shuffled(addNoise(X, rng, noise), y, rng);
    } },
  spiral: { n: 300, noise: 0.2, classes: 3, param: "noise",
    make(rng, n, noise, classes = 3) {
      const X = [];
      const y = [];
      for (let j = 0; j < classes; j++) {
        const m = Math.floor(n / classes) + (j < n % classes ? 1 : 0);
        const r = linspace(0, 1, m);
        const t = linspace(4 * j, 4 * (j + 1), m).map((v) => v + rng.normal(0, noise));
        r.forEach((ri, i) => { X.push([ri * Math.sin(t[i]), ri * Math.cos(t[i])]); y.push(j); });
      }
      return shuffled(X, y, rng);
    } },
};

// Python's round(): halves to even
const roundHalfEven = (x) => {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
};

// nn_blog/data.py: stratified_split (a quarter of each class for the test)
export function stratifiedSplit(X, y, testSize, rng) {
  const classes = [...new Set(y)].sort((a, b) => a - b);
  const counts = classes.map((c) => y.filter((v) => v === c).length);
  const exact = counts.map((n) => testSize * n);
  const nTest = exact.map(Math.floor);
  const missing = roundHalfEven(testSize * y.length) - nTest.reduce((a, b) => a + b, 0);
  const byRemainder = classes.map((_, i) => i)
    .sort((a, b) => -(exact[a] - nTest[a]) - -(exact[b] - nTest[b]) || a - b);
  byRemainder.slice(0, Math.max(missing, 0)).forEach((i) => { nTest[i] += 1; });
  const train = [];
  const test = [];
  classes.forEach((c, i) => {
    const k = Math.min(Math.max(nTest[i], Math.min(counts[i] - 1, 1)),
      Math.max(counts[i] - 1, 0));
    const idx = rng.permutation(y.flatMap((v, r) => (v === c ? [r] : [])));
    test.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  });
  const tr = rng.permutation(train);
  const te = rng.permutation(test);
  return { Xtrain: tr.map((i) => X[i]), ytrain: tr.map((i) => y[i]),
    Xtest: te.map((i) => X[i]), ytest: te.map((i) => y[i]) };
}

// nn_blog/data.py: standardize, in NumPy's order (row by row sums down axis 0)
export function standardize(Xtrain) {
  const n = Xtrain.length;
  const mean = [0, 1].map((k) => Xtrain.reduce((s, x) => s + x[k], 0) / n);
  const std = [0, 1].map((k) => {
    const v = Xtrain.reduce((s, x) => { const d = x[k] - mean[k]; return s + d * d; }, 0) / n;
    const s = Math.sqrt(v);
    return s > 1e-12 ? s : 1;
  });
  return { mean, std };
}

// --- the configuration ---------------------------------------------------------------

export const ACTIVATIONS = ["tanh", "relu", "leaky_relu", "sigmoid"];
export const OPTIMIZERS = { sgd: { name: "sgd" }, momentum: { name: "sgd", momentum: 0.9 },
  adam: { name: "adam" } };
export const RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
export const BATCHES = [1, 5, 10, 25, 50, 0]; // 0: the whole training split
export const NOISES = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
export const MAX_POINTS = 200;
export const MAX_LAYERS = 3;
export const MAX_UNITS = 8;

// The page's first configuration; _data/networks.yml's `playground` declares the same
// network (tests/test_playground.py holds them equal), drawn as the static figure.
export const DEFAULTS = Object.freeze({ data: "moons", noise: 0.2, layers: [4, 4],
  act: "tanh", opt: "adam", lr: 0.03, batch: 10, seed: 1, points: [] });

const num = (text) => (/^-?\d+(\.\d+)?(e-?\d+)?$/.test(text) ? Number(text) : NaN);
const round3 = (v) => Math.round(v * 1000) / 1000;

// "data:moons;noise:0.2;layers:4,4;act:tanh;opt:adam;lr:0.03;batch:10;seed:1;pts:x,y,c/..."
export function encode(config) {
  const parts = [`data:${config.data}`, `noise:${config.noise}`,
    `layers:${config.layers.join(",")}`, `act:${config.act}`, `opt:${config.opt}`,
    `lr:${config.lr}`, `batch:${config.batch}`, `seed:${config.seed}`];
  if (config.points.length) parts.push(`pts:${config.points.map((p) => p.join(",")).join("/")}`);
  return parts.join(";");
}

// The reverse, forgiving: anything unreadable keeps its default.
export function decode(text) {
  const c = { ...DEFAULTS, layers: [...DEFAULTS.layers], points: [] };
  const fields = new Map(String(text || "").split(";").map((kv) => {
    const at = kv.indexOf(":");
    return [kv.slice(0, at), kv.slice(at + 1)];
  }));
  const pick = (key, options, parse = (v) => v) => {
    const v = fields.has(key) ? parse(fields.get(key)) : undefined;
    return options.includes(v) ? v : undefined;
  };
  c.data = pick("data", Object.keys(DATASETS)) ?? c.data;
  if (!fields.has("noise")) c.noise = DATASETS[c.data].noise;
  c.noise = pick("noise", NOISES, num) ?? c.noise;
  if (fields.has("layers")) {
    const units = fields.get("layers") === "" ? [] : fields.get("layers").split(",").map(num);
    if (units.length <= MAX_LAYERS
        && units.every((u) => Number.isInteger(u) && u >= 1 && u <= MAX_UNITS)) c.layers = units;
  }
  c.act = pick("act", ACTIVATIONS) ?? c.act;
  c.opt = pick("opt", Object.keys(OPTIMIZERS)) ?? c.opt;
  c.lr = pick("lr", RATES, num) ?? c.lr;
  c.batch = pick("batch", BATCHES, num) ?? c.batch;
  const seed = num(fields.get("seed"));
  if (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32) c.seed = seed;
  const k = DATASETS[c.data].classes;
  for (const p of (fields.get("pts") || "").split("/").slice(0, MAX_POINTS)) {
    const [x, y, cl] = p.split(",").map(num);
    if (Math.abs(x) <= 100 && Math.abs(y) <= 100 && Number.isInteger(cl) && cl >= 0 && cl < k) {
      c.points.push([round3(x), round3(y), cl]);
    }
  }
  return c;
}

export const pointOf = (x, y, cl) => [round3(x), round3(y), cl];

// --- a run: data, network, epochs ----------------------------------------------------

function dense(nIn, nOut, activation, rng) {
  // nn_blog/nn/init.py: He (normal) for the ReLU family, Xavier (uniform) for the others
  const W = matrix(nIn, nOut);
  const he = activation === "relu" || activation === "leaky_relu";
  const a = Math.sqrt(6 / (nIn + nOut));
  for (let i = 0; i < W.data.length; i++) {
    W.data[i] = he ? rng.normal(0, Math.sqrt(2 / nIn)) : rng.uniform(-a, a);
  }
  return { W, b: new Float64Array(nOut), activation };
}

// raw points -> standardised rows: (x - mean) / std
function rows(X, { mean, std }) {
  const M = matrix(X.length, 2);
  X.forEach((x, i) => {
    for (let k = 0; k < 2; k++) M.data[2 * i + k] = (x[k] - mean[k]) / std[k];
  });
  return M;
}

// A configuration -> everything one training run needs, at epoch 0.
export function build(config) {
  const set = DATASETS[config.data];
  const made = set.make(Mulberry32.stream(config.seed, STREAM.data), set.n, config.noise);
  const split = stratifiedSplit(made.X, made.y, 0.25, Mulberry32.stream(config.seed, STREAM.split));
  const Xtrain = [...split.Xtrain, ...config.points.map(([x, y]) => [x, y])];
  const ytrain = [...split.ytrain, ...config.points.map((p) => p[2])];
  const input = standardize(Xtrain);
  const k = set.classes;
  const loss = k === 2 ? "bce" : "cross_entropy";
  const rng = Mulberry32.stream(config.seed, STREAM.network);
  const sizes = [2, ...config.layers];
  const layers = config.layers.map((u, l) => dense(sizes[l], u, config.act, rng));
  layers.push(k === 2 ? dense(sizes.at(-1), 1, "sigmoid", rng)
    : dense(sizes.at(-1), k, "identity", rng));
  const net = { layers, nFeatures: 2,
    input: { mean: Float64Array.from(input.mean), std: Float64Array.from(input.std) } };
  const out = k === 2 ? 1 : k;
  const batch = config.batch ? Math.min(config.batch, Xtrain.length) : Xtrain.length;
  return {
    config, net, loss, rng, k, batch,
    raw: { Xtrain, ytrain, Xtest: split.Xtest, ytest: split.ytest },
    X: rows(Xtrain, input), Y: targets(ytrain, out),
    Xt: rows(split.Xtest, input), Yt: targets(split.ytest, out),
    step: optimizer({ ...OPTIMIZERS[config.opt], lr: config.lr }),
    epoch: 0, losses: [], testLosses: [],
  };
}

function slice(M, order, start, stop) {
  const B = matrix(stop - start, M.cols);
  for (let i = start; i < stop; i++) {
    B.data.set(M.data.subarray(order[i] * M.cols, (order[i] + 1) * M.cols), (i - start) * M.cols);
  }
  return B;
}

// Epochs as nn_blog/nn/training.py's fit runs them: shuffled (unless one batch holds
// everything), batches in order, the epoch's loss the batches' mean weighted by size;
// then the test split's loss. One batch per call, so a frame can stop between two
// (a batch of one makes an epoch of 150 steps). -> true when it ended an epoch
export function trainBatch(run) {
  const n = run.X.rows;
  if (!run.cursor) {
    run.cursor = { start: 0, total: 0, order: run.batch < n ? run.rng.permutation(n)
      : Array.from({ length: n }, (_, i) => i) };
  }
  const c = run.cursor;
  const stop = Math.min(c.start + run.batch, n);
  const out = lossAndGrads(run.net, run.loss, slice(run.X, c.order, c.start, stop),
    slice(run.Y, c.order, c.start, stop));
  if (Number.isFinite(out.loss)) run.step(run.net, out.grads);
  c.total += out.loss * (stop - c.start);
  c.start = stop;
  if (stop < n && Number.isFinite(c.total)) return false;
  run.cursor = null;
  run.epoch += 1;
  run.losses.push(c.total / n);
  run.testLosses.push(Number.isFinite(c.total) ? evaluate(run, run.Xt, run.Yt).loss : NaN);
  return true;
}

export function trainEpoch(run) {
  while (!trainBatch(run));
  return run.losses.at(-1);
}

// {loss, accuracy} of the current weights on prepared rows X and targets Y (the loss
// as lossAndGrads computes it: the same formula as NumPy's; on 50-75 test rows the
// gradients it also makes cost less than a frame's drawing)
export function evaluate(run, X, Y) {
  const { loss } = lossAndGrads(run.net, run.loss, X, Y);
  const A = forwardAll(run.net, X).at(-1).A;
  let correct = 0;
  for (let i = 0; i < X.rows; i++) {
    if (classOf(A, i) === classOf(Y, i)) correct += 1;
  }
  return { loss, accuracy: correct / X.rows };
}

// a row's class: p >= 0.5 for one sigmoid output (or target), else the first largest
function classOf(A, i) {
  if (A.cols === 1) return A.data[i] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < A.cols; j++) if (A.data[i * A.cols + j] > A.data[i * A.cols + best]) best = j;
  return best;
}

// --- take it to Python ---------------------------------------------------------------

const NAME = "playground";

// The _data/networks.yml entry that trains this very network (epochs: as far as the
// page got, at least one).
export function declaration(config, epochs) {
  const set = DATASETS[config.data];
  const k = set.classes;
  const lines = [`${NAME}:`, "  rng: mulberry32  # data, weights and batches as the page draws them",
    `  seed: ${config.seed}`,
    `  dataset: {name: ${config.data}, n_samples: ${set.n}, ${set.param}: ${config.noise}}`];
  if (config.points.length) {
    lines[3] = lines[3].slice(0, -1) + ",";
    lines.push("    points: [" + config.points.map((p) => `[${p.join(", ")}]`).join(", ") + "]}");
  }
  lines.push("  standardize: true", "  layers:");
  for (const u of config.layers) lines.push(`    - {units: ${u}, activation: ${config.act}}`);
  lines.push(k === 2 ? "    - {units: 1, activation: sigmoid}"
    : `    - {units: ${k}, activation: identity}`);
  lines.push(`  loss: ${k === 2 ? "bce" : "cross_entropy"}`);
  const o = OPTIMIZERS[config.opt];
  lines.push(`  optimizer: {name: ${o.name}, lr: ${config.lr}${o.momentum ? `, momentum: ${o.momentum}` : ""}}`);
  const n = Math.round(set.n * 0.75) + config.points.length;
  lines.push(`  batch_size: ${config.batch || n}`, `  epochs: ${Math.max(1, epochs)}`);
  return lines.join("\n");
}

export const PYTHON = `from nn_blog import experiments

spec = experiments.load_networks(".")["${NAME}"]
trained = experiments.train(spec)  # float64, the page's batches
print(trained.history["loss"])       # the page's training loss
print(trained.history["test_loss"])  # and its test loss`;
