// The prior-matched decision (lib/evaluate/decision.ts): probabilities read with the training prior^s, s fitted so
// that the predicted class frequencies come closest to the training labels'.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import {
  DECISION_FILE,
  fitPriorExponent,
  frequencies,
  predictedFrequencies,
  priorWeighted,
  readDecision,
  writeDecision,
} from "../../lib/evaluate/decision";
import { tempDir } from "../helpers";

const prior = [0.2, 0.8, 0, 0];

// Object i prefers class 1 over class 2 by the ratio 4^t_i (4 = prior_2 / prior_1), t_i = (i + 0.5) / 100: read
// with prior^s it is called class 1 exactly when t_i > s, so 20% of them (the prior's class 1) at s = 0.80.
const ladder = Array.from({ length: 100 }, (_, i) => {
  const r = Math.pow(4, (i + 0.5) / 100);
  return [r / (1 + r), 1 / (1 + r), 0, 0];
});

test("priorWeighted: p_k prior_k^s renormalised; s = 0 leaves the probabilities as they are", () => {
  const p = [0.1, 0.2, 0.3, 0.4];
  const uneven = [0.1, 0.2, 0.3, 0.4];
  assert.deepEqual(Array.from(priorWeighted(p, uneven, 0)), Array.from(Float32Array.from(p)));
  const w = priorWeighted(p, uneven, 1);
  const z = p.reduce((s, v, k) => s + v * uneven[k], 0);
  w.forEach((v, k) => assert.ok(Math.abs(v - (p[k] * uneven[k]) / z) < 1e-7, `class ${k + 1}`));
  assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

test("fitPriorExponent finds the exponent at which the predicted frequencies match the prior's", () => {
  assert.deepEqual(predictedFrequencies(ladder, prior, 0), [1, 0, 0, 0]);
  const fit = fitPriorExponent(ladder, prior, prior);
  assert.equal(fit.exponent, 0.8);
  assert.deepEqual(fit.predicted, [0.2, 0.8, 0, 0]);
  assert.deepEqual(predictedFrequencies(ladder, prior, 0.79), [0.21, 0.79, 0, 0], "one step less calls one more");
  // Already matching at s = 0: the smallest exponent wins.
  assert.equal(fitPriorExponent([[0, 1, 0, 0]], [0.25, 0.25, 0.25, 0.25], [0, 1, 0, 0]).exponent, 0);
});

test("decision.json: written beside the model, read back only for the same model file", () => {
  const run = tempDir();
  const written = writeDecision(run, "abc", { probs: ladder, trainClassCounts: [40, 160, 0, 0] });
  assert.equal(written.exponent, 0.8);
  assert.deepEqual(written.prior, prior);
  assert.deepEqual(written.fittedOn.balancedFrequencies, [1, 0, 0, 0]);
  assert.equal(written.fittedOn.objects, 100);
  assert.deepEqual(readDecision(run, "abc"), written);
  assert.equal(readDecision(run, "another model"), undefined);
  assert.ok(fs.existsSync(path.join(run, DECISION_FILE)));
});

test("bad input is refused with what is wrong", () => {
  assert.throws(() => frequencies([0, 0, 0, 0], "run/config.json"), /run\/config\.json: class counts \[0,0,0,0\]/);
  assert.throws(() => frequencies([1, Number.NaN, 1, 1], "x"), /not a distribution/);
  assert.throws(() => priorWeighted([Number.NaN, 0, 0, 0], prior, 0.5), /do not sum to a number > 0/);
  assert.throws(() => priorWeighted([0.5, 0.5], prior, 0.5), /2 probabilities against a prior of 4 classes/);
  assert.throws(() => fitPriorExponent([], prior, prior), /no predictions/);
});
