// `starcluster classify`: every object of a catalog (curated on the fly) or of a curated folder through every
// model of an ensemble, streamed in chunks, into one table (table.ts) with the ensemble's verdict per object.
// Chunks are recorded in OUT.partial.jsonl as they finish (partial.ts), so a killed run continues where it
// stopped; OUT itself is written atomically at the end. Inputs are all checked before any model is loaded.
import * as fs from "node:fs";
import * as path from "node:path";
import { FitsCard } from "../io/fits";
import { InputSpec } from "../models/saved";
import { stampDate } from "../curate/stampfile";
import { Progress } from "../util/progress";
import { softwareVersion } from "../util/version";
import { DEFAULT_MODEL_MEMORY, Ensemble, ROTATING_CHUNK } from "./ensemble";
import { EnsembleMember, ensembleInput, findModels, modelFingerprint } from "./models";
import { DecisionRule } from "../evaluate/decision";
import { releaseEvaluationCache, runDecision } from "../evaluate/runs";
import { PartialRun } from "./partial";
import { CatalogInput, catalogSource, ObjectSource, SourceItem, stampsSource } from "./source";
import { ensembleVerdict } from "./stats";
import { ClassifiedRow, OutputFormat, writeTable } from "./table";
import { withOutputLock } from "../util/lock";

export type ClassifySource = { stamps: string } | { catalog: CatalogInput };

export interface ClassifyOptions {
  /** A model file, a run directory, or a folder of runs / model files (models.ts). */
  models: string;
  source: ClassifySource;
  out: string;
  format: OutputFormat;
  /** Stamps per inference batch; with models held together also the objects per recorded chunk. */
  batchSize: number;
  /** Bytes of model weights held at once; beyond it models are loaded in turn per chunk (ensemble.ts). */
  modelMemory?: number;
  /** How each model's probabilities are read (lib/evaluate/decision.ts); default: as the network gives them. */
  decision?: DecisionRule;
  progress?: (total: number) => Progress;
  log?: (line: string) => void;
}

export interface ClassifyResult {
  out: string;
  rows: ClassifiedRow[];
  members: EnsembleMember[];
  input: InputSpec;
  /** Whether the models were held together (else loaded in turn for each chunk). */
  resident: boolean;
  /** Objects finished by earlier, interrupted runs. */
  resumed: number;
  /** Objects classified (kept stamps through every model) in this call. */
  classified: number;
  /** Wall time of this call, and the part spent assembling batches, running models and computing verdicts. */
  seconds: number;
  inferenceSeconds: number;
}

function openSource(source: ClassifySource, input: InputSpec, log: (line: string) => void): ObjectSource {
  const warn = (m: string) => log(`warning: ${m}`);
  return "stamps" in source
    ? stampsSource(source.stamps, input.stampSize)
    : catalogSource(source.catalog, input.stampSize, warn, log);
}

function provenanceCards(options: ClassifyOptions, members: EnsembleMember[], input: InputSpec): FitsCard[] {
  const source =
    "stamps" in options.source
      ? path.basename(path.resolve(options.source.stamps))
      : path.basename(options.source.catalog.catalog);
  return [
    { key: "CREATOR", value: `${softwareVersion()} classify`, comment: "software that wrote this table" },
    { key: "DATE", value: stampDate(), comment: "when the table was written (UTC)" },
    { key: "SOURCE", value: source, comment: "catalog, or curated folder, classified" },
    { key: "STAMPSZ", value: input.stampSize, comment: "stamp side (pixels)" },
    { key: "INPUTSZ", value: input.inputSize, comment: "model input side (pixels)" },
    { key: "RESCALE", value: input.rescale, comment: "pixel rescaling before the models" },
    { key: "NMODELS", value: members.length, comment: "models in the ensemble" },
    { key: "DECISION", value: options.decision ?? "argmax", comment: "model probabilities as given, or x prior^s" },
    ...members.map((m, i) => ({
      key: `MODEL${i + 1}`,
      value: m.name,
      comment: m.decision ? `${m.arch}, s = ${m.decision.exponent}` : m.arch,
    })),
  ];
}

/**
 * Each member's prior-matched decision (fitted on its run's training split on first use, then kept in the run);
 * a loose model file has no training split to fit it on.
 */
function withDecisions(members: EnsembleMember[], log: (line: string) => void): void {
  for (const m of members) {
    if (!m.run) {
      throw new Error(
        `${m.file}: a model file without its run directory has no training split to fit the prior-matched decision on; pass the run directories, or --decision argmax`,
      );
    }
    const { exponent, prior } = runDecision(m.run, { data: [], log });
    m.decision = { exponent, prior };
  }
}

/** The error for a run in which every object was dropped (the table, with each reason, is written first). */
function nothingClassified(out: string, rows: ClassifiedRow[]): Error {
  if (rows.length === 0)
    return new Error(`${out}: nothing classified: the input holds no object (an empty or header-only catalog?)`);
  const reasons = new Map<string, number>();
  for (const r of rows) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  const top = [...reasons]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([reason, n]) => `${n} x ${reason}`);
  return new Error(
    `${out}: nothing classified: all ${rows.length} object(s) dropped (${top.join("; ")}); each object's reason is in the table`,
  );
}

/** Refuses an output that cannot become the table before any work: a directory, or a folder not writable. */
function checkTableFile(out: string): void {
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) {
    throw new Error(
      `${out}: is a directory; --out names the table file to write (e.g. ${path.join(out, "classes.csv")})`,
    );
  }
  let parent = path.dirname(path.resolve(out));
  while (!fs.existsSync(parent)) parent = path.dirname(parent);
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    throw new Error(`${out}: cannot write there (${parent} is not writable: permissions or a read-only file system)`);
  }
}

/** Classifies into the table `options.out`, refusing a second writer on that file. */
export function classify(options: ClassifyOptions): ClassifyResult {
  checkTableFile(options.out);
  return withOutputLock(options.out, "file", "classify", () => classifyUnlocked(options));
}

/**
 * The rows an interrupted run with the same models and input finished (OUT.partial.jsonl, opened for appending),
 * checked against the input's objects in order.
 */
function resumeRows(
  options: ClassifyOptions,
  members: EnsembleMember[],
  source: ObjectSource,
  log: (line: string) => void,
): { partial: PartialRun; rows: ClassifiedRow[] } {
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  const { partial, done: rows } = PartialRun.open(options.out, [...modelFingerprint(members), ...source.fingerprint]);
  const { objects } = source;
  const stale = rows.findIndex((r, i) => objects[i]?.field !== r.field || objects[i]?.id !== r.id);
  if (stale >= 0) {
    partial.close();
    throw new Error(
      `${partial.file}: its row ${stale + 1} (${rows[stale].field} ${rows[stale].id}) is not object ${stale + 1} of the input; delete it to start afresh`,
    );
  }
  if (rows.length) log(`classify: resuming after ${rows.length} of ${objects.length} objects (${partial.file})`);
  return { partial, rows };
}

/** A chunk's rows: dropped objects with their reason, kept ones with the ensemble's verdict (`probs[model][kept]`). */
function chunkRows(chunk: SourceItem[], probs: Float32Array[][]): ClassifiedRow[] {
  let k = 0;
  return chunk.map((it) => {
    if (it.status === "dropped")
      return { ...it.object, status: "dropped", reason: it.reason, missingBand: null, verdict: null };
    const i = k++;
    return {
      ...it.object,
      status: "classified",
      reason: it.note,
      missingBand: it.missingBand,
      verdict: ensembleVerdict(probs.map((p) => p[i])),
    };
  });
}

/**
 * Streams the objects after the `rows` already done through the ensemble, in chunks of so many kept stamps; each
 * chunk's rows are appended to the partial file, then to `rows`. Returns the objects classified and the time spent.
 */
function classifyInChunks(
  options: ClassifyOptions,
  source: ObjectSource,
  ensemble: Ensemble,
  partial: PartialRun,
  rows: ClassifiedRow[],
  progress: Progress | undefined,
): { classified: number; inferenceMs: number; began: number } {
  const chunkSize = ensemble.resident ? options.batchSize : Math.max(options.batchSize, ROTATING_CHUNK);
  const total = source.objects.length;
  const resumed = rows.length;
  const began = Date.now();
  let classified = 0,
    inferenceMs = 0;
  const report = (done: number) => {
    const rate = (done - resumed) / Math.max(1e-3, (Date.now() - began) / 1000);
    progress?.update(done - resumed, `${Math.floor(done)}/${total} objects, ${rate.toFixed(1)} objects/s`);
  };
  let chunk: SourceItem[] = [];
  let keptInChunk = 0;
  const flush = () => {
    const kept = chunk.filter((it): it is Extract<SourceItem, { status: "kept" }> => it.status === "kept");
    const t = Date.now();
    const first = rows.length;
    const probs = ensemble.predict(
      kept.map((it) => it.stamp),
      options.batchSize,
      (f) => report(first + f * chunk.length),
    );
    const done = chunkRows(chunk, probs);
    inferenceMs += Date.now() - t;
    classified += kept.length;
    partial.append(done);
    rows.push(...done);
    report(rows.length);
    chunk = [];
    keptInChunk = 0;
  };
  for (const item of source.items(resumed)) {
    chunk.push(item);
    if (item.status === "kept" && ++keptInChunk === chunkSize) flush();
  }
  if (chunk.length) flush();
  return { classified, inferenceMs, began };
}

/** Finds the models, opens the input, resumes, classifies in chunks, writes the table and drops the partial file. */
function classifyUnlocked(options: ClassifyOptions): ClassifyResult {
  const start = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
    throw new Error(`batch size must be a positive integer (got ${options.batchSize})`);
  const { members, skipped } = findModels(options.models);
  for (const s of skipped) log(`classify: skipped ${s}`);
  if (options.decision === "prior-matched") {
    try {
      withDecisions(members, log);
    } finally {
      releaseEvaluationCache(); // a fit loads a model and its training stamps there
    }
  }
  const input = ensembleInput(members);
  const source = openSource(options.source, input, log);
  let partial: PartialRun | undefined;
  let ensemble: Ensemble | undefined;
  try {
    const resume = resumeRows(options, members, source, log);
    partial = resume.partial;
    const { rows } = resume;
    const resumed = rows.length;
    ensemble = new Ensemble(members, input, options.modelMemory ?? DEFAULT_MODEL_MEMORY);
    const progress = options.progress?.(source.objects.length - resumed);
    const { classified, inferenceMs, began } = classifyInChunks(options, source, ensemble, partial, rows, progress);
    writeTable(options.out, options.format, rows, members.length, provenanceCards(options, members, input));
    partial.remove();
    partial = undefined;
    if (!rows.some((r) => r.status === "classified")) throw nothingClassified(options.out, rows);
    const seconds = (Date.now() - start) / 1000;
    progress?.finish(
      `classified ${classified} object(s) with ${members.length} model(s), ${(classified / Math.max(1e-3, (Date.now() - began) / 1000)).toFixed(1)} objects/s`,
    );
    return {
      out: options.out,
      rows,
      members,
      input,
      resident: ensemble.resident,
      resumed,
      classified,
      seconds,
      inferenceSeconds: inferenceMs / 1000,
    };
  } finally {
    ensemble?.dispose();
    partial?.close();
    source.close();
  }
}
