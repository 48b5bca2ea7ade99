// Conv2D for the wasm backend at outputs of very few positions (ResNet18's last stage at 64 px: 2x2) with large
// filters. XNNPACK packs a filter each time it sees a new one, i.e. every training step, and at 3x3x512x512 that
// packing (~50 ms) costs several times the arithmetic. As a matrix product out^T = W^T x col^T (col = im2col of x),
// the operand BatchMatMul packs is col^T, 8x smaller here, and the filter is only transposed. Elsewhere, and for
// strides > 1, the backend's own kernel runs.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { runWasmKernel } from "./run";

type Info = tf.TensorInfo;

/** Output positions up to which, and filter sizes from which, the matrix-product form is used (measured). */
const MAX_POSITIONS = 4;
const MIN_FILTER = 1 << 16;

export function smallOutputConv2DConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: {
    inputs: tf.NamedTensorInfoMap;
    backend: tf.KernelBackend;
    attrs?: tf.NamedAttrMap;
  }): Info => {
    const backend = args.backend as BackendWasm;
    const { x, filter } = args.inputs as { x: Info; filter: Info };
    const a = args.attrs as unknown as tf.Conv2DAttrs;
    const dataFormat = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      dataFormat,
    );
    const {
      outHeight: oh,
      outWidth: ow,
      filterHeight: kh,
      filterWidth: kw,
      inChannels: ci,
      outChannels: co,
      batchSize: n,
    } = info;
    const small =
      dataFormat === "channelsLast" &&
      info.strideHeight === 1 &&
      info.strideWidth === 1 &&
      oh * ow <= MAX_POSITIONS &&
      kh * kw > 1 &&
      kh * kw * ci * co >= MIN_FILTER;
    if (!small) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as Info;

    const temps: Info[] = [];
    const run = (name: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: object = {}) => {
      const out = runWasmKernel(name, backend, inputs as tf.NamedTensorInfoMap, attrs as tf.NamedAttrMap);
      temps.push(out);
      return out;
    };
    try {
      const { top, bottom, left, right } = info.padInfo;
      const padded =
        top || bottom || left || right
          ? run(
              "PadV2",
              { x },
              {
                paddings: [
                  [0, 0],
                  [top, bottom],
                  [left, right],
                  [0, 0],
                ],
                constantValue: 0,
              },
            )
          : x;
      const taps: Info[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          taps.push(
            run(
              "Slice",
              { x: padded },
              { begin: [0, i * info.dilationHeight, j * info.dilationWidth, 0], size: [n, oh, ow, ci] },
            ),
          );
        }
      }
      const k = kh * kw * ci,
        positions = n * oh * ow;
      const col = run("Reshape", { x: run("Concat", taps, { axis: 3 }) }, { shape: [positions, k] }); // HWIO order per row
      const colT = run("Transpose", { x: col }, { perm: [1, 0] });
      const wT = run("Transpose", { x: run("Reshape", { x: filter }, { shape: [k, co] }) }, { perm: [1, 0] });
      const outT = run("BatchMatMul", { a: wT, b: colT }, { transposeA: false, transposeB: false }); // [Co, positions]
      const out = run("Transpose", { x: outT }, { perm: [1, 0] });
      return runWasmKernel("Reshape", backend, { x: out }, { shape: [n, oh, ow, co] });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  // setupFunc binds the original's C function when the backend starts: keep it.
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
