import { test } from "node:test";
import * as assert from "node:assert/strict";
import { annotatorModel, drawSecondLabel, drawTruth } from "../../lib/simulate/annotator";
import { loadSimulationConfig } from "../../lib/simulate/config";
import { calibratedAnnotator } from "../../lib/simulate/field";
import { stream } from "../../lib/simulate/rng";

const config = loadSimulationConfig();
const paper = [0.66, 0.37, 0.4, 0.61];
const rowSums = (m: number[][]) => m.map((row) => row.reduce((a, b) => a + b, 0));

test("calibrated over the Table 1 fields, the model implies the paper's human agreement diagonal", () => {
  const model = calibratedAnnotator(config, config.scales.default, 0);
  model.agreement.forEach((row, k) => assert.ok(Math.abs(row[k] - paper[k]) < 1e-3, `class ${k + 1}: ${row[k]}`));
  for (const v of [19, 22, 25])
    for (const m of [model.labelGivenTruth(v), model.truthGivenLabel(v), model.agreement])
      for (const sum of rowSums(m)) assert.ok(Math.abs(sum - 1) < 1e-9, `a row sums to ${sum} at V = ${v}`);
});

test("a classifier errs more often on fainter sources, up to max_error, and less on brighter ones", () => {
  const model = calibratedAnnotator(config, config.scales.default, 0);
  const diagonal = (v: number) => model.labelGivenTruth(v).map((row, k) => row[k]);
  const { reference_v_mag: ref, error_doubling_mag: doubling } = config.annotator;
  const [bright, reference, faint, limit] = [ref - 2, ref, ref + doubling, 40].map(diagonal);
  reference.forEach((d, k) => assert.ok(Math.abs(1 - d - model.referenceError[k]) < 1e-12));
  for (let k = 0; k < 4; k++) {
    assert.ok(
      bright[k] > reference[k] && reference[k] > faint[k],
      `class ${k + 1}: ${bright[k]}, ${reference[k]}, ${faint[k]}`,
    );
    // Error doubles every error_doubling_mag (below the cap).
    const e = (d: number) => 1 - d;
    if (e(faint[k]) < config.annotator.max_error)
      assert.ok(
        Math.abs(e(faint[k]) / e(reference[k]) - 2) < 1e-9,
        `class ${k + 1}: errors ${e(reference[k])} -> ${e(faint[k])}`,
      );
    assert.ok(Math.abs(1 - limit[k] - config.annotator.max_error) < 1e-12, `class ${k + 1}: capped at max_error`);
  }
});

test("drawn labels reproduce the agreement diagonal over a population, with confusion mostly between neighbours", () => {
  // A population at three magnitudes; the model is calibrated on it, then labels are drawn as the world makes them
  // (truth, then a classifier) and run through our pipeline (truth | label, second label).
  const rng = stream(42, 1);
  const prior = config.annotator.class_prior;
  const mags = [20.5, 22, 23.5];
  const world = Array.from({ length: 200000 }, () => ({ t: rng.pick(prior) + 1, v: mags[rng.int(0, 2)] }));
  // Calibrate on the labels this world gives (a first model's labels; the calibration only needs label and V).
  const draft = annotatorModel(
    config.annotator,
    world.map((s) => ({ label: s.t, v: s.v })),
  );
  const labelled = world.map((s) => ({ label: rng.pick(draft.labelGivenTruth(s.v)[s.t - 1]) + 1, v: s.v }));
  const model = annotatorModel(config.annotator, labelled);
  const same = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  const off = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
  for (const s of world) {
    const label = rng.pick(model.labelGivenTruth(s.v)[s.t - 1]) + 1;
    const truth = drawTruth(model, label, s.v, rng);
    const second = drawSecondLabel(model, truth, s.v, rng);
    total[label - 1]++;
    if (second === label) same[label - 1]++;
    else off[label - 1][second - 1]++;
  }
  same.forEach((s, k) =>
    assert.ok(Math.abs(s / total[k] - paper[k]) < 0.015, `class ${k + 1}: ${(s / total[k]).toFixed(3)} vs ${paper[k]}`),
  );
  assert.ok(off[1][0] + off[1][2] > off[1][3], "class 2 errs mostly to 1 and 3");
  assert.ok(off[2][1] + off[2][3] > off[2][0], "class 3 errs mostly to 2 and 4");
});

test("truth agrees with the label more often than two classifiers agree with each other", () => {
  const model = calibratedAnnotator(config, config.scales.default, 0);
  model.truthEqualsLabel.forEach((p, k) => assert.ok(p > paper[k], `class ${k + 1}: P(truth = label) ${p.toFixed(2)}`));
});
