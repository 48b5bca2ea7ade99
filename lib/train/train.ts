// One training run of the paper's recipe (Section 3.3) into a run directory:
//   config.json        what the run is (profile, architecture, seed, data, split, initialisation): fixed at start
//   metrics.jsonl      one JSON line per `logEvery` batches: loss, running accuracy, epoch, seconds
//   checkpoint.safetensors  every `checkpointEvery` batches, atomically: model, Adam moments, batches done
//   model.safetensors  the final model (lib/models/saved.ts), and run.json when the run is complete
// Everything a batch depends on (its objects, their augmentation, VGG's dropout masks) is a function of the seed
// and the batch number, so a resumed run continues exactly where the checkpoint left it.
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BackendInfo } from "../backend/select";
import { assembleBatch } from "../dataset/batch";
import { classCounts, CuratedSet, LabelSource, loadCurated, loadPixels, StampItem } from "../dataset/curated";
import { loadSplit, saveSplit, stratifiedSplit } from "../dataset/split";
import { ArchName } from "../models/arch";
import { createDualModel, disposeDualModel, DualModel, dualStateDict } from "../models/dual";
import { describeProvenance } from "../models/init";
import { SafetensorsFile, writeSafetensors } from "../models/safetensors";
import { assignVariables, InputSpec, modelMetadata, saveDualModel, variableTensors } from "../models/saved";
import { BANDS } from "../catalog/record";
import { trainStepWithPredictions } from "../models/step";
import { VGG_REPLICATED_COPIES, vggFeatureSide } from "../models/vgg";
import { loadWeights } from "../models/weights";
import { progressBar } from "../util/progress";
import { writeFileAtomic } from "../util/atomic";
import { gitState, machineInfo, sha256File } from "../util/provenance";
import { deriveSeed } from "../util/random";
import { Adam } from "./adam";
import { learningRateAt, Profile } from "./profile";
import { BatchSampler } from "./sampler";
import { withOutputLock } from "../util/lock";
import { parseJson } from "../util/json";

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
  log?: (line: string) => void;
}

export interface RunConfig {
  arch: ArchName;
  seed: number;
  profile: Profile;
  batches: number;
  batchSize: number;
  data: string[];
  fields: string[] | null;
  labels: LabelSource;
  minDetectedBands: number;
  split: { file: string; sha256: string; train: number; test: number };
  init: string;
  trainClassCounts: number[];
}

export interface RunResult {
  out: string;
  status: "complete" | "stopped" | "already complete";
  batches: number;
  seconds: number;
}

export const RUN_FILES = { config: "config.json", metrics: "metrics.jsonl", checkpoint: "checkpoint.safetensors", model: "model.safetensors", done: "run.json" };

/** Loads (or creates) the split and returns the curated set with its training items. */
export function splitForTraining(set: CuratedSet, splitFile: string, log: (line: string) => void): { file: string; train: StampItem[]; test: StampItem[] } {
  if (!fs.existsSync(splitFile)) {
    saveSplit(splitFile, stratifiedSplit(set.items.map((it) => ({ key: it.key, label: it.label })), { seed: 0 }));
    log(`wrote a new stratified 80/20 split of ${set.items.length} objects to ${splitFile}`);
  }
  const split = loadSplit(splitFile);
  const train = new Set(split.train), test = new Set(split.test);
  const missing = set.items.filter((it) => !train.has(it.key) && !test.has(it.key));
  if (missing.length) throw new Error(`${splitFile}: ${missing.length} object(s) of the data are not in the split (e.g. ${missing[0].key}); it was made for other data: pass --split NEW.json to make a new one`);
  return { file: splitFile, train: set.items.filter((it) => train.has(it.key)), test: set.items.filter((it) => test.has(it.key)) };
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
  const kept = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "" && JSON.parse(l).batch <= batches);
  writeFileAtomic(file, kept.map((l) => l + "\n").join(""));
}

/** The settings that differ between two runs, as "batches: 1000 -> 2000" (first three, values cut short). */
function settingsChange(was: RunConfig, now: RunConfig): string {
  const flat = (c: RunConfig) => {
    const { profile, ...rest } = JSON.parse(identity(c)) as Record<string, unknown> & { profile: Record<string, unknown> };
    return { ...rest, ...Object.fromEntries(Object.entries(profile).map(([k, v]) => [`profile.${k}`, v])) } as Record<string, unknown>;
  };
  const [a, b] = [flat(was), flat(now)];
  const cut = (v: unknown) => (v === undefined ? "none" : JSON.stringify(v).slice(0, 60));
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return keys.slice(0, 3).map((k) => `${k}: ${cut(a[k])} -> ${cut(b[k])}`).join(", ") + (keys.length > 3 ? `, and ${keys.length - 3} more` : "");
}

/** The run's identity as JSON, for checking that a resumed run is the same run. */
function identity(c: RunConfig): string {
  return JSON.stringify({ ...c, profile: { ...c.profile, about: undefined } });
}

/** Trains one run into `options.out`, refusing a second writer on that folder. */
export function train(options: TrainOptions): Promise<RunResult> {
  return withOutputLock(options.out, "folder", "train", () => trainUnlocked(options));
}

async function trainUnlocked(options: TrainOptions): Promise<RunResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const { profile, arch, seed, out } = options;
  const file = (k: keyof typeof RUN_FILES) => path.join(out, RUN_FILES[k]);
  const labels = options.labels ?? "class";
  const minDetectedBands = options.minDetectedBands ?? 4;
  const batches = options.batches ?? profile.batches[arch];
  const batchSize = profile.batchSize[arch];
  if (fs.existsSync(file("done"))) {
    // A finished run answers only the command that made it: another seed or profile is not "already complete".
    // The data folders are not compared by path here: a moved checkout still holds the same finished run.
    if (fs.existsSync(file("config"))) {
      const previous = parseJson<{ run: RunConfig }>(fs.readFileSync(file("config"), "utf8"), file("config")).run;
      const asked: RunConfig = { ...previous, arch, seed, profile, batches, batchSize, fields: options.fields ?? null, labels, minDetectedBands };
      if (identity(previous) !== identity(asked)) {
        throw new Error(`${out}: holds a finished run with different settings (${settingsChange(previous, asked)}; ${file("config")}); ` +
          "use another --out");
      }
    }
    log(`${out}: already complete (remove it to train again)`);
    const done = parseJson<{ batches: number; seconds: number }>(fs.readFileSync(file("done"), "utf8"), file("done"));
    return { out, status: "already complete", batches: done.batches, seconds: done.seconds };
  }
  const set = loadCurated(options.data, { fields: options.fields, labels, minDetectedBands });
  const nothing = () => new Error(`${options.data.join(", ")}: no training objects (fields ${options.fields?.join(",") ?? "all"}, ` +
    `labels '${labels}', detected in >= ${minDetectedBands} bands); nothing to train`);
  if (set.items.length === 0) throw nothing(); // before a split file is written into the data folder
  const split = splitForTraining(set, options.split ?? path.join(options.data[0], "split.json"), log);
  if (split.train.length === 0) throw nothing();
  const weights = options.weights ? loadWeights(options.weights) : undefined;
  // Every stamp is read (and checked) before the run directory is written to.
  log(`loading ${split.train.length} training stamps (${set.size} px) from ${options.data.join(", ")}`);
  const pixels = loadPixels(set, split.train);
  const model = createDualModel({ arch, inputSize: profile.inputSize, seed }, weights);
  const counts = classCounts(split.train);
  const config: RunConfig = {
    arch, seed, profile, batches, batchSize,
    data: options.data.map((d) => path.resolve(d)), fields: options.fields ?? null, labels, minDetectedBands,
    split: { file: path.resolve(split.file), sha256: sha256File(split.file), train: split.train.length, test: split.test.length },
    init: describeProvenance(model.provenance),
    trainClassCounts: counts,
  };
  fs.mkdirSync(out, { recursive: true });
  if (fs.existsSync(file("config"))) {
    const previous = parseJson<{ run: RunConfig }>(fs.readFileSync(file("config"), "utf8"), file("config")).run;
    if (identity(previous) !== identity(config)) {
      disposeDualModel(model);
      throw new Error(`${out}: holds a run with different settings (${settingsChange(previous, config)}; ${file("config")}); use another --out`);
    }
  } else {
    writeFileAtomic(file("config"), JSON.stringify({ run: config, git: gitState(), backend: options.backend, machine: machineInfo(), started: new Date().toISOString() }, null, 1) + "\n");
  }

  const adam = new Adam({ lr: profile.learningRate, stepScale: headStepScale(model, profile) });
  let state: CheckpointState = { batches: 0, adamSteps: 0, seconds: 0 };
  if (fs.existsSync(file("checkpoint"))) {
    state = loadCheckpoint(file("checkpoint"), model, adam);
    log(`${out}: resuming after batch ${state.batches} of ${batches}`);
  }
  truncateMetrics(file("metrics"), state.batches);

  const labelsOf = split.train.map((it) => it.label);
  const sampler = new BatchSampler(labelsOf, batchSize, seed, profile.sampling);
  const classWeights = profile.classWeights === "inverse-frequency" ? tf.tensor1d(inverseFrequencyWeights(counts)) : undefined;
  const bar = progressBar(batches - state.batches);
  const started = Date.now();
  const resumedSeconds = state.seconds;
  const elapsed = () => resumedSeconds + (Date.now() - started) / 1000;
  const startBatch = state.batches;
  let windowLoss = 0, windowCorrect = 0, windowSeen = 0;
  let status: RunResult["status"] = "complete";
  try {
    for (let b = state.batches; b < batches; b++) {
      if (options.stopAfter !== undefined && b - startBatch >= options.stopAfter) {
        status = "stopped";
        break;
      }
      const idx = sampler.batch(b);
      const x = assembleBatch(idx.map((i) => pixels[i]), {
        stampSize: set.size, inputSize: profile.inputSize, rescale: profile.rescale, rotation: profile.rotation,
        augmentSeeds: profile.augment ? idx.map((_, j) => deriveSeed(seed, b, j)) : undefined,
      });
      const y = tf.tensor1d(idx.map((i) => labelsOf[i]), "int32");
      adam.lr = learningRateAt(profile, b, batches);
      const { loss, predicted } = trainStepWithPredictions(model, x, y, adam, { classWeights, dropoutSeed: deriveSeed(seed, b, 0xd0), dropout: profile.vggDropout });
      tf.dispose([x, y]);
      if (!Number.isFinite(loss)) throw new Error(`${out}: loss is ${loss} at batch ${b + 1}; stopping (last checkpoint at batch ${state.batches})`);
      windowLoss += loss * idx.length;
      windowSeen += idx.length;
      predicted.forEach((p, j) => (windowCorrect += p === labelsOf[idx[j]] ? 1 : 0));
      const done = b + 1;
      if (done % profile.logEvery === 0 || done === batches) {
        const line = { batch: done, epoch: +sampler.epochs(done).toFixed(4), loss: windowLoss / windowSeen, accuracy: windowCorrect / windowSeen, seconds: +elapsed().toFixed(1) };
        fs.appendFileSync(file("metrics"), JSON.stringify(line) + "\n");
        bar.update(done - startBatch, `batch ${done}/${batches}  loss ${line.loss.toFixed(3)}  acc ${(100 * line.accuracy).toFixed(1)}%  epoch ${line.epoch.toFixed(2)}`);
        windowLoss = windowCorrect = windowSeen = 0;
      }
      if (done % profile.checkpointEvery === 0 && done < batches) {
        state = { batches: done, adamSteps: adam.t, seconds: elapsed() };
        saveCheckpoint(file("checkpoint"), model, adam, state);
      }
    }
    if (status === "stopped") {
      const done = startBatch + (options.stopAfter ?? 0);
      state = { batches: done, adamSteps: adam.t, seconds: elapsed() };
      saveCheckpoint(file("checkpoint"), model, adam, state);
      bar.finish(`${out}: stopped after batch ${done} of ${batches}`);
      return { out, status, batches: done, seconds: state.seconds };
    }
    const seconds = elapsed();
    // What a user of the model file needs to feed it the same way (lib/models/saved.ts readInputSpec).
    const input: InputSpec = { bands: [...BANDS], stampSize: set.size, inputSize: profile.inputSize, rescale: profile.rescale };
    saveDualModel(file("model"), model, { run: JSON.stringify({ arch, seed, profile: profile.name, batches }), input: JSON.stringify(input) });
    writeFileAtomic(file("done"), JSON.stringify({ status: "complete", batches, seconds: +seconds.toFixed(1), finished: new Date().toISOString(), backend: options.backend }, null, 1) + "\n");
    fs.rmSync(file("checkpoint"), { force: true });
    bar.finish(`${out}: ${batches} batches of ${batchSize} (${arch}, seed ${seed}, ${profile.name} profile)`);
    return { out, status, batches, seconds };
  } finally {
    classWeights?.dispose();
    adam.dispose();
    disposeDualModel(model);
  }
}

/**
 * Adam's per-parameter step multipliers the profile asks for: with `vggHeadStep: "per-channel"`, each backbone's
 * classifier.0 weight steps at 1/49, so the sum of a feature's 49 copies moves as one weight would (profile.ts).
 */
function headStepScale(model: DualModel, profile: Profile): Map<string, number> {
  if ((profile.vggHeadStep ?? "per-weight") === "per-weight" || model.config.arch !== "vgg19_bn") return new Map();
  const side = vggFeatureSide(profile.inputSize);
  if (side !== 1) {
    throw new Error(`profile ${profile.name}: vggHeadStep "per-channel" needs a 1x1 feature map (inputs of 32-63 px); ` +
      `inputSize ${profile.inputSize} gives ${side}x${side}`);
  }
  const names = [...dualStateDict(model).keys()].filter((name) => /^backbones\.\d+\.classifier\.0\.weight$/.test(name));
  return new Map(names.map((name) => [name, 1 / VGG_REPLICATED_COPIES]));
}
