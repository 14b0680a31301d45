// The browser's backward pass and optimizers against NumPy (nn_blog/nn).
// Fixtures from tests/test_export.py (NN_BLOG_FIXTURES=<dir>): NAME.grads.json
// holds prepared rows X, their labels, NumPy's loss and gradients
// [dW1, db1, ...], and the parameters after a few full-batch optimizer steps.

import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromJSON, matrix } from "../../nn_blog/jekyll/assets/js/nn-engine.js";
import {
  lossAndGrads, optimizer, targets, trainable,
} from "../../nn_blog/jekyll/assets/js/nn-train.js";

const dir = process.env.NN_BLOG_FIXTURES;
const read = (file) => JSON.parse(readFileSync(join(dir, file), "utf8"));
const TOLERANCE = 1e-9;

function maxDiff(a, b) {
  const x = a.flat(Infinity);
  const y = Array.from(b);
  assert.equal(x.length, y.length, "sizes differ");
  return x.reduce((worst, v, i) => Math.max(worst, Math.abs(v - y[i])), 0);
}

if (!dir) {
  test("gradients against NumPy", { skip: "NN_BLOG_FIXTURES unset: run pytest tests/test_export.py" },
    () => {});
} else {
  for (const name of Object.keys(read("index.json"))) {
    test(`gradients: ${name}`, (t) => {
      const json = read(`${name}.exact.json`);
      const fixture = read(`${name}.grads.json`);
      const net = trainable(fromJSON(json));
      const X = matrix(fixture.X.length, json.n_features, Float64Array.from(fixture.X.flat()));
      const Y = targets(fixture.labels, net.layers.at(-1).W.cols);
      const { loss } = json.training;
      const out = lossAndGrads(net, loss, X, Y);
      assert.ok(Math.abs(out.loss - fixture.loss) <= 1e-12, `loss ${out.loss} vs ${fixture.loss}`);
      const ours = out.grads.flatMap((g) => [g.dW.data, g.db]);
      const worst = Math.max(...ours.map((g, p) => maxDiff(fixture.grads[p], g)));
      t.diagnostic(`gradients: ${name} max |d grad| = ${worst.toExponential(2)}`);
      assert.ok(worst <= TOLERANCE, `${name}: gradients differ by ${worst}`);

      const step = optimizer(json.training.optimizer);
      for (let s = 0; s < fixture.steps; s++) step(net, lossAndGrads(net, loss, X, Y).grads);
      const params = net.layers.flatMap((l) => [l.W.data, l.b]);
      const drift = Math.max(...params.map((P, p) => maxDiff(fixture.after[p], P)));
      t.diagnostic(`steps: ${name} ${json.training.optimizer.name} max |d W| = ${drift.toExponential(2)}`);
      assert.ok(drift <= TOLERANCE, `${name}: parameters after ${fixture.steps} steps differ by ${drift}`);
    });
  }
}
