// The digit pad's pure parts: the unsure test against the export's typical
// digits, and its English (ink off the pad: test_live_demo.py, with a mouse).

import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  article, classMeans, judge, toInputs,
} from "../../nn_blog/jekyll/assets/js/live/digit-pad.js";

const digits = JSON.parse(readFileSync(fileURLToPath(
  new URL("../../assets/nn/digits.json", import.meta.url)), "utf8"));
const line = (a, b, n = 30) => Array.from({ length: n + 1 },
  (_, k) => [a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
const means = classMeans(digits.samples);
const sure = [0.01, 0.01, 0.01, 0.01, 0.9, 0.01, 0.01, 0.02, 0.01, 0.01];

test("digit pad: unsure of a dot, a dash, a cross; sure of the test digits", () => {
  const { typical } = digits;
  assert.equal(means.length, 10);
  assert.equal(judge(sure, toInputs([[[0.5, 0.5]]]), typical, means).why, "ink");
  assert.equal(judge(sure, toInputs([line([0.2, 0.5], [0.8, 0.5])]), typical, means).why, "far");
  const cross = [line([0.2, 0.2], [0.8, 0.8]), line([0.8, 0.2], [0.2, 0.8])];
  assert.equal(judge(sure, toInputs(cross), typical, means).why, "far");
  // a plain vertical stroke is a 1, not "unlike any digit"
  assert.equal(judge(sure, toInputs([line([0.5, 0.15], [0.5, 0.85])]), typical, means).unsure, false);
  // every test digit the export carries is like the training digits
  for (const x of digits.samples.X) assert.notEqual(judge(sure, x, typical, means).why, "far");
  assert.equal(judge([0.5, 0.4, 0.1, 0, 0, 0, 0, 0, 0, 0], digits.samples.X[0], typical, means).why,
    "low");
});

test("digit pad: an 8, a 7", () => {
  assert.equal(article("8"), "an 8");
  assert.equal(article("7"), "a 7");
  assert.equal(article("1"), "a 1");
});
