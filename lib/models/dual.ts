// The paper's dual-backbone classifier (Wei et al. 2020, Section 3.2): the 5-band stamp plus one zero channel
// makes 6 channels, split 3 + 3 into two copies of the same network (ResNet18 or VGG19-BN). Each copy's final
// classification layer is replaced by a freshly initialised one; their outputs are concatenated and one more
// Linear maps them to the 4 classes, followed by softmax.
//
// Input size: the paper resizes the central 50x50 px to 299x299 (PAPER_INPUT_SIZE). The native-resolution variant
// feeds the 50 or 64 px stamps directly to the same networks and weights: ResNet18 ends in global average pooling
// and VGG in adaptive average pooling to 7x7, so nothing else changes. `inputSize` records which one a model is.
import * as tf from "@tensorflow/tfjs";
import { ArchName, architecture } from "./arch";
import { createParams, disposeParams, Params, ParamSpec, Provenance, torchvisionInit } from "./init";
import type { TensorData } from "./safetensors";
import { ForwardOptions, linear, linearSpecs } from "./layers";
import { Weights } from "./weights";

export const PAPER_INPUT_SIZE = 299;
export const NATIVE_INPUT_SIZES = [50, 64] as const;
/** Five bands and one zero channel. */
export const INPUT_CHANNELS = 6;
/** Smallest input that survives VGG's five 2x2 max pools. */
const MIN_INPUT_SIZE = 32;

export interface DualConfig {
  arch: ArchName;
  classes: number;
  /** Outputs of each backbone's replaced final layer (a fresh nn.Linear); null replaces it by nn.Identity. */
  backboneOutputs: number | null;
  /** Input height and width in pixels: 299 as in the paper, or 50/64 for native resolution. */
  inputSize: number;
  /** Seed for every tensor not taken from imported weights. */
  seed: number;
}

export const DUAL_DEFAULTS = { classes: 4, backboneOutputs: 1000, inputSize: PAPER_INPUT_SIZE, seed: 0 };

export interface DualModel {
  config: DualConfig;
  backbones: [Params, Params];
  head: Params;
  /** Where the backbone weights came from; the replaced layers and the head always start from torchvision's init. */
  provenance: Provenance;
}

function backboneSpecs(config: DualConfig): ParamSpec[] {
  const net = architecture(config.arch);
  const out = config.backboneOutputs;
  return [...net.specs(null), ...(out === null ? [] : linearSpecs(net.classifier, net.features, out, torchvisionInit.linear(net.features)))];
}

/** Builds the dual classifier; backbone weights from `weights` (the final layer excepted) or torchvision's initialisation. */
export function createDualModel(options: Partial<DualConfig> & { arch: ArchName }, weights?: Weights): DualModel {
  const config: DualConfig = { ...DUAL_DEFAULTS, ...options };
  if (!Number.isInteger(config.inputSize) || config.inputSize < MIN_INPUT_SIZE) throw new Error(`dual model: inputSize must be an integer >= ${MIN_INPUT_SIZE} (got ${config.inputSize})`);
  if (weights && weights.arch !== config.arch) throw new Error(`dual model: weights are for ${weights.arch}, model is ${config.arch}`);
  const net = architecture(config.arch);
  const backbone = weights ? new Map([...weights.tensors].filter(([name]) => !name.startsWith(`${net.classifier}.`))) : undefined;
  const specs = backboneSpecs(config);
  const backbones: [Params, Params] = [createParams(specs, config.seed, backbone, "backbones.0."), createParams(specs, config.seed, backbone, "backbones.1.")];
  const features = 2 * (config.backboneOutputs ?? net.features);
  const head = createParams(linearSpecs("head", features, config.classes, torchvisionInit.linear(features)), config.seed);
  return { config, backbones, head, provenance: weights?.provenance ?? { init: "torchvision-default", seed: config.seed } };
}

/**
 * Rebuilds a dual model from every tensor of its state dict (dualStateDict names, tfjs layout), e.g. a trained
 * model file; nothing is drawn at random, so loading VGG19-BN's 287 million values costs only the copy.
 */
export function restoreDualModel(config: DualConfig, provenance: Provenance, tensor: (name: string) => TensorData): DualModel {
  const net = architecture(config.arch);
  const specs = backboneSpecs(config);
  const stored = (prefix: string, list: ParamSpec[]) => new Map(list.map((s) => [s.name, tensor(prefix + s.name)]));
  const backbones = [0, 1].map((i) => createParams(specs, config.seed, stored(`backbones.${i}.`, specs), `backbones.${i}.`)) as [Params, Params];
  const features = 2 * (config.backboneOutputs ?? net.features);
  const headSpecs = linearSpecs("head", features, config.classes, torchvisionInit.linear(features));
  return { config, backbones, head: createParams(headSpecs, config.seed, stored("", headSpecs)), provenance };
}

/** All variables under PyTorch-style names: backbones.0.<torchvision name>, backbones.1.<...>, head.weight, head.bias. */
export function dualStateDict(model: DualModel): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  model.backbones.forEach((p, i) => p.forEach((v, name) => out.set(`backbones.${i}.${name}`, v)));
  model.head.forEach((v, name) => out.set(name, v));
  return out;
}

/** Logits [batch, classes] for NHWC input [batch, inputSize, inputSize, 6]; channels 0-2 go to backbone 0, 3-5 to backbone 1. */
export function dualForward(model: DualModel, x: tf.Tensor4D, options: ForwardOptions): tf.Tensor2D {
  const [, h, w, c] = x.shape;
  const size = model.config.inputSize;
  if (c !== INPUT_CHANNELS || h !== size || w !== size) throw new Error(`dual ${model.config.arch}: expected input [batch, ${size}, ${size}, ${INPUT_CHANNELS}], got [${x.shape}]`);
  const net = architecture(model.config.arch);
  return tf.tidy(() => {
    // Each backbone draws its own dropout masks.
    const features = model.backbones.map((p, i) =>
      net.forward(p, tf.slice(x, [0, 0, 0, 3 * i], [-1, -1, -1, 3]), { ...options, dropoutSeed: options.dropoutSeed === undefined ? undefined : options.dropoutSeed + 2 * i }),
    );
    return linear(model.head, "head", tf.concat(features, 1));
  });
}

/** Class probabilities (softmax of the logits), eval mode. */
export function dualPredict(model: DualModel, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(dualForward(model, x, { training: false })));
}

export function disposeDualModel(model: DualModel): void {
  for (const p of [...model.backbones, model.head]) disposeParams(p);
}
