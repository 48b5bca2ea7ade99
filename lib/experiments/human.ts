// Figure 2: human-vs-human agreement. For each class given by one classifier (the paper: BCW), how the other
// (the mode of three LEGUS team members) classified the same objects, as row percentages. On the embedded data
// the two are the catalog's human class and the simulator's second annotator (lib/simulate/annotator.ts,
// calibrated to the paper's 66/37/40/61 per cent); users with two label columns pass those.
import { confusionMatrix, rowPercent } from "../evaluate/metrics";

export interface Agreement {
  /** counts[a][b]: objects that classifier A put in class a+1 and B in class b+1. */
  counts: number[][];
  percent: number[][];
  /** Objects both classified. */
  n: number;
  /** Per-class agreement in per cent (the diagonal). */
  diagonal: number[];
  /** Total match fraction over classes 1-3 (the paper: 76%) and over classes 1-2 (67%), per cent. */
  match123: number;
  match12: number;
}

/** Agreement of two label lists (classes 1-4; null where a classifier gave none; such objects are skipped). */
export function humanAgreement(a: (number | null)[], b: (number | null)[]): Agreement {
  if (a.length !== b.length) throw new Error(`humanAgreement: ${a.length} labels against ${b.length}`);
  const pairs = a
    .map((x, i) => [x, b[i]] as const)
    .filter((p): p is readonly [number, number] => p[0] !== null && p[1] !== null);
  if (pairs.length === 0) throw new Error("humanAgreement: no object has both labels");
  const counts = confusionMatrix(
    pairs.map((p) => p[0] - 1),
    pairs.map((p) => p[1] - 1),
  );
  const percent = rowPercent(counts);
  // The paper's "total match fraction" for a group of classes: objects both put in the group, over those A put there.
  const match = (classes: number[]) => {
    const inA = classes.reduce((s, c) => s + counts[c].reduce((x, y) => x + y, 0), 0);
    const both = classes.reduce((s, c) => s + classes.reduce((t, d) => t + counts[c][d], 0), 0);
    return inA ? (100 * both) / inA : 0;
  };
  return {
    counts,
    percent,
    n: pairs.length,
    diagonal: percent.map((row, i) => row[i]),
    match123: match([0, 1, 2]),
    match12: match([0, 1]),
  };
}

/** What a second classifier would give on average: row percentages and their diagonal, with no draw of its labels. */
export interface ExpectedAgreement {
  /** percent[a][b]: mean probability (per cent) that B says class b+1 of the objects A put in class a+1. */
  percent: number[][];
  diagonal: number[];
  n: number;
}

/**
 * The agreement expected of a second classifier whose label for each object is drawn from `chanceOfB[i]` (B's
 * probability of classes 1-4 for object i), with A's labels as given (classes 1-4; null objects skipped). One draw
 * of B's labels scatters around this by the standard error of a proportion; the expectation does not.
 */
export function expectedAgreement(a: (number | null)[], chanceOfB: number[][]): ExpectedAgreement {
  if (a.length !== chanceOfB.length)
    throw new Error(`expectedAgreement: ${a.length} labels against ${chanceOfB.length}`);
  const sums = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
  const counts = [0, 0, 0, 0];
  a.forEach((label, i) => {
    if (label === null) return;
    if (!Number.isInteger(label) || label < 1 || label > 4)
      throw new Error(`expectedAgreement: object ${i}'s label ${label} is not a class 1-4`);
    const p = chanceOfB[i];
    const total = p.reduce((s, v) => s + v, 0);
    if (p.length !== 4 || !p.every(Number.isFinite) || Math.abs(total - 1) > 1e-6)
      throw new Error(`expectedAgreement: object ${i}'s probabilities [${p.join(", ")}] are not a distribution`);
    counts[label - 1]++;
    p.forEach((v, b) => (sums[label - 1][b] += v));
  });
  const n = counts.reduce((s, c) => s + c, 0);
  if (n === 0) throw new Error("expectedAgreement: no object has a label");
  const percent = sums.map((row, k) => row.map((v) => (counts[k] ? (100 * v) / counts[k] : 0)));
  return { percent, diagonal: percent.map((row, k) => row[k]), n };
}
