// Every seed's prediction for every test object (results/<profile>/predictions-<arch>.json): what the tables are
// made of, kept so that a notebook can rebuild a confusion matrix with lib/evaluate/metrics.ts, slice it by field
// or class, change a threshold, or pick the objects a network got wrong. Small enough to commit (~270 KB per
// network for two seeds): one line of JSON, labels and classes as 0-based indices as metrics.ts takes them.
// Probabilities keep 5 decimals: near-uniform predictions sit on the calibration bins' edges, and 3 decimals moved
// the quick VGG19-BN's ECE from 21.6 to 19.0% (5 decimals: within 1e-6 of float32).
import { BANDS } from "../catalog/record";
import { priorWeighted } from "../evaluate/decision";
import { argmax } from "../evaluate/metrics";
import { RunPredictions } from "../evaluate/runs";
import { ArchName } from "../models/arch";
import { readResult, ReproduceProfile, shownProfile } from "./results";

/** One evaluation set: the same objects for every run. */
export interface PredictionSet {
  /** What it is, e.g. "test split of NGC3351, NGC3627, ..." or "every object of NGC1559". */
  about: string;
  /** "FIELD/id" per object. */
  keys: string[];
  /** 0-based human class of each object (class c is c - 1). */
  label: number[];
  /** 0-based simulator truth, or null where there is none (real data). */
  truth: (number | null)[];
  /** predicted[r][i]: run r's class (0-based, argmax) for object i. */
  predicted: number[][];
  /** probs[r][i]: run r's four probabilities for object i, to 5 decimals. */
  probs: number[][][];
  /** withoutBand[band][r][i]: run r's class for object i with that band set to zero (Figure 4), where evaluated. */
  withoutBand?: Record<string, number[][]>;
  /**
   * How `probs` were read (lib/evaluate/decision.ts): run r's network gave p_k, stored is p_k * prior_k^exponents[r]
   * renormalised (exponent 0: the network's own probabilities); prior is null when no run was reread. Absent in
   * results computed before decisions were recorded: the networks' own probabilities.
   */
  decision?: { exponents: number[]; prior: number[] | null };
}

export interface PredictionsResult {
  arch: ArchName;
  /** Run names (seed-0, ...), in the order of every set's `predicted`. */
  runs: string[];
  /** "test" (the Table 1 fields' test split) and, with a Table 2 field, "generalization" (every object of it). */
  sets: { test: PredictionSet; generalization?: PredictionSet };
}

const round5 = (v: number) => Math.round(v * 1e5) / 1e5;

function sameObjects(runs: RunPredictions[], keys: string[]): void {
  for (const r of runs)
    if (r.keys.join("\n") !== keys.join("\n")) throw new Error(`${r.run}: predicted other objects than ${runs[0].run}`);
}

/** The training prior the runs' decisions used (runs of one split share it); null if none was used. */
function sharedPrior(runs: RunPredictions[]): number[] | null {
  const prior = runs.find((r) => r.prior)?.prior ?? null;
  for (const r of runs)
    if (r.prior && r.prior.join() !== prior!.join())
      throw new Error(
        `${r.run}: trained with another class prior (${r.prior.join(", ")}) than ${runs[0].run} (${prior!.join(", ")})`,
      );
  return prior;
}

/** One set from the runs' predictions (same keys in each); `truth` is the truth-scored predictions' labels, if any. */
export function predictionSet(
  about: string,
  runs: RunPredictions[],
  truth?: RunPredictions,
  withoutBand?: Record<string, RunPredictions[]>,
): PredictionSet {
  const { keys, labels } = runs[0];
  sameObjects(runs, keys);
  const truthOf = truth ? new Map(truth.keys.map((k, i) => [k, truth.labels[i]])) : undefined;
  const set: PredictionSet = {
    about,
    keys,
    label: labels,
    truth: keys.map((k) => truthOf?.get(k) ?? null),
    predicted: runs.map((r) => r.predicted),
    probs: runs.map((r) => r.probs.map((p) => Array.from(p, round5))),
    decision: { exponents: runs.map((r) => r.exponent), prior: sharedPrior(runs) },
  };
  if (withoutBand && Object.keys(withoutBand).length) {
    for (const zeroed of Object.values(withoutBand)) sameObjects(zeroed, keys);
    set.withoutBand = Object.fromEntries(
      Object.entries(withoutBand).map(([band, rs]) => [band, rs.map((r) => r.predicted)]),
    );
  }
  return set;
}

/** The predictions file of one network, from the variants compute.ts evaluates (test, testTruth, gen, each band). */
export function predictionsResult(
  arch: ArchName,
  preds: Record<string, RunPredictions[]>,
  fields: { table1: string[]; table2: string[] },
): PredictionsResult {
  const runs = preds.test.map((p) => p.run.split(/[\\/]/).pop() as string);
  const test = predictionSet(`test split of ${fields.table1.join(", ")}`, preds.test, preds.testTruth?.[0]);
  const sets: PredictionsResult["sets"] = { test };
  if (preds.gen?.length) {
    const zeroed = Object.fromEntries(BANDS.filter((b) => preds[b]?.length).map((b) => [b, preds[b]]));
    sets.generalization = predictionSet(`every object of ${fields.table2.join(", ")}`, preds.gen, undefined, zeroed);
  }
  return { arch, runs, sets };
}

/** A network's per-object predictions of a reproduction. */
export function readPredictions(arch: ArchName, profile: ReproduceProfile = shownProfile()): PredictionsResult {
  return readResult<PredictionsResult>(`predictions-${arch}`, profile);
}

/**
 * The set as each network's own decision reads it: every run's stored probabilities divided back by prior^s
 * (renormalised), its classes their argmax (with logit adjustment, the class-balanced decision). The set itself when
 * no run was reread. `withoutBand` holds classes only, which cannot be reread: it is left out.
 */
export function networksOwn(set: PredictionSet): PredictionSet {
  const { decision } = set;
  if (!decision?.prior || decision.exponents.every((s) => s === 0)) return set;
  const prior = decision.prior;
  const own = set.probs.map((run, r) => run.map((p) => priorWeighted(p, prior, -decision.exponents[r])));
  const { withoutBand: _classesOnly, ...rest } = set;
  return {
    ...rest,
    predicted: own.map((run) => run.map(argmax)),
    probs: own.map((run) => run.map((p) => Array.from(p, round5))),
    decision: { exponents: set.probs.map(() => 0), prior: null },
  };
}

/** Indices of the objects of a set that belong to `field` (keys are FIELD/id). */
export function objectsOfField(set: PredictionSet, field: string): number[] {
  return set.keys.flatMap((k, i) => (k.startsWith(field + "/") ? [i] : []));
}

export interface Misclassified {
  key: string;
  /** 1-based classes, as the paper names them. */
  trueClass: number;
  predictedClass: number;
  /** The run's probability of the class it predicted, and of the true class. */
  pPredicted: number;
  pTrue: number;
}

/** Objects of true class `klass` (1-4) that run `run` put in another class, the most confident mistakes first. */
export function misclassified(set: PredictionSet, klass: number, run = 0): Misclassified[] {
  if (!Number.isInteger(klass) || klass < 1 || klass > 4) throw new Error(`class ${klass}: choose 1, 2, 3 or 4`);
  if (!set.predicted[run])
    throw new Error(`run ${run}: the set has ${set.predicted.length} run(s) (0-${set.predicted.length - 1})`);
  const probs = set.probs[run];
  const wrong = set.keys.flatMap((key, i) => {
    const p = set.predicted[run][i];
    if (set.label[i] !== klass - 1 || p === klass - 1) return [];
    return [{ key, trueClass: klass, predictedClass: p + 1, pPredicted: probs[i][p], pTrue: probs[i][klass - 1] }];
  });
  return wrong.sort((a, b) => b.pPredicted - a.pPredicted || a.key.localeCompare(b.key));
}

/** The mean of the runs' probabilities per object (an ensemble), and its class. */
export function ensembleMean(set: PredictionSet): { probs: number[][]; predicted: number[] } {
  const runs = set.probs;
  const probs = set.keys.map((_, i) => [0, 1, 2, 3].map((c) => runs.reduce((s, r) => s + r[i][c], 0) / runs.length));
  return { probs, predicted: probs.map(argmax) };
}
