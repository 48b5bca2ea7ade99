// One training run of the paper's recipe (Section 3.3) into a run directory (files: lib/train/rundir.ts).
// Everything a batch depends on (its objects, their augmentation, VGG's dropout masks) is a function of the seed
// and the batch number, so a resumed run continues exactly where the checkpoint left it.
//
// train() in steps: finishedRun (an already complete run answers at once), prepareData (stamps and split, all read
// before anything is written), createDualModel, then inside try/finally (the model and optimiser are always
// disposed): startRun (config.json written or checked), resume (checkpoint), trainBatches (the loop), finishRun.
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BackendInfo } from "../backend/select";
import { BANDS } from "../catalog/record";
import { assembleBatch } from "../dataset/batch";
import { classCounts, CuratedSet, LabelSource, loadCurated, loadPixels, StampItem } from "../dataset/curated";
import { loadSplit, saveSplit, stratifiedSplit } from "../dataset/split";
import { ArchName } from "../models/arch";
import { createDualModel, disposeDualModel, DualModel, dualStateDict } from "../models/dual";
import { foldClassifier0, foldsClassifier0, isFolded, unfoldClassifier0, VGG_LAST_CONV_WIDTH } from "../models/vgg";
import { describeProvenance } from "../models/init";
import { SafetensorsFile, writeSafetensors } from "../models/safetensors";
import { assignVariables, InputSpec, modelMetadata, saveDualModel, variableTensors } from "../models/saved";
import { loadWeights } from "../models/weights";
import { writeFileAtomic } from "../util/atomic";
import { parseJson } from "../util/json";
import { withOutputLock } from "../util/lock";
import { logProgress, Progress, progressBar } from "../util/progress";
import { gitState, machineInfo, sha256File } from "../util/provenance";
import { deriveSeed } from "../util/random";
import { Adam } from "./adam";
import { inputSizeFor, learningRateAt, Profile } from "./profile";
import {
  MetricsLine,
  readRunConfigFile,
  readRunDone,
  RunConfig,
  RunConfigFile,
  RunDoneFile,
  RunFile,
  runFile,
} from "./rundir";
import { BatchSampler } from "./sampler";
import { trainStepWithPredictions } from "./step";

export interface TrainOptions {
  /** Curated folders (manifest.csv + stamps). */
  data: string[];
  fields?: string[];
  arch: ArchName;
  seed: number;
  profile: Profile;
  out: string;
  /** Project-format ImageNet weights (`starcluster weights import`); default: torchvision's random initialisation. */
  weights?: string;
  /** Split file; default <first data folder>/split.json, created (seed 0, 20% test) if missing. */
  split?: string;
  labels?: LabelSource;
  minDetectedBands?: number;
  /** Override the profile's number of batches (e.g. for tests). */
  batches?: number;
  backend: BackendInfo;
  /** Stop after this many batches in this call, leaving a checkpoint (tests of resume). */
  stopAfter?: number;
  /** Messages; default stderr. Given a log, the progress bar is silent unless `progress` is also given. */
  log?: (line: string) => void;
  /** The progress display of the batches (default: a bar on stderr, or only the closing line through `log`). */
  progress?: (total: number) => Progress;
}

export interface RunResult {
  out: string;
  status: "complete" | "stopped" | "already complete";
  batches: number;
  seconds: number;
}

/** Loads (or creates) the split and returns the curated set with its training items. */
export function splitForTraining(
  set: CuratedSet,
  splitFile: string,
  log: (line: string) => void,
): { file: string; train: StampItem[]; test: StampItem[] } {
  if (!fs.existsSync(splitFile)) {
    saveSplit(
      splitFile,
      stratifiedSplit(
        set.items.map((it) => ({ key: it.key, label: it.label })),
        { seed: 0 },
      ),
    );
    log(`wrote a new stratified 80/20 split of ${set.items.length} objects to ${splitFile}`);
  }
  const split = loadSplit(splitFile);
  const train = new Set(split.train),
    test = new Set(split.test);
  const missing = set.items.filter((it) => !train.has(it.key) && !test.has(it.key));
  if (missing.length)
    throw new Error(
      `${splitFile}: ${missing.length} object(s) of the data are not in the split (e.g. ${missing[0].key}); it was made for other data: pass --split NEW.json to make a new one`,
    );
  return {
    file: splitFile,
    train: set.items.filter((it) => train.has(it.key)),
    test: set.items.filter((it) => test.has(it.key)),
  };
}

/**
 * The logit adjustment's offsets: log(n_k / n) per class (a class absent from training gets a large negative one).
 * Under the generalized cross-entropy of q they are divided by 1 - q: its optimum is p_k ~ eta_k^(1 / (1 - q)) for
 * label probabilities eta, so log p carries log eta / (1 - q), and only offsets on that scale leave the logits' argmax
 * at the class-balanced decision, argmax eta_k / prior_k.
 */
export function logitAdjustmentOffsets(counts: number[], gceQ?: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const scale = gceQ === undefined ? 1 : 1 / (1 - gceQ);
  return counts.map((c) => scale * Math.log(Math.max(c, 1e-3) / total));
}

function inverseFrequencyWeights(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (c > 0 ? total / (counts.length * c) : 0));
}

interface CheckpointState {
  batches: number;
  adamSteps: number;
  seconds: number;
}

function saveCheckpoint(file: string, model: DualModel, adam: Adam, state: CheckpointState): void {
  const tensors = variableTensors(dualStateDict(model), "model.");
  for (const [k, v] of variableTensors(adam.moments(), "adam.")) tensors.set(k, v);
  writeSafetensors(file, tensors, modelMetadata(model, { checkpoint: JSON.stringify(state) }));
}

function loadCheckpoint(file: string, model: DualModel, adam: Adam): CheckpointState {
  const st = SafetensorsFile.open(file);
  assignVariables(st, dualStateDict(model), "model.");
  const state = parseJson<CheckpointState>(st.metadata.checkpoint, `${file}: metadata 'checkpoint'`);
  const moments = new Map<string, tf.Tensor>();
  for (const name of st.names()) {
    if (!name.startsWith("adam.")) continue;
    const t = st.read(name);
    moments.set(name.slice("adam.".length), tf.tensor(t.data, t.shape));
  }
  adam.restore(state.adamSteps, moments);
  tf.dispose([...moments.values()]);
  return state;
}

/** Keeps the metrics lines up to `batches` (a resumed run rewrites what came after its checkpoint). */
function truncateMetrics(file: string, batches: number): void {
  if (!fs.existsSync(file)) return;
  const kept = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && JSON.parse(l).batch <= batches);
  writeFileAtomic(file, kept.map((l) => l + "\n").join(""));
}

/** The settings that differ between two runs, as "batches: 1000 -> 2000" (first three, values cut short). */
function settingsChange(was: RunConfig, now: RunConfig): string {
  const flat = (c: RunConfig) => {
    const { profile, ...rest } = JSON.parse(identity(c)) as Record<string, unknown> & {
      profile: Record<string, unknown>;
    };
    return { ...rest, ...Object.fromEntries(Object.entries(profile).map(([k, v]) => [`profile.${k}`, v])) } as Record<
      string,
      unknown
    >;
  };
  const [a, b] = [flat(was), flat(now)];
  const cut = (v: unknown) => (v === undefined ? "none" : JSON.stringify(v).slice(0, 60));
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
  return (
    keys
      .slice(0, 3)
      .map((k) => `${k}: ${cut(a[k])} -> ${cut(b[k])}`)
      .join(", ") + (keys.length > 3 ? `, and ${keys.length - 3} more` : "")
  );
}

/** Adam's factors on lr for VGG's classifier layers: 512 / fan-in (profile.ts vggClassifierStep). */
export function classifierStepScales(state: Map<string, { shape: number[] }>): Map<string, number> {
  const scales = new Map<string, number>();
  for (const name of state.keys()) {
    const layer = /^(backbones\.\d\.classifier\.\d)\.(weight|bias)$/.exec(name);
    // Weights are [in, out]: the fan-in is the first dimension.
    if (layer) scales.set(name, VGG_LAST_CONV_WIDTH / state.get(`${layer[1]}.weight`)!.shape[0]);
  }
  return scales;
}

/**
 * The run's identity as JSON, for checking that a resumed run is the same run: the settings that can change it.
 * A profile's prose and the keys of the other architecture (its batch size, count and input size, VGG-only options on a
 * ResNet) do not, so editing them does not strand runs in progress.
 */
function identity(c: RunConfig): string {
  const { about: _about, vggDropout, vggClassifierStep, batchSize, batches, inputSize: _size, ...shared } = c.profile;
  const own = c.arch === "vgg19_bn" ? { vggDropout, vggClassifierStep } : {};
  const profile: Record<string, unknown> = {
    ...shared,
    ...own,
    inputSize: inputSizeFor(c.profile, c.arch),
    batchSize: batchSize[c.arch],
    batches: batches[c.arch],
  };
  // Keys sorted: the order of a profile file's keys is not a setting.
  const sorted = Object.fromEntries(
    Object.keys(profile)
      .sort()
      .map((k) => [k, profile[k]]),
  );
  return JSON.stringify({ ...c, profile: sorted });
}

/** Trains one run into `options.out`, refusing a second writer on that folder. */
export function train(options: TrainOptions): Promise<RunResult> {
  return withOutputLock(options.out, "folder", "train", () => trainUnlocked(options));
}

async function trainUnlocked(options: TrainOptions): Promise<RunResult> {
  const run = runSettings(options);
  const finished = finishedRun(run);
  if (finished) return finished;
  const data = prepareData(run);
  const { arch, seed, profile } = run;
  const model = createDualModel({ arch, inputSize: run.inputSize, seed }, data.weights);
  let adam: Adam | undefined;
  let classWeights: tf.Tensor1D | undefined;
  let logitOffsets: tf.Tensor1D | undefined;
  try {
    startRun(run, data, model);
    adam = new Adam({ lr: profile.learningRate });
    for (const [name, scale] of foldWhereExact(run, model, stepScales(run, model))) adam.lrScale.set(name, scale);
    const from = resume(run, model, adam);
    const sampler = new BatchSampler(data.labels, run.batchSize, seed, profile.sampling);
    if (profile.classWeights === "inverse-frequency") classWeights = tf.tensor1d(inverseFrequencyWeights(data.counts));
    if (profile.logitAdjustment) logitOffsets = tf.tensor1d(logitAdjustmentOffsets(data.counts, profile.gceQ));
    // Tests of resume stop early: the loop just ends sooner, and the run is left with a checkpoint.
    const until =
      options.stopAfter === undefined ? run.batches : Math.min(run.batches, from.batches + options.stopAfter);
    const bar = run.progress(run.batches - from.batches);
    const clock = runClock(from.seconds);
    trainBatches(run, data, { model, adam, sampler, classWeights, logitOffsets }, { from, until, clock, bar });
    if (until < run.batches) return stopRun(run, model, adam, { done: until, from: from.batches, clock, bar });
    return finishRun(run, data, model, clock, bar);
  } finally {
    classWeights?.dispose();
    logitOffsets?.dispose();
    adam?.dispose();
    disposeDualModel(model);
  }
}

/** Adam's per-parameter factors on lr: VGG19-BN's classifier layers under the fan-in step, else none. */
function stepScales(run: RunSettings, model: DualModel): Map<string, number> {
  return run.arch === "vgg19_bn" && run.profile.vggClassifierStep === "fan-in"
    ? classifierStepScales(dualStateDict(model))
    : new Map();
}

/**
 * VGG19-BN at inputs with a 1x1 last feature map trains classifier.0 folded (lib/models/vgg.ts foldClassifier0: the
 * same training at 1/49 of that layer's memory and Adam work), stepping 49 times a copy's step; unless the run
 * resumes a checkpoint written unfolded. Returns `scales` adjusted to the folded layer.
 */
function foldWhereExact(run: RunSettings, model: DualModel, scales: Map<string, number>): Map<string, number> {
  if (!foldsClassifier0(run.arch, run.inputSize) || checkpointUnfolded(run)) return scales;
  return foldClassifier0ForTraining(model, scales);
}

/** Folds both backbones' classifier.0 and returns `scales` with its step multiplied by the copies it replaces. */
export function foldClassifier0ForTraining(model: DualModel, scales: Map<string, number>): Map<string, number> {
  const copies = dualStateDict(model).get("backbones.0.classifier.0.weight")!.shape[0] / VGG_LAST_CONV_WIDTH;
  model.backbones.forEach(foldClassifier0);
  const adjusted = new Map(scales);
  for (const i of [0, 1]) {
    const name = `backbones.${i}.classifier.0.weight`;
    adjusted.set(name, (scales.get(name) ?? 1) * copies);
  }
  return adjusted;
}

/** Whether the run's checkpoint (if any) holds classifier.0 in torchvision's layout (written before folding). */
function checkpointUnfolded(run: RunSettings): boolean {
  if (!fs.existsSync(run.file("checkpoint"))) return false;
  const entry = SafetensorsFile.open(run.file("checkpoint")).entry("model.backbones.0.classifier.0.weight");
  return entry.shape[0] !== VGG_LAST_CONV_WIDTH;
}

/** A run's options with the profile's defaults filled in. */
interface RunSettings {
  options: TrainOptions;
  arch: ArchName;
  seed: number;
  profile: Profile;
  out: string;
  labels: LabelSource;
  minDetectedBands: number;
  batches: number;
  batchSize: number;
  inputSize: number;
  log: (line: string) => void;
  progress: (total: number) => Progress;
  file: (name: RunFile) => string;
}

function runSettings(options: TrainOptions): RunSettings {
  const { profile, arch, seed, out } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  return {
    options,
    arch,
    seed,
    profile,
    out,
    log,
    labels: options.labels ?? "class",
    minDetectedBands: options.minDetectedBands ?? 4,
    batches: options.batches ?? profile.batches[arch],
    batchSize: profile.batchSize[arch],
    inputSize: inputSizeFor(profile, arch),
    progress: options.progress ?? (options.log ? logProgress(log) : (total) => progressBar(total)),
    file: (name) => runFile(out, name),
  };
}

/** An already complete run answers at once, if it is the run asked for. */
function finishedRun(run: RunSettings): RunResult | undefined {
  const { out, file } = run;
  if (!fs.existsSync(file("done"))) return undefined;
  // A finished run answers only the command that made it: another seed or profile is not "already complete".
  // The data folders are not compared by path here: a moved checkout still holds the same finished run.
  if (fs.existsSync(file("config"))) {
    const previous = readRunConfigFile(out).run;
    const { arch, seed, profile, batches, batchSize, labels, minDetectedBands } = run;
    const asked: RunConfig = {
      ...previous,
      arch,
      seed,
      profile,
      batches,
      batchSize,
      fields: run.options.fields ?? null,
      labels,
      minDetectedBands,
    };
    if (identity(previous) !== identity(asked)) {
      throw new Error(
        `${out}: holds a finished run with different settings (${settingsChange(previous, asked)}; ${file("config")}); ` +
          "use another --out",
      );
    }
  }
  run.log(`${out}: already complete (remove it to train again)`);
  const done = readRunDone(out);
  return { out, status: "already complete", batches: done.batches, seconds: done.seconds };
}

/** What the loop trains on, all read and checked before the run directory is written to. */
interface TrainingData {
  set: CuratedSet;
  split: { file: string; train: StampItem[]; test: StampItem[] };
  pixels: Float32Array[];
  /** The training objects' labels, in split order. */
  labels: number[];
  counts: number[];
  weights?: ReturnType<typeof loadWeights>;
}

function prepareData(run: RunSettings): TrainingData {
  const { options, labels, minDetectedBands, log } = run;
  const set = loadCurated(options.data, { fields: options.fields, labels, minDetectedBands });
  const nothing = () =>
    new Error(
      `${options.data.join(", ")}: no training objects (fields ${options.fields?.join(",") ?? "all"}, ` +
        `labels '${labels}', detected in >= ${minDetectedBands} bands); nothing to train`,
    );
  if (set.items.length === 0) throw nothing(); // before a split file is written into the data folder
  const split = splitForTraining(set, options.split ?? path.join(options.data[0], "split.json"), log);
  if (split.train.length === 0) throw nothing();
  const weights = options.weights ? loadWeights(options.weights) : undefined;
  log(`loading ${split.train.length} training stamps (${set.size} px) from ${options.data.join(", ")}`);
  const pixels = loadPixels(set, split.train);
  return { set, split, pixels, labels: split.train.map((it) => it.label), counts: classCounts(split.train), weights };
}

/** Writes config.json for a new run, or checks that the folder's run is this one. */
function startRun(run: RunSettings, data: TrainingData, model: DualModel): void {
  const { arch, seed, profile, batches, batchSize, labels, minDetectedBands, options, out, file } = run;
  const { split } = data;
  const config: RunConfig = {
    arch,
    seed,
    profile,
    batches,
    batchSize,
    data: options.data.map((d) => path.resolve(d)),
    fields: options.fields ?? null,
    labels,
    minDetectedBands,
    split: {
      file: path.resolve(split.file),
      sha256: sha256File(split.file),
      train: split.train.length,
      test: split.test.length,
    },
    init: describeProvenance(model.provenance),
    trainClassCounts: data.counts,
  };
  fs.mkdirSync(out, { recursive: true });
  if (fs.existsSync(file("config"))) {
    const previous = readRunConfigFile(out).run;
    if (identity(previous) !== identity(config)) {
      throw new Error(
        `${out}: holds a run with different settings (${settingsChange(previous, config)}; ${file("config")}); use another --out`,
      );
    }
    return;
  }
  const written: RunConfigFile = {
    run: config,
    git: gitState(),
    backend: options.backend,
    machine: machineInfo(),
    started: new Date().toISOString(),
  };
  writeFileAtomic(file("config"), JSON.stringify(written, null, 1) + "\n");
}

/** Restores the checkpoint, if any, and drops the metrics written after it. */
function resume(run: RunSettings, model: DualModel, adam: Adam): CheckpointState {
  let state: CheckpointState = { batches: 0, adamSteps: 0, seconds: 0 };
  if (fs.existsSync(run.file("checkpoint"))) {
    state = loadCheckpoint(run.file("checkpoint"), model, adam);
    run.log(`${run.out}: resuming after batch ${state.batches} of ${run.batches}`);
  }
  truncateMetrics(run.file("metrics"), state.batches);
  return state;
}

/** Training seconds of the run so far, the time before a resume included. */
function runClock(resumedSeconds: number): () => number {
  const started = Date.now();
  return () => resumedSeconds + (Date.now() - started) / 1000;
}

interface Trainer {
  model: DualModel;
  adam: Adam;
  sampler: BatchSampler;
  classWeights?: tf.Tensor1D;
  logitOffsets?: tf.Tensor1D;
}

interface LoopRange {
  /** The checkpoint the loop starts from. */
  from: CheckpointState;
  /** The batch number to stop before (the run's batches, or fewer when stopping early). */
  until: number;
  clock: () => number;
  bar: Progress;
}

/** Batches from.batches .. until-1: one optimisation step each, a metrics line and a checkpoint at their intervals. */
function trainBatches(run: RunSettings, data: TrainingData, t: Trainer, range: LoopRange): void {
  const { profile, seed, batches, out } = run;
  let checkpoint = range.from.batches;
  let windowLoss = 0,
    windowCorrect = 0,
    windowSeen = 0;
  for (let b = range.from.batches; b < range.until; b++) {
    const idx = t.sampler.batch(b);
    const x = assembleBatch(
      idx.map((i) => data.pixels[i]),
      {
        stampSize: data.set.size,
        inputSize: run.inputSize,
        rescale: profile.rescale,
        rotation: profile.rotation,
        augmentSeeds: profile.augment ? idx.map((_, j) => deriveSeed(seed, b, j)) : undefined,
      },
    );
    const y = tf.tensor1d(
      idx.map((i) => data.labels[i]),
      "int32",
    );
    t.adam.lr = learningRateAt(profile, b, batches);
    const { loss, predicted } = trainStepWithPredictions(t.model, x, y, t.adam, {
      classWeights: t.classWeights,
      logitOffsets: t.logitOffsets,
      gceQ: profile.gceQ,
      dropoutSeed: deriveSeed(seed, b, 0xd0),
      dropout: profile.vggDropout,
    });
    tf.dispose([x, y]);
    if (!Number.isFinite(loss))
      throw new Error(`${out}: loss is ${loss} at batch ${b + 1}; stopping (last checkpoint at batch ${checkpoint})`);
    windowLoss += loss * idx.length;
    windowSeen += idx.length;
    for (let j = 0; j < predicted.length; j++) windowCorrect += predicted[j] === data.labels[idx[j]] ? 1 : 0;
    const done = b + 1;
    if (done % profile.logEvery === 0 || done === batches) {
      const line: MetricsLine = {
        batch: done,
        epoch: +t.sampler.epochs(done).toFixed(4),
        loss: windowLoss / windowSeen,
        accuracy: windowCorrect / windowSeen,
        seconds: +range.clock().toFixed(1),
      };
      fs.appendFileSync(run.file("metrics"), JSON.stringify(line) + "\n");
      range.bar.update(
        done - range.from.batches,
        `batch ${done}/${batches}  loss ${line.loss.toFixed(3)}  acc ${(100 * line.accuracy).toFixed(1)}%  epoch ${line.epoch.toFixed(2)}`,
      );
      windowLoss = windowCorrect = windowSeen = 0;
    }
    if (done % profile.checkpointEvery === 0 && done < batches) {
      saveCheckpoint(run.file("checkpoint"), t.model, t.adam, {
        batches: done,
        adamSteps: t.adam.t,
        seconds: range.clock(),
      });
      checkpoint = done;
    }
  }
}

/** A run stopped before its last batch: a checkpoint to resume from. */
function stopRun(
  run: RunSettings,
  model: DualModel,
  adam: Adam,
  at: { done: number; from: number; clock: () => number; bar: Progress },
): RunResult {
  const state: CheckpointState = { batches: at.done, adamSteps: adam.t, seconds: at.clock() };
  saveCheckpoint(run.file("checkpoint"), model, adam, state);
  at.bar.finish(`${run.out}: stopped after batch ${at.done} of ${run.batches}`);
  return { out: run.out, status: "stopped", batches: at.done, seconds: state.seconds };
}

/** A complete run: the model with what its users need to feed it, then run.json, then the checkpoint goes. */
function finishRun(
  run: RunSettings,
  data: TrainingData,
  model: DualModel,
  clock: () => number,
  bar: Progress,
): RunResult {
  const { arch, seed, profile, batches, batchSize, out, file } = run;
  const seconds = clock();
  // What a user of the model file needs to feed it the same way (lib/models/saved.ts readInputSpec).
  const input: InputSpec = {
    bands: [...BANDS],
    stampSize: data.set.size,
    inputSize: run.inputSize,
    rescale: profile.rescale,
  };
  // Model files keep torchvision's layout, whatever the training used.
  for (const p of model.backbones) if (arch === "vgg19_bn" && isFolded(p)) unfoldClassifier0(p);
  saveDualModel(file("model"), model, {
    run: JSON.stringify({ arch, seed, profile: profile.name, batches }),
    input: JSON.stringify(input),
  });
  const done: RunDoneFile = {
    status: "complete",
    batches,
    seconds: +seconds.toFixed(1),
    finished: new Date().toISOString(),
    backend: run.options.backend,
  };
  writeFileAtomic(file("done"), JSON.stringify(done, null, 1) + "\n");
  fs.rmSync(file("checkpoint"), { force: true });
  bar.finish(`${out}: ${batches} batches of ${batchSize} (${arch}, seed ${seed}, ${profile.name} profile)`);
  return { out, status: "complete", batches, seconds };
}
