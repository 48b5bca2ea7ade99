// The backbone architectures by name, with what the dual classifier and the weight importer need to know.
import * as tf from "@tensorflow/tfjs";
import { Params, ParamSpec } from "./init";
import { ForwardOptions } from "./layers";
import { RESNET_FEATURES, resnet18Forward, resnet18Specs } from "./resnet";
import { VGG_FEATURES, vgg19BnForward, vgg19BnSpecs } from "./vgg";

export const ARCHITECTURES = ["resnet18", "vgg19_bn"] as const;
export type ArchName = (typeof ARCHITECTURES)[number];

export interface Architecture {
  name: ArchName;
  /** Parameter specs; numClasses null drops the final classification layer. */
  specs(numClasses: number | null): ParamSpec[];
  forward(p: Params, x: tf.Tensor4D, options: ForwardOptions): tf.Tensor2D;
  /** State-dict prefix of the final classification layer, the one fine-tuning replaces. */
  classifier: string;
  /** Input features of that layer. */
  features: number;
}

export const architectures: Record<ArchName, Architecture> = {
  resnet18: {
    name: "resnet18",
    specs: resnet18Specs,
    forward: resnet18Forward,
    classifier: "fc",
    features: RESNET_FEATURES,
  },
  vgg19_bn: {
    name: "vgg19_bn",
    specs: vgg19BnSpecs,
    forward: vgg19BnForward,
    classifier: "classifier.6",
    features: VGG_FEATURES,
  },
};

export function architecture(name: string): Architecture {
  if (!(ARCHITECTURES as readonly string[]).includes(name))
    throw new Error(`unknown architecture '${name}' (choose ${ARCHITECTURES.join(", ")})`);
  return architectures[name as ArchName];
}
