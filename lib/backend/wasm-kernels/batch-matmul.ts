// BatchMatMul for the wasm backend without transposed operands: its kernel runs ~35 GFLOP/s on plain operands but
// ~3 with transposeA/transposeB, which every matMul gradient uses (dA = dy B^T, dB = A^T dy). Transposing the
// operand first (one pass over it) and multiplying plainly is faster at every size that matters.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { withIntermediates } from "./run";

type Info = tf.TensorInfo;

export function plainBatchMatMulConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: {
    inputs: tf.NamedTensorInfoMap;
    backend: tf.KernelBackend;
    attrs?: tf.NamedAttrMap;
  }): Info => {
    const backend = args.backend as BackendWasm;
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as Info;
    return withIntermediates(backend, (run) => {
      const plain = (t: Info, transposed: boolean) => {
        if (!transposed || t.shape.length < 2) return t;
        const perm = t.shape.map((_, i) => i);
        [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
        return run("Transpose", { x: t }, { perm });
      };
      return original.kernelFunc({
        inputs: { a: plain(a, transposeA), b: plain(b, transposeB) },
        backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      } as Parameters<tf.KernelFunc>[0]) as Info;
    });
  };
  // setupFunc binds the original's C function when the backend starts: keep it.
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
