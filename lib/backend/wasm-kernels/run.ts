// Calls one of the wasm backend's own kernels on TensorInfos, for kernels composed from them. The engine does not
// track such results: withIntermediates disposes the ones a composed kernel makes along the way.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/** Runs a wasm kernel and keeps its output for disposal when the composed kernel returns. */
export type Run = (name: string, inputs: tf.NamedTensorInfoMap | tf.TensorInfo[], attrs?: object) => tf.TensorInfo;

/**
 * Runs `compose` with a `run` whose results are intermediates, all disposed when `compose` returns or throws. The
 * composed kernel's output comes from runWasmKernel itself, or is an intermediate handed to `keep`.
 */
export function withIntermediates<T>(
  backend: BackendWasm,
  compose: (run: Run, keep: (t: tf.TensorInfo) => tf.TensorInfo) => T,
): T {
  const temps: tf.TensorInfo[] = [];
  const run: Run = (name, inputs, attrs = {}) => {
    const out = runWasmKernel(name, backend, inputs as tf.NamedTensorInfoMap, attrs as tf.NamedAttrMap);
    temps.push(out);
    return out;
  };
  const keep = (t: tf.TensorInfo) => {
    temps.splice(temps.indexOf(t), 1);
    return t;
  };
  try {
    return compose(run, keep);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
