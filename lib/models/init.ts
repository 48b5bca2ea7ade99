// Initialisation, all in one place: torchvision 0.14's rules (models/resnet.py and models/vgg.py `__init__`,
// and nn.Linear.reset_parameters for layers created fresh), and creating the tf.Variables from them.
// The values are drawn from tfjs's seeded generator, so they follow torchvision's distributions, not its RNG stream.
import * as tf from "@tensorflow/tfjs";
import type { TensorData } from "./safetensors";

export type Init =
  | { kind: "zeros" }
  | { kind: "ones" }
  | { kind: "normal"; std: number }
  | { kind: "uniform"; bound: number };

const zeros: Init = { kind: "zeros" };
const ones: Init = { kind: "ones" };

/** torchvision's initialisation per layer type. */
export const torchvisionInit = {
  /** Conv weights, ResNet and VGG: kaiming_normal_(mode="fan_out", nonlinearity="relu"), std = sqrt(2 / (k*k*out)). */
  conv: (kernel: number, outChannels: number): Init => ({
    kind: "normal",
    std: Math.sqrt(2 / (kernel * kernel * outChannels)),
  }),
  /** Conv biases (VGG only; ResNet convs have none): 0. */
  convBias: zeros,
  /** BatchNorm2d: weight 1, bias 0; running mean 0, running variance 1. */
  bnWeight: ones,
  bnBias: zeros,
  runningMean: zeros,
  runningVar: ones,
  /** VGG's classifier Linears: normal(0, 0.01), bias 0. */
  vggLinear: { weight: { kind: "normal", std: 0.01 } as Init, bias: zeros },
  /**
   * nn.Linear's own default: kaiming_uniform_(a=sqrt(5)) gives bound 1/sqrt(in), bias uniform(+-1/sqrt(in)).
   * Used for ResNet's fc and for every Linear created fresh: replaced last layers and the dual head.
   */
  linear: (inFeatures: number) => ({
    weight: { kind: "uniform", bound: 1 / Math.sqrt(inFeatures) } as Init,
    bias: { kind: "uniform", bound: 1 / Math.sqrt(inFeatures) } as Init,
  }),
};

/** One parameter or buffer: its torchvision state-dict name, tfjs shape (conv HWIO, linear [in, out]) and initial values. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  /** false for BatchNorm buffers (running statistics, num_batches_tracked). */
  trainable: boolean;
  dtype: "float32" | "int32";
}

/** A network's tensors by state-dict name. Variables are unnamed in tfjs (names there must be globally unique). */
export type Params = Map<string, tf.Variable>;

/** Which initialisation a model started from: recorded with every result. */
export type Provenance =
  | { init: "torchvision-default"; seed: number }
  | { init: "imagenet"; file: string; sha256: string };

export function describeProvenance(p: Provenance): string {
  return p.init === "imagenet" ? `imagenet:sha256:${p.sha256}` : `torchvision-default:seed=${p.seed}`;
}

/** Per-tensor seed from the model seed and the tensor's name, so adding a layer does not reshuffle the others. */
function tensorSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1; // tfjs's randomNormal takes a seed of 0 as none (Math.random)
}

export function initialValue(spec: ParamSpec, seed: number): tf.Tensor {
  const { init, shape } = spec;
  switch (init.kind) {
    case "zeros":
      return tf.zeros(shape, spec.dtype);
    case "ones":
      return tf.ones(shape, spec.dtype);
    case "normal":
      return tf.randomNormal(shape, 0, init.std, "float32", tensorSeed(seed, spec.name));
    case "uniform":
      return tf.randomUniform(shape, -init.bound, init.bound, "float32", tensorSeed(seed, spec.name));
  }
}

/**
 * Creates the variables for `specs`. Values in `given` (e.g. imported ImageNet weights, tfjs layout) are used
 * where present, shapes checked; the rest are initialised from their spec with `seed`. `scope` (e.g.
 * "backbones.1.") enters the per-tensor seeds, so two copies of one network start different, as in PyTorch.
 */
export function createParams(specs: ParamSpec[], seed: number, given?: Map<string, TensorData>, scope = ""): Params {
  const params: Params = new Map();
  for (const spec of specs) {
    const value = given?.get(spec.name);
    if (value && value.shape.join(",") !== spec.shape.join(",")) {
      throw new Error(`parameter '${spec.name}': expected shape [${spec.shape}], got [${value.shape}]`);
    }
    const initial = value
      ? tf.tensor(
          spec.dtype === "int32" ? Int32Array.from(value.data) : Float32Array.from(value.data),
          spec.shape,
          spec.dtype,
        )
      : initialValue({ ...spec, name: scope + spec.name }, seed);
    params.set(spec.name, tf.variable(initial, spec.trainable));
    initial.dispose();
  }
  return params;
}

export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose();
}

/** Number of trainable values, as PyTorch's sum(p.numel() for p in model.parameters()). */
export function countParameters(specs: ParamSpec[]): number {
  return specs.filter((s) => s.trainable).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}
