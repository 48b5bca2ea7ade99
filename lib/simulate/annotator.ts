// Human labels with noise. Model: every human classifier looks at the true morphology T and writes class H
// with probability A[T][H] ("label given truth"); two classifiers err independently. Given the catalog's
// human label H1 we draw the truth T from P(T | H1) (Bayes with the Table 1 class prior) and render that
// morphology; a second classifier's label H2 is drawn from A[T]. A is calibrated so that the agreement
// between two classifiers, P(H2 = H1 | H1), equals the paper's 66/37/40/61 per cent (Wei et al. 2020, Fig. 2),
// with A's off-diagonal mass spread according to a documented shape (mostly onto neighbouring classes).
// Consequence worth knowing: the label agrees with the truth more often than two humans agree with each other
// (about 80/60/60/78 per cent), which is why a network can beat the human-human agreement against labels.
import { SimulationConfig } from "./config";
import { Rng } from "./rng";

export interface AnnotatorModel {
  /** A[truth][label]: probability that a classifier labels a source of true class truth+1 as label+1. */
  labelGivenTruth: number[][];
  /** P[label][truth]: what we draw the rendered morphology from, given the catalog label. */
  truthGivenLabel: number[][];
  /** M[label1][label2]: agreement matrix implied between two classifiers (diagonal = the paper's numbers). */
  agreement: number[][];
}

function rowsFromDiagonal(d: number[], shape: number[][]): number[][] {
  return d.map((dk, k) => {
    const total = shape[k].reduce((s, v, j) => (j === k ? s : s + v), 0);
    return shape[k].map((v, j) => (j === k ? dk : ((1 - dk) * v) / total));
  });
}

function implied(A: number[][], prior: number[]): { truthGivenLabel: number[][]; agreement: number[][] } {
  const n = A.length;
  const truthGivenLabel = Array.from({ length: n }, (_, h) => {
    const joint = prior.map((p, t) => p * A[t][h]);
    const sum = joint.reduce((a, b) => a + b, 0);
    return joint.map((v) => v / sum);
  });
  const agreement = truthGivenLabel.map((pt) =>
    Array.from({ length: n }, (_, j) => pt.reduce((s, p, t) => s + p * A[t][j], 0)),
  );
  return { truthGivenLabel, agreement };
}

/** Calibrates the classifier confusion A so that the implied agreement diagonal matches the configured one. */
export function annotatorModel(config: SimulationConfig["annotator"]): AnnotatorModel {
  const target = config.agreement_diagonal;
  const priorSum = config.class_prior.reduce((a, b) => a + b, 0);
  const prior = config.class_prior.map((p) => p / priorSum);
  let d = target.map((t) => Math.sqrt(t));
  for (let iter = 0; iter < 2000; iter++) {
    const { agreement } = implied(rowsFromDiagonal(d, config.off_diagonal_shape), prior);
    d = d.map((dk, k) => Math.min(0.995, Math.max(0.05, dk + 0.5 * (target[k] - agreement[k][k]))));
  }
  const A = rowsFromDiagonal(d, config.off_diagonal_shape);
  const { truthGivenLabel, agreement } = implied(A, prior);
  const worst = Math.max(...target.map((t, k) => Math.abs(t - agreement[k][k])));
  if (worst > 1e-3)
    throw new Error(
      `annotator calibration did not reach the agreement diagonal (off by ${worst.toFixed(4)}); check annotator.off_diagonal_shape`,
    );
  return { labelGivenTruth: A, truthGivenLabel, agreement };
}

/** True class (1-4) to render, given the human label (1-4). */
export function drawTruth(model: AnnotatorModel, label: number, rng: Rng): number {
  return rng.pick(model.truthGivenLabel[label - 1]) + 1;
}

/** A second classifier's label (1-4) for a source of true class `truth`. */
export function drawSecondLabel(model: AnnotatorModel, truth: number, rng: Rng): number {
  return rng.pick(model.labelGivenTruth[truth - 1]) + 1;
}
