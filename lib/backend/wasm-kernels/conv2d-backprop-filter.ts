// Conv2DBackpropFilter for the wasm backend, which lacks it: the filter gradient of an NHWC convolution,
//   dW[kh,kw,ci,co] = sum over n,ho,wo of x[n, ho*s + kh - padTop, wo*s + kw - padLeft, ci] * dy[n,ho,wo,co],
// is itself a convolution of x (as a batch of Ci one-"image"-per-channel inputs with N channels) by dy (as an
// Ho x Wo filter from N to Co channels) with dilation = the original stride. One XNNPACK Conv2D does the work;
// this was much faster here than im2col + BatchMatMul.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { runWasmKernel } from "./run";

type Info = tf.TensorInfo;

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): Info {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (dataFormat !== "channelsLast") {
    throw new Error(`wasm Conv2DBackpropFilter: only NHWC data is supported, got dataFormat '${attrs.dataFormat}'`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
  const [n, h, w, ci] = x.shape;
  if (
    dy.shape[0] !== n ||
    dy.shape[1] !== info.outHeight ||
    dy.shape[2] !== info.outWidth ||
    dy.shape[3] !== info.outChannels
  ) {
    throw new Error(
      `wasm Conv2DBackpropFilter: dy shape [${dy.shape}] does not match the convolution's output [${info.outShape}]`,
    );
  }
  const { top, left } = info.padInfo;
  // Padding after the last row/column so that the output has exactly filterHeight x filterWidth positions;
  // negative when stride > 1 leaves trailing input rows unused (e.g. 1x1 stride 2 on an even size): crop those.
  const bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - h - top;
  const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - w - left;

  const temps: Info[] = [];
  const keep = (t: Info) => (temps.push(t), t);
  try {
    let xs = x;
    if (bottom < 0 || right < 0) {
      xs = keep(
        runWasmKernel(
          "Slice",
          backend,
          { x },
          { begin: [0, 0, 0, 0], size: [n, h + Math.min(bottom, 0), w + Math.min(right, 0), ci] },
        ),
      );
    }
    const xT = keep(runWasmKernel("Transpose", backend, { x: xs }, { perm: [3, 1, 2, 0] })); // [Ci, H, W, N]
    const dyT = keep(runWasmKernel("Transpose", backend, { x: dy }, { perm: [1, 2, 0, 3] })); // [Ho, Wo, N, Co]
    const pad = [
      [0, 0],
      [top, Math.max(bottom, 0)],
      [left, Math.max(right, 0)],
      [0, 0],
    ];
    const g = keep(
      runWasmKernel("Conv2D", backend, { x: xT, filter: dyT }, {
        strides: [1, 1],
        pad,
        dataFormat: "NHWC",
        dilations: [info.strideHeight, info.strideWidth],
        dimRoundingMode: undefined,
      } as unknown as tf.NamedAttrMap),
    ); // [Ci, KH, KW, Co]
    return runWasmKernel("Transpose", backend, { x: g }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
