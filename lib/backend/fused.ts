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
  /** inputs {dy, x} of one shape; output dy * step(x), Relu's gradient, in one pass. */
  reluGrad: "StarclusterReluGrad",
} as const;

export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

// Whether Relu's gradient is registered with tfjs (once per process).
let reluGradient = false;

/**
 * Replaces tfjs's gradient of Relu, mul(dy, cast(step(x))), by one that runs the fused kernel where the active
 * backend has it and the same two ops elsewhere. Gradients are global in tfjs, hence the fallback.
 */
export function registerReluGradient(): void {
  if (reluGradient) return;
  tf.registerGradient({
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [x] = saved;
      const g = dy as tf.Tensor;
      return {
        x: () =>
          hasFusedKernel(FUSED.reluGrad)
            ? (tf.engine().runKernel(FUSED.reluGrad, { dy: g, x }) as tf.Tensor)
            : tf.mul(g, tf.cast(tf.step(x), "float32")),
      };
    },
  });
  reluGradient = true;
}
