// Conv2DBackpropFilter for the wasm backend, which lacks it: the filter gradient of an NHWC convolution,
//   dW[kh,kw,ci,co] = sum over n,ho,wo of x[n, ho*s + kh - padTop, wo*s + kw - padLeft, ci] * dy[n,ho,wo,co],
// is itself a convolution of x (as a batch of Ci one-"image"-per-channel inputs with N channels) by dy (as an
// Ho x Wo filter from N to Co channels) with dilation = the original stride. One XNNPACK Conv2D does the work;
// this was much faster here than im2col + BatchMatMul.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { conv2DInfo } from "../conv-info";
import { runWasmKernel, withIntermediates } from "./run";

type Info = tf.TensorInfo;

/** The convolution's geometry from the attributes; dy's shape checked against it. */
function filterGeometry(x: Info, dy: Info, attrs: tf.Conv2DBackpropFilterAttrs) {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (dataFormat !== "channelsLast") {
    throw new Error(`wasm Conv2DBackpropFilter: only NHWC data is supported, got dataFormat '${attrs.dataFormat}'`);
  }
  const info = conv2DInfo(x.shape, attrs.filterShape, attrs, 1, dataFormat);
  const expected = [x.shape[0], info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.some((d, k) => d !== expected[k])) {
    throw new Error(
      `wasm Conv2DBackpropFilter: dy shape [${dy.shape}] does not match the convolution's output [${info.outShape}]`,
    );
  }
  return info;
}

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): Info {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const info = filterGeometry(x, dy, args.attrs as unknown as tf.Conv2DBackpropFilterAttrs);
  const [n, h, w, ci] = x.shape;
  const { top, left } = info.padInfo;
  // Padding after the last row/column so that the output has exactly filterHeight x filterWidth positions;
  // negative when stride > 1 leaves trailing input rows unused (e.g. 1x1 stride 2 on an even size): crop those.
  const bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - h - top;
  const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - w - left;

  return withIntermediates(backend, (run) => {
    const cropped = [n, h + Math.min(bottom, 0), w + Math.min(right, 0), ci];
    const xs = bottom < 0 || right < 0 ? run("Slice", { x }, { begin: [0, 0, 0, 0], size: cropped }) : x;
    const xT = run("Transpose", { x: xs }, { perm: [3, 1, 2, 0] }); // [Ci, H, W, N]
    const dyT = run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho, Wo, N, Co]
    const pad = [
      [0, 0],
      [top, Math.max(bottom, 0)],
      [left, Math.max(right, 0)],
      [0, 0],
    ];
    const dilations = [info.strideHeight, info.strideWidth];
    const attrs = { strides: [1, 1], pad, dataFormat: "NHWC", dilations, dimRoundingMode: undefined };
    const g = run("Conv2D", { x: xT, filter: dyT }, attrs); // [Ci, KH, KW, Co]
    return runWasmKernel("Transpose", backend, { x: g }, { perm: [1, 2, 0, 3] });
  });
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
