// Class probabilities of a trained model on a set of stamps, in batches (eval mode: running BN statistics,
// no dropout, no augmentation), through the same batch pipeline as training.
import { Band } from "../catalog/record";
import { assembleBatch } from "../dataset/batch";
import { RescaleRule } from "../dataset/transforms";
import { DualModel, probabilityRows } from "../models/dual";

export interface PredictOptions {
  stampSize: number;
  rescale: RescaleRule;
  batchSize: number;
  zeroBand?: Band;
  /** The model's file, named if its probabilities are not finite. */
  source: string;
  /** Called after each batch with the number of stamps done. */
  onProgress?: (done: number) => void;
}

/** Probabilities [n][classes] for band-major stamps. */
export function predictProbabilities(
  model: DualModel,
  stamps: Float32Array[],
  options: PredictOptions,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let start = 0; start < stamps.length; start += options.batchSize) {
    const chunk = stamps.slice(start, start + options.batchSize);
    const x = assembleBatch(chunk, {
      stampSize: options.stampSize,
      inputSize: model.config.inputSize,
      rescale: options.rescale,
      zeroBand: options.zeroBand,
    });
    try {
      out.push(...probabilityRows(model, x, options.source));
    } finally {
      x.dispose();
    }
    options.onProgress?.(out.length);
  }
  return out;
}
