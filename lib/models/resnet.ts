// ResNet as torchvision 0.14 defines it (models/resnet.py), BasicBlock variant: ResNet18 is [2, 2, 2, 2].
// Parameters carry torchvision's state-dict names (conv1.weight, layer1.0.bn1.running_mean, fc.weight, ...).
import * as tf from "@tensorflow/tfjs";
import { createParams, Params, ParamSpec, torchvisionInit } from "./init";
import {
  batchNorm2d,
  batchNorm2dSpecs,
  conv2d,
  conv2dSpecs,
  ForwardOptions,
  linear,
  linearSpecs,
  maxPool2d,
} from "./layers";

/** Blocks per stage; stage widths are 64, 128, 256, 512 and every stage but the first starts with stride 2. */
export const resnetConfigs = {
  resnet18: [2, 2, 2, 2],
} as const;

const WIDTHS = [64, 128, 256, 512];
export const RESNET_FEATURES = 512;

/** One BasicBlock's stride and whether it has a downsample branch (1x1 conv + BN), as _make_layer decides. */
interface BlockPlan {
  name: string;
  inplanes: number;
  planes: number;
  stride: number;
  downsample: boolean;
}

/** _make_layer: the first block of a stage may change stride and width, so only it may need a downsample branch. */
function makeLayer(stage: number, inplanes: number, planes: number, blocks: number, stride: number): BlockPlan[] {
  return Array.from({ length: blocks }, (_, b) => ({
    name: `layer${stage}.${b}`,
    inplanes: b === 0 ? inplanes : planes,
    planes,
    stride: b === 0 ? stride : 1,
    downsample: b === 0 && (stride !== 1 || inplanes !== planes),
  }));
}

/** All blocks of layer1..layer4, as ResNet.__init__ builds them: stride 1 for layer1, 2 for the others. */
function plan(layers: readonly number[]): BlockPlan[] {
  return layers.flatMap((blocks, i) =>
    makeLayer(i + 1, i === 0 ? 64 : WIDTHS[i - 1], WIDTHS[i], blocks, i === 0 ? 1 : 2),
  );
}

function basicBlockSpecs(b: BlockPlan): ParamSpec[] {
  return [
    ...conv2dSpecs(`${b.name}.conv1`, 3, b.inplanes, b.planes, false),
    ...batchNorm2dSpecs(`${b.name}.bn1`, b.planes),
    ...conv2dSpecs(`${b.name}.conv2`, 3, b.planes, b.planes, false),
    ...batchNorm2dSpecs(`${b.name}.bn2`, b.planes),
    ...(b.downsample
      ? [
          ...conv2dSpecs(`${b.name}.downsample.0`, 1, b.inplanes, b.planes, false),
          ...batchNorm2dSpecs(`${b.name}.downsample.1`, b.planes),
        ]
      : []),
  ];
}

function basicBlock(p: Params, b: BlockPlan, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    let out = tf.relu(batchNorm2d(p, `${b.name}.bn1`, conv2d(p, `${b.name}.conv1`, x, b.stride, 1), training));
    out = batchNorm2d(p, `${b.name}.bn2`, conv2d(p, `${b.name}.conv2`, out, 1, 1), training);
    const identity = b.downsample
      ? batchNorm2d(p, `${b.name}.downsample.1`, conv2d(p, `${b.name}.downsample.0`, x, b.stride, 0), training)
      : x;
    return tf.relu(tf.add(out, identity)) as tf.Tensor4D;
  });
}

/**
 * Parameter specs of a ResNet with BasicBlocks. `numClasses` null leaves out the final fc (the network then
 * outputs its 512 pooled features, like torchvision with fc = nn.Identity()).
 */
export function resnetSpecs(layers: readonly number[], numClasses: number | null): ParamSpec[] {
  return [
    ...conv2dSpecs("conv1", 7, 3, 64, false),
    ...batchNorm2dSpecs("bn1", 64),
    ...plan(layers).flatMap(basicBlockSpecs),
    ...(numClasses === null
      ? []
      : linearSpecs("fc", RESNET_FEATURES, numClasses, torchvisionInit.linear(RESNET_FEATURES))),
  ];
}

/** Forward pass on NHWC input [batch, height, width, 3]; logits, or pooled features when there is no fc. */
export function resnetForward(
  layers: readonly number[],
  p: Params,
  x: tf.Tensor4D,
  options: ForwardOptions,
): tf.Tensor2D {
  let h = tf.tidy(() =>
    maxPool2d(tf.relu(batchNorm2d(p, "bn1", conv2d(p, "conv1", x, 2, 3), options.training)), 3, 2, 1),
  );
  for (const b of plan(layers)) {
    const next = basicBlock(p, b, h, options.training);
    h.dispose();
    h = next;
  }
  return tf.tidy(() => {
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D; // AdaptiveAvgPool2d((1, 1)) + flatten
    h.dispose();
    return p.has("fc.weight") ? linear(p, "fc", pooled) : pooled;
  });
}

export const resnet18Specs = (numClasses: number | null = 1000) => resnetSpecs(resnetConfigs.resnet18, numClasses);
export const resnet18Forward = (p: Params, x: tf.Tensor4D, options: ForwardOptions) =>
  resnetForward(resnetConfigs.resnet18, p, x, options);

/** torchvision.models.resnet18(num_classes=...) with default (random, seeded) initialisation; null omits fc. */
export function resnet18(numClasses: number | null = 1000, seed = 0): Params {
  return createParams(resnet18Specs(numClasses), seed);
}

/** Alias of resnet18Forward: `forward(params, x, { training })`. */
export const forward = resnet18Forward;
