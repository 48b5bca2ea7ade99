// Shared by the model tests: golden files from test/ref/models_golden.py, NCHW -> NHWC, relative errors.
import * as tf from "@tensorflow/tfjs";
import { runReference, tempDir } from "../helpers";
import { SafetensorsFile } from "../../lib/models/safetensors";

const goldens = new Map<string, string>();

/** Runs one case of the golden script into a fresh folder (once per process: tests on several backends share it). */
export function golden(caseName: string): string {
  let dir = goldens.get(caseName);
  if (!dir) {
    dir = tempDir("starcluster-models-");
    runReference("models_golden.py", [caseName, dir]);
    goldens.set(caseName, dir);
  }
  return dir;
}

export function nhwc(st: SafetensorsFile, name: string): tf.Tensor4D {
  const { shape, data } = st.read(name);
  return tf.tidy(() =>
    tf.transpose(tf.tensor4d(data as Float32Array, shape as [number, number, number, number]), [0, 2, 3, 1]),
  );
}

/** max |a - b| / max |b|: the error relative to the reference's scale. */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0,
    scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
