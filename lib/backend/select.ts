// Chooses and initialises the TensorFlow.js backend: the one place that knows which backends exist.
//
// Order when nothing is forced: native TensorFlow (tfjs-node-gpu, then tfjs-node installed under the
// alias "tfjs-node-native") > onednn (the project's own oneDNN addon, when scripts/build-native.sh could build it)
// > wasm > cpu. We never require('@tensorflow/tfjs-node') to detect the native
// backend: danfojs-node's npm override maps that name to pure-JS @tensorflow/tfjs.
import * as os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { SETTINGS_VARIABLES, settings } from "../util/settings";

export const BACKENDS = ["tensorflow", "onednn", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | "auto";
/** The arithmetic of convolutions: fp32 (default; torchvision's results) or bf16 (onednn on a CPU with bf16). */
export const PRECISIONS = ["fp32", "bf16"] as const;
export type Precision = (typeof PRECISIONS)[number];

export interface BackendInfo {
  backend: BackendName;
  tfjs: string;
  threads: number;
  simd: boolean;
  /** For the native backend: which package provided it (tfjs-node-gpu or tfjs-node). */
  nativePackage?: string;
  /** For onednn: the kernels that run natively (the others are the cpu backend's) and the oneDNN version. */
  nativeKernels?: string[];
  oneDNN?: string;
  /** What convolutions compute in: bf16 only where asked for and the onednn backend can (AVX512_BF16 or AMX). */
  precision: Precision;
  /** For onednn: whether this CPU runs bf16 convolutions natively. */
  bf16?: boolean;
}

export interface BackendOptions {
  /** Forced backend; default from STARCLUSTER_BACKEND, else "auto". */
  backend?: BackendChoice;
  /** onednn and wasm threads; default from STARCLUSTER_THREADS, else the number of cores. */
  threads?: number;
  /** Convolutions in bf16 where the onednn backend runs on a CPU with bf16; elsewhere fp32, said in one line. */
  precision?: Precision;
  /** Where the one-line fallback notice goes; default stderr. */
  log?: (line: string) => void;
}

/** Native packages in order of preference: [module to require, name to report]. */
const NATIVE_PACKAGES: [string, string][] = [
  ["@tensorflow/tfjs-node-gpu", "tfjs-node-gpu"],
  ["tfjs-node-native", "tfjs-node"],
];

// The backend initialised in this process (one value; tfjs has one active backend). Replaced by a forced other one.
let current: BackendInfo | undefined;

export function parseBackendChoice(value: string | undefined, source: string): BackendChoice {
  const v = (value || "auto").trim().toLowerCase();
  if (v === "auto" || (BACKENDS as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(`${source}: unknown backend '${value}' (choose auto, ${BACKENDS.join(", ")})`);
}

/** Threads the user allows (STARCLUSTER_THREADS), else the cores: compute threads, and parallel jobs elsewhere. */
export function defaultThreads(): number {
  const env = settings().threads;
  if (env !== undefined) {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${SETTINGS_VARIABLES.threads}: expected a positive integer, got '${env}'`);
    return n;
  }
  return os.availableParallelism();
}

/** Loads the native TensorFlow binding; returns the package name, or the reason it is unavailable. */
function tryNative(): { pkg?: string; reasons: string[] } {
  const reasons: string[] = [];
  for (const [mod, name] of NATIVE_PACKAGES) {
    try {
      require(mod);
      if (tf.findBackend("tensorflow")) return { pkg: name, reasons };
      reasons.push(`${name} loaded but registered no 'tensorflow' backend`);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      reasons.push(
        err.code === "MODULE_NOT_FOUND"
          ? `${name} not installed`
          : `${name} failed to load (${err.message.split("\n")[0]})`,
      );
    }
  }
  return { reasons };
}

async function initWasm(threads: number, log: (line: string) => void): Promise<{ threads: number; simd: boolean }> {
  // Loaded lazily: importing the wasm backend registers it, and the thread shim must be in place before init.
  const { enableNodeWasmThreads } = await import("./wasm-threads");
  const usedThreads = enableNodeWasmThreads(threads, log);
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const { registerWasmTrainingKernels } = await import("./wasm-kernels");
  registerWasmTrainingKernels();
  if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend failed to initialise");
  await tf.ready();
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
  return { threads: usedThreads > 1 ? wasm.getThreadsCount() : 1, simd };
}

/**
 * Initialises a backend (once per process; later calls return the same info unless a different backend is forced).
 * Forced choices that cannot load throw; automatic selection falls back and says why in one line.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const info = await selectBackend(options, log);
  current = { ...info, precision: await applyPrecision(info, options.precision ?? "fp32", log) };
  return current;
}

/** Sets the onednn addon's precision; the precision that runs, with a line saying why when it is not the one asked. */
async function applyPrecision(info: BackendInfo, asked: Precision, log: (line: string) => void): Promise<Precision> {
  if (info.backend !== "onednn") {
    if (asked === "bf16")
      log(`starcluster: bf16 runs on the onednn backend only; backend ${info.backend} computes in fp32`);
    return "fp32";
  }
  const runs = asked === "bf16" && !info.bf16 ? "fp32" : asked;
  if (runs !== asked)
    log("starcluster: this CPU has neither AVX512_BF16 nor AMX (as oneDNN detects it); computing in fp32");
  const { loadOnednnAddon } = await import("./onednn/addon");
  loadOnednnAddon().addon!.setPrecision(runs);
  return runs;
}

/** The backend chosen and initialised (its precision set by initBackend). */
async function selectBackend(options: BackendOptions, log: (line: string) => void): Promise<BackendInfo> {
  const choice = options.backend ?? parseBackendChoice(settings().backend, SETTINGS_VARIABLES.backend);
  if (current && (choice === "auto" || choice === current.backend)) return current;
  const threads = options.threads ?? defaultThreads();

  let reasons: string[] = [];
  if (choice === "tensorflow" || choice === "auto") {
    const native = tryNative();
    if (native.pkg) {
      await tf.setBackend("tensorflow");
      await tf.ready();
      current = {
        backend: "tensorflow",
        tfjs: tf.version.tfjs,
        threads: os.availableParallelism(),
        simd: true,
        nativePackage: native.pkg,
        precision: "fp32",
      };
      return current;
    }
    if (choice === "tensorflow") throw new Error(`backend 'tensorflow' unavailable: ${native.reasons.join("; ")}`);
    reasons = native.reasons;
  }
  if (choice === "onednn" || choice === "auto") {
    try {
      const { registerOnednnBackend, ONEDNN_BACKEND } = await import("./onednn");
      const o = registerOnednnBackend(threads);
      if (!(await tf.setBackend(ONEDNN_BACKEND))) throw new Error("the onednn backend failed to initialise");
      await tf.ready();
      current = {
        backend: "onednn",
        tfjs: tf.version.tfjs,
        threads: o.threads,
        simd: true,
        nativeKernels: o.nativeKernels,
        oneDNN: o.oneDNN,
        bf16: o.bf16,
        precision: "fp32",
      };
      if (choice === "auto") log(`starcluster: using backend onednn (${reasons.join("; ")})`);
      return current;
    } catch (e) {
      if (choice === "onednn") throw new Error(`backend 'onednn' unavailable: ${(e as Error).message}`);
      reasons.push((e as Error).message);
    }
  }
  if (choice === "wasm" || choice === "auto") {
    try {
      const w = await initWasm(threads, log);
      current = { backend: "wasm", tfjs: tf.version.tfjs, threads: w.threads, simd: w.simd, precision: "fp32" };
      if (choice === "auto") log(`starcluster: using backend wasm (${reasons.join("; ")})`);
      return current;
    } catch (e) {
      if (choice === "wasm") throw e;
      reasons.push(`wasm failed (${(e as Error).message})`);
    }
  }
  await tf.setBackend("cpu");
  await tf.ready();
  current = { backend: "cpu", tfjs: tf.version.tfjs, threads: 1, simd: false, precision: "fp32" };
  if (choice === "auto") log(`starcluster: using backend cpu, which is too slow to train (${reasons.join("; ")})`);
  return current;
}

/** The backend initialised so far, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
