// Fused kernels a backend may provide for what lib/train/adam.ts and lib/models/layers.ts otherwise compose from
// elementwise ops. The onednn backend registers them; elsewhere the composed ops run. Callers check
// hasFusedKernel() on the active backend each time, since the backend can change between calls.
import * as tf from "@tensorflow/tfjs";

export const FUSED = {
  /** inputs {p, m, v, g}; attrs {beta1, beta2, eps, bc2Sqrt, stepSize}; outputs [p, m, v] after one Adam step. */
  adam: "StarclusterAdamUpdate",
  /** inputs {x, weight, bias}; attrs {eps}; outputs [y, xhat, mean, variance, invStd] (batch statistics over N, H, W). */
  batchNormTrain: "StarclusterBatchNormTrain",
  /** inputs {dy, xhat, weight, invStd}; outputs [dx, dWeight, dBias]. */
  batchNormTrainGrad: "StarclusterBatchNormTrainGrad",
} as const;

export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
