import { test } from "node:test";
import * as assert from "node:assert/strict";
import { annotatorModel, drawSecondLabel, drawTruth } from "../../lib/simulate/annotator";
import { loadSimulationConfig } from "../../lib/simulate/config";
import { stream } from "../../lib/simulate/rng";

const config = loadSimulationConfig();
const paper = [0.66, 0.37, 0.4, 0.61];

test("the calibrated model implies the paper's human agreement diagonal", () => {
  const model = annotatorModel(config.annotator);
  model.agreement.forEach((row, k) => assert.ok(Math.abs(row[k] - paper[k]) < 1e-3, `class ${k + 1}: ${row[k]}`));
  for (const m of [model.labelGivenTruth, model.truthGivenLabel, model.agreement]) {
    for (const row of m) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  }
});

test("drawn labels reproduce the agreement diagonal over many objects, with confusion mostly between neighbours", () => {
  const model = annotatorModel(config.annotator);
  const prior = config.annotator.class_prior;
  const n = 200000;
  const same = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  const off = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
  const rng = stream(42, 1);
  for (let i = 0; i < n; i++) {
    // A catalog label as the world makes it (truth, then a classifier), then our pipeline: truth | label, second label.
    const t0 = rng.pick(prior) + 1;
    const label = rng.pick(model.labelGivenTruth[t0 - 1]) + 1;
    const truth = drawTruth(model, label, rng);
    const second = drawSecondLabel(model, truth, rng);
    total[label - 1]++;
    if (second === label) same[label - 1]++;
    else off[label - 1][second - 1]++;
  }
  same.forEach((s, k) =>
    assert.ok(Math.abs(s / total[k] - paper[k]) < 0.01, `class ${k + 1}: ${(s / total[k]).toFixed(3)} vs ${paper[k]}`),
  );
  // Classes 2 and 3 are confused mostly with their neighbours (paper: 1<->2, 2<->3, 3<->4).
  assert.ok(off[1][0] + off[1][2] > off[1][3], "class 2 errs mostly to 1 and 3");
  assert.ok(off[2][1] + off[2][3] > off[2][0], "class 3 errs mostly to 2 and 4");
});

test("truth agrees with the label more often than two classifiers agree with each other", () => {
  const model = annotatorModel(config.annotator);
  model.truthGivenLabel.forEach((row, k) =>
    assert.ok(row[k] > paper[k], `class ${k + 1}: P(truth = label) ${row[k].toFixed(2)}`),
  );
});
