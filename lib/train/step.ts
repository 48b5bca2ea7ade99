// One optimisation step of the dual classifier: forward in training mode, backward (lib/models/loss.ts), Adam update.
import * as tf from "@tensorflow/tfjs";
import { DualModel, dualStateDict } from "../models/dual";
import { LossOptions, lossAndGradients } from "../models/loss";
import { Adam } from "./adam";

/** One training step: forward in training mode, backward, Adam update. Returns the loss before the update. */
export function trainStep(
  model: DualModel,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  optimizer: Adam,
  options: LossOptions = {},
): number {
  return trainStepWithPredictions(model, x, labels, optimizer, options).loss;
}

/** trainStep that also returns the predicted class (argmax of the training-mode logits) of every stamp. */
export function trainStepWithPredictions(
  model: DualModel,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  optimizer: Adam,
  options: LossOptions = {},
): { loss: number; predicted: Int32Array } {
  const { loss, logits, grads } = lossAndGradients(model, x, labels, options);
  optimizer.step(dualStateDict(model), grads);
  const value = loss.dataSync()[0];
  const predicted = tf.tidy(() => tf.argMax(logits, 1).dataSync() as Int32Array);
  tf.dispose([loss, logits, ...grads.values()]);
  return { loss: value, predicted };
}
