// The forward pass of the networks `nn_blog/browser_export.py` writes, in float64, for the browser.
//
// Same notation as the post: a batch X has one row per sample, a layer computes
// Z = X W + b and A = f(Z), with W (n_in, n_out) and b (n_out). Matrices are
// {rows, cols, data}: a Float64Array in row-major order. No DOM, no fetch:
// Node's test runner imports this file as it is.

export const LEAKY_SLOPE = 0.01; // nn_blog/nn/activations.py: LEAKY_SLOPE

export function matrix(rows, cols, data = new Float64Array(rows * cols)) {
  return { rows, cols, data };
}

// Elementwise activations f(z), each with its derivative f'(z) given a = f(z)
// (the backward pass in nn-train.js reads them; none needs z once a is known).
export const activations = {
  identity: { f: (z) => z, df: () => 1 },
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), df: (a) => a * (1 - a) },
  tanh: { f: Math.tanh, df: (a) => 1 - a * a },
  relu: { f: (z) => (z > 0 ? z : 0), df: (a) => (a > 0 ? 1 : 0) },
  leaky_relu: {
    f: (z) => (z > 0 ? z : LEAKY_SLOPE * z),
    df: (a) => (a > 0 ? 1 : LEAKY_SLOPE),
  },
  // silu(z) = z sigmoid(z); its derivative needs z, so nn-train.js keeps Z for it
  silu: {
    f: (z) => z / (1 + Math.exp(-z)),
    dz: (z) => {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 + z * (1 - s));
    },
  },
};

// softmax(Z) row by row: e^(Z_ij - max_j Z_ij) / sum_j e^(Z_ij - max_j Z_ij).
// Subtracting the row's maximum keeps every exponent <= 0: nothing overflows.
export function softmaxRows(Z) {
  const A = matrix(Z.rows, Z.cols);
  for (let i = 0; i < Z.rows; i++) {
    const row = i * Z.cols;
    let max = -Infinity;
    for (let j = 0; j < Z.cols; j++) max = Math.max(max, Z.data[row + j]);
    let sum = 0;
    for (let j = 0; j < Z.cols; j++) {
      A.data[row + j] = Math.exp(Z.data[row + j] - max);
      sum += A.data[row + j];
    }
    for (let j = 0; j < Z.cols; j++) A.data[row + j] /= sum;
  }
  return A;
}

// Z = X W + b: X (n, n_in), W (n_in, n_out), b (n_out) -> Z (n, n_out).
export function linear(X, W, b) {
  const Z = matrix(X.rows, W.cols);
  for (let i = 0; i < X.rows; i++) {
    const z = i * W.cols;
    Z.data.set(b, z);
    for (let k = 0; k < X.cols; k++) {
      const x = X.data[i * X.cols + k];
      if (x === 0) continue; // digits are mostly blank pixels
      const w = k * W.cols;
      for (let j = 0; j < W.cols; j++) Z.data[z + j] += x * W.data[w + j];
    }
  }
  return Z;
}

// A = f(Z), elementwise or (softmax) row by row.
export function activate(name, Z) {
  if (name === "softmax") return softmaxRows(Z);
  const act = activations[name];
  if (!act) throw new Error(`unknown activation "${name}"`);
  return matrix(Z.rows, Z.cols, Z.data.map(act.f));
}

// What an export may hold (issue 20, browser engine): a file that breaks one of these rules
// is refused with one error naming the network and the field, instead of readouts of NaN% or
// a wrong class. MAX_DECIMALS as nn_blog/browser_export.py writes at most; MAX_WEIGHT is far
// beyond any trained weight (the site's largest is under 5) and keeps every product
// below LIMIT x MAX_WEIGHT finite (see clamp).
const MAX_DECIMALS = 12;
const MAX_WEIGHT = 1e12;
const OUTPUTS = new Set([...Object.keys(activations), "softmax"]);

class ExportError extends Error {
  constructor(name, field, problem) {
    super(`network "${name}": ${field} ${problem}`);
    this.name = "ExportError";
  }
}

const isCount = (n) => Number.isSafeInteger(n) && n >= 1;
const isDecimals = (d) => d === null || d === undefined
  || (Number.isInteger(d) && d >= 0 && d <= MAX_DECIMALS);

// An array of exactly `length` numbers (no holes, no strings) -> a Float64Array of n / scale,
// each within `bound`.
function vector(values, length, scale, bound, fail, field) {
  if (!Array.isArray(values) || values.length !== length) {
    fail(field, `must be a list of ${length} numbers`);
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x = values[i];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      fail(`${field}[${i}]`, `is not a finite number (${JSON.stringify(x) ?? typeof x})`);
    }
    out[i] = scale === 1 ? x : x / scale;
    if (!(Math.abs(out[i]) <= bound)) fail(`${field}[${i}]`, `is beyond +-${bound}`);
  }
  return out;
}

// The file's numbers -> Float64Arrays: integers n stand for n / 10^decimals (the export's
// rounding; dividing exactly rounded gives NumPy's very floats), decimals null for weights
// written in full. `shape` is the layer as the network declares it.
function layerOf(l, shape, field, decimals, fail) {
  if (!l || typeof l !== "object") fail(field, "must be an object");
  const scale = decimals === null || decimals === undefined ? 1 : 10 ** decimals;
  const { n_in: nIn, n_out: nOut } = shape;
  if (!Array.isArray(l.W) || l.W.length !== nIn) fail(`${field}.W`, `must have ${nIn} rows`);
  const W = matrix(nIn, nOut);
  l.W.forEach((row, k) => {
    W.data.set(vector(row, nOut, scale, MAX_WEIGHT, fail, `${field}.W[${k}]`), k * nOut);
  });
  for (let k = 0; k < nIn; k++) if (!(k in l.W)) fail(`${field}.W[${k}]`, "is missing");
  const b = vector(l.b, nOut, scale, MAX_WEIGHT, fail, `${field}.b`);
  return { W, b, activation: shape.activation };
}

// Read-only from here on: a layer and its matrix (their numbers are typed arrays, which cannot
// be frozen; nn-live.js gives each caller its own).
function frozenLayer({ W, b, activation }) {
  return Object.freeze({ W: Object.freeze(W), b, activation });
}

// Every field the engine reads, checked against the others: the chain of layer shapes, the
// classes, the preprocessing, decimals, the snapshots.
function checked(json) {
  if (!json || typeof json !== "object" || json.format !== "nn-blog-network/1") {
    throw new Error(`not an nn-blog network export (format ${json && json.format})`);
  }
  const name = typeof json.name === "string" ? json.name : "?";
  const fail = (field, problem) => { throw new ExportError(name, field, problem); };
  if (typeof json.name !== "string") fail("name", "must be a string");
  if (!isCount(json.n_features)) fail("n_features", "must be a whole number >= 1");
  if (!isDecimals(json.decimals)) fail("decimals", `must be null or 0 to ${MAX_DECIMALS}`);
  if (!Array.isArray(json.layers) || json.layers.length === 0) {
    fail("layers", "must be a non-empty list");
  }
  let width = json.n_features;
  const shapes = [];
  for (let i = 0; i < json.layers.length; i++) {
    const l = json.layers[i];
    const field = `layers[${i}]`;
    if (!l || typeof l !== "object") fail(field, "must be an object");
    if (!OUTPUTS.has(l.activation)) fail(`${field}.activation`, `is unknown (${String(l.activation)})`);
    if (l.activation === "softmax" && i !== json.layers.length - 1) {
      fail(`${field}.activation`, "softmax is for the last layer only");
    }
    if (!isCount(l.n_in) || !isCount(l.n_out)) fail(field, "n_in and n_out must be whole numbers >= 1");
    if (l.n_in !== width) fail(`${field}.n_in`, `is ${l.n_in}, but its input has ${width} values`);
    width = l.n_out;
    shapes.push({ n_in: l.n_in, n_out: l.n_out, activation: l.activation });
  }
  const last = shapes.at(-1);
  const k = last.n_out === 1 && last.activation === "sigmoid" ? 2 : last.n_out;
  if (!Array.isArray(json.classes) || json.classes.length !== k
      || !json.classes.every((c, i) => i in json.classes && typeof c === "string")) {
    fail("classes", `must be a list of ${k} names (one per output)`);
  }
  let input = null;
  if (json.input !== null && json.input !== undefined) {
    if (typeof json.input !== "object") fail("input", "must be null or {mean, std}");
    const d = json.n_features;
    const mean = vector(json.input.mean, d, 1, Number.MAX_VALUE, fail, "input.mean");
    const std = vector(json.input.std, d, 1, Number.MAX_VALUE, fail, "input.std");
    std.forEach((s, i) => { if (!(s > 0)) fail(`input.std[${i}]`, "must be above 0"); });
    input = Object.freeze({ mean, std });
  }
  const layers = json.layers.map((l, i) => layerOf(l, shapes[i], `layers[${i}]`, json.decimals, fail));
  const snapshots = json.snapshots === undefined ? [] : json.snapshots;
  if (!Array.isArray(snapshots)) fail("snapshots", "must be a list");
  const seen = new Set();
  snapshots.forEach((snap, s) => {
    const field = `snapshots[${s}]`;
    if (!snap || typeof snap !== "object") fail(field, "must be an object");
    if (!Number.isSafeInteger(snap.epoch) || snap.epoch < 0 || seen.has(snap.epoch)) {
      fail(`${field}.epoch`, "must be a whole number >= 0, once");
    }
    seen.add(snap.epoch);
    if (!isDecimals(snap.decimals)) fail(`${field}.decimals`, `must be null or 0 to ${MAX_DECIMALS}`);
    if (snap.layers === undefined) return;
    if (!Array.isArray(snap.layers) || snap.layers.length !== shapes.length) {
      fail(`${field}.layers`, `must be a list of ${shapes.length} layers`);
    }
    if (snap.delta && !snapshots.slice(0, s).some((p) => p && p.layers)) {
      fail(`${field}.delta`, "needs a snapshot with layers before it");
    }
  });
  return { name, shapes, input, layers, snapshots, fail };
}

// The parsed JSON of an export -> a network: layers of {W, b, activation}, read-only objects
// (their numbers are typed arrays: see nn-live.js, which gives every caller its own network).
// A file that is not a well-formed export throws an Error naming the network and the field.
export function fromJSON(json) {
  const { name, shapes, input, layers, snapshots: snaps, fail } = checked(json);
  const epochs = Object.freeze(snaps.map((s) => s.epoch));
  // Each snapshot's layers; a "delta" snapshot holds the change from the one
  // before, added back here (in the order NumPy checked them: previous + change).
  const snapshots = new Map();
  let previous = null;
  snaps.forEach((snap, s) => {
    if (!snap.layers) return; // the last epoch: the network itself
    const own = snap.layers.map((l, i) =>
      layerOf(l, shapes[i], `snapshots[${s}].layers[${i}]`, snap.decimals, fail));
    if (snap.delta) {
      own.forEach((layer, i) => {
        layer.W.data.forEach((v, j) => { layer.W.data[j] = previous[i].W.data[j] + v; });
        layer.b.forEach((v, j) => { layer.b[j] = previous[i].b[j] + v; });
      });
    }
    const frozen = Object.freeze(own.map(frozenLayer));
    snapshots.set(snap.epoch, frozen);
    previous = frozen;
  });
  const net = {
    name,
    classes: json.classes,
    nFeatures: json.n_features,
    input,
    layers: Object.freeze(layers.map(frozenLayer)),
    epochs,
    json,
  };
  // The network as it was at the end of a recorded epoch (the scrubber's).
  net.atEpoch = (epoch) => {
    if (!epochs.includes(epoch)) {
      throw new Error(`${name}: no snapshot at epoch ${epoch}`);
    }
    return Object.freeze({ ...net, layers: snapshots.get(epoch) || net.layers, epoch });
  };
  return Object.freeze(net);
}

// Values past +-LIMIT are held there, before each layer multiplies them: any finite input
// (1e308) then gives finite logits (every |weight| <= MAX_WEIGHT, so no product overflows and
// no Infinity - Infinity makes a NaN), hence finite probabilities. No trained network's values
// come anywhere near it, so ordinary input is not changed at all.
const LIMIT = 1e100;

function clamp(M) {
  const d = M.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i] > LIMIT) d[i] = LIMIT;
    else if (d[i] < -LIMIT) d[i] = -LIMIT;
  }
  return M;
}

// Raw rows (arrays of numbers in the data set's units) -> X (n, n_features),
// standardised as in training: X' = (X - mean) / std. Numbers only: a string, a boolean,
// a hole of a sparse array or a non-finite value is refused, never read as a number.
export function inputMatrix(net, rows) {
  if (!Array.isArray(rows)) throw new TypeError("rows must be an array of rows");
  const d = net.nFeatures;
  const X = matrix(rows.length, d);
  for (let i = 0; i < rows.length; i++) {
    if (!(i in rows)) throw new TypeError(`row ${i} is missing (a hole in the array)`);
    const row = rows[i];
    if (!(Array.isArray(row) || ArrayBuffer.isView(row)) || row.length !== d) {
      throw new TypeError(`row ${i} must hold ${d} numbers`);
    }
    for (let k = 0; k < d; k++) {
      const x = row[k];
      if (!(k in row)) throw new TypeError(`row ${i}, column ${k} is missing (a hole in the array)`);
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new TypeError(`row ${i}, column ${k} is not a finite number`);
      }
      X.data[i * d + k] = net.input
        ? (x - net.input.mean[k]) / net.input.std[k] : x;
    }
  }
  return clamp(X);
}

// [{Z, A}, ...] per layer for prepared X; the last A is the network's output.
export function forwardAll(net, X) {
  const out = [];
  let A = X;
  for (const { W, b, activation } of net.layers) {
    const Z = clamp(linear(A, W, b));
    A = activate(activation, Z);
    out.push({ Z, A });
  }
  return out;
}

// Class probabilities for raw rows: one array per row, one number per class;
// a single sigmoid output p becomes [1 - p, p].
export function predict(net, rows) {
  const A = forwardAll(net, inputMatrix(net, rows)).at(-1).A;
  if (A.cols === 1 && net.layers.at(-1).activation === "sigmoid") {
    return Array.from(A.data, (p) => [1 - p, p]);
  }
  return Array.from({ length: A.rows },
    (_, i) => Array.from(A.data.subarray(i * A.cols, (i + 1) * A.cols)));
}

// The class of each raw row, as the engine decides it: p >= 0.5 for a single
// sigmoid output, else the first of the largest probabilities (NumPy's argmax).
export function classify(net, rows) {
  const sigmoidOut = net.layers.at(-1).activation === "sigmoid"
    && net.layers.at(-1).W.cols === 1;
  return predict(net, rows).map((p) => {
    if (sigmoidOut) return p[1] >= 0.5 ? 1 : 0;
    let best = 0;
    for (let j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
    return best;
  });
}
