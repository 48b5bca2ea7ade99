// The dual classifier's training loss (cross-entropy, as the paper trains it) and its gradients. The optimisation step
// that applies them is the training engine's (lib/train/step.ts).
import * as tf from "@tensorflow/tfjs";
import { dualForward, DualModel, dualStateDict } from "./dual";
import { ForwardOptions } from "./layers";

/**
 * torch.nn.CrossEntropyLoss on logits [batch, classes] and int32 labels [batch]: the mean over the batch, or with
 * per-class `weights` the weighted mean sum(w_y * l) / sum(w_y), as torch's `weight=` argument does. With
 * `logitOffsets` the loss is that of logits + offsets (logit adjustment, LossOptions).
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  weights?: tf.Tensor1D,
  logitOffsets?: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    const scored = logitOffsets ? tf.add(logits, logitOffsets) : logits;
    const perObject = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), tf.logSoftmax(scored)), 1));
    if (!weights) return tf.mean(perObject);
    const w = tf.gather(weights, labels);
    return tf.div(tf.sum(tf.mul(perObject, w)), tf.sum(w));
  }) as tf.Scalar;
}

export interface LossOptions {
  /** Per-class loss weights (default: none, as in the paper). */
  classWeights?: tf.Tensor1D;
  /**
   * Logit adjustment (Menon et al. 2021, "Long-tail learning via logit adjustment"): log class frequencies added to
   * the logits inside the loss only, so the network's own logits learn the class-balanced posterior.
   */
  logitOffsets?: tf.Tensor1D;
  /** Seed of VGG's dropout masks, so a training step is reproducible. */
  dropoutSeed?: number;
  /** VGG's classifier dropout (default torchvision's 0.5). */
  dropout?: number;
}

export interface LossAndGradients {
  loss: tf.Scalar;
  /** The training-mode logits of the batch (for running accuracy); the caller disposes them. */
  logits: tf.Tensor2D;
  grads: Map<string, tf.Tensor>;
}

/** Gradients of the training-mode loss (which also updates the BN running statistics), keyed like dualStateDict. */
export function lossAndGradients(
  model: DualModel,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: LossOptions = {},
): LossAndGradients {
  const trainable = [...dualStateDict(model)].filter(([, v]) => v.trainable);
  const forward: ForwardOptions = { training: true, dropoutSeed: options.dropoutSeed, dropout: options.dropout };
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(
    () => {
      logits = tf.keep(dualForward(model, x, forward));
      return crossEntropy(logits, labels, options.classWeights, options.logitOffsets);
    },
    trainable.map(([, v]) => v),
  );
  return {
    loss: value,
    logits: logits as tf.Tensor2D,
    grads: new Map(trainable.map(([name, v]) => [name, grads[v.name]])),
  };
}
