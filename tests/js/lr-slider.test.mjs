// The learning-rate slider's paths against the loss-surface figure's, which
// NumPy's optimizers take (fixtures from tests/test_export.py).

import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BETA, FAR_BELOW, METHODS, bound, grows, growth, loss, path, verdict } from "../../nn_blog/jekyll/assets/js/live/lr-slider.js";

const dir = process.env.NN_BLOG_FIXTURES;

test("loss surface: the slider's paths are NumPy's", {
  skip: dir ? false : "NN_BLOG_FIXTURES unset: run pytest tests/test_export.py",
}, (t) => {
  const read = (file) => JSON.parse(readFileSync(join(dir, file), "utf8"));
  const surface = read("loss-surface.json");
  for (const { method, lr, path: expected } of read("loss-surface.paths.json")) {
    const ours = path(surface, METHODS[method](lr), surface.steps);
    assert.equal(ours.length, expected.length);
    let worst = 0;
    ours.forEach((w, i) => w.forEach((v, j) => {
      // relative: a diverging path grows large
      const scale = Math.max(1, Math.abs(expected[i][j]));
      worst = Math.max(worst, Math.abs(v - expected[i][j]) / scale);
    }));
    t.diagnostic(`loss surface: ${method} lr ${lr} max |dw| = ${worst.toExponential(2)}`);
    assert.ok(worst <= 1e-12, `${method} lr ${lr}: paths differ by ${worst}`);
  }
});

// The verdict, on the fixtures' surface or else the committed one (the same
// quadratic; lambda_max its steepest curvature).
const surface = JSON.parse(readFileSync(dir ? join(dir, "loss-surface.json")
  : fileURLToPath(new URL("../../assets/nn/loss-surface.json", import.meta.url)), "utf8"));
const run = (method, lr, beta = BETA) => path(surface, METHODS[method](lr, beta), surface.steps);
const judge = (method, lr, beta = BETA) => verdict(surface, method, lr, run(method, lr, beta),
  beta);
// every rate the slider offers (0.005 to 0.8 in steps of 0.005)
const RATES = Array.from({ length: 160 }, (_, i) => Number((0.005 * (i + 1)).toFixed(3)));

test("loss surface: the export gives lambda_max, and the bounds follow from it", () => {
  assert.equal(surface.lambda_max, Math.max(...surface.curvatures));
  assert.ok(Math.abs(bound(surface, "plain") - surface.lr_limit) < 1e-12);
  assert.ok(Math.abs(bound(surface, "momentum", 0.9) - (2 * 1.9) / surface.lambda_max) < 1e-12);
  assert.equal(bound(surface, "adam"), null);
  // the slider reaches past momentum's bound at its default beta
  assert.ok(bound(surface, "momentum", BETA) < 0.8);
});

test("loss surface: every verdict agrees with the path's own loss, every optimizer and rate", (t) => {
  const table = [];
  for (const [method, betas] of [["plain", [0]], ["momentum", [0, 0.5, 0.9, 0.99]],
    ["adam", [0]]]) {
    for (const beta of betas) {
      const row = {};
      for (const lr of RATES) {
        const points = run(method, lr, beta);
        const L = points.map((p) => loss(surface, p));
        const n = L.length - 1;
        const out = verdict(surface, method, lr, points, beta);
        row[out.state] = (row[out.state] || 0) + 1;
        const tag = `${method} β ${beta} lr ${lr}: ${out.text}`;
        // "diverges" only for a path whose loss ends above its start and grows
        if (out.state === "diverges") {
          assert.ok(!Number.isFinite(L[n]) || L[n] > L[0], tag);
          assert.ok(!Number.isFinite(L[n]) || Math.max(...L.slice(n - 9))
            > Math.max(...L.slice(n - 19, n - 9)), tag);
          assert.match(out.text, /diverges/, tag);
        } else {
          assert.doesNotMatch(out.text, /diverges/, tag);
        }
        // "converges" only for a path that ends far below its start
        if (out.state === "converges") assert.ok(L[n] < FAR_BELOW * L[0], tag);
        else assert.doesNotMatch(out.text, /converges/, tag);
        // where theory has a bound, nothing inside it is red, and everything past it is
        const limit = bound(surface, method, beta);
        if (limit !== null) {
          const past = lr > limit - 1e-9; // at the bound itself it does not converge
          assert.equal(out.diverges, past, tag);
          if (Math.abs(lr - limit) > 1e-9) {
            assert.equal(growth(surface, lr, method === "momentum" ? beta : 0) > 1, past, tag);
          }
        }
      }
      t.diagnostic(`${method} β ${beta}: ${JSON.stringify(row)}`);
    }
  }
});

test("loss surface: the cases the issue found", () => {
  // momentum 0.9 at 0.040 ends at a loss of 0.0006: a damped spiral, not divergence
  const slow = judge("momentum", 0.04);
  assert.equal(slow.state, "converges", slow.text);
  assert.equal(slow.diverges, false);
  // Adam is never flagged over the slider's range on this surface: its steps
  // are about lr long, so it circles the minimum
  for (const lr of RATES) assert.notEqual(judge("adam", lr).state, "diverges", `adam ${lr}`);
  // momentum just past its bound is unstable, and by 0.8 visibly diverges
  const limit = bound(surface, "momentum", 0.9);
  assert.equal(judge("momentum", limit + 0.01).diverges, true);
  assert.equal(judge("momentum", 0.8).state, "diverges");
  // plain descent past 2/λmax: the verdict gives the bound
  const above = judge("plain", surface.lr_limit + 0.002);
  assert.equal(above.diverges, true, above.text);
  assert.match(above.text, new RegExp(`above 2/κmax = ${surface.lr_limit.toFixed(3)}: unstable`));
  assert.equal(judge("plain", 0.4).state, "diverges");
  const below = judge("plain", surface.lr_limit - 0.002);
  assert.equal(below.diverges, false, below.text);
  assert.match(below.text, /below 2\/κmax = [0-9.]+: still on its way \(×0\.988 a swing\), loss [0-9.]+ after 40 steps/);
});

test("loss surface: the growth factor is the theory's (plain: |1 - lr c|)", () => {
  for (const lr of [0.1, 0.3, 0.5]) {
    const want = Math.max(...surface.curvatures.map((c) => Math.abs(1 - lr * c)));
    assert.ok(Math.abs(growth(surface, lr, 0) - want) < 1e-12);
  }
  assert.ok(growth(surface, bound(surface, "momentum", 0.9) - 1e-6, 0.9) < 1);
  assert.ok(growth(surface, bound(surface, "momentum", 0.9) + 1e-6, 0.9) > 1);
});

test("loss surface: the bounds the post quotes (figures.json) are the slider's", () => {
  const figures = JSON.parse(readFileSync(fileURLToPath(
    new URL("../../_data/generated/figures.json", import.meta.url)), "utf8"));
  const quoted = figures["loss-surface"].data;
  assert.equal(quoted.momentum, surface.momentum);
  assert.ok(Math.abs(quoted.lr_limit - bound(surface, "plain")) < 1e-12);
  assert.ok(Math.abs(quoted.momentum_limit - bound(surface, "momentum", surface.momentum)) < 1e-12);
});
