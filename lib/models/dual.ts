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
import { ForwardOptions, linear, linearSpecs } from "./layers";
import type { TensorData } from "./safetensors";
import { Weights } from "./weights";
import { foldClassifier0, foldsClassifier0, isFolded } from "./vgg";
import { INPUT_CHANNELS } from "../dataset/batch";

export const PAPER_INPUT_SIZE = 299;
export const NATIVE_INPUT_SIZES = [50, 64] as const;
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
  return [
    ...net.specs(null),
    ...(out === null ? [] : linearSpecs(net.classifier, net.features, out, torchvisionInit.linear(net.features))),
  ];
}

/** Builds the dual classifier; backbone weights from `weights` (the final layer excepted) or torchvision's initialisation. */
export function createDualModel(options: Partial<DualConfig> & { arch: ArchName }, weights?: Weights): DualModel {
  const config: DualConfig = { ...DUAL_DEFAULTS, ...options };
  if (!Number.isInteger(config.inputSize) || config.inputSize < MIN_INPUT_SIZE)
    throw new Error(`dual model: inputSize must be an integer >= ${MIN_INPUT_SIZE} (got ${config.inputSize})`);
  if (weights && weights.arch !== config.arch)
    throw new Error(`dual model: weights are for ${weights.arch}, model is ${config.arch}`);
  const net = architecture(config.arch);
  const backbone = weights
    ? new Map([...weights.tensors].filter(([name]) => !name.startsWith(`${net.classifier}.`)))
    : undefined;
  const specs = backboneSpecs(config);
  const backbones: [Params, Params] = [
    createParams(specs, config.seed, backbone, "backbones.0."),
    createParams(specs, config.seed, backbone, "backbones.1."),
  ];
  const head = createParams(headSpecs(config), config.seed);
  return {
    config,
    backbones,
    head,
    provenance: weights?.provenance ?? { init: "torchvision-default", seed: config.seed },
  };
}

function headSpecs(config: DualConfig): ParamSpec[] {
  const features = 2 * (config.backboneOutputs ?? architecture(config.arch).features);
  return linearSpecs("head", features, config.classes, torchvisionInit.linear(features));
}

/**
 * Rebuilds a trained model from its full state under dualStateDict names: every variable is made from its tensor
 * and none is initialised first (drawing a dual ResNet18's 23M initial values only to overwrite them took ten
 * times longer than reading the file). A missing or misshapen tensor throws, naming it.
 */
export function dualModelFromState(
  config: DualConfig,
  provenance: Provenance,
  state: (name: string) => TensorData | undefined,
): DualModel {
  const made: Params[] = [];
  const take = (prefix: string, specs: ParamSpec[]): Params => {
    const given = new Map<string, TensorData>();
    for (const spec of specs) {
      const t = state(prefix + spec.name);
      if (!t) throw new Error(`missing tensor '${prefix + spec.name}'`);
      if (t.shape.join(",") !== spec.shape.join(","))
        throw new Error(`'${prefix + spec.name}' has shape [${t.shape}], the model needs [${spec.shape}]`);
      given.set(spec.name, t);
    }
    const params = createParams(specs, config.seed, given);
    made.push(params);
    return params;
  };
  try {
    const specs = backboneSpecs(config);
    return {
      config,
      backbones: [take("backbones.0.", specs), take("backbones.1.", specs)],
      head: take("", headSpecs(config)),
      provenance,
    };
  } catch (e) {
    made.forEach(disposeParams);
    throw e;
  }
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
  if (c !== INPUT_CHANNELS || h !== size || w !== size)
    throw new Error(
      `dual ${model.config.arch}: expected input [batch, ${size}, ${size}, ${INPUT_CHANNELS}], got [${x.shape}]`,
    );
  const net = architecture(model.config.arch);
  return tf.tidy(() => {
    // Each backbone draws its own dropout masks.
    const features = model.backbones.map((p, i) =>
      net.forward(p, tf.slice(x, [0, 0, 0, 3 * i], [-1, -1, -1, 3]), {
        ...options,
        dropoutSeed: options.dropoutSeed === undefined ? undefined : options.dropoutSeed + 2 * i,
      }),
    );
    return linear(model.head, "head", tf.concat(features, 1));
  });
}

/** Class probabilities (softmax of the logits), eval mode. */
export function dualPredict(model: DualModel, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(dualForward(model, x, { training: false })));
}

/**
 * Class probabilities of a batch, one row per stamp. Non-finite values mean the weights overflow (inputs are
 * finite by then), so they stop the job naming `source`, the model, instead of becoming a confident class.
 */
export function probabilityRows(model: DualModel, x: tf.Tensor4D, source: string): Float32Array[] {
  const probs = dualPredict(model, x);
  const values = probs.dataSync() as Float32Array;
  probs.dispose();
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new Error(
      `${source}: the model gives a non-finite class probability (${values[bad]}); its weights overflow on this input, so no class can be given`,
    );
  }
  const k = values.length / x.shape[0];
  return Array.from({ length: x.shape[0] }, (_, i) => values.slice(i * k, (i + 1) * k));
}

/**
 * The model made ready for inference: VGG19-BN at inputs whose last feature map is 1x1 (32-63 px) holds classifier.0
 * folded (vgg.ts foldClassifier0), the sum its forward pass otherwise computes from the [25088, 4096] weight on every
 * batch, now once: the same function and the same numbers, a sixth less time per 32 px batch.
 */
export function foldForInference(model: DualModel): DualModel {
  if (foldsClassifier0(model.config.arch, model.config.inputSize))
    for (const p of model.backbones) if (!isFolded(p)) foldClassifier0(p);
  return model;
}

export function disposeDualModel(model: DualModel): void {
  for (const p of [...model.backbones, model.head]) disposeParams(p);
}
