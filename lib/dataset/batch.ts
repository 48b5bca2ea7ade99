// From stamps to the models' input tensor, one batch at a time (the paper's Section 3.3 pipeline):
//   optional band zeroing (filter ablation) -> rescale to [0, 1] -> random flips and rotation (training)
//   -> five bands + one zero channel = 6 channels, NHWC -> bilinear resize to the model's input size.
// Channels 0-2 (F275W, F336W, F438W) feed backbone 0 and 3-5 (F555W, F814W, zero) backbone 1 (lib/models/dual.ts).
import * as tf from "@tensorflow/tfjs";
import { Band, BANDS } from "../catalog/record";
import { mulberry32 } from "../util/random";
import { augment, drawAugmentation, rescale, RescaleRule, Rotation } from "./transforms";

/** Channels of the models' input: the five bands and one zero channel (the dual model's two 3-channel backbones). */
export const INPUT_CHANNELS = BANDS.length + 1;

export interface BatchOptions {
  /** Stamp side in pixels. */
  stampSize: number;
  /** Model input side; the batch is resized (bilinear, half-pixel centres as torch's align_corners=False) when it differs. */
  inputSize: number;
  rescale: RescaleRule;
  /** Training rotations (default "any", the paper's). */
  rotation?: Rotation;
  /** One seed per stamp for its augmentation draw; omit for evaluation (no augmentation). */
  augmentSeeds?: number[];
  /** Filter ablation: this band is set to zero in every stamp before rescaling, as a missing band is in curation. */
  zeroBand?: Band;
}

/** The six-channel NHWC plane of one stamp (band-major input), after zeroing, rescaling and augmentation. */
export function prepareStamp(stamp: Float32Array, options: BatchOptions, augmentSeed?: number): Float32Array {
  const size = options.stampSize,
    plane = size * size,
    bands = BANDS.length;
  if (stamp.length !== bands * plane)
    throw new Error(`stamp has ${stamp.length} values, expected ${bands} x ${size} x ${size}`);
  let s = stamp;
  if (options.zeroBand) {
    const b = BANDS.indexOf(options.zeroBand);
    if (b < 0) throw new Error(`unknown band '${options.zeroBand}' (bands: ${BANDS.join(", ")})`);
    s = Float32Array.from(stamp);
    s.fill(0, b * plane, (b + 1) * plane);
  }
  s = rescale(s, bands, options.rescale);
  if (augmentSeed !== undefined)
    s = augment(s, bands, size, drawAugmentation(mulberry32(augmentSeed), options.rotation));
  const out = new Float32Array(plane * INPUT_CHANNELS);
  for (let b = 0; b < bands; b++) for (let i = 0; i < plane; i++) out[i * INPUT_CHANNELS + b] = s[b * plane + i];
  return out;
}

/** A batch tensor [n, inputSize, inputSize, 6] from band-major stamps. */
export function assembleBatch(stamps: Float32Array[], options: BatchOptions): tf.Tensor4D {
  const { stampSize: size, inputSize, augmentSeeds } = options;
  if (augmentSeeds && augmentSeeds.length !== stamps.length)
    throw new Error(`${augmentSeeds.length} augmentation seeds for ${stamps.length} stamps`);
  const plane = size * size * INPUT_CHANNELS;
  const data = new Float32Array(stamps.length * plane);
  stamps.forEach((s, i) => data.set(prepareStamp(s, options, augmentSeeds?.[i]), i * plane));
  return tf.tidy(() => {
    const x = tf.tensor4d(data, [stamps.length, size, size, INPUT_CHANNELS]);
    return inputSize === size ? x : tf.image.resizeBilinear(x, [inputSize, inputSize], false, true);
  });
}
