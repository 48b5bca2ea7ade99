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
