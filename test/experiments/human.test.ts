// Figure 2's agreement of two classifications: drawn (counts of two label lists) and expected (a second
// classifier's mean over its possible labels).
import assert from "node:assert/strict";
import { test } from "node:test";
import { expectedAgreement, humanAgreement } from "../../lib/experiments/human";
import { mulberry32 } from "../../lib/util/random";

test("humanAgreement counts rows by A's class and the paper's match fractions over classes 1-3 and 1-2", () => {
  const a = [1, 1, 1, 2, 2, 3, 4, 4, null];
  const b = [1, 1, 2, 2, 3, 3, 4, 1, 1];
  const r = humanAgreement(a, b);
  assert.equal(r.n, 8);
  assert.deepEqual(r.counts[0], [2, 1, 0, 0]);
  assert.deepEqual(
    r.diagonal.map((d) => +d.toFixed(2)),
    [66.67, 50, 100, 50],
  );
  assert.equal(r.match123, 100, "every object A put in 1-3 B also put in 1-3");
  assert.equal(r.match12, 80, "4 of the 5 objects A put in 1-2 B put in 1-2");
});

test("expectedAgreement is the mean of B's chances over the objects of each class of A", () => {
  const r = expectedAgreement(
    [1, 1, 2, null],
    [
      [0.9, 0.1, 0, 0],
      [0.5, 0.3, 0.2, 0],
      [0.2, 0.6, 0.1, 0.1],
      [1, 0, 0, 0],
    ],
  );
  assert.equal(r.n, 3);
  assert.deepEqual(
    r.percent[0].map((v) => +v.toFixed(6)),
    [70, 20, 10, 0],
  );
  assert.deepEqual(
    r.diagonal.map((v) => +v.toFixed(6)),
    [70, 60, 0, 0],
  );
});

test("second labels drawn from the chances agree, on average over draws, as expectedAgreement says", () => {
  const rng = mulberry32(7);
  const a = Array.from({ length: 400 }, (_, i) => 1 + (i % 4));
  const chances = a.map((label) => {
    const p = [rng(), rng(), rng(), rng()].map((v, k) => v + (k === label - 1 ? 1.5 : 0));
    const total = p.reduce((s, v) => s + v, 0);
    return p.map((v) => v / total);
  });
  const expected = expectedAgreement(a, chances).diagonal;
  const draws = 300;
  const mean = [0, 0, 0, 0];
  for (let d = 0; d < draws; d++) {
    const b = chances.map((p) => {
      const u = rng();
      let below = 0;
      for (let k = 0; k < 4; k++) {
        below += p[k];
        if (u < below) return k + 1;
      }
      return 4;
    });
    humanAgreement(a, b).diagonal.forEach((v, k) => (mean[k] += v / draws));
  }
  // One draw of 100 objects per class strays by ~5 points; the mean of 300 draws by ~0.3.
  mean.forEach((m, k) => assert.ok(Math.abs(m - expected[k]) < 1.2, `class ${k + 1}: ${m} vs ${expected[k]}`));
});

test("expectedAgreement refuses chances that are not a distribution, naming the object", () => {
  assert.throws(() => expectedAgreement([1], [[0.5, 0.2, 0, 0]]), /object 0's probabilities \[0.5, 0.2, 0, 0\]/);
  assert.throws(() => expectedAgreement([1], [[NaN, 1, 0, 0]]), /not a distribution/);
  assert.throws(() => expectedAgreement([null], [[1, 0, 0, 0]]), /no object has a label/);
});

test("expectedAgreement refuses a label that is not a class 1-4, naming the object", () => {
  assert.throws(
    () =>
      expectedAgreement(
        [1, 5],
        [
          [1, 0, 0, 0],
          [1, 0, 0, 0],
        ],
      ),
    /object 1's label 5 is not a class 1-4/,
  );
});
