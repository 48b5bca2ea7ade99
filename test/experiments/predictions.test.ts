import assert from "node:assert/strict";
import { test } from "node:test";
import { priorWeighted } from "../../lib/evaluate/decision";
import { argmax } from "../../lib/evaluate/metrics";
import { RunPredictions } from "../../lib/evaluate/runs";
import { misclassified, networksOwn, predictionSet } from "../../lib/experiments/predictions";

// Twelve objects' probabilities from a network trained with logit adjustment (its own argmax is class-balanced),
// and the training prior of a LEGUS-like split: half the objects are class 4.
const own = [
  [0.4, 0.3, 0.2, 0.1],
  [0.35, 0.1, 0.1, 0.45],
  [0.1, 0.45, 0.1, 0.35],
  [0.2, 0.2, 0.5, 0.1],
  [0.42, 0.25, 0.05, 0.28],
  [0.7, 0.1, 0.1, 0.1],
  [0.1, 0.4, 0.45, 0.05],
  [0.25, 0.4, 0.05, 0.3],
  [0.05, 0.05, 0.1, 0.8],
  [0.45, 0.05, 0.1, 0.4],
  [0.1, 0.1, 0.42, 0.38],
  [0.3, 0.35, 0.3, 0.05],
];
const labels = [0, 3, 1, 2, 0, 0, 2, 1, 3, 0, 2, 1];
const prior = [0.2, 0.15, 0.15, 0.5];
const keys = own.map((_, i) => `NGC0000/${i + 1}`);

/** A run as `evaluate` returns it, its probabilities read with prior^exponent. */
function run(name: string, exponent: number): RunPredictions {
  const probs = own.map((p) => priorWeighted(p, prior, exponent));
  return { run: name, keys, labels, probs, predicted: probs.map(argmax), exponent, prior: exponent ? prior : null };
}

test("networksOwn divides each run's prior^s back out: the networks' own probabilities and argmax", () => {
  const set = predictionSet("test", [run("seed-0", 0.8), run("seed-1", 0)]);
  const mine = networksOwn(set);
  for (const r of [0, 1])
    mine.probs[r].forEach((p, i) =>
      p.forEach((v, k) => assert.ok(Math.abs(v - own[i][k]) < 2e-5, `run ${r} object ${i}`)),
    );
  assert.deepEqual(mine.predicted, [own.map(argmax), own.map(argmax)]);
  assert.deepEqual(mine.decision, { exponents: [0, 0], prior: null });
  // Read with prior^0.8, five objects the network itself puts elsewhere become class 4, and one near-tie between
  // classes 1 and 2 goes to class 1 (the more common); the run read with s = 0 is as it was.
  const moved = (to: number) => keys.filter((_, i) => mine.predicted[0][i] !== to && set.predicted[0][i] === to);
  assert.deepEqual(moved(3), ["NGC0000/3", "NGC0000/5", "NGC0000/8", "NGC0000/10", "NGC0000/11"]);
  assert.deepEqual(moved(0), ["NGC0000/12"]);
  assert.deepEqual(set.predicted[1], mine.predicted[1]);
  assert.equal(networksOwn(mine), mine, "a set of the networks' own probabilities is returned as it is");
});

test("misclassified lists a class's mistakes surest first; under the networks' own decision, their own", () => {
  const set = predictionSet("test", [run("seed-0", 0.8)]);
  const wrong = misclassified(set, 1);
  assert.ok(wrong.every((w, i) => i === 0 || w.pPredicted <= wrong[i - 1].pPredicted));
  assert.ok(wrong.every((w) => w.trueClass === 1 && w.predictedClass === 4));
  // Of the class-1 objects (1, 5, 6, 10), 5 and 10 are class 4 to the prior-matched reading (10 surer), class 1 to
  // the network itself.
  assert.deepEqual(
    wrong.map((w) => w.key),
    ["NGC0000/10", "NGC0000/5"],
  );
  assert.deepEqual(misclassified(networksOwn(set), 1), []);
  assert.throws(() => misclassified(set, 5), /class 5: choose 1, 2, 3 or 4/);
  assert.throws(() => misclassified(set, 1, 2), /run 2: the set has 1 run\(s\)/);
});
