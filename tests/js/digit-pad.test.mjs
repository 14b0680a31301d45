// The digit pad's pure parts: clipping at the pad's edge, the unsure test
// against the export's typical digits, and its English.

import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  article, clip, edge, judge, toInputs,
} from "../../nn_blog/jekyll/assets/js/live/digit-pad.js";

const digits = JSON.parse(readFileSync(fileURLToPath(
  new URL("../../assets/nn/digits.json", import.meta.url)), "utf8"));
const line = (a, b, n = 30) => Array.from({ length: n + 1 },
  (_, k) => [a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
const sure = [0.01, 0.01, 0.01, 0.01, 0.9, 0.01, 0.01, 0.02, 0.01, 0.01];

test("digit pad: ink off the pad is neither kept nor counted", () => {
  assert.deepEqual(clip([[[0.5, 0.5], [1.2, 0.5], [0.6, 0.6]]]), [[[0.5, 0.5]], [[0.6, 0.6]]]);
  assert.deepEqual(edge([0.5, 0.5], [1.5, 0.5]), [1, 0.5]);
  assert.deepEqual(edge([0.5, 0.5], [0.5, -1]), [0.5, 0]);
  const one = [line([0.5, 0.15], [0.5, 0.85])];
  // a second stroke wholly off the pad changes nothing
  assert.deepEqual(toInputs([...one, line([1.2, 0.1], [1.9, 0.9])]), toInputs(one));
});

test("digit pad: unsure of a dot, a dash, a cross; sure of the test digits", () => {
  const { typical } = digits;
  assert.equal(typical.class_means.length, 10);
  assert.equal(judge(sure, toInputs([[[0.5, 0.5]]]), typical).why, "ink");
  assert.equal(judge(sure, toInputs([line([0.2, 0.5], [0.8, 0.5])]), typical).why, "far");
  const cross = [line([0.2, 0.2], [0.8, 0.8]), line([0.8, 0.2], [0.2, 0.8])];
  assert.equal(judge(sure, toInputs(cross), typical).why, "far");
  // a plain vertical stroke is a 1, not "unlike any digit"
  assert.equal(judge(sure, toInputs([line([0.5, 0.15], [0.5, 0.85])]), typical).unsure, false);
  // every test digit the export carries is like the training digits
  for (const x of digits.samples.X) assert.notEqual(judge(sure, x, typical).why, "far");
  assert.equal(judge([0.5, 0.4, 0.1, 0, 0, 0, 0, 0, 0, 0], digits.samples.X[0], typical).why,
    "low");
});

test("digit pad: an 8, a 7", () => {
  assert.equal(article("8"), "an 8");
  assert.equal(article("7"), "a 7");
  assert.equal(article("1"), "a 1");
});
