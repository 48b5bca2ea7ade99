// RICE_1 decompression (Rice, Yeh & Miller 1993; FITS Standard 4.0 section 10.4.1), ported from cfitsio's
// fits_rdecomp / fits_rdecomp_short / fits_rdecomp_byte (ricecomp.c), which astropy uses: blocks of `blocksize`
// pixels, each a 3/4/5-bit code selecting all-equal, raw or Rice-coded differences from the previous pixel.
// Arithmetic is on unsigned integers of the pixel's width and wraps as cfitsio's does.

export type RiceBytepix = 1 | 2 | 4;

/** Code-word width and the "raw values" code for 1-, 2- and 4-byte pixels (cfitsio's fsbits, fsmax). */
const CODES: Record<RiceBytepix, { fsbits: number; fsmax: number }> = {
  1: { fsbits: 3, fsmax: 6 },
  2: { fsbits: 4, fsmax: 14 },
  4: { fsbits: 5, fsmax: 25 },
};

/**
 * Unsigned pixel values of one tile (Uint8Array, Uint16Array or Uint32Array as `bytepix`); throws on a short stream.
 * One function as long as cfitsio's: a single pass over the bit stream with its state in locals, kept line for line
 * beside fits_rdecomp so that the two can be compared (splitting it would move the bit buffer into an object).
 */
export function riceDecode(
  c: Uint8Array,
  npix: number,
  blocksize: number,
  bytepix: RiceBytepix,
): Uint8Array | Uint16Array | Uint32Array {
  const { fsbits, fsmax } = CODES[bytepix];
  const bbits = 8 * bytepix;
  const out = bytepix === 1 ? new Uint8Array(npix) : bytepix === 2 ? new Uint16Array(npix) : new Uint32Array(npix);
  const mask = bytepix === 4 ? 0xffffffff : (1 << bbits) - 1;
  if (c.length < bytepix)
    throw new Error(`RICE_1 tile of ${c.length} bytes is shorter than its first ${bytepix}-byte value`);
  // The first pixel is stored as it is, big-endian.
  let lastpix = 0;
  for (let i = 0; i < bytepix; i++) lastpix = (lastpix * 256 + c[i]) >>> 0;
  let at = bytepix;
  const next = () => (at < c.length ? c[at++] : (at++, 0)); // reading past the end is detected after the block
  let b = next();
  let nbits = 8;
  for (let i = 0; i < npix; ) {
    nbits -= fsbits;
    while (nbits < 0) {
      b = ((b << 8) | next()) >>> 0;
      nbits += 8;
    }
    const fs = (b >>> nbits) - 1;
    b &= (1 << nbits) - 1;
    const imax = Math.min(i + blocksize, npix);
    if (fs < 0) {
      // Low entropy: every difference in the block is zero.
      for (; i < imax; i++) out[i] = lastpix;
    } else if (fs === fsmax) {
      // High entropy: the differences are stored raw, bbits each.
      for (; i < imax; i++) {
        let k = bbits - nbits;
        let diff = k >= 32 ? 0 : (b << k) >>> 0;
        for (k -= 8; k >= 0; k -= 8) {
          b = next();
          diff = (diff | (b << k)) >>> 0;
        }
        if (nbits > 0) {
          b = next();
          diff = (diff | (b >>> -k)) >>> 0;
          b &= (1 << nbits) - 1;
        } else {
          b = 0;
        }
        lastpix = undoDifference(diff, lastpix, mask);
        out[i] = lastpix;
      }
    } else {
      // Rice coding: a unary count of leading zeros, then fs low bits.
      for (; i < imax; i++) {
        while (b === 0) {
          nbits += 8;
          b = next();
        }
        const nzero = nbits - (32 - Math.clz32(b));
        nbits -= nzero + 1;
        b ^= 1 << nbits;
        nbits -= fs;
        while (nbits < 0) {
          b = ((b << 8) | next()) >>> 0;
          nbits += 8;
        }
        const diff = ((nzero << fs) | (b >>> nbits)) >>> 0;
        b &= (1 << nbits) - 1;
        lastpix = undoDifference(diff, lastpix, mask);
        out[i] = lastpix;
      }
    }
    if (at > c.length) throw new Error(`RICE_1 tile ends early: its ${c.length} bytes hold fewer than ${npix} pixels`);
  }
  return out;
}

/** Undoes the zig-zag mapping of a difference and adds it to the previous pixel, wrapping at the pixel's width. */
function undoDifference(diff: number, lastpix: number, mask: number): number {
  const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1) >>> 0;
  return (((d + lastpix) >>> 0) & mask) >>> 0;
}
