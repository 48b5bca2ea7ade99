// Loads the oneDNN addon that scripts/build-native.sh compiles into build/native/. When it is absent, says why:
// the build records its reason (no compiler, no libdnnl-dev, a compile error) in build/native/status.json.
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../util/paths";
import { SETTINGS_VARIABLES, settings } from "../../util/settings";
import { AddonContract, contractMismatch } from "./contract";

/** The calling thread's convolution primitive cache (native/onednn/conv.cc): size, bound, lookups so far. */
export interface ConvCacheStats {
  entries: number;
  capacity: number;
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * The addon's exports (native/onednn/addon.cc). Outputs are preallocated Float32Arrays; sizes go in typed arrays
 * that contract.ts packs by field name, and op numbers come from the addon's own `ops` tables.
 */
export interface OnednnAddon extends AddonContract {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, shape: Int32Array): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, shape: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, shape: Int32Array): void;
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, shape: Int32Array): void;
  maxPool(x: Float32Array, y: Float32Array, shape: Int32Array): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, shape: Int32Array): void;
  binary(
    op: number,
    a: Float32Array,
    aStrides: Int32Array,
    b: Float32Array,
    bStrides: Int32Array,
    out: Float32Array,
    outShape: Int32Array,
  ): void;
  copy(
    src: Float32Array,
    srcOffset: number,
    srcStrides: Int32Array,
    dst: Float32Array,
    dstOffset: number,
    dstStrides: Int32Array,
    shape: Int32Array,
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  scaleShift(x: Float32Array, scale: Float32Array, shift: Float32Array, out: Float32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, shape: Int32Array): void;
  adamUpdate(
    p: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    scalars: Float32Array,
  ): void;
  batchNormForward(
    x: Float32Array,
    w: Float32Array,
    b: Float32Array,
    y: Float32Array,
    xhat: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    invStd: Float32Array,
    eps: number,
  ): void;
  batchNormBackward(
    dy: Float32Array,
    xhat: Float32Array,
    w: Float32Array,
    invStd: Float32Array,
    dx: Float32Array,
    dw: Float32Array,
    db: Float32Array,
  ): void;
  /** Keeps freed memory in the heap (glibc mallopt): no page faults for each step's fresh outputs. */
  retainFreedMemory(): boolean;
  setThreads(n: number): number;
  /**
   * The arithmetic of this thread's convolutions: "fp32" (default) or "bf16" (bf16 operands, fp32 results); throws
   * without bf16.
   */
  setPrecision(precision: "fp32" | "bf16"): void;
  /** Whether the CPU runs bf16 convolutions natively (AVX512_BF16 or AMX). */
  bf16Supported(): boolean;
  convCache(): ConvCacheStats;
  /** Bounds the calling thread's primitive cache (>= 1 entries; the least recently used beyond it are dropped). */
  setConvCacheCapacity(entries: number): ConvCacheStats;
  version(): string;
}

export const ADDON_DIR = path.join(projectRoot, "build", "native");
/** STARCLUSTER_ONEDNN_ADDON points elsewhere (another build; or a missing file, to check the fallback). */
const addonPath = () => settings().onednnAddon || path.join(ADDON_DIR, "starcluster_onednn.node");

export interface BuildStatus {
  built: boolean;
  /** True when a prerequisite (compiler, headers, oneDNN) was missing, as opposed to a failed build. */
  missing: boolean;
  reason: string;
}

/** What the last run of scripts/build-native.sh recorded, if it ran. */
export function buildStatus(): BuildStatus | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(ADDON_DIR, "status.json"), "utf8")) as BuildStatus;
  } catch {
    return undefined;
  }
}

/** The addon once loaded, or why it cannot be: loaded once per process (Node keeps a loaded addon anyway). */
let loaded: { addon?: OnednnAddon; reason?: string } | undefined;

/**
 * The addon, or the reason it cannot be used (one short phrase): not built, failed to load, or built from another
 * contract than this build's (contract.ts). Loaded once.
 */
export function loadOnednnAddon(): { addon?: OnednnAddon; reason?: string } {
  if (loaded) return loaded;
  const file = addonPath();
  if (!fs.existsSync(file)) {
    const status = buildStatus();
    const why = settings().onednnAddon
      ? `${SETTINGS_VARIABLES.onednnAddon}: ${file} not found`
      : status && !status.built
        ? status.reason
        : "run scripts/build-native.sh";
    loaded = { reason: `onednn addon not built (${why})` };
    return loaded;
  }
  try {
    // OpenMP reads its settings when the addon loads libgomp: idle team threads are to sleep at once instead of
    // spinning, since between kernels the core is wanted by V8's garbage collector and by other processes (a 2-thread
    // training step measured 354 ms against 379 ms with spinning threads, before the array pool; within noise since).
    // A user's setting wins; processes started later (the benchmarks' PyTorch peers) do not inherit ours.
    const ours = process.env.OMP_WAIT_POLICY === undefined;
    if (ours) process.env.OMP_WAIT_POLICY = "passive";
    try {
      const addon = require(file) as OnednnAddon;
      const mismatch = contractMismatch(addon);
      loaded = mismatch ? { reason: mismatch } : { addon };
    } finally {
      if (ours) delete process.env.OMP_WAIT_POLICY;
    }
  } catch (e) {
    loaded = { reason: `onednn addon failed to load (${(e as Error).message.split("\n")[0]})` };
  }
  return loaded;
}
