// Conv2D for the wasm backend at outputs of very few positions (ResNet18's last stage at 64 px: 2x2) with large
// filters. XNNPACK packs a filter each time it sees a new one, i.e. every training step, and at 3x3x512x512 that
// packing (~50 ms) costs several times the arithmetic. As a matrix product out^T = W^T x col^T (col = im2col of x),
// the operand BatchMatMul packs is col^T, 8x smaller here, and the filter is only transposed. Elsewhere, and for
// strides > 1, the backend's own kernel runs.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { conv2DInfo } from "../conv-info";
import { Run, runWasmKernel, withIntermediates } from "./run";

type Info = tf.TensorInfo;

/** Output positions up to which, and filter sizes from which, the matrix-product form is used (measured). */
const MAX_POSITIONS = 4;
const MIN_FILTER = 1 << 16;

/** The convolution's geometry when the matrix-product form pays (NHWC, stride 1, few outputs, big filter), else null. */
function smallOutputGeometry(x: Info, filter: Info, a: tf.Conv2DAttrs) {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
  const info = conv2DInfo(x.shape, filter.shape, a, a.dilations, dataFormat);
  const taps = info.filterHeight * info.filterWidth;
  const small =
    dataFormat === "channelsLast" &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.outHeight * info.outWidth <= MAX_POSITIONS &&
    taps > 1 &&
    taps * info.inChannels * info.outChannels >= MIN_FILTER;
  return small ? info : null;
}

/** im2col of x: [positions, KH*KW*Ci], each row in the filter's HWIO order. */
function im2col(run: Run, x: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { top, bottom, left, right } = info.padInfo;
  const paddings = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const padded = top || bottom || left || right ? run("PadV2", { x }, { paddings, constantValue: 0 }) : x;
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci } = info;
  const taps: Info[] = [];
  for (let i = 0; i < info.filterHeight; i++) {
    for (let j = 0; j < info.filterWidth; j++) {
      const begin = [0, i * info.dilationHeight, j * info.dilationWidth, 0];
      taps.push(run("Slice", { x: padded }, { begin, size: [n, oh, ow, ci] }));
    }
  }
  const k = info.filterHeight * info.filterWidth * ci;
  return run("Reshape", { x: run("Concat", taps, { axis: 3 }) }, { shape: [n * oh * ow, k] });
}

/** out^T = W^T col^T, so that BatchMatMul packs col^T (small) rather than the filter. */
function matMulConv(backend: BackendWasm, x: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  return withIntermediates(backend, (run) => {
    const col = im2col(run, x, info);
    const colT = run("Transpose", { x: col }, { perm: [1, 0] });
    const k = col.shape[1];
    const wT = run(
      "Transpose",
      { x: run("Reshape", { x: filter }, { shape: [k, info.outChannels] }) },
      { perm: [1, 0] },
    );
    const outT = run("BatchMatMul", { a: wT, b: colT }, { transposeA: false, transposeB: false }); // [Co, positions]
    const out = run("Transpose", { x: outT }, { perm: [1, 0] });
    const shape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    return runWasmKernel("Reshape", backend, { x: out }, { shape });
  });
}

export function smallOutputConv2DConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }) => {
    const { x, filter } = args.inputs as { x: Info; filter: Info };
    const info = smallOutputGeometry(x, filter, args.attrs as unknown as tf.Conv2DAttrs);
    if (!info) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as Info;
    return matMulConv(args.backend as BackendWasm, x, filter, info);
  };
  // setupFunc binds the original's C function when the backend starts: keep it.
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
