// The loss and one optimisation step of the dual classifier, as the paper trains it (cross-entropy, Adam).
// Kept minimal: the training engine (lib/train: data order, checkpoints, runs) builds on this.
import * as tf from "@tensorflow/tfjs";
import { Adam } from "../train/adam";
import { dualForward, DualModel, dualStateDict } from "./dual";
import { ForwardOptions } from "./layers";

/**
 * torch.nn.CrossEntropyLoss on logits [batch, classes] and int32 labels [batch]: the mean over the batch, or with
 * per-class `weights` the weighted mean sum(w_y * l) / sum(w_y), as torch's `weight=` argument does.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const perObject = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), tf.logSoftmax(logits)), 1));
    if (!weights) return tf.mean(perObject);
    const w = tf.gather(weights, labels);
    return tf.div(tf.sum(tf.mul(perObject, w)), tf.sum(w));
  }) as tf.Scalar;
}

export interface StepOptions {
  /** Per-class loss weights (default: none, as in the paper). */
  classWeights?: tf.Tensor1D;
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
export function lossAndGradients(model: DualModel, x: tf.Tensor4D, labels: tf.Tensor1D, options: StepOptions = {}): LossAndGradients {
  const trainable = [...dualStateDict(model)].filter(([, v]) => v.trainable);
  const forward: ForwardOptions = { training: true, dropoutSeed: options.dropoutSeed, dropout: options.dropout };
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    logits = tf.keep(dualForward(model, x, forward));
    return crossEntropy(logits, labels, options.classWeights);
  }, trainable.map(([, v]) => v));
  return { loss: value, logits: logits as tf.Tensor2D, grads: new Map(trainable.map(([name, v]) => [name, grads[v.name]])) };
}

/** One training step: forward in training mode, backward, Adam update. Returns the loss before the update. */
export function trainStep(model: DualModel, x: tf.Tensor4D, labels: tf.Tensor1D, optimizer: Adam, options: StepOptions = {}): number {
  return trainStepWithPredictions(model, x, labels, optimizer, options).loss;
}

/** trainStep that also returns the predicted class (argmax of the training-mode logits) of every stamp. */
export function trainStepWithPredictions(model: DualModel, x: tf.Tensor4D, labels: tf.Tensor1D, optimizer: Adam, options: StepOptions = {}): { loss: number; predicted: Int32Array } {
  const { loss, logits, grads } = lossAndGradients(model, x, labels, options);
  optimizer.step(dualStateDict(model), grads);
  const value = loss.dataSync()[0];
  const predicted = tf.tidy(() => tf.argMax(logits, 1).dataSync() as Int32Array);
  tf.dispose([loss, logits, ...grads.values()]);
  return { loss: value, predicted };
}
