// How a run's probabilities become classes. A network trained with logit adjustment (Menon et al. 2021; the cpu
// profile) outputs class-balanced probabilities: its argmax predicts each class as if the four were equally
// common. The paper's networks trained on the catalog's own frequencies (half the objects are class 4), so their
// argmax leans towards the common classes. The "prior-matched" decision reads the probabilities with the training
// prior raised to an exponent s in [0, 1], p_k * prior_k^s renormalised (s = 0: the balanced argmax; s = 1: the
// Bayes decision under the training frequencies). s is fitted once per run, on the run's own training split and
// its training labels only: the smallest s whose predicted class frequencies come closest to the labels'.
// No test object is used. The fitted s is kept beside the model (decision.json, keyed by the model's sha256).
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import { parseJson } from "../util/json";
import { argmax } from "./metrics";

export const DECISION_RULES = ["argmax", "prior-matched"] as const;
export type DecisionRule = (typeof DECISION_RULES)[number];

/** The fitted exponents are multiples of this step (0, 0.01, ..., 1). */
export const EXPONENT_STEP = 0.01;

/** decision.json in a run directory. */
export interface DecisionFile {
  rule: "prior-matched";
  /** s: the probabilities are read as p_k * prior_k^s, renormalised. */
  exponent: number;
  /** The training split's class frequencies (classes 1-4, summing to 1). */
  prior: number[];
  model_sha256: string;
  /** What s was fitted on (the run's training split, whose label frequencies are `prior`), and the class
   *  frequencies predicted there. */
  fittedOn: {
    split: "train";
    objects: number;
    /** With s = 0 (the network's own argmax) and with the fitted s. */
    balancedFrequencies: number[];
    predictedFrequencies: number[];
  };
}

export const DECISION_FILE = "decision.json";

/** Class frequencies (summing to 1) from counts; refuses counts that are negative, non-finite or all zero. */
export function frequencies(counts: number[], source: string): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!counts.every((c) => Number.isFinite(c) && c >= 0) || !(total > 0))
    throw new Error(`${source}: class counts ${JSON.stringify(counts)} are not a distribution`);
  return counts.map((c) => c / total);
}

/** p_k * prior_k^s, renormalised to sum to 1. */
export function priorWeighted(probs: ArrayLike<number>, prior: number[], exponent: number): Float32Array {
  if (probs.length !== prior.length)
    throw new Error(`${probs.length} probabilities against a prior of ${prior.length} classes`);
  const w = Float32Array.from(probs, (p, k) => p * Math.pow(prior[k], exponent));
  const sum = w.reduce((a, b) => a + b, 0);
  if (!(sum > 0) || !Number.isFinite(sum))
    throw new Error(`probabilities [${Array.from(probs).join(", ")}] weighted by the prior do not sum to a number > 0`);
  return w.map((v) => v / sum);
}

/** How often each class is predicted (fractions) when the probabilities are read with exponent s. */
export function predictedFrequencies(probs: ArrayLike<number>[], prior: number[], exponent: number): number[] {
  const counts = prior.map(() => 0);
  for (const p of probs) counts[argmax(priorWeighted(p, prior, exponent))]++;
  return counts.map((c) => c / probs.length);
}

const l1 = (a: number[], b: number[]) => a.reduce((s, v, k) => s + Math.abs(v - b[k]), 0);

/**
 * The smallest s in [0, 1] (steps of EXPONENT_STEP) whose predicted class frequencies are closest, in summed
 * absolute difference, to `target` (the training labels' frequencies).
 */
export function fitPriorExponent(
  probs: ArrayLike<number>[],
  prior: number[],
  target: number[],
): { exponent: number; predicted: number[]; balanced: number[] } {
  if (probs.length === 0) throw new Error("no predictions to fit the decision's exponent on");
  const balanced = predictedFrequencies(probs, prior, 0);
  let best = { exponent: 0, predicted: balanced };
  const steps = Math.round(1 / EXPONENT_STEP);
  for (let i = 1; i <= steps; i++) {
    const exponent = i / steps;
    const predicted = predictedFrequencies(probs, prior, exponent);
    if (l1(predicted, target) < l1(best.predicted, target) - 1e-12) best = { exponent, predicted };
  }
  return { ...best, balanced };
}

/** A run's decision.json if it was fitted for this model file. */
export function readDecision(run: string, modelSha: string): DecisionFile | undefined {
  const file = path.join(run, DECISION_FILE);
  if (!fs.existsSync(file)) return undefined;
  const d = parseJson<DecisionFile>(fs.readFileSync(file, "utf8"), file);
  const sum = Array.isArray(d.prior) ? d.prior.reduce((a, b) => a + b, 0) : NaN;
  const valid =
    d.rule === "prior-matched" &&
    Number.isFinite(d.exponent) &&
    d.exponent >= 0 &&
    d.exponent <= 1 &&
    d.prior.length === 4 &&
    d.prior.every((p) => Number.isFinite(p) && p >= 0) &&
    Math.abs(sum - 1) < 1e-6;
  if (!valid)
    throw new Error(
      `${file}: not a prior-matched decision (needs rule "prior-matched", exponent in [0, 1], a prior of 4 class frequencies summing to 1); delete it to fit again`,
    );
  return d.model_sha256 === modelSha ? d : undefined;
}

/** Fits the prior-matched decision on a run's training-split predictions and writes decision.json. */
export function writeDecision(
  run: string,
  modelSha: string,
  train: { probs: ArrayLike<number>[]; trainClassCounts: number[] },
): DecisionFile {
  const prior = frequencies(train.trainClassCounts, path.join(run, "config.json"));
  const fit = fitPriorExponent(train.probs, prior, prior);
  const decision: DecisionFile = {
    rule: "prior-matched",
    exponent: fit.exponent,
    prior,
    model_sha256: modelSha,
    fittedOn: {
      split: "train",
      objects: train.probs.length,
      balancedFrequencies: fit.balanced,
      predictedFrequencies: fit.predicted,
    },
  };
  writeFileAtomic(path.join(run, DECISION_FILE), JSON.stringify(decision, null, 1) + "\n");
  return decision;
}
