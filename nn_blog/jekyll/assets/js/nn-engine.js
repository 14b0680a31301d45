// The forward pass of the networks `nn_blog/export.py` writes, in float64, for the browser.
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

// The file's numbers -> a Float64Array: integers n stand for n / 10^decimals
// (the export's rounding; dividing exactly rounded gives NumPy's very floats),
// decimals null for weights written in full.
function numbers(values, decimals, what) {
  const scale = decimals === null || decimals === undefined ? 1 : 10 ** decimals;
  return Float64Array.from(values.flat(), (x) => {
    if (typeof x !== "number") throw new TypeError(`${what}: not a number`);
    return scale === 1 ? x : x / scale;
  });
}

function layerOf(l, i, decimals) {
  const W = matrix(l.n_in, l.n_out, numbers(l.W, decimals, `layer ${i + 1} W`));
  if (W.data.length !== l.n_in * l.n_out) {
    throw new Error(`layer ${i + 1}: W is not ${l.n_in} x ${l.n_out}`);
  }
  const b = numbers(l.b, decimals, `layer ${i + 1} b`);
  return { W, b, activation: l.activation };
}

// The parsed JSON of an export -> a network: layers of {W, b, activation}.
export function fromJSON(json) {
  if (!json || json.format !== "nn-blog-network/1") {
    throw new Error(`not an nn-blog network export (format ${json && json.format})`);
  }
  const net = {
    name: json.name,
    classes: json.classes,
    nFeatures: json.n_features,
    input: json.input && {
      mean: Float64Array.from(json.input.mean),
      std: Float64Array.from(json.input.std),
    },
    layers: json.layers.map((l, i) => layerOf(l, i, json.decimals)),
    epochs: (json.snapshots || []).map((s) => s.epoch),
    json,
  };
  // Each snapshot's layers; a "delta" snapshot holds the change from the one
  // before, added back here (in the order NumPy checked them: previous + change).
  const snapshots = new Map();
  let previous = null;
  for (const snap of json.snapshots || []) {
    if (!snap.layers) continue; // the last epoch: the network itself
    const layers = snap.layers.map((l, i) =>
      layerOf({ ...json.layers[i], W: l.W, b: l.b }, i, snap.decimals));
    if (snap.delta) {
      layers.forEach((layer, i) => {
        layer.W.data.forEach((v, j) => { layer.W.data[j] = previous[i].W.data[j] + v; });
        layer.b.forEach((v, j) => { layer.b[j] = previous[i].b[j] + v; });
      });
    }
    snapshots.set(snap.epoch, layers);
    previous = layers;
  }
  // The network as it was at the end of a recorded epoch (the scrubber's).
  net.atEpoch = (epoch) => {
    if (!net.epochs.includes(epoch)) {
      throw new Error(`${json.name}: no snapshot at epoch ${epoch}`);
    }
    return { ...net, layers: snapshots.get(epoch) || net.layers, epoch };
  };
  return net;
}

// Raw rows (arrays of numbers in the data set's units) -> X (n, n_features),
// standardised as in training: X' = (X - mean) / std.
export function inputMatrix(net, rows) {
  if (!Array.isArray(rows)) throw new TypeError("rows must be an array of rows");
  const d = net.nFeatures;
  const X = matrix(rows.length, d);
  rows.forEach((row, i) => {
    if (!row || row.length !== d) {
      throw new TypeError(`row ${i} must hold ${d} numbers`);
    }
    for (let k = 0; k < d; k++) {
      const x = Number(row[k]);
      if (!Number.isFinite(x)) {
        throw new TypeError(`row ${i}, column ${k} is not a finite number`);
      }
      X.data[i * d + k] = net.input
        ? (x - net.input.mean[k]) / net.input.std[k] : x;
    }
  });
  return X;
}

// [{Z, A}, ...] per layer for prepared X; the last A is the network's output.
export function forwardAll(net, X) {
  const out = [];
  let A = X;
  for (const { W, b, activation } of net.layers) {
    const Z = linear(A, W, b);
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
