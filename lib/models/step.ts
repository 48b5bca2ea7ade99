// The loss and one optimisation step of the dual classifier, as the paper trains it (cross-entropy, Adam).
// Kept minimal: the training engine (data, schedules, checkpoints) builds on this.
import * as tf from "@tensorflow/tfjs";
import { Adam } from "../train/adam";
import { dualForward, DualModel, dualStateDict } from "./dual";

/** torch.nn.CrossEntropyLoss (mean over the batch) on logits [batch, classes] and int32 labels [batch]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), tf.logSoftmax(logits)), 1)))) as tf.Scalar;
}

/** Gradients of the training-mode loss (which also updates the BN running statistics), keyed like dualStateDict. */
export function lossAndGradients(model: DualModel, x: tf.Tensor4D, labels: tf.Tensor1D): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const trainable = [...dualStateDict(model)].filter(([, v]) => v.trainable);
  const { value, grads } = tf.variableGrads(() => crossEntropy(dualForward(model, x, { training: true }), labels), trainable.map(([, v]) => v));
  return { loss: value, grads: new Map(trainable.map(([name, v]) => [name, grads[v.name]])) };
}

/** One training step: forward in training mode, backward, Adam update. Returns the loss before the update. */
export function trainStep(model: DualModel, x: tf.Tensor4D, labels: tf.Tensor1D, optimizer: Adam): number {
  const { loss, grads } = lossAndGradients(model, x, labels);
  optimizer.step(dualStateDict(model), grads);
  const value = loss.dataSync()[0];
  loss.dispose();
  for (const g of grads.values()) g.dispose();
  return value;
}
