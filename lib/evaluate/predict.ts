// Class probabilities of a trained model on a set of stamps, in batches (eval mode: running BN statistics,
// no dropout, no augmentation), through the same batch pipeline as training.
import * as tf from "@tensorflow/tfjs";
import { Band } from "../catalog/record";
import { assembleBatch } from "../dataset/batch";
import { RescaleRule } from "../dataset/transforms";
import { DualModel, dualPredict } from "../models/dual";

export interface PredictOptions {
  stampSize: number;
  rescale: RescaleRule;
  batchSize: number;
  zeroBand?: Band;
  /** Called after each batch with the number of stamps done. */
  onProgress?: (done: number) => void;
}

/** Probabilities [n][classes] for band-major stamps. */
export function predictProbabilities(model: DualModel, stamps: Float32Array[], options: PredictOptions): Float32Array[] {
  const out: Float32Array[] = [];
  for (let start = 0; start < stamps.length; start += options.batchSize) {
    const chunk = stamps.slice(start, start + options.batchSize);
    const probs = tf.tidy(() => {
      const x = assembleBatch(chunk, { stampSize: options.stampSize, inputSize: model.config.inputSize, rescale: options.rescale, zeroBand: options.zeroBand });
      return dualPredict(model, x);
    });
    const values = probs.dataSync() as Float32Array;
    const k = probs.shape[1];
    probs.dispose();
    for (let i = 0; i < chunk.length; i++) out.push(values.slice(i * k, (i + 1) * k));
    options.onProgress?.(out.length);
  }
  return out;
}
