// The learning-rate slider's paths against the loss-surface figure's, which
// NumPy's optimizers take (fixtures from tests/test_export.py).

import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { METHODS, grows, path, verdict } from "../../nn_blog/jekyll/assets/js/live/lr-slider.js";

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
// quadratic; lr_limit = 2 / lambda_max).
const surface = JSON.parse(readFileSync(dir ? join(dir, "loss-surface.json")
  : fileURLToPath(new URL("../../assets/nn/loss-surface.json", import.meta.url)), "utf8"));
const judge = (method, lr) => verdict(surface, method, lr,
  path(surface, METHODS[method](lr), surface.steps));

test("loss surface: plain descent just past 2/lambda_max diverges, just below does not", () => {
  const limit = surface.lr_limit;
  const above = judge("plain", limit + 0.002); // the slider's 0.335 when the bound is 1/3
  assert.equal(above.diverges, true, above.text);
  assert.match(above.text, new RegExp(`above 2/λmax = ${limit.toFixed(3)}: diverges`));
  const below = judge("plain", limit - 0.002);
  assert.equal(below.diverges, false, below.text);
  assert.match(below.text, /below 2\/λmax = [0-9.]+: [0-9.]+ from the minimum after 40 steps/);
});

test("loss surface: the growth test agrees with the theory wherever the theory is known", () => {
  // plain descent: every rate the slider offers, the bound from the Hessian
  for (let i = 1; i <= 80; i++) {
    const lr = 0.005 * i;
    const points = path(surface, METHODS.plain(lr), surface.steps);
    assert.equal(grows(surface, points), lr > surface.lr_limit, `plain lr ${lr}`);
  }
  // heavy-ball momentum beta on a quadratic converges iff lr < 2 (1 + beta) / lambda_max
  const bound = (2 * 1.9) / 6; // = 0.633: past the slider's 0.4
  assert.ok(Math.abs(bound - 1.9 * surface.lr_limit) < 1e-12);
  for (const lr of [0.15, 0.4, bound - 0.02]) {
    assert.equal(judge("momentum", lr).diverges, false, `momentum lr ${lr}`);
  }
  assert.equal(judge("momentum", bound + 0.02).diverges, true, `momentum lr ${bound + 0.02}`);
  // Adam's steps are bounded by lr: at the slider's rates it wanders near the minimum
  for (const lr of [0.005, 0.15, 0.335, 0.4]) {
    const out = judge("adam", lr);
    assert.equal(out.diverges, false, `adam lr ${lr}: ${out.text}`);
  }
});
