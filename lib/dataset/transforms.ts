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
 *  - centre-absmax: |v| / max|v| over the central 9 x 9 pixels of all bands, clipped at 1. The object in the
 *    centre sets the scale, as a person adjusts the display to the source they classify; a brighter neighbour
 *    saturates instead of dimming the object (with stamp-absmax, a neighbour's brightness becomes a parameter).
 *  - none: values unchanged (for users who normalise upstream).
 */
export const RESCALE_RULES = ["stamp-absmax", "centre-absmax", "stamp-minmax", "band-minmax", "none"] as const;
/** Half-width of the centre-absmax box: 4 px covers the object's core (the PSF's FWHM is ~2 px) on either
 *  convention of an even stamp's centre pixel. */
export const CENTRE_HALF_WIDTH = 4;
export type RescaleRule = (typeof RESCALE_RULES)[number];

export function rescale(stamp: Float32Array, bands: number, rule: RescaleRule = "stamp-absmax"): Float32Array {
  const out = new Float32Array(stamp.length);
  const plane = stamp.length / bands;
  const scaleRange = (from: number, to: number, fn: (v: number) => number, lo: number, hi: number) => {
    const span = hi - lo;
    for (let i = from; i < to; i++) out[i] = span > 0 ? (fn(stamp[i]) - lo) / span : 0;
  };
  const extent = (from: number, to: number, fn: (v: number) => number) => {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = from; i < to; i++) {
      const v = fn(stamp[i]);
      if (!Number.isFinite(v))
        throw new Error(`rescale: stamp contains ${v}; curation must replace or reject non-finite pixels`);
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
    case "centre-absmax": {
      extent(0, stamp.length, Math.abs); // refuses NaN anywhere in the stamp
      const hi = centreAbsMax(stamp, bands);
      scaleRange(0, stamp.length, (v) => Math.min(Math.abs(v), hi), 0, hi);
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

/** max|v| over the central (2 CENTRE_HALF_WIDTH + 1)^2 pixels of every band (the centre is pixel floor(size / 2)). */
function centreAbsMax(stamp: Float32Array, bands: number): number {
  const plane = stamp.length / bands,
    size = Math.round(Math.sqrt(plane)),
    c = Math.floor(size / 2);
  let hi = 0;
  for (let b = 0; b < bands; b++) {
    for (let y = c - CENTRE_HALF_WIDTH; y <= c + CENTRE_HALF_WIDTH; y++) {
      for (let x = c - CENTRE_HALF_WIDTH; x <= c + CENTRE_HALF_WIDTH; x++)
        hi = Math.max(hi, Math.abs(stamp[b * plane + y * size + x]));
    }
  }
  return hi;
}

export interface Augmentation {
  flipX: boolean;
  flipY: boolean;
  /** Rotation angle in radians about the stamp centre. */
  angle: number;
}

/**
 * How training stamps are rotated: "any" angle uniform in [0, 2pi) (the paper, on stamps resized to 299 px), or
 * "right-angle" multiples of 90 degrees, which move pixels without interpolating them. At the stamps' native
 * 50 px a bilinear rotation blurs by up to half a pixel, comparable to what tells a star from a compact cluster,
 * and only training stamps are blurred (test stamps are not rotated).
 */
export const ROTATIONS = ["any", "right-angle"] as const;
export type Rotation = (typeof ROTATIONS)[number];

/** Augmentation parameters: each flip with probability 1/2, and an angle as `rotation` says. */
export function drawAugmentation(random: Random, rotation: Rotation = "any"): Augmentation {
  const flipX = random() < 0.5,
    flipY = random() < 0.5,
    u = random();
  return { flipX, flipY, angle: rotation === "any" ? u * 2 * Math.PI : (Math.floor(u * 4) * Math.PI) / 2 };
}

/**
 * Applies flips then a rotation about the stamp centre with bilinear interpolation; pixels that come from
 * outside the stamp are 0 (as torchvision's RandomRotation fills). The identity leaves the stamp bit-identical.
 */
export function augment(stamp: Float32Array, bands: number, size: number, a: Augmentation): Float32Array {
  const out = new Float32Array(stamp.length);
  const c = (size - 1) / 2;
  const cos = Math.cos(a.angle),
    sin = Math.sin(a.angle);
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
        const dx = x - c,
          dy = y - c;
        const sx = cos * dx - sin * dy + c;
        const sy = sin * dx + cos * dy + c;
        const x0 = Math.floor(sx),
          y0 = Math.floor(sy);
        const fx = sx - x0,
          fy = sy - y0;
        const v =
          (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
          fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
        out[base + y * size + x] = v;
      }
    }
  }
  return out;
}
