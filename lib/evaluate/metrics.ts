// Classification metrics for the paper's tables and figures, as pure functions on plain arrays.
// Classes are 1..K in the paper; here labels are 0-based indices 0..K-1 (class c is index c-1).
import { CLASSES } from "../catalog/record";

/** The number of classes (the paper's four) and the largest entropy of a prediction over them, ln 4. */
export const CLASS_COUNT = CLASSES.length;
export const MAX_ENTROPY = Math.log(CLASS_COUNT);

/** counts[t][p]: number of objects of true class t predicted as p. */
export function confusionMatrix(yTrue: number[], yPred: number[], k = CLASS_COUNT): number[][] {
  if (yTrue.length !== yPred.length)
    throw new Error(`confusionMatrix: ${yTrue.length} true labels but ${yPred.length} predictions`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  yTrue.forEach((t, i) => {
    const p = yPred[i];
    if (!Number.isInteger(t) || t < 0 || t >= k)
      throw new Error(`confusionMatrix: true label ${t} at ${i} is not in 0..${k - 1}`);
    if (!Number.isInteger(p) || p < 0 || p >= k)
      throw new Error(`confusionMatrix: prediction ${p} at ${i} is not in 0..${k - 1}`);
    m[t][p]++;
  });
  return m;
}

/** Each row as percentages of its true-class total (the paper's Tables 3-6); an empty row stays 0. */
export function rowPercent(counts: number[][]): number[][] {
  return counts.map((row) => {
    const n = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (n ? (100 * v) / n : 0));
  });
}

/**
 * Element-wise mean and standard deviation over several matrices (e.g. ten seeds). ddof = 1 (default) gives the
 * sample standard deviation; ddof = 0 the population one (numpy's default). The paper does not say which it used.
 */
export function meanStd(matrices: number[][][], ddof: 0 | 1 = 1): { mean: number[][]; std: number[][] } {
  if (matrices.length === 0) throw new Error("meanStd: no matrices");
  const n = matrices.length;
  const mean = matrices[0].map((row, i) => row.map((_, j) => matrices.reduce((s, m) => s + m[i][j], 0) / n));
  const std = mean.map((row, i) =>
    row.map((mu, j) => (n > ddof ? Math.sqrt(matrices.reduce((s, m) => s + (m[i][j] - mu) ** 2, 0) / (n - ddof)) : 0)),
  );
  return { mean, std };
}

export function accuracy(yTrue: number[], yPred: number[]): number {
  if (yTrue.length !== yPred.length || yTrue.length === 0)
    throw new Error("accuracy: label arrays must be non-empty and of equal length");
  return yTrue.filter((t, i) => t === yPred[i]).length / yTrue.length;
}

/** A confusion matrix with its row percentages, accuracy (a fraction) and objects per true class. */
export interface ScoredSet {
  counts: number[][];
  percent: number[][];
  accuracy: number;
  totals: number[];
}

export function scoreSet(yTrue: number[], yPred: number[], k = CLASS_COUNT): ScoredSet {
  const counts = confusionMatrix(yTrue, yPred, k);
  return {
    counts,
    percent: rowPercent(counts),
    accuracy: accuracy(yTrue, yPred),
    totals: counts.map((r) => r.reduce((a, b) => a + b, 0)),
  };
}

/** Shannon entropy in nats of one probability vector (0 log 0 = 0); at most ln K. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/**
 * Ensemble disagreement (mutual information between prediction and model): H(mean p) - mean H(p_m), in nats.
 * `perModel[m]` is model m's probability vector for one object.
 */
export function mutualInformation(perModel: ArrayLike<number>[]): number {
  const k = perModel[0].length;
  const mean = new Array<number>(k).fill(0);
  for (const p of perModel) for (let i = 0; i < k; i++) mean[i] += p[i] / perModel.length;
  const meanEntropy = perModel.reduce((s, p) => s + entropy(p), 0) / perModel.length;
  return Math.max(0, entropy(mean) - meanEntropy);
}

/** Index of the largest value (the first, on ties). */
export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  confidence: number;
  accuracy: number;
}

/**
 * Reliability diagram bins (equal-width in the top-class probability) and the expected calibration error
 * ECE = sum_b (n_b / N) |accuracy_b - confidence_b|.
 */
export function calibration(
  probs: ArrayLike<number>[],
  yTrue: number[],
  bins = 10,
): { bins: ReliabilityBin[]; ece: number } {
  if (probs.length !== yTrue.length)
    throw new Error(`calibration: ${probs.length} predictions but ${yTrue.length} labels`);
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: 0,
    confidence: 0,
    accuracy: 0,
  }));
  probs.forEach((p, i) => {
    const best = argmax(p);
    const conf = p[best];
    const bin = out[Math.min(bins - 1, Math.floor(conf * bins))];
    bin.count++;
    bin.confidence += conf;
    bin.accuracy += best === yTrue[i] ? 1 : 0;
  });
  let ece = 0;
  for (const b of out) {
    if (b.count === 0) continue;
    b.confidence /= b.count;
    b.accuracy /= b.count;
    ece += (b.count / probs.length) * Math.abs(b.accuracy - b.confidence);
  }
  return { bins: out, ece };
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Objects of this true class. */
  support: number;
}

/**
 * Per-class precision tp / (tp + fp), recall tp / (tp + fn) and F1 = 2 p r / (p + r) from a confusion matrix
 * (rows true, columns predicted); 0 where the denominator is 0, as scikit-learn's zero_division=0.
 */
export function classScores(counts: number[][]): ClassScores[] {
  return counts.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = counts.reduce((s, r) => s + r[c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
}
