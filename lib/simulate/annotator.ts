// Human labels with noise. Model: a human classifier looking at a source of true morphology T and V magnitude v
// writes class H with probability A_v[T][H] ("label given truth"); two classifiers err independently. A_v's error
// rate grows as the source fades (a class trait is harder to see in a noisier stamp): class k's error is
// e_k * 2^((v - reference_v_mag) / error_doubling_mag), at most max_error, spread off the diagonal according to a
// documented shape (mostly onto neighbouring classes). Given the catalog's human label H1 and the source's V we
// draw the truth T from P(T | H1, v) (Bayes with the Table 1 class prior) and render that morphology; a second
// classifier's label H2 is drawn from A_v[T]. The e_k are calibrated so that the agreement between two
// classifiers, P(H2 = H1 | H1) averaged over the calibration sources (field.ts: the Table 1 fields' classified
// sources at their rendered V), equals the paper's 66/37/40/61 per cent (Wei et al. 2020, Fig. 2).
// Consequences worth knowing: the label agrees with the truth more often than two humans agree with each other,
// which is why a network can beat the human-human agreement against labels; and the labels of bright sources are
// cleaner than those of faint ones, as a network's view of them is.
import { SimulationConfig } from "./config";
import { Rng } from "./rng";

type AnnotatorConfig = SimulationConfig["annotator"];

/** The catalog's labels and V magnitudes over which the agreement is calibrated. */
export interface LabelledMagnitudes {
  label: number;
  v: number;
}

export interface AnnotatorModel {
  /** Error rate of each true class at the reference magnitude (calibrated). */
  referenceError: number[];
  /** A[truth][label] at V magnitude v. */
  labelGivenTruth(v: number): number[][];
  /** P[label][truth] at V magnitude v: what the rendered morphology is drawn from, given the catalog label. */
  truthGivenLabel(v: number): number[][];
  /** M[label1][label2]: agreement between two classifiers, averaged over the calibration sources. */
  agreement: number[][];
  /** P(truth = label | label), averaged over the calibration sources (the truth oracle's recall against labels). */
  truthEqualsLabel: number[];
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

/** A_v, label given truth at magnitude v: each class's reference error grown to v, spread by the shape. */
function confusionAt(config: AnnotatorConfig, referenceError: number[], v: number): number[][] {
  const grow = 2 ** ((v - config.reference_v_mag) / config.error_doubling_mag);
  return rowsFromDiagonal(
    referenceError.map((e) => 1 - Math.min(config.max_error, e * grow)),
    config.off_diagonal_shape,
  );
}

/** The calibration sources as a histogram: magnitude bins of 0.1 mag, with the labels' counts in each. */
function magnitudeBins(sources: LabelledMagnitudes[]): { v: number; counts: number[] }[] {
  const bins = new Map<number, number[]>();
  for (const s of sources) {
    const key = Math.round(s.v * 10) / 10;
    const counts = bins.get(key) ?? [0, 0, 0, 0];
    counts[s.label - 1]++;
    bins.set(key, counts);
  }
  return [...bins].map(([v, counts]) => ({ v, counts }));
}

/** Agreement and P(truth = label) of each class, averaged over the binned calibration sources. */
function populationAverages(
  config: AnnotatorConfig,
  referenceError: number[],
  prior: number[],
  bins: { v: number; counts: number[] }[],
): { agreement: number[][]; truthEqualsLabel: number[] } {
  const agreement = prior.map(() => prior.map(() => 0));
  const truthEqualsLabel = prior.map(() => 0);
  const totals = prior.map(() => 0);
  for (const { v, counts } of bins) {
    const at = implied(confusionAt(config, referenceError, v), prior);
    counts.forEach((n, k) => {
      totals[k] += n;
      truthEqualsLabel[k] += n * at.truthGivenLabel[k][k];
      at.agreement[k].forEach((p, j) => (agreement[k][j] += n * p));
    });
  }
  return {
    agreement: agreement.map((row, k) => row.map((x) => x / totals[k])),
    truthEqualsLabel: truthEqualsLabel.map((x, k) => x / totals[k]),
  };
}

/**
 * Calibrates the reference errors so that the agreement diagonal averaged over `sources` (the catalog labels and V
 * magnitudes) matches the configured one.
 */
export function annotatorModel(config: AnnotatorConfig, sources: LabelledMagnitudes[]): AnnotatorModel {
  const target = config.agreement_diagonal;
  const priorSum = config.class_prior.reduce((a, b) => a + b, 0);
  const prior = config.class_prior.map((p) => p / priorSum);
  const bins = magnitudeBins(sources);
  let e = target.map((t) => 1 - Math.sqrt(t));
  for (let iter = 0; iter < 2000; iter++) {
    const { agreement } = populationAverages(config, e, prior, bins);
    e = e.map((ek, k) => Math.min(config.max_error, Math.max(1e-3, ek - 0.5 * (target[k] - agreement[k][k]))));
  }
  const { agreement, truthEqualsLabel } = populationAverages(config, e, prior, bins);
  const worst = Math.max(...target.map((t, k) => Math.abs(t - agreement[k][k])));
  if (worst > 1e-3)
    throw new Error(
      `annotator calibration did not reach the agreement diagonal (off by ${worst.toFixed(4)}); check annotator.off_diagonal_shape and max_error`,
    );
  const labelGivenTruth = (v: number) => confusionAt(config, e, v);
  return {
    referenceError: e,
    labelGivenTruth,
    truthGivenLabel: (v: number) => implied(labelGivenTruth(v), prior).truthGivenLabel,
    agreement,
    truthEqualsLabel,
  };
}

/** True class (1-4) to render, given the human label (1-4) and the source's V magnitude. */
export function drawTruth(model: AnnotatorModel, label: number, v: number, rng: Rng): number {
  return rng.pick(model.truthGivenLabel(v)[label - 1]) + 1;
}

/** A second classifier's label (1-4) for a source of true class `truth` and V magnitude v. */
export function drawSecondLabel(model: AnnotatorModel, truth: number, v: number, rng: Rng): number {
  return rng.pick(model.labelGivenTruth(v)[truth - 1]) + 1;
}
