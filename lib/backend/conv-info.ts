// tfjs's geometry of a 2-D convolution from its shapes and attributes, for the kernels both the onednn and the wasm
// backends add: the forward pass (dilations from its attributes) and the two gradients (tfjs's gradient kernels
// carry no dilations: 1).
import * as tf from "@tensorflow/tfjs";

type Shape4 = [number, number, number, number];

export function conv2DInfo(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: Pick<tf.Conv2DAttrs, "strides" | "pad" | "dimRoundingMode">,
  dilations: tf.Conv2DAttrs["dilations"],
  dataFormat: "channelsLast" | "channelsFirst",
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
}
