// A training run's directory: its file names and what each file holds. Small on purpose, so that evaluation,
// classification and the experiments can find and read runs without importing the training engine.
//   config.json             what the run is (RunConfigFile): fixed when the run starts
//   metrics.jsonl           one MetricsLine per `logEvery` batches
//   checkpoint.safetensors  every `checkpointEvery` batches, atomically: model, Adam moments, batches done
//   model.safetensors       the final model (lib/models/saved.ts)
//   run.json                written last, when the run is complete (RunDoneFile)
import * as fs from "node:fs";
import * as path from "node:path";
import type { BackendInfo } from "../backend/select";
import type { LabelSource } from "../dataset/curated";
import type { ArchName } from "../models/arch";
import { parseJson } from "../util/json";
import type { Profile } from "./profile";

export const RUN_FILES = {
  config: "config.json",
  metrics: "metrics.jsonl",
  checkpoint: "checkpoint.safetensors",
  model: "model.safetensors",
  done: "run.json",
} as const;

export type RunFile = keyof typeof RUN_FILES;

/** What a run is: two runs with the same RunConfig (less the profile's `about`) are the same run. */
export interface RunConfig {
  arch: ArchName;
  seed: number;
  profile: Profile;
  batches: number;
  batchSize: number;
  /** Curated folders, absolute. */
  data: string[];
  fields: string[] | null;
  labels: LabelSource;
  minDetectedBands: number;
  split: { file: string; sha256: string; train: number; test: number };
  /** Where the initial weights came from (lib/models/init.ts describeProvenance). */
  init: string;
  trainClassCounts: number[];
}

/** config.json. */
export interface RunConfigFile {
  run: RunConfig;
  git: { commit: string; dirty: boolean };
  backend: BackendInfo;
  machine: Record<string, string | number>;
  /** ISO time. */
  started: string;
}

/** One line of metrics.jsonl: the means over the batches since the previous line. */
export interface MetricsLine {
  batch: number;
  epoch: number;
  loss: number;
  accuracy: number;
  /** Training seconds since the run started, resumed runs included. */
  seconds: number;
}

/** run.json. */
export interface RunDoneFile {
  status: "complete";
  batches: number;
  seconds: number;
  /** ISO time. */
  finished: string;
  backend: BackendInfo;
}

/** The path of one of a run's files. */
export function runFile(dir: string, file: RunFile): string {
  return path.join(dir, RUN_FILES[file]);
}

/** The run directory of one seed of a many-seed training: <out>/<arch>/seed-<N>. */
export function runDir(out: string, arch: ArchName, seed: number): string {
  return path.join(out, arch, `seed-${seed}`);
}

export function isComplete(dir: string): boolean {
  return fs.existsSync(runFile(dir, "done"));
}

/** A run's config.json. */
export function readRunConfigFile(dir: string): RunConfigFile {
  const file = runFile(dir, "config");
  return parseJson<RunConfigFile>(fs.readFileSync(file, "utf8"), file);
}

/** A complete run's run.json. */
export function readRunDone(dir: string): RunDoneFile {
  const file = runFile(dir, "done");
  return parseJson<RunDoneFile>(fs.readFileSync(file, "utf8"), file);
}

/** How long a complete run took to train, in seconds (its run.json). */
export function trainingSeconds(dir: string): number {
  return readRunDone(dir).seconds;
}

/** A run's metrics.jsonl, line by line. */
export function readMetrics(dir: string): MetricsLine[] {
  const file = runFile(dir, "metrics");
  return fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line, i) => parseJson<MetricsLine>(line, `${file} line ${i + 1}`));
}
