// Per-stamp pixel transforms: rescaling to [0, 1] and the paper's augmentation (random flips, rotation by a
// uniform angle in [0, 2pi)). Stamps are band-major Float32Arrays: [band][row][column], `size` x `size` each.
import { Random } from "../util/random";

/**
 * How pixel values become [0, 1] (the paper: "absolute values of pixels are rescaled to be in the range [0, 1],
 * to avoid the brightness of the sources from becoming a parameter"):
 *  - stamp-absmax (default): |v| / max|v| over all bands of the stamp. Keeps colours (band ratios) and keeps a
 *    zero-filled missing band at exactly 0.
 *  - stamp-minmax: (v - min) / (max - min) over all bands; keeps colours, shifts a zero band to the sky level.
 *  - band-minmax: each band on its own; drops colour information.
 *  - none: values unchanged (for users who normalise upstream).
 */
export const RESCALE_RULES = ["stamp-absmax", "stamp-minmax", "band-minmax", "none"] as const;
export type RescaleRule = (typeof RESCALE_RULES)[number];

export function rescale(stamp: Float32Array, bands: number, rule: RescaleRule = "stamp-absmax"): Float32Array {
  const out = new Float32Array(stamp.length);
  const plane = stamp.length / bands;
  const scaleRange = (from: number, to: number, fn: (v: number) => number, lo: number, hi: number) => {
    const span = hi - lo;
    for (let i = from; i < to; i++) out[i] = span > 0 ? (fn(stamp[i]) - lo) / span : 0;
  };
  const extent = (from: number, to: number, fn: (v: number) => number) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = from; i < to; i++) {
      const v = fn(stamp[i]);
      if (Number.isNaN(v)) throw new Error("rescale: stamp contains NaN; curation must replace or reject them");
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi] as const;
  };
  switch (rule) {
    case "none":
      out.set(stamp);
      break;
    case "stamp-absmax": {
      const [, hi] = extent(0, stamp.length, Math.abs);
      scaleRange(0, stamp.length, Math.abs, 0, hi);
      break;
    }
    case "stamp-minmax": {
      const [lo, hi] = extent(0, stamp.length, (v) => v);
      scaleRange(0, stamp.length, (v) => v, lo, hi);
      break;
    }
    case "band-minmax":
      for (let b = 0; b < bands; b++) {
        const [lo, hi] = extent(b * plane, (b + 1) * plane, (v) => v);
        scaleRange(b * plane, (b + 1) * plane, (v) => v, lo, hi);
      }
      break;
  }
  return out;
}

export interface Augmentation {
  flipX: boolean;
  flipY: boolean;
  /** Rotation angle in radians about the stamp centre. */
  angle: number;
}

/** The paper's augmentation parameters: each flip with probability 1/2, an angle uniform in [0, 2pi). */
export function drawAugmentation(random: Random): Augmentation {
  return { flipX: random() < 0.5, flipY: random() < 0.5, angle: random() * 2 * Math.PI };
}

/**
 * Applies flips then a rotation about the stamp centre with bilinear interpolation; pixels that come from
 * outside the stamp are 0 (as torchvision's RandomRotation fills). The identity leaves the stamp bit-identical.
 */
export function augment(stamp: Float32Array, bands: number, size: number, a: Augmentation): Float32Array {
  const out = new Float32Array(stamp.length);
  const c = (size - 1) / 2;
  const cos = Math.cos(a.angle), sin = Math.sin(a.angle);
  for (let b = 0; b < bands; b++) {
    const base = b * size * size;
    // Source pixel after flips; 0 outside the stamp.
    const at = (row: number, col: number) => {
      if (row < 0 || row >= size || col < 0 || col >= size) return 0;
      const r = a.flipY ? size - 1 - row : row;
      const k = a.flipX ? size - 1 - col : col;
      return stamp[base + r * size + k];
    };
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        // Inverse rotation: where in the (flipped) input does output pixel (x, y) come from.
        const dx = x - c, dy = y - c;
        const sx = cos * dx - sin * dy + c;
        const sy = sin * dx + cos * dy + c;
        const x0 = Math.floor(sx), y0 = Math.floor(sy);
        const fx = sx - x0, fy = sy - y0;
        const v =
          (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
          fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
        out[base + y * size + x] = v;
      }
    }
  }
  return out;
}
