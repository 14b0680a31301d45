// The playground's generator, data sets, split and initial weights against
// Python's (nn_blog/prng.py, nn_blog/data.py, nn_blog/experiments.py with
// rng: mulberry32). Fixtures from tests/test_playground.py
// (NN_BLOG_PLAYGROUND=<dir>/playground.json).

import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  DATASETS, Mulberry32, STREAM, build, decode,
} from "../../nn_blog/jekyll/assets/js/nn-playground.js";

const file = process.env.NN_BLOG_PLAYGROUND;
const TOLERANCE = 1e-12;

function close(ours, theirs, what, tol = TOLERANCE) {
  const a = Array.from(ours).flat(Infinity);
  const b = Array.from(theirs).flat(Infinity);
  assert.equal(a.length, b.length, `${what}: sizes differ`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `${what}[${i}]: ${v} vs ${b[i]}`));
}

// Without fixtures it registers nothing (tests/test_export.py runs every file
// here and counts skips as failures): pytest tests/test_playground.py runs it.
if (file) {
  const fx = JSON.parse(readFileSync(file, "utf8"));

  test("Mulberry32: the same 32-bit outputs, uniforms, normals and permutations", () => {
    for (const g of fx.generators) {
      const r = Mulberry32.stream(g.seed, g.stream);
      assert.deepEqual(Array.from({ length: g.u32.length }, () => r.nextU32()), g.u32);
      close(Array.from({ length: g.uniform.length }, () => r.uniform(-1.5, 2.5)), g.uniform,
        "uniform");
      close(Array.from({ length: g.normal.length }, () => r.normal(0.3, 2)), g.normal, "normal");
      assert.deepEqual(r.permutation(g.permutation.length), g.permutation);
      assert.deepEqual(r.permutation(g.items_in), g.items_out);
    }
  });

  test("data sets: the same points and labels", () => {
    for (const d of fx.datasets) {
      const set = DATASETS[d.name];
      const made = set.make(Mulberry32.stream(d.seed, STREAM.data), d.n_samples, d.noise);
      assert.deepEqual(made.y, d.y, `${d.name} labels`);
      close(made.X, d.X, `${d.name} X`);
    }
  });

  test("split, standardisation and initial weights of whole configurations", () => {
    for (const c of fx.configs) {
      const run = build(decode(c.state));
      close(run.X.data, c.X_train, `${c.state} X_train`);
      close(run.Xt.data, c.X_test, `${c.state} X_test`);
      assert.deepEqual(run.raw.ytrain, c.y_train, `${c.state} y_train`);
      assert.deepEqual(run.raw.ytest, c.y_test, `${c.state} y_test`);
      close(run.net.input.mean, c.mean, `${c.state} mean`);
      close(run.net.input.std, c.std, `${c.state} std`);
      close(run.net.layers.flatMap((l) => [Array.from(l.W.data), Array.from(l.b)]), c.params,
        `${c.state} weights`);
    }
  });
}
