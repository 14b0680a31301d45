// The browser engine against NumPy on every exported network.
// Fixtures come from tests/test_export.py (NN_BLOG_FIXTURES=<dir>): for each
// network NAME, NAME.exact.json (full-precision weights), NAME.json (rounded,
// as the site ships it) and NAME.cases.json (raw test rows, NumPy's
// probabilities and labels, and each snapshot's labels).

import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromJSON, predict, classify } from "../../nn_blog/jekyll/assets/js/nn-engine.js";

const dir = process.env.NN_BLOG_FIXTURES;
const read = (file) => JSON.parse(readFileSync(join(dir, file), "utf8"));
const TOLERANCE = 1e-6;

function differingRows(a, b) {
  return a.flatMap((x, i) => (x === b[i] ? [] : [i]));
}

if (!dir) {
  test("parity with NumPy", { skip: "NN_BLOG_FIXTURES unset: run pytest tests/test_export.py" },
    () => {});
} else {
  for (const name of Object.keys(read("index.json"))) {
    test(`parity: ${name}`, (t) => {
      const cases = read(`${name}.cases.json`);
      const exact = fromJSON(read(`${name}.exact.json`));
      const P = predict(exact, cases.rows);
      assert.equal(P.length, cases.P.length);
      let worst = 0;
      P.forEach((row, i) => {
        assert.equal(row.length, cases.P[i].length, `row ${i}: number of classes`);
        row.forEach((p, j) => { worst = Math.max(worst, Math.abs(p - cases.P[i][j])); });
      });
      t.diagnostic(`parity: ${name} max |dP| = ${worst.toExponential(2)}`);
      assert.ok(worst <= TOLERANCE, `${name}: probabilities differ by ${worst}`);
      assert.deepEqual(differingRows(classify(exact, cases.rows), cases.labels), []);

      // as the site ships it: rounded weights, the same labels
      const shipped = fromJSON(read(`${name}.json`));
      assert.deepEqual(differingRows(classify(shipped, cases.rows), cases.labels), [],
        `${name}: rows whose label the rounded weights change`);
      for (const epoch of shipped.epochs) {
        const expected = cases.epochs[String(epoch)];
        assert.deepEqual(differingRows(classify(shipped.atEpoch(epoch), cases.rows), expected),
          [], `${name} at epoch ${epoch}: rows whose label the rounded weights change`);
      }
      for (const [epoch, expected] of Object.entries(cases.epochs)) {
        const at = exact.atEpoch(Number(epoch));
        assert.deepEqual(differingRows(classify(at, cases.rows), expected), [],
          `${name} at epoch ${epoch}, full precision`);
      }
    });
  }
}
