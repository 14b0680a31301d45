// The browser engine on networks small enough to check by hand.
// Run: node --test tests/js/   (tests/test_export.py runs it with NumPy fixtures too)

import test from "node:test";
import assert from "node:assert/strict";
import {
  fromJSON, predict, classify, forwardAll, inputMatrix, activations,
} from "../../nn_blog/jekyll/assets/js/nn-engine.js";

// One hidden relu layer of two neurons, then a softmax over three classes.
// W1 = [[1, -1], [2, 0.5]], b1 = [0, 1]; W2 = [[1, 0, -1], [0, 1, 2]], b2 = 0.
function tiny(extra = {}) {
  return {
    format: "nn-blog-network/1", name: "tiny", n_features: 2,
    classes: ["a", "b", "c"], input: null, decimals: 1,
    layers: [
      { activation: "relu", n_in: 2, n_out: 2, W: [[10, -10], [20, 5]], b: [0, 10] },
      { activation: "softmax", n_in: 2, n_out: 3, W: [[10, 0, -10], [0, 10, 20]], b: [0, 0, 0] },
    ],
    ...extra,
  };
}

const close = (a, b, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("Z = X W + b, A = f(Z), layer by layer, integers read as n / 10^decimals", () => {
  const net = fromJSON(tiny());
  // x = (1, 1): Z1 = [1 + 2, -1 + 0.5 + 1] = [3, 0.5]; A1 = relu(Z1) = [3, 0.5]
  // Z2 = [3, 0.5, -3 + 1] = [3, 0.5, -2]
  const [first, second] = forwardAll(net, inputMatrix(net, [[1, 1]]));
  assert.deepEqual(Array.from(first.Z.data), [3, 0.5]);
  assert.deepEqual(Array.from(second.Z.data), [3, 0.5, -2]);
  const e = [Math.exp(3), Math.exp(0.5), Math.exp(-2)];
  const sum = e[0] + e[1] + e[2];
  const [p] = predict(net, [[1, 1]]);
  p.forEach((pj, j) => close(pj, e[j] / sum));
  // x = (-1, 0): Z1 = [-1, 1 + 1] -> relu [0, 2]; Z2 = [0, 2, 4]: class "c"
  assert.deepEqual(classify(net, [[1, 1], [-1, 0]]), [0, 2]);
});

test("standardisation: rows arrive in raw units, (x - mean) / std is applied", () => {
  const net = fromJSON(tiny({ input: { mean: [10, 20], std: [2, 4] } }));
  // raw (12, 24) standardises to (1, 1)
  assert.deepEqual(predict(net, [[12, 24]]), predict(fromJSON(tiny()), [[1, 1]]));
});

test("a single sigmoid output becomes [1 - p, p]; p >= 0.5 is class 1", () => {
  const net = fromJSON({
    format: "nn-blog-network/1", name: "one", n_features: 1, classes: ["no", "yes"],
    input: null, decimals: null,
    layers: [{ activation: "sigmoid", n_in: 1, n_out: 1, W: [[2]], b: [-1] }],
  });
  const [[q, p], [q0, p0]] = predict(net, [[1], [0.5]]);
  close(p, 1 / (1 + Math.exp(-1)));
  close(q, 1 - p);
  assert.equal(p0, 0.5); // z = 0 exactly
  assert.equal(q0, 0.5);
  assert.deepEqual(classify(net, [[1], [0.5], [0]]), [1, 1, 0]);
});

test("every activation and its derivative", () => {
  const z = [-2, -0.5, 0, 0.5, 2];
  const s = (x) => 1 / (1 + Math.exp(-x));
  const expect = {
    identity: (x) => x, sigmoid: s, tanh: Math.tanh,
    relu: (x) => Math.max(0, x), leaky_relu: (x) => (x > 0 ? x : 0.01 * x),
    silu: (x) => x * s(x),
  };
  for (const [name, f] of Object.entries(expect)) {
    z.forEach((x) => close(activations[name].f(x), f(x), 1e-15));
  }
  // derivatives against central differences
  const h = 1e-6;
  for (const name of ["sigmoid", "tanh", "silu"]) {
    const act = activations[name];
    for (const x of z) {
      const numeric = (act.f(x + h) - act.f(x - h)) / (2 * h);
      const exact = act.dz ? act.dz(x) : act.df(act.f(x));
      close(exact, numeric, 1e-8);
    }
  }
  assert.equal(activations.relu.df(activations.relu.f(-1)), 0);
  assert.equal(activations.leaky_relu.df(activations.leaky_relu.f(-1)), 0.01);
});

test("softmax does not overflow on large logits", () => {
  const net = fromJSON(tiny({
    layers: [{ activation: "softmax", n_in: 1, n_out: 2, W: [[10000, 0]], b: [0, 0] }],
    decimals: 0, n_features: 1, classes: ["a", "b"],
  }));
  const [p] = predict(net, [[1000]]);
  assert.deepEqual(p, [1, 0]);
});

test("bad rows are refused with the row and column named", () => {
  const net = fromJSON(tiny());
  assert.throws(() => predict(net, [[1, 2, 3]]), /row 0 must hold 2 numbers/);
  assert.throws(() => predict(net, [[1, 2], [1, NaN]]), /row 1, column 1/);
  assert.throws(() => predict(net, "1,2"), /array of rows/);
  assert.throws(() => fromJSON({ format: "other" }), /not an nn-blog network export/);
});

test("snapshots: atEpoch swaps in that epoch's weights; the last is the network", () => {
  const json = tiny({
    snapshots: [
      { epoch: 0, decimals: 0, layers: [
        { W: [[0, 0], [0, 0]], b: [0, 0] }, { W: [[0, 0, 0], [0, 0, 0]], b: [0, 0, 0] }] },
      // epoch 3 is sent as its change from epoch 0: W1 + [[1, 0], [0, 1]], b2 + [0, 0, 5]
      { epoch: 3, decimals: 0, delta: true, layers: [
        { W: [[1, 0], [0, 1]], b: [0, 0] }, { W: [[0, 0, 0], [0, 0, 0]], b: [0, 0, 5] }] },
      { epoch: 7 },
    ],
  });
  const net = fromJSON(json);
  assert.deepEqual(net.epochs, [0, 3, 7]);
  const at3 = net.atEpoch(3);
  assert.deepEqual(Array.from(at3.layers[0].W.data), [1, 0, 0, 1]);
  assert.deepEqual(Array.from(at3.layers[1].b), [0, 0, 5]);
  const [p0] = predict(net.atEpoch(0), [[1, 1]]);
  p0.forEach((pj) => close(pj, 1 / 3));
  assert.deepEqual(predict(net.atEpoch(7), [[1, 1]]), predict(net, [[1, 1]]));
  assert.throws(() => net.atEpoch(4), /no snapshot at epoch 4/);
});

test("the digit pad's strokes become the data's 8x8 counts: height filled, centred", async () => {
  const { toInputs, rub } = await import("../../nn_blog/jekyll/assets/js/live/digit-pad.js");
  const sum = (a) => a.reduce((s, v) => s + v, 0);
  // a vertical line fills the height, centred: every row's ink in blocks 3 and 4 alike
  const upright = [[0.5, 0.1], [0.5, 0.5], [0.5, 0.9]];
  const line = toInputs([upright]);
  for (let r = 0; r < 8; r++) {
    const row = line.slice(r * 8, r * 8 + 8);
    assert.ok(row[3] > 0 && row[3] === row[4], `row ${r}: ${row}`);
    assert.equal(sum(row), row[3] + row[4]);
  }
  // on/off pixels counted: whole numbers 0-16
  assert.ok(line.every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
  // the same line drawn small in a corner: the same picture
  assert.deepEqual(toInputs([[[0.125, 0.0625], [0.125, 0.25]]]), line);
  // a horizontal line spans at most the data's 24 middle columns: edge blocks stay blank
  const flat = toInputs([[[0.05, 0.5], [0.95, 0.5]]]);
  for (let r = 0; r < 8; r++) assert.ok(flat[r * 8] === 0 && flat[r * 8 + 7] === 0);
  assert.ok(flat[3 * 8 + 1] > 0 && flat[4 * 8 + 6] > 0);
  // a wide ring fills the height too, squeezed into the middle 24 columns
  const ring = toInputs([Array.from({ length: 25 }, (_, k) => [0.5 + 0.4 * Math.sin(k / 4),
    0.5 + 0.2 * Math.cos(k / 4)])]);
  for (let r = 0; r < 8; r++) assert.ok(ring[r * 8] === 0 && ring[r * 8 + 7] === 0);
  assert.ok(sum(ring.slice(0, 8)) > 0 && sum(ring.slice(56)) > 0);
  // the eraser rubs out points: a stray dot goes, the line fills the height again
  assert.deepEqual(toInputs(rub([upright, [[0.9, 0.95]]], [0.9, 0.94], 0.05)), line);
  // rubbed through its middle, a line becomes two
  assert.deepEqual(rub([upright], [0.5, 0.5], 0.05), [[upright[0]], [upright[2]]]);
  assert.deepEqual(toInputs(rub([upright], [0.5, 0.5], 0.5)), new Array(64).fill(0));
  assert.deepEqual(toInputs([]), new Array(64).fill(0));
});
