// The dual classifier's training loss (cross-entropy, as the paper trains it, or its noise-robust generalisation)
// and its gradients. The optimisation step that applies them is the training engine's (lib/train/step.ts).
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
  return tf.tidy(() => weightedMean(tf.neg(labelLogProbability(logits, labels, logitOffsets)), labels, weights));
}

/**
 * The generalized cross-entropy (Zhang & Sabuncu 2018, "Generalized cross entropy loss for training deep neural
 * networks with noisy labels"): (1 - p_y^q) / q per object, the cross-entropy as q -> 0 and the mean absolute error
 * at q = 1. Its gradient on an object is the cross-entropy's times p_y^q: an object the network finds unlikely under
 * its label (a mislabelled one, most often) pulls less, so the network memorises fewer wrong labels.
 */
export function generalizedCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  q: number,
  weights?: tf.Tensor1D,
  logitOffsets?: tf.Tensor1D,
): tf.Scalar {
  if (!(q > 0 && q < 1)) throw new Error(`generalized cross-entropy: q must be in (0, 1) (got ${q})`);
  return tf.tidy(() => {
    const pq = tf.exp(tf.mul(labelLogProbability(logits, labels, logitOffsets), q));
    return weightedMean(tf.div(tf.sub(1, pq), q), labels, weights);
  });
}

/** log softmax(logits + offsets) at each object's label. */
function labelLogProbability(logits: tf.Tensor2D, labels: tf.Tensor1D, logitOffsets?: tf.Tensor1D): tf.Tensor1D {
  const scored = logitOffsets ? tf.add(logits, logitOffsets) : logits;
  return tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), tf.logSoftmax(scored)), 1);
}

/** The mean of per-object losses, or with per-class weights sum(w_y * l) / sum(w_y) as torch's `weight=`. */
function weightedMean(perObject: tf.Tensor1D, labels: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  if (!weights) return tf.mean(perObject);
  const w = tf.gather(weights, labels);
  return tf.div(tf.sum(tf.mul(perObject, w)), tf.sum(w));
}

export interface LossOptions {
  /** Per-class loss weights (default: none, as in the paper). */
  classWeights?: tf.Tensor1D;
  /**
   * Logit adjustment (Menon et al. 2021, "Long-tail learning via logit adjustment"): log class frequencies added to
   * the logits inside the loss only, so the network's own logits learn the class-balanced posterior.
   */
  logitOffsets?: tf.Tensor1D;
  /** The generalized cross-entropy's q (generalizedCrossEntropy); absent: the cross-entropy (the paper). */
  gceQ?: number;
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
      return options.gceQ === undefined
        ? crossEntropy(logits, labels, options.classWeights, options.logitOffsets)
        : generalizedCrossEntropy(logits, labels, options.gceQ, options.classWeights, options.logitOffsets);
    },
    trainable.map(([, v]) => v),
  );
  return {
    loss: value,
    logits: logits as tf.Tensor2D,
    grads: new Map(trainable.map(([name, v]) => [name, grads[v.name]])),
  };
}
