// The per-object ensemble verdict: mean and population spread over models, argmax of the mean, the models' vote
// with its tie rule, entropy and mutual information.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ensembleVerdict } from "../../lib/classify/stats";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test("one model: its probabilities, no spread, one vote, no disagreement", () => {
  const v = ensembleVerdict([[0.1, 0.6, 0.2, 0.1]]);
  assert.deepEqual(v.mean, [0.1, 0.6, 0.2, 0.1]);
  assert.deepEqual(v.std, [0, 0, 0, 0]);
  assert.deepEqual([v.classMean, v.classMode, v.modeVotes], [2, 2, 1]);
  close(v.entropy, -(0.1 * Math.log(0.1) * 2 + 0.6 * Math.log(0.6) + 0.2 * Math.log(0.2)), "entropy");
  assert.equal(v.mutualInfo, 0);
});

test("three models: mean, population std, the majority class and its votes, mutual information", () => {
  const v = ensembleVerdict([
    [0.7, 0.1, 0.1, 0.1],
    [0.6, 0.2, 0.1, 0.1],
    [0.1, 0.1, 0.1, 0.7],
  ]);
  close(v.mean[0], 1.4 / 3, "mean p1");
  close(
    v.std[0],
    Math.sqrt(((0.7 - 1.4 / 3) ** 2 + (0.6 - 1.4 / 3) ** 2 + (0.1 - 1.4 / 3) ** 2) / 3),
    "std p1 (ddof 0)",
  );
  assert.deepEqual([v.classMean, v.classMode, v.modeVotes], [1, 1, 2]);
  assert.ok(v.mutualInfo > 0.1 && v.mutualInfo < v.entropy);
});

test("the vote and the mean can disagree, and a tie in votes goes to the higher mean probability", () => {
  // Two models vote 1 and 3; the mean favours class 2, which neither chose.
  const v = ensembleVerdict([
    [0.5, 0.49, 0.01, 0],
    [0, 0.49, 0.51, 0],
  ]);
  assert.equal(v.classMean, 2);
  assert.deepEqual(
    [v.classMode, v.modeVotes],
    [3, 1],
    "tie 1:1 between classes 1 and 3; class 3's mean 0.26 beats 0.25",
  );
  // An exact tie in votes and mean goes to the lower class.
  const w = ensembleVerdict([
    [0.6, 0.4, 0, 0],
    [0.4, 0.6, 0, 0],
  ]);
  assert.deepEqual([w.classMean, w.classMode, w.modeVotes], [1, 1, 1]);
  // Four models, 2:2 between classes 4 and 2, class 2 more probable on average.
  const x = ensembleVerdict([
    [0, 0.3, 0, 0.7],
    [0, 0.4, 0.05, 0.55],
    [0, 0.9, 0, 0.1],
    [0, 0.8, 0, 0.2],
  ]);
  assert.deepEqual([x.classMode, x.modeVotes], [2, 2]);
});

test("a uniform mean has the largest entropy, ln 4; no predictions is an error", () => {
  close(
    ensembleVerdict([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]).entropy,
    Math.log(4),
    "entropy",
  );
  close(
    ensembleVerdict([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]).mutualInfo,
    Math.log(4),
    "mutual information of confident, disagreeing models",
  );
  assert.throws(() => ensembleVerdict([]), /no model predictions/);
});
