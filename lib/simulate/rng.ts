// Seeded random numbers for the simulator. Every random choice gets its own stream, keyed by what it is for
// (run seed, field, band, row or source index), so the bytes written do not depend on rendering order or
// strip size: a row's noise is the same whether it is rendered in a strip of 16 rows or of 4096.
import { deriveSeed, mulberry32, Random } from "../util/random";

export { deriveSeed };

/** Stream purposes, so that two uses of the same indices never share a stream. */
export const STREAM = {
  morphology: 1,
  noise: 2,
  truth: 3,
  annotator: 4,
  layout: 5,
  galaxy: 6,
  artifact: 7,
  magnitude: 8,
} as const;

/** A uniform stream for one purpose and one set of indices. */
export function stream(...parts: number[]): Rng {
  return new Rng(mulberry32(deriveSeed(...parts)));
}

/** Uniform, normal and Poisson draws on top of one uniform stream. */
export class Rng {
  private spare: number | undefined;
  constructor(readonly uniform: Random) {}

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }

  /** log10-normal: median * 10^(sigmaDex * N(0,1)). */
  logNormal(median: number, sigmaDex: number): number {
    return median * Math.pow(10, sigmaDex * this.normal());
  }

  /**
   * Poisson draw. Exact (multiplication method) below 30 expected counts, where the normal approximation
   * is visibly skewed; normal with continuity rounding above, where the difference is far below read noise.
   */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean < 30) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
  }

  /** Index drawn with probability proportional to weights. */
  pick(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}
