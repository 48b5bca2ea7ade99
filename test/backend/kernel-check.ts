// Shared by the kernel tests: run one kernel on a named backend with given inputs, compare with the cpu backend,
// random inputs and random convolution cases from a seed, and whether the onednn addon is expected here.
import * as tf from "@tensorflow/tfjs";
import { buildStatus, loadOnednnAddon } from "../../lib/backend/onednn/addon";
import { mulberry32 } from "../../lib/util/random";

export const TOLERANCE = 1e-4;

/** max|a - b| / max|b|: the error relative to the reference's scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length}`);
  let diff = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (Number.isNaN(b[i])) continue;
    diff = Math.max(diff, a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

export function randomValues(size: number, seed: number, lo = -1, hi = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: size }, () => lo + (hi - lo) * random());
}

export type Inputs = Record<string, [Float32Array, number[]]>;

/** Runs a kernel on the named backend with fresh input tensors; returns its output values and shape. */
export async function runOn(backend: string, kernel: string, inputs: Inputs, attrs: tf.NamedAttrMap) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, [v, s]]) => [k, tf.tensor(v, s)]));
    const out = tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor;
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

/** Relative error of `backend` against cpu on one kernel call, and the shapes both produced. */
export async function compareWithCpu(backend: string, kernel: string, inputs: Inputs, attrs: tf.NamedAttrMap) {
  const ref = await runOn("cpu", kernel, inputs, attrs);
  const got = await runOn(backend, kernel, inputs, attrs);
  return { error: relativeError(got.values, ref.values), shape: got.shape, refShape: ref.shape };
}

export type Pad = "same" | "valid" | number[][];
export interface ConvCase {
  name: string;
  x: number[];
  filter: number[];
  strides: [number, number];
  pad: Pad;
  dilations?: [number, number];
}

/** Convolution cases drawn from a seed: batch 1-3, odd and even sizes and channel counts, strides 1-2, every padding kind. */
export function randomConvCases(count: number, seed: number): ConvCase[] {
  const random = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  return Array.from({ length: count }, (_, i) => {
    const k = pick([1, 2, 3, 3, 5]);
    const s = pick([1, 2]);
    const n = pick([1, 2, 3]);
    const h = int(k + 1, 13),
      w = int(k + 1, 13);
    const pad: Pad = pick<Pad>([
      "same",
      "valid",
      [
        [0, 0],
        [int(0, k - 1), int(0, k - 1)],
        [int(0, k - 1), int(0, k - 1)],
        [0, 0],
      ],
    ]);
    const c: ConvCase = { name: "", x: [n, h, w, int(1, 9)], filter: [k, k, 0, int(1, 9)], strides: [s, s], pad };
    c.filter[2] = c.x[3];
    c.name = `random ${i}: x [${c.x}] ${k}x${k} stride ${s} pad ${JSON.stringify(pad)}`;
    return c;
  });
}

export function convOutShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    c.x as [number, number, number, number],
    c.filter as [number, number, number, number],
    c.strides,
    c.dilations ?? 1,
    c.pad as "same",
  );
  return info.outShape;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Whether the onednn tests run: skipped (with the reason) only when the build found a prerequisite missing (no
 * compiler, no libdnnl-dev). A failed or absent build where it could have been built is a test failure instead.
 */
export function onednnSkip(): string | false {
  const status = buildStatus();
  if (status && !status.built && status.missing) return status.reason;
  if (!loadOnednnAddon().addon)
    throw new Error(`the onednn addon should be available here: ${loadOnednnAddon().reason}`);
  return false;
}
