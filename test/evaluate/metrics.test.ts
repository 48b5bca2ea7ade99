// Metrics against hand-computed values.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  accuracy,
  calibration,
  classScores,
  confusionMatrix,
  entropy,
  meanStd,
  mutualInformation,
  rowPercent,
} from "../../lib/evaluate/metrics";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("confusion matrix rows are true classes, columns predictions; row percentages", () => {
  const m = confusionMatrix([0, 0, 0, 1, 1, 2, 3, 3], [0, 0, 1, 1, 2, 2, 3, 0]);
  assert.deepEqual(m, [
    [2, 1, 0, 0],
    [0, 1, 1, 0],
    [0, 0, 1, 0],
    [1, 0, 0, 1],
  ]);
  const pct = rowPercent(m);
  close(pct[0][0], 200 / 3);
  assert.deepEqual(pct[3], [50, 0, 0, 50]);
  assert.deepEqual(
    rowPercent([
      [0, 0],
      [1, 3],
    ]),
    [
      [0, 0],
      [25, 75],
    ],
  );
  close(accuracy([0, 0, 0, 1, 1, 2, 3, 3], [0, 0, 1, 1, 2, 2, 3, 0]), 5 / 8);
  assert.throws(() => confusionMatrix([0, 4], [0, 1]), /true label 4 at 1 is not in 0..3/);
  assert.throws(() => confusionMatrix([0], [0, 1]), /1 true labels but 2 predictions/);
});

test("mean and sample std over seeds", () => {
  const { mean, std } = meanStd([[[70, 30]], [[80, 20]], [[90, 10]]]);
  assert.deepEqual(mean, [[80, 20]]);
  assert.deepEqual(std, [[10, 10]]);
  assert.deepEqual(meanStd([[[1]]]).std, [[0]]);
  close(meanStd([[[70, 30]], [[80, 20]], [[90, 10]]], 0).std[0][0], Math.sqrt(200 / 3));
});

test("entropy is 0 for a certain prediction and ln 4 for a uniform one", () => {
  assert.equal(entropy([1, 0, 0, 0]), 0);
  close(entropy([0.25, 0.25, 0.25, 0.25]), Math.log(4));
  close(entropy([0.5, 0.5, 0, 0]), Math.log(2));
});

test("mutual information: 0 when models agree, ln 2 for two confident models that disagree", () => {
  close(
    mutualInformation([
      [0.7, 0.3],
      [0.7, 0.3],
    ]),
    0,
  );
  close(
    mutualInformation([
      [1, 0],
      [0, 1],
    ]),
    Math.log(2),
  );
});

test("calibration bins and ECE", () => {
  // Two objects at confidence 0.9 (one right), two at 0.6 (both right).
  const { bins, ece } = calibration(
    [
      [0.9, 0.1],
      [0.1, 0.9],
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    [0, 0, 0, 1],
  );
  assert.equal(bins[9].count, 2);
  close(bins[9].accuracy, 0.5);
  close(bins[6].accuracy, 1);
  close(ece, 0.5 * Math.abs(0.5 - 0.9) + 0.5 * Math.abs(1 - 0.6), 1e-12);
});

test("per-class precision, recall and F1 from a confusion matrix, 0 where undefined", () => {
  // true 0: 2 right, 1 as class 1; true 1: 1 right, 1 as class 2; true 2: 1 right; class 3 never true nor predicted.
  const s = classScores([
    [2, 1, 0, 0],
    [0, 1, 1, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
  ]);
  close(s[0].precision, 1);
  close(s[0].recall, 2 / 3);
  close(s[0].f1, 0.8);
  close(s[1].precision, 0.5);
  close(s[1].recall, 0.5);
  close(s[2].precision, 0.5);
  close(s[2].recall, 1);
  close(s[2].f1, 2 / 3);
  assert.deepEqual(s[3], { precision: 0, recall: 0, f1: 0, support: 0 });
  assert.deepEqual(
    s.map((x) => x.support),
    [3, 2, 1, 0],
  );
});
