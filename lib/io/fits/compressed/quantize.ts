// Quantised floating-point tiles (FITS Standard 4.0 section 10.2; cfitsio imcompress.c unquantize_i4r4 and
// fits_init_randoms): floats were stored as integers q with a per-tile ZSCALE and ZZERO, optionally with a
// subtractive dither from a fixed table of 10000 pseudo-random numbers, so that value = (q - r + 0.5) * ZSCALE + ZZERO.
// The table, its float32 rounding and the walk through it are cfitsio's, so values equal astropy's bit for bit.

export type DitherMethod = "NO_DITHER" | "SUBTRACTIVE_DITHER_1" | "SUBTRACTIVE_DITHER_2";

const N_RANDOM = 10000;
/** SUBTRACTIVE_DITHER_2 stores exact zeros as this value. */
const ZERO_VALUE = -2147483646;

// cfitsio's dither table (N_RANDOM floats), computed once per process on first use.
let randoms: Float32Array | undefined;

/** cfitsio's fits_init_randoms: Park & Miller's minimal standard generator, each value rounded to float32. */
export function ditherTable(): Float32Array {
  if (randoms) return randoms;
  const table = new Float32Array(N_RANDOM);
  const a = 16807;
  const m = 2147483647;
  let seed = 1;
  for (let i = 0; i < N_RANDOM; i++) {
    const temp = a * seed;
    seed = temp - m * Math.trunc(temp / m);
    table[i] = seed / m;
  }
  // cfitsio's own check of the implementation: the 10000th seed.
  if (seed !== 1043618065)
    throw new Error("dither random-number table is wrong (cfitsio's check value 1043618065 not reached)");
  randoms = table;
  return table;
}

export interface Quantisation {
  method: DitherMethod;
  scale: number;
  zero: number;
  /** 1-based tile number + ZDITHER0 - 1: where this tile starts in the random table. */
  seedRow: number;
}

/** Floats of one tile from its quantised integers, into `out` (Float32Array for ZBITPIX -32, Float64Array for -64). */
export function unquantize(q: ArrayLike<number>, p: Quantisation, out: Float32Array | Float64Array): void {
  const n = q.length;
  if (p.method === "NO_DITHER") {
    // cfitsio's fffi4r4: one double multiply-add, rounded to the output type on store.
    for (let i = 0; i < n; i++) out[i] = q[i] * p.scale + p.zero;
    return;
  }
  const r = ditherTable();
  let iseed = (p.seedRow - 1) % N_RANDOM;
  let nextrand = Math.trunc(r[iseed] * 500);
  const zeros = p.method === "SUBTRACTIVE_DITHER_2";
  for (let i = 0; i < n; i++) {
    out[i] = zeros && q[i] === ZERO_VALUE ? 0 : (q[i] - r[nextrand] + 0.5) * p.scale + p.zero;
    nextrand++;
    if (nextrand === N_RANDOM) {
      iseed++;
      if (iseed === N_RANDOM) iseed = 0;
      nextrand = Math.trunc(r[iseed] * 500);
    }
  }
}
