// Issue 20 (browser engine): what the engine and nn-live.js refuse, and what they guarantee
// for any input they accept. Run: node --test tests/js/

import test from "node:test";
import assert from "node:assert/strict";
import { fromJSON, predict, classify } from "../../nn_blog/jekyll/assets/js/nn-engine.js";

// Two inputs, a tanh layer of three, then a softmax over two classes; integers / 10.
function valid(extra = {}) {
  return {
    format: "nn-blog-network/1", name: "tiny", n_features: 2, classes: ["a", "b"],
    input: { mean: [1, 2], std: [2, 4] }, decimals: 1,
    layers: [
      { activation: "tanh", n_in: 2, n_out: 3, W: [[10, -10, 5], [20, 5, 0]], b: [0, 10, -5] },
      { activation: "softmax", n_in: 3, n_out: 2, W: [[10, -10], [0, 10], [30, 20]], b: [0, 1] },
    ],
    ...extra,
  };
}

// A copy with one change made by `edit` (a deep copy: the cases never share arrays).
function broken(edit) {
  const json = structuredClone(valid());
  edit(json);
  return json;
}

const BAD = [
  ["the chain of shapes (n_in)", (j) => { j.layers[1].n_in = 2; }, /"tiny": layers\[1\]\.n_in/],
  ["the first layer against n_features", (j) => { j.n_features = 3; }, /"tiny": layers\[0\]\.n_in/],
  ["W with a missing row", (j) => { j.layers[1].W.pop(); }, /"tiny": layers\[1\]\.W/],
  ["W with a short row", (j) => { j.layers[0].W[1] = [1, 2]; }, /"tiny": layers\[0\]\.W\[1\]/],
  ["a short b", (j) => { j.layers[0].b = [0, 1]; }, /"tiny": layers\[0\]\.b /],
  ["a long b", (j) => { j.layers[1].b = [0, 1, 2]; }, /"tiny": layers\[1\]\.b /],
  ["a string in b", (j) => { j.layers[1].b = [0, "1"]; }, /"tiny": layers\[1\]\.b\[1\]/],
  ["a hole in W", (j) => { j.layers[0].W[0] = [1, , 2]; }, /"tiny": layers\[0\]\.W\[0\]\[1\]/], // eslint-disable-line no-sparse-arrays
  ["a short mean", (j) => { j.input.mean = [1]; }, /"tiny": input\.mean /],
  ["a long std", (j) => { j.input.std = [1, 2, 3]; }, /"tiny": input\.std /],
  ["a zero std", (j) => { j.input.std = [1, 0]; }, /"tiny": input\.std\[1\]/],
  ["a non-number mean", (j) => { j.input.mean = [1, null]; }, /"tiny": input\.mean\[1\]/],
  ["decimals as a string", (j) => { j.decimals = "1"; }, /"tiny": decimals/],
  ["negative decimals", (j) => { j.decimals = -2; }, /"tiny": decimals/],
  ["fractional decimals", (j) => { j.decimals = 1.5; }, /"tiny": decimals/],
  ["huge decimals", (j) => { j.decimals = 400; }, /"tiny": decimals/],
  ["one class too few", (j) => { j.classes = ["a"]; }, /"tiny": classes/],
  ["an unknown activation", (j) => { j.layers[0].activation = "gelu"; }, /"tiny": layers\[0\]\.activation/],
  ["no layers", (j) => { j.layers = []; }, /"tiny": layers/],
  ["a snapshot of the wrong shape", (j) => {
    j.snapshots = [{ epoch: 0, decimals: 0, layers: [{ W: [[1, 2, 3]], b: [0, 0, 0] }] }];
  }, /"tiny": snapshots\[0\]\.layers/],
  ["a snapshot with bad decimals", (j) => {
    j.snapshots = [{ epoch: 0, decimals: "x" }];
  }, /"tiny": snapshots\[0\]\.decimals/],
  ["a delta with nothing before it", (j) => {
    j.snapshots = [{ epoch: 0, decimals: 0, delta: true, layers: j.layers.map((l) => ({ W: l.W, b: l.b })) }];
  }, /"tiny": snapshots\[0\]\.delta/],
];

for (const [what, edit, message] of BAD) {
  test(`fromJSON refuses ${what}, naming the network and the field`, () => {
    assert.throws(() => fromJSON(broken(edit)), message);
  });
}

test("a valid export still reads", () => {
  const [p] = predict(fromJSON(valid()), [[1, 2]]);
  assert.equal(p.length, 2);
  assert.ok(Math.abs(p[0] + p[1] - 1) < 1e-12);
});

test("predict refuses strings, booleans and other non-numbers", () => {
  const net = fromJSON(valid());
  for (const bad of ["1", true, false, null, [1], { valueOf: () => 1 }, 10n]) {
    assert.throws(() => predict(net, [[bad, 1]]), /row 0, column 0/, String(bad));
    assert.throws(() => classify(net, [[1, bad]]), /row 0, column 1/, String(bad));
  }
});

test("predict refuses the holes of a sparse array", () => {
  const net = fromJSON(valid());
  assert.throws(() => predict(net, [[1, 2], , [3, 4]]), /row 1 is missing/); // eslint-disable-line no-sparse-arrays
  assert.throws(() => predict(net, new Array(2)), /row 0 is missing/);
  const row = [1];
  row.length = 2;
  assert.throws(() => predict(net, [row]), /row 0, column 1 is missing/);
});

test("huge finite input gives finite probabilities", () => {
  const big = Number.MAX_VALUE;
  const relu = fromJSON(valid({
    layers: [
      { activation: "relu", n_in: 2, n_out: 2, W: [[20, -20], [20, 0]], b: [0, 0] },
      { activation: "relu", n_in: 2, n_out: 2, W: [[10, 0], [0, 10]], b: [0, 0] },
      { activation: "softmax", n_in: 2, n_out: 2, W: [[10, -10], [0, 0]], b: [0, 0] },
    ],
  }));
  const sigmoid = fromJSON(valid({
    classes: ["no", "yes"], input: null,
    layers: [{ activation: "sigmoid", n_in: 2, n_out: 1, W: [[20], [-20]], b: [0] }],
  }));
  for (const net of [fromJSON(valid()), relu, sigmoid]) {
    for (const row of [[big, big], [-big, big], [big, -big], [-big, -big], [1e300, 0]]) {
      const [p] = predict(net, [row]);
      assert.ok(p.every(Number.isFinite), `${net.name} ${row}: ${p}`);
      assert.ok(Math.abs(p[0] + p[1] - 1) < 1e-12, `${row}: ${p}`);
      classify(net, [row]);
    }
  }
});

test("the network fromJSON returns cannot be changed through its objects", () => {
  const net = fromJSON(valid());
  const before = predict(net, [[1, 2]]);
  assert.ok(Object.isFrozen(net) && Object.isFrozen(net.layers) && Object.isFrozen(net.layers[0]));
  assert.throws(() => { net.layers[0].activation = "identity"; }, TypeError);
  assert.throws(() => { net.layers.push(net.layers[0]); }, TypeError);
  assert.throws(() => { net.layers[0].W.cols = 1; }, TypeError);
  assert.throws(() => { net.input = null; }, TypeError);
  assert.deepEqual(predict(net, [[1, 2]]), before);
});

// nn-live.js, with fetch answered here.
async function live(body, headers = {}) {
  const served = [];
  globalThis.fetch = async (url) => {
    served.push(String(url));
    return new Response(body, { status: 200, headers });
  };
  const mod = await import(`../../nn_blog/jekyll/assets/js/nn-live.js?case=${Math.random()}`);
  return { mod, served };
}

test("nn-live refuses an export over its size bound before parsing it", async () => {
  const { mod: declared } = await live("{}", { "content-length": String(64 * 1024 * 1024) });
  await assert.rejects(declared.network("tiny"), /"tiny": the export is over \d+ bytes/);
  const huge = JSON.stringify(valid({ padding: "x".repeat(5 * 1024 * 1024) }));
  const { mod: streamed } = await live(huge);
  await assert.rejects(streamed.network("tiny"), /"tiny": the export is over \d+ bytes/);
});

test("nn-live refuses a malformed export naming the network and field", async () => {
  const { mod } = await live(JSON.stringify(broken((j) => { j.layers[0].b = [1]; })));
  await assert.rejects(mod.network("tiny"), /"tiny": layers\[0\]\.b/);
  await assert.rejects(mod.default.predict("tiny", [[1, 2]]), /"tiny": layers\[0\]\.b/);
});

test("nn-live gives every caller a network of its own", async () => {
  const { mod, served } = await live(JSON.stringify(valid()));
  const first = await mod.network("tiny");
  const expected = await mod.default.predict("tiny", [[1, 2]]);
  first.layers[0].W.data.fill(0); // a page's script changing what it was given
  first.layers[1].b.fill(100);
  assert.throws(() => { first.json.layers[0].W[0][0] = 99; }, TypeError);
  const second = await mod.network("tiny");
  assert.notEqual(second, first);
  assert.deepEqual(predict(second, [[1, 2]]), expected);
  assert.deepEqual(await mod.default.predict("tiny", [[1, 2]]), expected);
  assert.equal(served.length, 1); // fetched once
});
