// The learning-rate slider's paths against the loss-surface figure's, which
// NumPy's optimizers take (fixtures from tests/test_export.py).

import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { METHODS, path } from "../../assets/js/live/lr-slider.js";

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
