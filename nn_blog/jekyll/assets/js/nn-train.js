// Training in the browser: the backward pass and the optimizers of
// nn_blog/nn, in float64, for small networks (XOR, the moons).
//
// Forward, per layer l:  Z = A_prev W + b,  A = f(Z).
// Backward, from the output's dZ:
//   dW = A_prev^T dZ,  db = sum of dZ's rows,  dA_prev = dZ W^T,
//   dZ_prev = dA_prev * f'(Z_prev).
// The output's dZ comes fused with the loss where the maths simplifies:
// sigmoid + BCE and softmax + cross-entropy both give dZ = (A - Y) / N.

import { activations, activate, linear, matrix } from "./nn-engine.js";

// A_prev^T dZ: A_prev (n, n_in), dZ (n, n_out) -> dW (n_in, n_out).
function transposeTimes(A, dZ) {
  const dW = matrix(A.cols, dZ.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let k = 0; k < A.cols; k++) {
      const a = A.data[i * A.cols + k];
      if (a === 0) continue;
      for (let j = 0; j < dZ.cols; j++) {
        dW.data[k * dZ.cols + j] += a * dZ.data[i * dZ.cols + j];
      }
    }
  }
  return dW;
}

// dZ W^T: dZ (n, n_out), W (n_in, n_out) -> dA_prev (n, n_in).
function timesTranspose(dZ, W) {
  const dA = matrix(dZ.rows, W.rows);
  for (let i = 0; i < dZ.rows; i++) {
    for (let k = 0; k < W.rows; k++) {
      let s = 0;
      for (let j = 0; j < W.cols; j++) s += dZ.data[i * dZ.cols + j] * W.data[k * W.cols + j];
      dA.data[i * W.rows + k] = s;
    }
  }
  return dA;
}

function columnSums(dZ) {
  const db = new Float64Array(dZ.cols);
  for (let i = 0; i < dZ.rows; i++) {
    for (let j = 0; j < dZ.cols; j++) db[j] += dZ.data[i * dZ.cols + j];
  }
  return db;
}

// dZ = dA * f'(Z) elementwise; softmax: dZ = A * (dA - rowsum(dA * A)).
function activationBackward(name, Z, A, dA) {
  const dZ = matrix(dA.rows, dA.cols);
  if (name === "softmax") {
    for (let i = 0; i < A.rows; i++) {
      const row = i * A.cols;
      let s = 0;
      for (let j = 0; j < A.cols; j++) s += dA.data[row + j] * A.data[row + j];
      for (let j = 0; j < A.cols; j++) {
        dZ.data[row + j] = A.data[row + j] * (dA.data[row + j] - s);
      }
    }
    return dZ;
  }
  const act = activations[name];
  for (let i = 0; i < dA.data.length; i++) {
    const slope = act.dz ? act.dz(Z.data[i]) : act.df(A.data[i]);
    dZ.data[i] = dA.data[i] * slope;
  }
  return dZ;
}

// The loss and dL/dZ of the last layer. Y is (n, k): {0, 1} for BCE, one-hot
// for cross-entropy and MSE over several outputs. Z, A (n, k).
function outputLoss(loss, activation, Z, A, Y) {
  const N = Z.data.length;
  const n = Z.rows;
  let L = 0;
  if (loss === "bce" && activation === "sigmoid") {
    // from the logits: max(Z, 0) - Z Y + log(1 + e^-|Z|), accurate where A rounds to 0 or 1
    const dZ = matrix(Z.rows, Z.cols);
    for (let i = 0; i < N; i++) {
      const z = Z.data[i];
      L += Math.max(z, 0) - z * Y.data[i] + Math.log1p(Math.exp(-Math.abs(z)));
      dZ.data[i] = (A.data[i] - Y.data[i]) / N;
    }
    return { loss: L / N, dZ };
  }
  if (loss === "cross_entropy") {
    // log-sum-exp of each row minus the target's logit; A holds softmax(Z)
    const dZ = matrix(Z.rows, Z.cols);
    for (let i = 0; i < n; i++) {
      const row = i * Z.cols;
      let max = -Infinity;
      for (let j = 0; j < Z.cols; j++) max = Math.max(max, Z.data[row + j]);
      let s = 0;
      for (let j = 0; j < Z.cols; j++) s += Math.exp(Z.data[row + j] - max);
      L += max + Math.log(s);
      for (let j = 0; j < Z.cols; j++) {
        L -= Y.data[row + j] * Z.data[row + j];
        dZ.data[row + j] = (A.data[row + j] - Y.data[row + j]) / n;
      }
    }
    return { loss: L / n, dZ };
  }
  if (loss === "mse") {
    const dA = matrix(A.rows, A.cols);
    for (let i = 0; i < N; i++) {
      const D = A.data[i] - Y.data[i];
      L += D * D;
      dA.data[i] = (2 * D) / N;
    }
    return { loss: L / N, dZ: activationBackward(activation, Z, A, dA) };
  }
  throw new Error(`cannot train loss "${loss}" with a ${activation} output`);
}

// Forward and backward on prepared X (n, n_in) and targets Y (n, k):
// {loss, grads: [{dW, db}, ...]} in the order of net.layers.
export function lossAndGrads(net, loss, X, Y) {
  const cache = [];
  let A = X;
  net.layers.forEach(({ W, b, activation }, l) => {
    const Z = linear(A, W, b);
    const last = l === net.layers.length - 1;
    // cross-entropy's last layer gives logits; softmax turns them into A
    const f = last && loss === "cross_entropy" ? "softmax" : activation;
    cache.push({ X: A, Z, A: (A = activate(f, Z)) });
  });
  const top = cache.at(-1);
  const out = outputLoss(loss, net.layers.at(-1).activation, top.Z, top.A, Y);
  const grads = new Array(net.layers.length);
  let dZ = out.dZ;
  for (let l = net.layers.length - 1; l >= 0; l--) {
    grads[l] = { dW: transposeTimes(cache[l].X, dZ), db: columnSums(dZ) };
    if (l > 0) {
      const dA = timesTranspose(dZ, net.layers[l].W);
      const prev = cache[l - 1];
      dZ = activationBackward(net.layers[l - 1].activation, prev.Z, prev.A, dA);
    }
  }
  return { loss: out.loss, grads };
}

// [W1, b1, W2, b2, ...] as Float64Arrays, and their gradients in that order.
const arraysOf = (net) => net.layers.flatMap((layer) => [layer.W.data, layer.b]);
const gradArrays = (grads) => grads.flatMap((g) => [g.dW.data, g.db]);

// torch.optim.SGD's rule, as nn_blog/nn/optim.py: g <- g + wd W,
// v <- mu v + g (v = g at the first step), W <- W - lr v
// (Nesterov: W <- W - lr (g + mu v)).
export function sgd({ lr, momentum = 0, nesterov = false, weight_decay = 0 }) {
  let velocity = null;
  return (net, grads) => {
    const Ws = arraysOf(net);
    const gs = gradArrays(grads);
    const first = !velocity;
    if (first) velocity = Ws.map((W) => new Float64Array(W.length));
    Ws.forEach((W, p) => {
      const v = velocity[p];
      for (let i = 0; i < W.length; i++) {
        const g = weight_decay ? gs[p][i] + W[i] * weight_decay : gs[p][i];
        if (!momentum) {
          W[i] -= g * lr;
          continue;
        }
        v[i] = first ? g : v[i] * momentum + g;
        W[i] -= (nesterov ? g + momentum * v[i] : v[i]) * lr;
      }
    });
  };
}

// Adam as nn_blog/nn/optim.py computes it, operation for operation:
// m <- m + (1 - b1)(g - m), v <- b2 v + (1 - b2) g^2,
// W <- W - lr c / (1 - b1^t) * m / (sqrt(v) + eps c), c = sqrt(1 - b2^t).
export function adam({ lr, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0 }) {
  const [beta1, beta2] = betas;
  let m = null;
  let v = null;
  let t = 0;
  return (net, grads) => {
    const Ws = arraysOf(net);
    const gs = gradArrays(grads);
    if (!m) {
      m = Ws.map((W) => new Float64Array(W.length));
      v = Ws.map((W) => new Float64Array(W.length));
    }
    t += 1;
    const c = Math.sqrt(1 - beta2 ** t);
    const scale = (lr * c) / (1 - beta1 ** t);
    Ws.forEach((W, p) => {
      for (let i = 0; i < W.length; i++) {
        const g = weight_decay ? gs[p][i] + W[i] * weight_decay : gs[p][i];
        m[p][i] += (g - m[p][i]) * (1 - beta1);
        v[p][i] = v[p][i] * beta2 + g * g * (1 - beta2);
        W[i] -= (m[p][i] / (Math.sqrt(v[p][i]) + eps * c)) * scale;
      }
    });
  };
}

// The optimizer a network was declared with: {name: "sgd" | "adam", ...}.
export function optimizer(spec) {
  if (spec.name === "adam") return adam(spec);
  if (spec.name === "sgd") return sgd(spec);
  throw new Error(`unknown optimizer "${spec.name}"`);
}

// A trainable copy of a network (its own W and b arrays).
export function trainable(net) {
  return {
    ...net,
    layers: net.layers.map(({ W, b, activation }) => ({
      W: matrix(W.rows, W.cols, Float64Array.from(W.data)),
      b: Float64Array.from(b),
      activation,
    })),
  };
}

// Targets for the loss from integer labels: a {0, 1} column for one output,
// one-hot rows otherwise.
export function targets(labels, k) {
  const Y = matrix(labels.length, k === 1 ? 1 : k);
  labels.forEach((y, i) => {
    if (k === 1) Y.data[i] = y;
    else Y.data[i * k + y] = 1;
  });
  return Y;
}

// One epoch of mini-batches in the order given (shuffle it with your own
// random numbers first); returns the mean batch loss.
export function epoch(net, loss, step, X, Y, batchSize, order) {
  let total = 0;
  let batches = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const rows = order.slice(start, start + batchSize);
    const Xb = matrix(rows.length, X.cols);
    const Yb = matrix(rows.length, Y.cols);
    rows.forEach((r, i) => {
      Xb.data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), i * X.cols);
      Yb.data.set(Y.data.subarray(r * Y.cols, (r + 1) * Y.cols), i * Y.cols);
    });
    const out = lossAndGrads(net, loss, Xb, Yb);
    step(net, out.grads);
    total += out.loss;
    batches += 1;
  }
  return total / batches;
}
