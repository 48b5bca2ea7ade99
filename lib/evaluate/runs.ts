// Evaluating trained runs the way the paper reports them (Tables 3-6): each run's predictions on a test set,
// its confusion matrix normalised by true class, then the mean and standard deviation of each cell over the
// runs (the ten seeds). Predictions are cached per run, test set and precision (predictions/<tag>.csv + .json,
// bf16 ones tagged -bf16), keyed by the model file's sha256, so reruns and notebooks reuse them.
import * as fs from "node:fs";
import * as path from "node:path";
import { Band, CLASSES } from "../catalog/record";
import { readCsvTable } from "../catalog/csv";
import { formatCsv } from "../util/csv";
import { CuratedSet, LabelSource, loadCurated, loadPixels, StampItem } from "../dataset/curated";
import { loadSplit } from "../dataset/split";
import { disposeDualModel, DualModel, foldForInference } from "../models/dual";
import { loadDualModel } from "../models/saved";
import { RunConfig, RUN_FILES } from "../train/rundir";
import { writeFileAtomic } from "../util/atomic";
import { LruCache } from "../util/lru";
import { sha256File } from "../util/provenance";
import { accuracy, argmax, ClassScores, classScores, confusionMatrix, meanStd, rowPercent } from "./metrics";
import { predictProbabilities } from "./predict";
import { DecisionFile, DecisionRule, priorWeighted, readDecision, writeDecision } from "./decision";
import { parseJson } from "../util/json";
import { currentBackend, Precision } from "../backend/select";

export const EVAL_SPLITS = ["test", "train", "all"] as const;
export type EvalSplit = (typeof EVAL_SPLITS)[number];

export interface EvalOptions {
  data: string[];
  fields?: string[];
  /** test/train: the run's own split; all: every eligible object (another galaxy, e.g. NGC1559). */
  split: EvalSplit;
  zeroBand?: Band;
  /** Score against the human class (the paper) or the simulator's truth; default: what the run trained on. */
  labels?: LabelSource;
  /** How probabilities become classes (decision.ts): the network's own argmax (default) or prior-matched. */
  decision?: DecisionRule;
  log?: (line: string) => void;
}

export interface RunPredictions {
  run: string;
  keys: string[];
  /** 0-based true labels. */
  labels: number[];
  /** As the decision reads them: the network's probabilities, or with the prior-matched weights applied. */
  probs: Float32Array[];
  predicted: number[];
  /** The prior's exponent s of the decision (decision.ts); 0 is the network's own argmax. */
  exponent: number;
  /** The training prior the probabilities were read with; null if they are the network's own. */
  prior: number[] | null;
}

export interface Evaluation {
  runs: string[];
  data: string[];
  split: EvalSplit;
  zeroBand: Band | null;
  labels: LabelSource;
  /** Objects per true class. */
  totals: number[];
  /** Per run: confusion counts, row percentages, accuracy, per-class scores, its decision's prior exponent. */
  perRun: {
    run: string;
    counts: number[][];
    percent: number[][];
    accuracy: number;
    scores: ClassScores[];
    /** Absent in results computed before decisions were recorded (the argmax). */
    exponent?: number;
  }[];
  /** Mean and standard deviation (ddof 1) over runs of the row percentages: the layout of Tables 3-6. */
  mean: number[][];
  std: number[][];
  accuracy: { mean: number; std: number };
}

export function readRunConfig(run: string): RunConfig {
  const file = path.join(run, RUN_FILES.config);
  if (!fs.existsSync(path.join(run, RUN_FILES.done)))
    throw new Error(`${run}: not a complete training run (no ${RUN_FILES.done}; train it first)`);
  return parseJson<{ run: RunConfig }>(fs.readFileSync(file, "utf8"), file).run;
}

function evalItems(set: CuratedSet, config: RunConfig, split: EvalSplit): StampItem[] {
  if (split === "all") return set.items;
  const s = loadSplit(config.split.file);
  const keys = new Set(split === "test" ? s.test : s.train);
  const items = set.items.filter((it) => keys.has(it.key));
  if (items.length === 0)
    throw new Error(`${config.split.file}: none of its ${split} objects are in ${set.dirs.join(", ")}`);
  return items;
}

/** Predictions do not depend on the label source, so one cache file serves scoring against class and truth. */
function tagOf(options: EvalOptions, precision: Precision): string {
  const data = options.data.map((d) => path.basename(path.resolve(d))).join("+");
  const fields = options.fields ? `-${options.fields.join("+")}` : "";
  const zeroed = options.zeroBand ? `-no${options.zeroBand}` : "";
  return `${data}${fields}-${options.split}${zeroed}${precision === "fp32" ? "" : `-${precision}`}`;
}

/** The precision convolutions run in now (bf16 probabilities differ from fp32's in the third decimal). */
function evaluationPrecision(): Precision {
  return currentBackend()?.precision ?? "fp32";
}

const PRED_COLUMNS = ["key", "class", "truth", "p1", "p2", "p3", "p4", "predicted"];

/** Cached probabilities by object key, if the cache was made by this model file. */
function readCached(
  csv: string,
  sidecar: string,
  modelSha: string,
  precision: Precision,
): Map<string, Float32Array> | undefined {
  if (!fs.existsSync(csv) || !fs.existsSync(sidecar)) return undefined;
  const made = JSON.parse(fs.readFileSync(sidecar, "utf8"));
  // Caches written before precision was recorded were all fp32.
  if (made.model_sha256 !== modelSha || (made.precision ?? "fp32") !== precision) return undefined;
  return new Map(readCsvTable(csv).rows.map((r) => [r.cells[0], Float32Array.from(r.cells.slice(3, 7).map(Number))]));
}

// Evaluating many test sets (ablation: six per run) reloads nothing: the last run's model (one; its tensors are
// disposed of when another run's replaces it) and the last STAMP_SETS stamp sets with their pixels stay in memory
// until releaseEvaluationCache(), which evaluateRuns and the experiments call when they are done.
const STAMP_SETS = 4;
const models = new LruCache<string, DualModel>(1, disposeDualModel);
const stampSets = new LruCache<string, { set: CuratedSet; pixels: Float32Array[] }>(STAMP_SETS);

function modelOf(file: string, sha: string): DualModel {
  const key = JSON.stringify([file, sha]);
  if (!models.has(key)) models.clear(); // the old model goes before the new one loads: one in memory at a time
  return models.getOrCreate(key, () => foldForInference(loadDualModel(file).model));
}

function stampsOf(data: string[], fields: string[] | undefined, labels: LabelSource, minDetectedBands: number) {
  return stampSets.getOrCreate(JSON.stringify([data, fields, labels, minDetectedBands]), () => {
    const set = loadCurated(data, { fields, labels, minDetectedBands });
    return { set, pixels: loadPixels(set) };
  });
}

/** Frees the evaluation cache: the model's tensors and the stamp sets' pixels. */
export function releaseEvaluationCache(): void {
  models.clear();
  stampSets.clear();
}

/** What the evaluation cache holds now (models: at most 1; stamp sets: at most STAMP_SETS). */
export function evaluationCacheSize(): { models: number; stampSets: number } {
  return { models: models.size, stampSets: stampSets.size };
}

/** The network's own probabilities for the evaluation set's objects (cached in the run directory). */
function networkPredictions(
  run: string,
  config: RunConfig,
  options: EvalOptions,
): { keys: string[]; labels: number[]; probs: Float32Array[]; modelSha: string } {
  const labels = options.labels ?? config.labels;
  const modelFile = path.join(run, RUN_FILES.model);
  const modelSha = sha256File(modelFile);
  const precision = evaluationPrecision();
  const tag = tagOf(options, precision);
  const csv = path.join(run, "predictions", `${tag}.csv`),
    sidecar = path.join(run, "predictions", `${tag}.json`);
  const { set, pixels } = stampsOf(options.data, options.fields, labels, config.minDetectedBands);
  const items = evalItems(set, config, options.split);
  const result = (probs: Float32Array[]) => ({
    keys: items.map((it) => it.key),
    labels: items.map((it) => it.label),
    probs,
    modelSha,
  });
  const cached = readCached(csv, sidecar, modelSha, precision);
  if (cached && items.every((it) => cached.has(it.key))) return result(items.map((it) => cached.get(it.key)!));
  const index = new Map(set.items.map((it, i) => [it.key, i]));
  const probs = predictProbabilities(
    modelOf(modelFile, modelSha),
    items.map((it) => pixels[index.get(it.key)!]),
    {
      stampSize: set.size,
      rescale: config.profile.rescale,
      batchSize: config.profile.evalBatchSize,
      zeroBand: options.zeroBand,
      source: modelFile,
    },
  );
  const rows = items.map((it, i) => [
    it.key,
    it.humanClass,
    it.truth ?? "",
    ...Array.from(probs[i], (p) => p.toPrecision(9)), // 9 digits give a float32 back exactly
    argmax(probs[i]) + 1,
  ]);
  writeFileAtomic(csv, formatCsv([PRED_COLUMNS, ...rows.map((r) => r.map(String))]));
  writeFileAtomic(
    sidecar,
    JSON.stringify(
      {
        run,
        model_sha256: modelSha,
        data: options.data,
        fields: options.fields ?? null,
        split: options.split,
        zero_band: options.zeroBand ?? null,
        precision,
        objects: items.length,
      },
      null,
      1,
    ) + "\n",
  );
  return result(probs);
}

/**
 * The run's prior-matched decision (decision.json), fitted on first use on its training split, in the data it
 * trained on (config.json's absolute paths), or in the evaluation's data if those have moved.
 */
export function runDecision(
  run: string,
  options: Pick<EvalOptions, "data" | "log">,
  known?: { config: RunConfig; modelSha: string },
): DecisionFile {
  const config = known?.config ?? readRunConfig(run);
  const modelSha = known?.modelSha ?? sha256File(path.join(run, RUN_FILES.model));
  const found = readDecision(run, modelSha);
  if (found) return found;
  (options.log ?? (() => {}))(`${run}: fitting the prior-matched decision on its training split`);
  const moved = !config.data.every((d) => fs.existsSync(d));
  const data = moved ? options.data : config.data;
  const gone = `${run}: trained on ${config.data.join(", ")}, which is not there: the prior-matched decision is fitted on the run's whole training split`;
  if (data.length === 0) throw new Error(gone);
  const train = networkPredictions(run, config, {
    data,
    fields: config.fields ?? undefined,
    split: "train",
    labels: config.labels,
  });
  // A decision is kept for good: fitted on part of the split, it would be wrong for good.
  const trained = config.trainClassCounts.reduce((a, b) => a + b, 0);
  if (train.probs.length !== trained)
    throw new Error(`${gone}; ${data.join(", ")} holds ${train.probs.length} of its ${trained} objects`);
  return writeDecision(run, modelSha, { probs: train.probs, trainClassCounts: config.trainClassCounts });
}

/** One run's predictions on the evaluation set, read with the evaluation's decision (default: the argmax). */
export function runPredictions(run: string, options: EvalOptions): RunPredictions {
  const config = readRunConfig(run);
  const { keys, labels, probs, modelSha } = networkPredictions(run, config, options);
  const decision = options.decision === "prior-matched" ? runDecision(run, options, { config, modelSha }) : undefined;
  const read = decision ? probs.map((p) => priorWeighted(p, decision.prior, decision.exponent)) : probs;
  return {
    run,
    keys,
    labels,
    probs: read,
    predicted: read.map(argmax),
    exponent: decision?.exponent ?? 0,
    prior: decision?.prior ?? null,
  };
}

/** Aggregates per-run predictions (same objects in every run) into the paper's mean +/- std table. */
export function evaluatePredictions(
  predictions: RunPredictions[],
  options: EvalOptions & { labels: LabelSource },
): Evaluation {
  if (predictions.length === 0) throw new Error("no runs to evaluate");
  const keys = predictions[0].keys.join("\n");
  for (const p of predictions)
    if (p.keys.join("\n") !== keys) throw new Error(`${p.run}: evaluated on other objects than ${predictions[0].run}`);
  const perRun = predictions.map((p) => {
    const counts = confusionMatrix(p.labels, p.predicted);
    return {
      run: p.run,
      counts,
      percent: rowPercent(counts),
      accuracy: accuracy(p.labels, p.predicted),
      scores: classScores(counts),
      exponent: p.exponent,
    };
  });
  const { mean, std } = meanStd(perRun.map((r) => r.percent));
  const acc = meanStd(perRun.map((r) => [[r.accuracy]]));
  return {
    runs: predictions.map((p) => p.run),
    data: options.data,
    split: options.split,
    zeroBand: options.zeroBand ?? null,
    labels: options.labels,
    totals: perRun[0].counts.map((row) => row.reduce((a, b) => a + b, 0)),
    perRun,
    mean,
    std,
    accuracy: { mean: acc.mean[0][0], std: acc.std[0][0] },
  };
}

export function evaluateRuns(runs: string[], options: EvalOptions): Evaluation {
  const log = options.log ?? (() => {});
  const labels = options.labels ?? readRunConfig(runs[0]).labels;
  const predictions = runs.map((run, i) => {
    log(`evaluating ${run} (${i + 1}/${runs.length})`);
    return runPredictions(run, { ...options, labels });
  });
  releaseEvaluationCache();
  return evaluatePredictions(predictions, { ...options, labels });
}

/** The table as the paper prints it: rows true classes 1-4, "mean ± std" percent per predicted class, then the total. */
export function formatTable(e: Evaluation): string {
  const head = ["", "Class 1 [%]", "Class 2 [%]", "Class 3 [%]", "Class 4 [%]", "Total"];
  const rows = e.mean.map((row, i) => [
    `Class ${i + 1}`,
    ...row.map((m, j) => `${m.toFixed(1)} ± ${e.std[i][j].toFixed(1)}`),
    String(e.totals[i]),
  ]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ");
  const exponents = e.perRun.map((r) => r.exponent ?? 0);
  return [
    line(head),
    ...rows.map(line),
    `accuracy ${(100 * e.accuracy.mean).toFixed(1)} ± ${(100 * e.accuracy.std).toFixed(1)} % over ${e.runs.length} run(s)`,
    ...(exponents.some((s) => s !== 0)
      ? [`classes read with the training prior^s (prior-matched), s = ${exponents.map((s) => s.toFixed(2)).join(", ")}`]
      : []),
  ].join("\n");
}

/** The table as CSV: true_class, then mean and std per predicted class, then total. */
export function tableCsv(e: Evaluation): string {
  const header = ["true_class", ...CLASSES.flatMap((c) => [`pred${c}_mean`, `pred${c}_std`]), "total"];
  return formatCsv([
    header,
    ...e.mean.map((row, i) =>
      [i + 1, ...row.flatMap((m, j) => [m.toFixed(2), e.std[i][j].toFixed(2)]), e.totals[i]].map(String),
    ),
  ]);
}
