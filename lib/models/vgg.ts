// VGG as torchvision 0.14 defines it (models/vgg.py): VGG19-BN is configuration "E" with batch norm.
// Parameter names follow torchvision's nn.Sequential indices: features.0 (conv), features.1 (BN), features.2 (ReLU),
// ..., classifier.0 / .3 / .6 (Linear; .1, .4 are ReLU and .2, .5 Dropout).
//
// Flatten order: torchvision flattens the pooled [C, 7, 7] map channel-major, so classifier.0's inputs are in
// CHW order. We keep that weight exactly as torchvision's (transposed to [25088, 4096]) and transpose our NHWC
// map to NCHW before flattening; imported weights therefore need no row permutation.
import * as tf from "@tensorflow/tfjs";
import type { ArchName } from "./arch";
import { Params, ParamSpec, torchvisionInit } from "./init";
import {
  adaptiveAvgPool2d,
  batchNorm2d,
  batchNorm2dSpecs,
  conv2d,
  conv2dSpecs,
  ForwardOptions,
  linear,
  linearSpecs,
  param,
} from "./layers";

/** Output channels of each 3x3 conv, "M" for a 2x2 max pool. */
export const vggConfigs = {
  E: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
} as const;

type VggConfig = readonly (number | "M")[];

export const VGG_FEATURES = 4096;
/** Channels of the last convolution, the distinct inputs of classifier.0 (its 49 pooled cells each repeat them). */
export const VGG_LAST_CONV_WIDTH = 512;
const POOLED = 7;
export const VGG_DEFAULT_DROPOUT = 0.5;

/** One entry of `features`: its Sequential index and what it is. */
type FeatureLayer =
  | { kind: "conv"; index: number; inChannels: number; outChannels: number }
  | { kind: "pool"; index: number };

/** make_layers: conv (+ BN) + ReLU per number, max pool per "M"; indices as in torchvision's Sequential. */
function makeLayers(cfg: VggConfig, batchNorm: boolean): FeatureLayer[] {
  const layers: FeatureLayer[] = [];
  let index = 0,
    inChannels = 3;
  for (const v of cfg) {
    if (v === "M") {
      layers.push({ kind: "pool", index });
      index += 1;
    } else {
      layers.push({ kind: "conv", index, inChannels, outChannels: v });
      index += batchNorm ? 3 : 2;
      inChannels = v;
    }
  }
  return layers;
}

export function vggSpecs(cfg: VggConfig, batchNorm: boolean, numClasses: number | null): ParamSpec[] {
  const last = (cfg.filter((v) => v !== "M") as number[]).at(-1)!;
  return [
    ...makeLayers(cfg, batchNorm).flatMap((l) =>
      l.kind === "pool"
        ? []
        : [
            ...conv2dSpecs(`features.${l.index}`, 3, l.inChannels, l.outChannels, true),
            ...(batchNorm ? batchNorm2dSpecs(`features.${l.index + 1}`, l.outChannels) : []),
          ],
    ),
    ...linearSpecs("classifier.0", last * POOLED * POOLED, VGG_FEATURES, torchvisionInit.vggLinear),
    ...linearSpecs("classifier.3", VGG_FEATURES, VGG_FEATURES, torchvisionInit.vggLinear),
    ...(numClasses === null ? [] : linearSpecs("classifier.6", VGG_FEATURES, numClasses, torchvisionInit.vggLinear)),
  ];
}

/** Forward pass on NHWC input [batch, height, width, 3]; logits, or the 4096 features when there is no classifier.6. */
export function vggForward(
  cfg: VggConfig,
  batchNorm: boolean,
  p: Params,
  x: tf.Tensor4D,
  options: ForwardOptions,
): tf.Tensor2D {
  const { training } = options;
  const dropout = training ? (options.dropout ?? VGG_DEFAULT_DROPOUT) : 0;
  let h = x;
  for (const l of makeLayers(cfg, batchNorm)) {
    const next = tf.tidy(() => {
      if (l.kind === "pool") return tf.maxPool(h, 2, 2, 0);
      const y = conv2d(p, `features.${l.index}`, h, 1, 1);
      return tf.relu(batchNorm ? batchNorm2d(p, `features.${l.index + 1}`, y, training) : y) as tf.Tensor4D;
    });
    if (h !== x) h.dispose();
    h = next;
  }
  return tf.tidy(() => {
    const first = isFolded(p)
      ? foldedClassifier0(p, h)
      : isOneByOne(h)
        ? replicatedClassifier0(p, h)
        : classifier0(p, h);
    h.dispose();
    const seed = options.dropoutSeed;
    const drop = (t: tf.Tensor2D, k: number) =>
      dropout > 0 ? (tf.dropout(t, dropout, undefined, seed === undefined ? undefined : seed + k) as tf.Tensor2D) : t;
    let y = drop(tf.relu(first), 0);
    y = drop(tf.relu(linear(p, "classifier.3", y)), 1);
    return p.has("classifier.6.weight") ? linear(p, "classifier.6", y) : y;
  });
}

/** classifier.0 on the adaptively pooled 7x7 map, flattened in torch's CHW order. */
function classifier0(p: Params, h: tf.Tensor4D): tf.Tensor2D {
  const pooled = adaptiveAvgPool2d(h, POOLED, POOLED);
  return linear(p, "classifier.0", tf.reshape(tf.transpose(pooled, [0, 3, 1, 2]), [h.shape[0], -1]) as tf.Tensor2D);
}

/**
 * classifier.0 when the features are 1x1 (inputs of 32-63 px, e.g. the native 50 px stamps): adaptive pooling
 * copies the one value per channel into all 49 cells, so W x equals (the 49 rows of each channel summed) x.
 * Same function and same gradients for every one of the 25088 x 4096 weights (the sum's gradient broadcasts),
 * at 1/49 of the matrix product.
 */
function replicatedClassifier0(p: Params, h: tf.Tensor4D): tf.Tensor2D {
  const [n, , , c] = h.shape;
  const summed = summedCopies(param(p, "classifier.0.weight"));
  return tf.add(tf.matMul(tf.reshape(h, [n, c]) as tf.Tensor2D, summed), param(p, "classifier.0.bias")) as tf.Tensor2D;
}

/** classifier.0's weight [25088, 4096] with the 49 rows of each channel summed: [512, 4096]. */
function summedCopies(w: tf.Tensor): tf.Tensor2D {
  const [rows, out] = w.shape as [number, number];
  return tf.sum(tf.reshape(w, [rows / (POOLED * POOLED), POOLED * POOLED, out]), 1);
}

const isOneByOne = (h: tf.Tensor4D) => h.shape[1] === 1 && h.shape[2] === 1;

/** Side of the last feature map for a square input: five 2x2 max pools, each rounding down. */
export const vggFeatureSide = (inputSize: number) => Math.floor(inputSize / 32);

/** Whether classifier.0 folds (training and inference): VGG19-BN at inputs whose last feature map is 1x1 (32-63 px). */
export const foldsClassifier0 = (arch: ArchName, inputSize: number) =>
  arch === "vgg19_bn" && vggFeatureSide(inputSize) === 1;

/** Whether classifier.0 holds the folded [512, 4096] matrix (foldClassifier0) rather than torchvision's [25088, 4096]. */
export const isFolded = (p: Params) => param(p, "classifier.0.weight").shape[0] === VGG_LAST_CONV_WIDTH;

/** classifier.0 folded: one row per channel of the 1x1 feature map. */
function foldedClassifier0(p: Params, h: tf.Tensor4D): tf.Tensor2D {
  const [n, , , c] = h.shape;
  if (!isOneByOne(h))
    throw new Error(
      `VGG: folded classifier.0 needs a 1x1 feature map (inputs of 32-63 px), got ${h.shape[1]}x${h.shape[2]}`,
    );
  return linear(p, "classifier.0", tf.reshape(h, [n, c]) as tf.Tensor2D);
}

/**
 * Replaces classifier.0's weight by its folded form, the 49 rows of each channel summed: the same function on a 1x1
 * feature map. Trained in this form, the layer is exactly the torchvision one: each of the 49 copies of a row gets
 * the same gradient, hence the same Adam moments and step, so their sum moves 49 times a copy's step; the folded
 * row, given 49 times a copy's learning rate (lr under the fan-in step, where each copy takes lr / 49), moves the
 * same. The folded layer needs 1/49 of the memory, Adam updates and summing.
 */
export function foldClassifier0(p: Params): void {
  const w = param(p, "classifier.0.weight");
  const folded = tf.tidy(() => summedCopies(w));
  p.set("classifier.0.weight", tf.variable(folded, w.trainable));
  folded.dispose();
  w.dispose();
}

/** Back to torchvision's layout: each of the 49 copies of a row is 1/49 of the folded row (the same function). */
export function unfoldClassifier0(p: Params): void {
  const w = param(p, "classifier.0.weight");
  const [channels, out] = w.shape as [number, number];
  const cells = POOLED * POOLED;
  const unfolded = tf.tidy(() =>
    tf.reshape(tf.tile(tf.reshape(tf.div(w, cells), [channels, 1, out]), [1, cells, 1]), [channels * cells, out]),
  );
  p.set("classifier.0.weight", tf.variable(unfolded, w.trainable));
  unfolded.dispose();
  w.dispose();
}

export const vgg19BnSpecs = (numClasses: number | null = 1000) => vggSpecs(vggConfigs.E, true, numClasses);
export const vgg19BnForward = (p: Params, x: tf.Tensor4D, options: ForwardOptions) =>
  vggForward(vggConfigs.E, true, p, x, options);
