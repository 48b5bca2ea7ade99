// The paper's experiments computed from curated stamps and trained runs, each written as one JSON result
// (results/<profile>/<name>.json) that a notebook displays:
//   dataset             Tables 1-2 from the curated manifest (catalog, kept, usable), the paper's beside them
//   human-agreement     Figure 2 (the catalog's class against a second annotator)
//   ten-seed-<arch>     Tables 3-4: test split of the Table 1 fields, mean +/- std over seeds (+ against truth)
//   predictions-<arch>  every seed's class and probabilities per object of those sets (predictions.ts)
//   curves-<arch>       Figure 3's training curves: every seed's metrics.jsonl
//   generalization-<arch>  Tables 5-6: NGC 1559 (the Table 2 field), and accuracy per field against distance
//   ablation-<arch>     Figure 4: NGC 1559 with one band zeroed at a time, accuracy per class and its drop
//   uncertainty-<arch>  Figure 5: entropies of one model on NGC 1559; the ensemble's mutual information, calibration
//   baseline            a classical classifier (concentration, asymmetry, colours) on the same split
//   ceiling             what the simulated data allow: the truth scored against the labels, networks trained on
//                       the truth, recall by magnitude, distance and kind (ceiling.ts)
import * as fs from "node:fs";
import * as path from "node:path";
import { Band, BANDS, CLASSES } from "../catalog/record";
import { paperFields } from "../catalog/fields";
import { readManifest } from "../curate/manifest";
import { classCounts, loadCurated } from "../dataset/curated";
import { loadSplit } from "../dataset/split";
import { accuracy, meanStd, ScoredSet } from "../evaluate/metrics";
import {
  Evaluation,
  EvalOptions,
  readRunConfig,
  releaseEvaluationCache,
  RunPredictions,
  runPredictions,
  evaluatePredictions,
} from "../evaluate/runs";
import { ArchName } from "../models/arch";
import { MetricsLine, readMetrics, trainingSeconds } from "../train/rundir";
import { LogisticModel, trainBaseline } from "./baseline";
import { ceilingResult, readSynthFacts, secondLabelChances, SynthFacts } from "./ceiling";
import { Agreement, ExpectedAgreement, expectedAgreement, humanAgreement } from "./human";
import { PaperResults, paperResults, PaperTable, paperTable } from "./paper";
import { predictionsResult } from "./predictions";
import { writeResult } from "./results";
import { EnsembleUncertainty, ensembleUncertainty, EntropyByClass, entropyByClass } from "./uncertainty";
import { MAX_ENTROPY } from "../evaluate/metrics";
import { DecisionRule } from "../evaluate/decision";

/** One field of dataset.json: objects per class (classes 1-4) at each stage of curation, beside the paper's. */
export interface DatasetRow {
  field: string;
  distance_mpc: number | null;
  /** The paper's table the field belongs to (1: training and testing, 2: generalisation); null if not the paper's. */
  table: 1 | 2 | null;
  /** Objects in the catalog, the stamps curation kept, and those detected in at least four bands (usable). */
  catalog: number[];
  kept: number[];
  usable: number[];
  /** [reason, objects] for each reason curation dropped objects, in order of first occurrence. */
  dropped: [string, number][];
  /** The paper's row of Table 1 or 2: distance in Mpc, then objects of classes 1-4. */
  paper: number[] | null;
}
/** dataset.json: Tables 1-2. */
export interface DatasetResult {
  fields: DatasetRow[];
  paper: { table1: PaperResults["table1"]; table2: PaperResults["table2"] };
}
/**
 * One set's agreement; on simulated data also what the second annotator gives on average given each object's drawn
 * truth and V (`expected`): the noise of the catalog labels against the truths the stamps show, without the chance
 * of one draw of a second label (objects whose catalog has no V are left out: their rendered V is not recorded).
 */
export type SimulatedAgreement = Agreement & { expected?: ExpectedAgreement };
/** human-agreement.json: Figure 2, the catalog's class against a second annotator; null where none has both. */
export interface AgreementResult {
  /** Which two classifications are compared. */
  source: string;
  /** The Table 1 fields (the training set; the simulator's annotator is calibrated on them). */
  table1: SimulatedAgreement | null;
  /** The paper's Figure 2 galaxy. */
  NGC4656: SimulatedAgreement | null;
  /** The generalisation field (19 Mpc). */
  NGC1559: SimulatedAgreement | null;
  /** The paper's per-class agreement in per cent (classes 1-4). */
  paperDiagonal: number[];
}
/** A field's accuracy over the runs (0-1, mean and sample std), with its distance and objects. */
export interface FieldAccuracy {
  field: string;
  distance_mpc: number | null;
  objects: number;
  accuracy: number;
  std: number;
}
/** One seed's training curve: its metrics.jsonl and its training time in seconds (run.json). */
export interface TrainingCurve {
  run: string;
  metrics: MetricsLine[];
  seconds: number;
}
/** ten-seed-<arch>.json: Tables 3-4, the test split of the Table 1 fields over the seeds. */
export interface TenSeedResult {
  arch: ArchName;
  evaluation: Evaluation;
  /** The same predictions scored against the simulator's truth instead of the human class. */
  againstTruth: Evaluation;
  paper: PaperTable;
  byField: FieldAccuracy[];
  /** The decision the tables use, with each run's prior exponent (0: the network's own argmax; absent: argmax). */
  decision?: { rule: DecisionRule; exponents: number[] };
  /** With the prior-matched decision: the same runs read with their own argmax (class-balanced), to compare. */
  argmaxEvaluation?: Evaluation;
}
/** curves-<arch>.json: Figure 3, every seed's training curve. */
export interface CurvesResult {
  arch: ArchName;
  runs: TrainingCurve[];
}
/** generalization-<arch>.json: Tables 5-6, NGC 1559 (the Table 2 field), and accuracy per field. */
export interface GeneralizationResult {
  arch: ArchName;
  evaluation: Evaluation;
  paper: PaperTable;
  byDistance: FieldAccuracy[];
}
/** One band zeroed: recall per class (per cent, mean and std over the seeds), its drop from all bands, accuracy. */
export interface BandAblation {
  band: Band;
  perClass: number[];
  perClassStd: number[];
  /** Recall with all bands minus recall with this one zeroed, percentage points per class. */
  drop: number[];
  accuracy: { mean: number; std: number };
}
/** ablation-<arch>.json: Figure 4, the Table 2 field with one band zeroed at a time. */
export interface AblationFile {
  arch: ArchName;
  field: string[];
  baseline: { perClass: number[]; accuracy: { mean: number; std: number } };
  bands: BandAblation[];
  paper: PaperResults["figure4"];
}
/** uncertainty-<arch>.json: Figure 5 (one model's entropies) and the seeds as an ensemble, on the Table 2 field. */
export interface UncertaintyResult {
  arch: ArchName;
  field: string[];
  /** The run whose entropies `entropy` holds (the first seed). */
  singleRun: string;
  entropy: EntropyByClass;
  ensemble: EnsembleUncertainty;
  maxEntropy: number;
  paper: PaperResults["figure5"];
}
/** baseline.json: a logistic regression on concentration, asymmetry and colours, on the networks' split. */
export interface BaselineResult {
  model: LogisticModel;
  trainCounts: number[];
  test: ScoredSet;
  generalization?: ScoredSet;
}

/** The Table 1 fields of the curated data (training and testing) and the Table 2 ones (generalisation). */
export interface TableFields {
  table1: string[];
  table2: string[];
}

export interface ComputeContext {
  stamps: string;
  /** The simulated fields the stamps come from (magnitudes and kinds for ceiling.json); absent for real data. */
  synth?: string;
  /** Run directories per architecture (the seeds). */
  runs: Partial<Record<ArchName, string[]>>;
  /** Runs trained on the truth, per architecture (ceiling.ts). */
  truthRuns?: Partial<Record<ArchName, string[]>>;
  results: string;
  /** How the runs' probabilities become classes (lib/evaluate/decision.ts; default: the networks' argmax). */
  decision?: DecisionRule;
  log: (line: string) => void;
}

/** The fields of the curated data that belong to Table 1 (training/testing) and Table 2 (generalisation). */
export function fieldsByTable(stamps: string): TableFields {
  const present = new Set(readManifest(stamps).map((r) => r.field));
  const all = paperFields();
  const of = (t: 1 | 2) => Object.keys(all).filter((f) => all[f].table === t && present.has(f));
  return { table1: of(1), table2: of(2) };
}

/** One row per curated field: catalog, kept and usable stamps per class, what curation dropped, the paper's counts. */
export function datasetRows(stamps: string): DatasetRow[] {
  const rows = readManifest(stamps);
  const paper = paperResults();
  const fields = [...new Set(rows.map((r) => r.field))];
  const count = (pred: (r: (typeof rows)[number]) => boolean, field: string) =>
    CLASSES.map((c) => rows.filter((r) => r.field === field && r.class === c && pred(r)).length);
  return fields.map((field) => ({
    field,
    distance_mpc: paperFields()[field]?.distance_mpc ?? null,
    table: paperFields()[field]?.table ?? null,
    catalog: count(() => true, field),
    kept: count((r) => r.status === "kept", field),
    usable: count((r) => r.status === "kept" && (r.detectedBands === null || r.detectedBands >= 4), field),
    dropped: Object.entries(
      countBy(rows.filter((r) => r.field === field && r.status === "dropped").map((r) => r.reason)),
    ),
    paper: paper.table1.fields[field] ?? paper.table2.fields[field] ?? null,
  }));
}

/** How often each value occurs, in order of first occurrence. */
function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

function agreementResult(stamps: string, synth?: SynthFacts): AgreementResult {
  const rows = readManifest(stamps).filter((r) => r.status === "kept");
  const { table1 } = fieldsByTable(stamps);
  const chances = synth
    ? secondLabelChances(
        synth,
        rows.map((r) => ({ key: `${r.field}/${r.id}`, truth: r.truth })),
      )
    : rows.map(() => null);
  const of = (keep: (field: string) => boolean) => {
    const picked = rows.map((r, i) => ({ r, chance: chances[i] })).filter(({ r }) => keep(r.field));
    if (!picked.some(({ r }) => r.secondLabel !== null)) return null;
    const agreement = humanAgreement(
      picked.map(({ r }) => r.class),
      picked.map(({ r }) => r.secondLabel),
    );
    const known = picked.filter((p): p is { r: (typeof rows)[number]; chance: number[] } => p.chance !== null);
    const expected = known.some(({ r }) => r.class !== null)
      ? expectedAgreement(
          known.map(({ r }) => r.class),
          known.map(({ chance }) => chance),
        )
      : undefined;
    return { ...agreement, expected };
  };
  return {
    source: "catalog class (A) against the simulator's second annotator (B)",
    table1: of((f) => table1.includes(f)),
    NGC4656: of((f) => f === "NGC4656"),
    NGC1559: of((f) => f === "NGC1559"),
    paperDiagonal: paperResults().human_agreement_diagonal_percent,
  };
}

function readCurves(runs: string[]): TrainingCurve[] {
  return runs.map((run) => ({
    run: path.basename(run),
    metrics: readMetrics(run),
    seconds: trainingSeconds(run),
  }));
}

/** Per-field accuracy of each run (keys are FIELD/id), mean and std over runs. */
function accuracyByField(predictions: RunPredictions[]): FieldAccuracy[] {
  const fields = [...new Set(predictions[0].keys.map((k) => k.split("/")[0]))];
  return fields.map((field) => {
    const per = predictions.map((p) => {
      const idx = p.keys.map((k, i) => (k.startsWith(field + "/") ? i : -1)).filter((i) => i >= 0);
      return accuracy(
        idx.map((i) => p.labels[i]),
        idx.map((i) => p.predicted[i]),
      );
    });
    const { mean, std } = meanStd(per.map((a) => [[a]]));
    return {
      field,
      distance_mpc: paperFields()[field]?.distance_mpc ?? null,
      objects: predictions[0].keys.filter((k) => k.startsWith(field + "/")).length,
      accuracy: mean[0][0],
      std: std[0][0],
    };
  });
}

/** Predictions of every run on every test set of a network, and the options each set was evaluated with. */
interface ArchPredictions {
  variants: Record<string, EvalOptions>;
  preds: Record<string, RunPredictions[]>;
}

/**
 * Every test set of a network, evaluated run by run so that each model is loaded once: the test split against the
 * labels ("test") and the truth ("testTruth"); with a Table 2 field, that field with all bands ("gen") and with
 * each band zeroed (keyed by the band).
 */
function predictTestSets(arch: ArchName, runs: string[], ctx: ComputeContext, fields: TableFields): ArchPredictions {
  const data = [ctx.stamps];
  const { decision } = ctx;
  const test: EvalOptions = { data, fields: fields.table1, split: "test", labels: "class", decision };
  const gen: EvalOptions = { data, fields: fields.table2, split: "all", labels: "class", decision };
  const variants: Record<string, EvalOptions> = { test, testTruth: { ...test, labels: "truth" } };
  if (decision === "prior-matched") variants.testArgmax = { ...test, decision: "argmax" };
  if (fields.table2.length) {
    variants.gen = gen;
    for (const band of BANDS) variants[band] = { ...gen, zeroBand: band };
  }
  const preds: Record<string, RunPredictions[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  runs.forEach((run, i) => {
    ctx.log(
      `${arch}: ${path.basename(run)} (${i + 1}/${runs.length}): test split of ${fields.table1.join(", ")}${fields.table2.length ? `; ${fields.table2.join(", ")} with all bands and each band zeroed` : ""}`,
    );
    for (const [k, o] of Object.entries(variants)) preds[k].push(runPredictions(run, o));
  });
  releaseEvaluationCache();
  return { variants, preds };
}

/** Writes a network's results: ten-seed, curves and predictions, then those of the Table 2 field if there is one. */
function evaluateArch(arch: ArchName, runs: string[], ctx: ComputeContext, fields: TableFields): void {
  const { variants, preds } = predictTestSets(arch, runs, ctx, fields);
  const summary = (k: string) => evaluatePredictions(preds[k], { ...variants[k], labels: variants[k].labels! });
  writeResult(ctx.results, `ten-seed-${arch}`, {
    arch,
    evaluation: summary("test"),
    againstTruth: summary("testTruth"),
    paper: paperTable("ten-seed", arch),
    byField: accuracyByField(preds.test),
    decision: { rule: ctx.decision ?? "argmax", exponents: preds.test.map((p) => p.exponent) },
    argmaxEvaluation: preds.testArgmax ? summary("testArgmax") : undefined,
  } satisfies TenSeedResult);
  writeResult(ctx.results, `curves-${arch}`, { arch, runs: readCurves(runs) } satisfies CurvesResult);
  writeResult(ctx.results, `predictions-${arch}`, predictionsResult(arch, preds, fields), 0);
  if (fields.table2.length) writeTable2Results(arch, ctx, fields, preds, summary);
}

/** generalization-, ablation- and uncertainty-<arch>.json: the Table 2 field with all bands and each band zeroed. */
function writeTable2Results(
  arch: ArchName,
  ctx: ComputeContext,
  fields: TableFields,
  preds: Record<string, RunPredictions[]>,
  summary: (set: string) => Evaluation,
): void {
  const generalization = summary("gen");
  writeResult(ctx.results, `generalization-${arch}`, {
    arch,
    evaluation: generalization,
    paper: paperTable("generalization", arch),
    byDistance: [...accuracyByField(preds.test), ...accuracyByField(preds.gen)],
  } satisfies GeneralizationResult);
  const diagonal = (e: Evaluation) => e.mean.map((row, i) => row[i]);
  const base = diagonal(generalization);
  const bands = BANDS.map((band): BandAblation => {
    const e = summary(band);
    const d = diagonal(e);
    return {
      band,
      perClass: d,
      perClassStd: e.mean.map((_, i) => e.std[i][i]),
      drop: d.map((v, i) => base[i] - v),
      accuracy: e.accuracy,
    };
  });
  writeResult(ctx.results, `ablation-${arch}`, {
    arch,
    field: fields.table2,
    baseline: { perClass: base, accuracy: generalization.accuracy },
    bands,
    paper: paperResults().figure4,
  } satisfies AblationFile);
  writeResult(ctx.results, `uncertainty-${arch}`, {
    arch,
    field: fields.table2,
    singleRun: preds.gen[0].run,
    entropy: entropyByClass(preds.gen[0]),
    ensemble: ensembleUncertainty(preds.gen),
    maxEntropy: MAX_ENTROPY,
    paper: paperResults().figure5,
  } satisfies UncertaintyResult);
}

function baselineResult(ctx: ComputeContext, fields: TableFields, splitFile: string) {
  const set = loadCurated([ctx.stamps], { fields: fields.table1 });
  const split = loadSplit(splitFile);
  const inTrain = new Set(split.train),
    inTest = new Set(split.test);
  const train = set.items.filter((it) => inTrain.has(it.key)),
    test = set.items.filter((it) => inTest.has(it.key));
  const { model, score } = trainBaseline(set, train);
  const out: BaselineResult = { model, trainCounts: classCounts(train), test: score(test) };
  if (fields.table2.length) {
    const gen = loadCurated([ctx.stamps], { fields: fields.table2 });
    out.generalization = score(gen.items, gen);
  }
  writeResult(ctx.results, "baseline", out);
}

/** Computes and writes every result the runs allow (an architecture without runs is skipped). */
export function computeResults(ctx: ComputeContext): void {
  const fields = fieldsByTable(ctx.stamps);
  if (fields.table1.length === 0) throw new Error(`${ctx.stamps}: no Table 1 field in the curated data`);
  writeResult(ctx.results, "dataset", {
    fields: datasetRows(ctx.stamps),
    paper: { table1: paperResults().table1, table2: paperResults().table2 },
  } satisfies DatasetResult);
  const synth =
    ctx.synth && fs.existsSync(path.join(ctx.synth, "manifest.json")) ? readSynthFacts(ctx.synth) : undefined;
  writeResult(ctx.results, "human-agreement", agreementResult(ctx.stamps, synth));
  let splitFile: string | undefined;
  for (const [arch, runs] of Object.entries(ctx.runs) as [ArchName, string[]][]) {
    if (!runs.length) continue;
    splitFile ??= readRunConfig(runs[0]).split.file;
    evaluateArch(arch, runs, ctx, fields);
  }
  if (splitFile) {
    ctx.log("baseline: concentration, asymmetry and colours with logistic regression");
    baselineResult(ctx, fields, splitFile);
  }
  if (synth) {
    ceilingResult({
      stamps: ctx.stamps,
      synth,
      results: ctx.results,
      fields,
      truthRuns: ctx.truthRuns ?? {},
      labelRuns: ctx.runs,
      splitFile,
      decision: ctx.decision,
      log: ctx.log,
    });
    releaseEvaluationCache();
  }
}
