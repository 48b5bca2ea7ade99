// A faster Conv2DBackpropInput for the wasm backend. Its own kernel is a plain loop (a few GFLOP/s). For stride 1
// the input gradient is a convolution of dy with the filter flipped in space and its channel axes swapped, which
// XNNPACK runs ~10x faster. Flipping costs time proportional to the filter size (wasm Reverse is slow), so for
// tiny batch x spatial sizes with big filters, and for every case the identity does not cover (stride > 1,
// dilation, NCHW), the backend's own kernel runs instead.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { runWasmKernel } from "./run";

type Info = tf.TensorInfo;

/** Below this many output positions (N*H*W) flipping the filter costs more than the loop kernel (measured). */
const MIN_POSITIONS = 96;

export function fastConv2DBackpropInputConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info => {
    const backend = args.backend as BackendWasm;
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, dataFormat,
    );
    const { top, bottom, left, right } = info.padInfo;
    const { filterHeight: kh, filterWidth: kw } = info;
    const fast = dataFormat === "channelsLast" && info.strideHeight === 1 && info.strideWidth === 1 &&
      top < kh && bottom < kh && left < kw && right < kw && info.batchSize * info.inHeight * info.inWidth >= MIN_POSITIONS;
    if (!fast) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as Info;

    const flipped = runWasmKernel("Reverse", backend, { x: filter }, { dims: [0, 1] });
    try {
      const swapped = runWasmKernel("Transpose", backend, { x: flipped }, { perm: [0, 1, 3, 2] }); // [KH, KW, Co, Ci]
      try {
        return runWasmKernel("Conv2D", backend, { x: dy, filter: swapped }, {
          strides: [1, 1],
          pad: [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]],
          dataFormat: "NHWC",
          dilations: [1, 1],
        } as unknown as tf.NamedAttrMap);
      } finally {
        backend.disposeData(swapped.dataId);
      }
    } finally {
      backend.disposeData(flipped.dataId);
    }
  };
  // setupFunc binds the original's C function when the backend starts: keep it.
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
