// What the embedded data allow, measured beside every reproduction (results/<profile>/ceiling.json):
//   oracle        the rendered truth used as the prediction and scored against the human labels: the best a
//                 classifier can do on average, since the simulated label depends on the image only through the
//                 truth (lib/simulate/annotator.ts)
//   perfectVision the decisions of a network trained on the labels that sees each object's truth perfectly: it
//                 learns P(label | truth, V) from the annotator model, and its plain and class-balanced argmax
//                 are what such a network says; per class they differ from the oracle's (a faint asymmetric
//                 cluster is more often labelled symmetric than asymmetric), so they are the ceiling of the
//                 paper's networks and of logit adjustment's decision
//   learnability  networks trained on the truth and scored against it: can the rendered classes be told apart
//                 at all? Overall, and recall by V magnitude, absolute magnitude, field (distance) and kind of source
//   labelRuns     the paper's networks (trained on labels) scored against the truth by the same bins
//   baseline      the classical classifier (baseline.ts) trained and scored on the truth
import * as fs from "node:fs";
import * as path from "node:path";
import { paperFields } from "../catalog/fields";
import { readLegusCatalog } from "../catalog/legus";
import { readCsvTable } from "../catalog/csv";
import { classCounts, loadCurated, StampItem } from "../dataset/curated";
import { loadSplit } from "../dataset/split";
import { accuracy, ScoredSet, scoreSet } from "../evaluate/metrics";
import { Evaluation, EvalOptions, RunPredictions, runPredictions, evaluatePredictions } from "../evaluate/runs";
import { DecisionRule } from "../evaluate/decision";
import { ArchName } from "../models/arch";
import { loadSimulationConfig } from "../simulate/config";
import { calibratedAnnotator } from "../simulate/field";
import type { SynthManifest } from "../simulate/synth";
import { trainBaseline } from "./baseline";
import { writeResult } from "./results";

/** What the simulator knows of a catalog object beyond its class. */
export interface ObjectInfo {
  /** Catalog V-band (F555W or F606W) Vega magnitude, null when not detected. */
  vMag: number | null;
  /** Absolute V magnitude at the field's distance. */
  absV: number | null;
  /** The rendered morphology (truth.csv's kind: "cluster", "association", "pair", ...). */
  kind: string;
}

/** Recall against the truth in one bin of objects, averaged over runs. */
export interface BinScore {
  bin: string;
  objects: number;
  /** Per true class: objects and recall (%, mean over runs; null without objects). */
  perClass: { objects: number; recall: number | null }[];
  accuracy: number;
}

export interface Breakdown {
  byV: BinScore[];
  byAbsV: BinScore[];
  byField: BinScore[];
  byKind: BinScore[];
}

export interface LearnabilityResult {
  arch: ArchName;
  runs: string[];
  evaluation: Evaluation;
  breakdown: Breakdown;
  /** Accuracy against the truth for objects brighter than each V limit. */
  brighterThan: { limitV: number; objects: number; accuracy: number | null }[];
}

/** A perfect-vision network's decisions against the labels: plain argmax and class-balanced (logit adjustment). */
export interface PerfectVision {
  plain: ScoredSet;
  balanced: ScoredSet;
  /** The training labels' class frequencies the balanced decision divides by. */
  prior: number[];
}

export interface CeilingResult {
  /**
   * byV: the test split's oracle by V magnitude (per label class: how often the label names the truth);
   * perfectVision: PerfectVision on the test split and the generalization field(s).
   */
  oracle: {
    test: ScoredSet;
    generalization: ScoredSet | null;
    byV?: BinScore[];
    perfectVision?: { test: PerfectVision; generalization: PerfectVision | null };
  };
  learnability: LearnabilityResult[];
  labelRuns: { arch: ArchName; breakdown: Breakdown }[];
  baselineTruth: ScoredSet | null;
  /** How the networks' probabilities became classes (lib/evaluate/decision.ts); absent in older results: argmax. */
  decision?: DecisionRule;
}

export const V_BINS = [20, 21, 22, 23, 24];
export const ABS_V_BINS = [-10, -9, -8, -7, -6];
export const V_LIMITS = [22, 23, 24, 25];

/** Reads each synthesised field's catalog (V magnitudes) and truth table (kinds), keyed FIELD/id. */
export function synthObjectInfo(synthDir: string): Map<string, ObjectInfo> {
  const manifest = JSON.parse(fs.readFileSync(path.join(synthDir, "manifest.json"), "utf8")) as SynthManifest;
  const out = new Map<string, ObjectInfo>();
  for (const f of manifest.fields) {
    const distanceMpc = paperFields()[f.field]?.distance_mpc ?? null;
    const modulus = distanceMpc === null ? null : 5 * Math.log10(distanceMpc * 1e5);
    const catalog = readLegusCatalog(path.join(synthDir, f.field, f.catalog), { classColumn: f.class_column });
    const kinds = truthKinds(path.join(synthDir, f.field, f.truth));
    for (const r of catalog.records) {
      const vMag = r.mag[3];
      const absV = vMag === null || modulus === null ? null : vMag - modulus;
      out.set(`${f.field}/${r.id}`, { vMag, absV, kind: kinds.get(r.id) ?? "unknown" });
    }
  }
  return out;
}

function truthKinds(file: string): Map<string, string> {
  const { header, rows } = readCsvTable(file);
  const [id, kind] = [header.indexOf("id"), header.indexOf("kind")];
  if (id < 0 || kind < 0) throw new Error(`${file}: no 'id' or 'kind' column (have: ${header.join(", ")})`);
  return new Map(rows.map(({ cells }) => [cells[id].trim(), cells[kind].trim()]));
}

/** The truth as a run's predictions: labels 0-based (items loaded with labels "class"), predictions the truths. */
function oracleRun(items: StampItem[]): RunPredictions {
  const withTruth = items.filter((it) => it.truth !== null);
  return {
    run: "oracle",
    keys: withTruth.map((it) => it.key),
    labels: withTruth.map((it) => it.label),
    probs: [],
    predicted: withTruth.map((it) => it.truth! - 1),
    exponent: 0,
    prior: null,
  };
}

/** The truth as a prediction, scored against the human labels. */
export function oracleScore(items: StampItem[]): ScoredSet {
  const run = oracleRun(items);
  return scoreSet(run.labels, run.predicted);
}

/**
 * What a network trained on the labels answers if it sees every object's truth perfectly: it has learnt the label
 * probabilities A_V[truth] of the simulator's annotator model (lib/simulate/annotator.ts), so its plain decision is
 * argmax_h A_V[T][h] and its class-balanced one argmax_h A_V[T][h] / prior_h.
 */
export function perfectVisionScore(
  items: StampItem[],
  info: Map<string, ObjectInfo>,
  labelGivenTruth: (v: number) => number[][],
  prior: number[],
): PerfectVision {
  const known = items.filter((it) => it.truth !== null && info.get(it.key)?.vMag != null);
  const decide = (weights: number[]) =>
    known.map((it) => {
      const row = labelGivenTruth(info.get(it.key)!.vMag!)[it.truth! - 1].map((p, h) => p * weights[h]);
      return row.indexOf(Math.max(...row));
    });
  const labels = known.map((it) => it.label);
  return {
    plain: scoreSet(labels, decide(prior.map(() => 1))),
    balanced: scoreSet(labels, decide(prior.map((p) => 1 / p))),
    prior,
  };
}

/** Label frequencies over the items. */
function labelPrior(items: StampItem[]): number[] {
  return classCounts(items).map((c) => c / items.length);
}

/** The annotator model the synthesised data were labelled with (the built-in configuration, its scale and seed). */
function synthAnnotator(synthDir: string): (v: number) => number[][] {
  const manifest = JSON.parse(fs.readFileSync(path.join(synthDir, "manifest.json"), "utf8")) as SynthManifest;
  const config = loadSimulationConfig();
  return calibratedAnnotator(config, config.scales[manifest.scale], manifest.seed).labelGivenTruth;
}

/** What the simulated fields record beyond the stamps: each object's V and kind, and the annotator model. */
export interface SynthFacts {
  info: Map<string, ObjectInfo>;
  /** The annotator's chances of each label (rows: truth 1-4) at a V magnitude. */
  annotator: (v: number) => number[][];
}

/** Reads the simulated fields' facts once (the catalogs of every field, the annotator's calibration). */
export function readSynthFacts(synthDir: string): SynthFacts {
  return { info: synthObjectInfo(synthDir), annotator: synthAnnotator(synthDir) };
}

/**
 * For each object FIELD/id with a rendered truth (classes 1-4), the annotator model's chances of a second
 * classifier's label (classes 1-4) at the object's catalog V magnitude; null where the truth or V is unknown.
 */
export function secondLabelChances(
  { info, annotator }: SynthFacts,
  objects: { key: string; truth: number | null }[],
): (number[] | null)[] {
  return objects.map(({ key, truth }) => {
    const v = info.get(key)?.vMag ?? null;
    return truth === null || v === null ? null : annotator(v)[truth - 1];
  });
}

/** The oracle by V magnitude (per label class: how often the label names the truth). */
function oracleByV(items: StampItem[], info: Map<string, ObjectInfo>): BinScore[] {
  return scoreByBin([oracleRun(items)], (k) => binOf(info.get(k)?.vMag ?? null, V_BINS), binOrder(V_BINS));
}

const binOf = (v: number | null, edges: number[]): string => {
  if (v === null) return "not detected";
  const i = edges.findIndex((e) => v < e);
  if (i === 0) return `< ${edges[0]}`;
  if (i < 0) return `>= ${edges[edges.length - 1]}`;
  return `${edges[i - 1]}-${edges[i]}`;
};
/** The bins' labels from the faintest-first edges, in order: below the first edge, between edges, above the last. */
const binOrder = (edges: number[]) => [-Infinity, ...edges].map((v) => binOf(v, edges));

/** Recall per bin of objects, each run scored against the labels its predictions carry, averaged over runs. */
export function scoreByBin(
  predictions: RunPredictions[],
  binOfKey: (key: string) => string,
  order: string[] = [],
): BinScore[] {
  const keys = predictions[0].keys;
  const bins = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const b = binOfKey(k);
    if (!bins.has(b)) bins.set(b, []);
    bins.get(b)!.push(i);
  });
  const rank = (b: string) => (order.includes(b) ? order.indexOf(b) : order.length);
  return [...bins.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([bin, idx]) => {
      const perRun = predictions.map((p) =>
        scoreSet(
          idx.map((i) => p.labels[i]),
          idx.map((i) => p.predicted[i]),
        ),
      );
      const totals = perRun[0].totals;
      const perClass = totals.map((n, c) => ({
        objects: n,
        recall: n ? perRun.reduce((s, r) => s + r.percent[c][c], 0) / perRun.length : null,
      }));
      return {
        bin,
        objects: idx.length,
        perClass,
        accuracy: (100 * perRun.reduce((s, r) => s + r.accuracy, 0)) / perRun.length,
      };
    });
}

function breakdown(predictions: RunPredictions[], info: Map<string, ObjectInfo>): Breakdown {
  const of = (k: string): ObjectInfo => info.get(k) ?? { vMag: null, absV: null, kind: "unknown" };
  const fieldOrder = Object.entries(paperFields())
    .sort((a, b) => a[1].distance_mpc - b[1].distance_mpc)
    .map(([f]) => f);
  return {
    byV: scoreByBin(predictions, (k) => binOf(of(k).vMag, V_BINS), binOrder(V_BINS)),
    byAbsV: scoreByBin(predictions, (k) => binOf(of(k).absV, ABS_V_BINS), binOrder(ABS_V_BINS)),
    byField: scoreByBin(predictions, (k) => k.split("/")[0], fieldOrder),
    byKind: scoreByBin(predictions, (k) => of(k).kind),
  };
}

function brighterThan(predictions: RunPredictions[], info: Map<string, ObjectInfo>) {
  return V_LIMITS.map((limitV) => {
    const idx = predictions[0].keys
      .map((k, i) => ((info.get(k)?.vMag ?? Infinity) < limitV ? i : -1))
      .filter((i) => i >= 0);
    if (!idx.length) return { limitV, objects: 0, accuracy: null };
    const acc =
      predictions.reduce(
        (s, p) =>
          s +
          accuracy(
            idx.map((i) => p.labels[i]),
            idx.map((i) => p.predicted[i]),
          ),
        0,
      ) / predictions.length;
    return { limitV, objects: idx.length, accuracy: 100 * acc };
  });
}

export interface CeilingContext {
  stamps: string;
  synth: SynthFacts;
  results: string;
  fields: { table1: string[]; table2: string[] };
  /** Runs trained on the truth, per architecture. */
  truthRuns: Partial<Record<ArchName, string[]>>;
  /** The paper's runs (trained on labels), per architecture. */
  labelRuns: Partial<Record<ArchName, string[]>>;
  splitFile?: string;
  /** How the networks' probabilities become classes (lib/evaluate/decision.ts; default: their argmax). */
  decision?: DecisionRule;
  log: (line: string) => void;
}

/** Computes and writes results/<profile>/ceiling.json. */
export function ceilingResult(ctx: CeilingContext): CeilingResult {
  const { info, annotator } = ctx.synth;
  const table1 = loadCurated([ctx.stamps], { fields: ctx.fields.table1 });
  const split = ctx.splitFile ? loadSplit(ctx.splitFile) : null;
  const inTest = new Set(split?.test ?? table1.items.map((it) => it.key));
  const testItems = table1.items.filter((it) => inTest.has(it.key));
  const trainItems = split ? table1.items.filter((it) => !inTest.has(it.key)) : table1.items;
  const table2Items = ctx.fields.table2.length ? loadCurated([ctx.stamps], { fields: ctx.fields.table2 }).items : null;
  const prior = labelPrior(trainItems);
  const oracle = {
    test: oracleScore(testItems),
    generalization: table2Items ? oracleScore(table2Items) : null,
    byV: oracleByV(testItems, info),
    perfectVision: {
      test: perfectVisionScore(testItems, info, annotator, prior),
      generalization: table2Items ? perfectVisionScore(table2Items, info, annotator, prior) : null,
    },
  };
  const testTruth: EvalOptions = {
    data: [ctx.stamps],
    fields: ctx.fields.table1,
    split: "test",
    labels: "truth",
    decision: ctx.decision,
  };
  const learnability = (Object.entries(ctx.truthRuns) as [ArchName, string[]][])
    .filter(([, runs]) => runs.length)
    .map(([arch, runs]) => {
      ctx.log(`ceiling: ${arch} trained on the truth (${runs.length} run(s)), scored against the truth`);
      const preds = runs.map((r) => runPredictions(r, testTruth));
      return {
        arch,
        runs,
        evaluation: evaluatePredictions(preds, { ...testTruth, labels: "truth" }),
        breakdown: breakdown(preds, info),
        brighterThan: brighterThan(preds, info),
      };
    });
  const labelRuns = (Object.entries(ctx.labelRuns) as [ArchName, string[]][])
    .filter(([, runs]) => runs.length)
    .map(([arch, runs]) => ({
      arch,
      breakdown: breakdown(
        runs.map((r) => runPredictions(r, testTruth)),
        info,
      ),
    }));
  const result: CeilingResult = {
    oracle,
    learnability,
    labelRuns,
    baselineTruth: split ? baselineOnTruth(ctx.stamps, ctx.fields.table1, split) : null,
    decision: ctx.decision ?? "argmax",
  };
  writeResult(ctx.results, "ceiling", result);
  return result;
}

/** The classical classifier trained on the truth of the training split and scored against the truth of the test split. */
function baselineOnTruth(stamps: string, fields: string[], split: { train: string[]; test: string[] }): ScoredSet {
  const set = loadCurated([stamps], { fields, labels: "truth" });
  const inTrain = new Set(split.train),
    inTest = new Set(split.test);
  return trainBaseline(
    set,
    set.items.filter((it) => inTrain.has(it.key)),
  ).score(set.items.filter((it) => inTest.has(it.key)));
}
