// HCOMPRESS_1 decompression (White 1992; FITS Standard 4.0 section 10.4.3), ported from cfitsio's
// fits_hdecompress / fits_hdecompress64 (fits_hdecompress.c): a header (magic, nx, ny, scale, sum of all pixels,
// bit planes per quadrant), quadtree-coded bit planes of the H-transform coefficients, their signs, then the inverse
// H-transform with cfitsio's rounding. Values are kept as JavaScript numbers (exact below 2^53), which serves both
// cfitsio's 32-bit path (8- and 16-bit images) and its 64-bit one (32-bit images, quantised floats).
// The optional smoothing during inversion (ZNAME SMOOTH != 0) is not ported and is refused by name.

/** Reads the compressed stream: bytes, then bits and 4-bit nybbles from its current position. */
class BitReader {
  private next = 0;
  private buffer = 0;
  private bitsToGo = 0;

  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.next >= this.bytes.length) throw new Error(`HCOMPRESS_1 stream ends early (${this.bytes.length} bytes)`);
    return this.bytes[this.next++];
  }

  /** A big-endian signed integer of `n` bytes (4: int, 8: long long), read as a bigint so negatives stay exact. */
  int(n: number): number {
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.byte());
    return Number(BigInt.asIntN(8 * n, v));
  }

  startBits(): void {
    this.bitsToGo = 0;
  }

  bit(): number {
    if (this.bitsToGo === 0) {
      this.buffer = this.byte();
      this.bitsToGo = 8;
    }
    this.bitsToGo--;
    return (this.buffer >> this.bitsToGo) & 1;
  }

  bits(n: number): number {
    if (this.bitsToGo < n) {
      this.buffer = ((this.buffer << 8) | this.byte()) & 0xffff;
      this.bitsToGo += 8;
    }
    this.bitsToGo -= n;
    return (this.buffer >> this.bitsToGo) & ((1 << n) - 1);
  }

  nybble(): number {
    return this.bits(4);
  }

  /** cfitsio's input_huffman: the variable-length code of a 4-bit quadtree value. */
  huffman(): number {
    let c = this.bits(3);
    if (c < 4) return 1 << c;
    c = this.bit() | (c << 1);
    const four: Record<number, number> = { 8: 3, 9: 5, 10: 10, 11: 12, 12: 15 };
    if (c < 13) return four[c];
    c = this.bit() | (c << 1);
    const five: Record<number, number> = { 26: 6, 27: 7, 28: 9, 29: 11, 30: 13 };
    if (c < 31) return five[c];
    c = this.bit() | (c << 1);
    return c === 62 ? 0 : 14;
  }
}

/** log2 of n rounded up to a power of 2, as cfitsio computes it (single-precision log, then a correction). */
function log2Ceil(n: number): number {
  let log2n = Math.trunc(Math.log(Math.fround(n)) / Math.log(2) + 0.5);
  if (n > 2 ** log2n) log2n++;
  return log2n;
}

/** Writes the 2x2 bits of each 4-bit value of `a` ((nx+1)/2 x (ny+1)/2) into plane `plane` of b (row length n). */
function bitInsert(
  a: Uint8Array,
  nx: number,
  ny: number,
  b: Float64Array,
  base: number,
  n: number,
  plane: number,
): void {
  // Bits 3, 2, 1, 0 of a value go to b[i][j], b[i][j+1], b[i+1][j], b[i+1][j+1]; set once, so += is |=.
  let k = 0;
  const set = (at: number, v: number, bit: number) => {
    if ((v >> bit) & 1) b[base + at] += plane;
  };
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = n * i;
    let j = 0;
    for (; j < ny - 1; j += 2, s00 += 2, k++) {
      set(s00 + n + 1, a[k], 0);
      set(s00 + n, a[k], 1);
      set(s00 + 1, a[k], 2);
      set(s00, a[k], 3);
    }
    if (j < ny) {
      set(s00 + n, a[k], 1);
      set(s00, a[k], 3);
      k++;
    }
  }
  if (i < nx) {
    let s00 = n * i;
    let j = 0;
    for (; j < ny - 1; j += 2, s00 += 2, k++) {
      set(s00 + 1, a[k], 2);
      set(s00, a[k], 3);
    }
    if (j < ny) set(s00, a[k++], 3);
  }
}

/** cfitsio's qtree_copy: the (nx+1)/2 x (ny+1)/2 4-bit values of a, expanded in place to nx x ny single bits. */
function quadCopy(a: Uint8Array, nx: number, ny: number): void {
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  const n = ny;
  let k = ny2 * (nx2 - 1) + ny2 - 1;
  for (let i = nx2 - 1; i >= 0; i--) {
    let s00 = 2 * (n * i + ny2 - 1);
    for (let j = ny2 - 1; j >= 0; j--, k--, s00 -= 2) a[s00] = a[k];
  }
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = n * i;
    let j = 0;
    for (; j < ny - 1; j += 2, s00 += 2) {
      const v = a[s00];
      a[s00 + n + 1] = v & 1;
      a[s00 + n] = (v >> 1) & 1;
      a[s00 + 1] = (v >> 2) & 1;
      a[s00] = (v >> 3) & 1;
    }
    if (j < ny) {
      a[s00 + n] = (a[s00] >> 1) & 1;
      a[s00] = (a[s00] >> 3) & 1;
    }
  }
  if (i < nx) {
    let s00 = n * i;
    let j = 0;
    for (; j < ny - 1; j += 2, s00 += 2) {
      a[s00 + 1] = (a[s00] >> 2) & 1;
      a[s00] = (a[s00] >> 3) & 1;
    }
    if (j < ny) a[s00] = (a[s00] >> 3) & 1;
  }
}

/** cfitsio's qtree_decode: `planes` bit planes of one quadrant (nqx x nqy at `base`, row length n). */
function quadtreeDecode(
  r: BitReader,
  a: Float64Array,
  base: number,
  n: number,
  nqx: number,
  nqy: number,
  planes: number,
): void {
  const nqmax = Math.max(nqx, nqy);
  if (nqmax === 0) return;
  const log2n = log2Ceil(nqmax);
  const scratch = new Uint8Array(Math.max(1, nqx * nqy));
  for (let bit = planes - 1; bit >= 0; bit--) {
    const format = r.nybble();
    if (format === 0) {
      // Written directly, 4 pixels per nybble.
      const count = ((nqx + 1) >> 1) * ((nqy + 1) >> 1);
      for (let i = 0; i < count; i++) scratch[i] = r.nybble();
    } else if (format === 0xf) {
      scratch[0] = r.huffman();
      let [nx, ny, nfx, nfy, c] = [1, 1, nqx, nqy, 2 ** log2n];
      for (let k = 1; k < log2n; k++) {
        // n[k-1] = (n[k] + 1) / 2, where n[log2n] = nqx or nqy.
        c /= 2;
        nx *= 2;
        ny *= 2;
        if (nfx <= c) nx--;
        else nfx -= c;
        if (nfy <= c) ny--;
        else nfy -= c;
        quadCopy(scratch, nx, ny);
        for (let i = nx * ny - 1; i >= 0; i--) if (scratch[i]) scratch[i] = r.huffman();
      }
    } else {
      throw new Error(`HCOMPRESS_1 bit plane has bad format code ${format}`);
    }
    bitInsert(scratch, nqx, nqy, a, base, n, 2 ** bit);
  }
}

/** cfitsio's unshuffle: the n elements a[0], a[n2], ... become even elements first half, odd second half. */
function unshuffle(a: Float64Array, start: number, n: number, n2: number, tmp: Float64Array): void {
  const nhalf = (n + 1) >> 1;
  for (let i = nhalf, t = 0; i < n; i++, t++) tmp[t] = a[start + n2 * i];
  for (let i = nhalf - 1; i >= 0; i--) a[start + 2 * n2 * i] = a[start + n2 * i];
  for (let i = 1, t = 0; i < n; i += 2, t++) a[start + n2 * i] = tmp[t];
}

/** Two's-complement bit arithmetic on exact integers held as numbers (values can exceed 32 bits). */
const floorTo = (x: number, unit: number) => Math.floor(x / unit) * unit; // x & -unit
const bitOf = (x: number, unit: number) => (((Math.floor(x / unit) % 2) + 2) % 2) * unit; // x & unit
const shiftDown = (x: number, s: number) => Math.floor(x / 2 ** s); // x >> s

/**
 * cfitsio's hinv: the inverse H-transform of an nx x ny array (ny fastest), with its rounding. One function as in
 * cfitsio, kept statement for statement beside hinv (its rounding is the part that must match bit for bit).
 */
function inverseTransform(a: Float64Array, nx: number, ny: number): void {
  const nmax = Math.max(nx, ny);
  const log2n = log2Ceil(nmax);
  const tmp = new Float64Array((nmax + 1) >> 1);
  let shift = 1;
  let bit0 = 2 ** (log2n - 1);
  let bit1 = 2 * bit0;
  let bit2 = 4 * bit0;
  let prnd0 = Math.floor(bit0 / 2);
  let prnd1 = Math.floor(bit1 / 2);
  const prnd2 = Math.floor(bit2 / 2);
  let nrnd0 = prnd0 - 1;
  let nrnd1 = prnd1 - 1;
  const nrnd2 = prnd2 - 1;
  const round = (v: number, p: number, m: number, unit: number) => floorTo(v + (v >= 0 ? p : m), unit);
  a[0] = round(a[0], prnd2, nrnd2, bit2);
  let [nxtop, nytop, nxf, nyf, c] = [1, 1, nx, ny, 2 ** log2n];
  for (let k = log2n - 1; k >= 0; k--) {
    c /= 2;
    nxtop *= 2;
    nytop *= 2;
    if (nxf <= c) nxtop--;
    else nxf -= c;
    if (nyf <= c) nytop--;
    else nyf -= c;
    if (k === 0) {
      // Last pass: prnd0 is 0, so nrnd0 is too, and sums are divided by 4.
      nrnd0 = 0;
      shift = 2;
    }
    for (let i = 0; i < nxtop; i++) unshuffle(a, ny * i, nytop, 1, tmp);
    for (let j = 0; j < nytop; j++) unshuffle(a, j, nxtop, ny, tmp);
    const oddx = nxtop % 2;
    const oddy = nytop % 2;
    let i = 0;
    for (; i < nxtop - oddx; i += 2) {
      let s00 = ny * i;
      let s10 = s00 + ny;
      for (let j = 0; j < nytop - oddy; j += 2, s00 += 2, s10 += 2) {
        let h0 = a[s00];
        let hx = round(a[s10], prnd1, nrnd1, bit1);
        let hy = round(a[s00 + 1], prnd1, nrnd1, bit1);
        const hc = round(a[s10 + 1], prnd0, nrnd0, bit0);
        // Propagate bit0 of hc to hx and hy, and bits 0 and 1 of hc, hx, hy to h0.
        const lowbit0 = bitOf(hc, bit0);
        hx = hx >= 0 ? hx - lowbit0 : hx + lowbit0;
        hy = hy >= 0 ? hy - lowbit0 : hy + lowbit0;
        const lowbit1 = (((bitOf(hc, bit1) + bitOf(hx, bit1) + bitOf(hy, bit1)) / bit1) % 2) * bit1;
        h0 = h0 >= 0 ? h0 + lowbit0 - lowbit1 : h0 + (lowbit0 === 0 ? lowbit1 : lowbit0 - lowbit1);
        a[s10 + 1] = shiftDown(h0 + hx + hy + hc, shift);
        a[s10] = shiftDown(h0 + hx - hy - hc, shift);
        a[s00 + 1] = shiftDown(h0 - hx + hy - hc, shift);
        a[s00] = shiftDown(h0 - hx - hy + hc, shift);
      }
      if (oddy) {
        const h0 = a[s00];
        const hx = round(a[s10], prnd1, nrnd1, bit1);
        const lowbit1 = bitOf(hx, bit1);
        const g0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s10] = shiftDown(g0 + hx, shift);
        a[s00] = shiftDown(g0 - hx, shift);
      }
    }
    if (oddx) {
      let s00 = ny * i;
      let j = 0;
      for (; j < nytop - oddy; j += 2, s00 += 2) {
        const h0 = a[s00];
        const hy = round(a[s00 + 1], prnd1, nrnd1, bit1);
        const lowbit1 = bitOf(hy, bit1);
        const g0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s00 + 1] = shiftDown(g0 + hy, shift);
        a[s00] = shiftDown(g0 - hy, shift);
      }
      if (oddy) a[s00] = shiftDown(a[s00], shift);
    }
    // Halve the masks and rounding values.
    bit2 = bit1;
    bit1 = bit0;
    bit0 = Math.floor(bit0 / 2);
    prnd1 = prnd0;
    prnd0 = Math.floor(prnd0 / 2);
    nrnd1 = nrnd0;
    nrnd0 = prnd0 - 1;
  }
  void bit2;
}

/** Decodes one tile: its pixels (ny fastest, i.e. FITS x) as exact integers. */
export function hdecompress(bytes: Uint8Array, npix: number, smooth: number): Float64Array {
  if (smooth !== 0) throw new Error("HCOMPRESS_1 with SMOOTH != 0 (smoothing during decompression) is not supported");
  const r = new BitReader(bytes);
  if (r.byte() !== 0xdd || r.byte() !== 0x99)
    throw new Error("HCOMPRESS_1 tile does not start with the magic code DD 99");
  const nx = r.int(4);
  const ny = r.int(4);
  const scale = r.int(4);
  if (nx * ny !== npix) throw new Error(`HCOMPRESS_1 tile is ${nx} x ${ny}, the image's tile has ${npix} pixels`);
  const sumall = r.int(8);
  const planes = [r.byte(), r.byte(), r.byte()];
  const a = new Float64Array(npix);
  decodePlanes(r, a, nx, ny, planes);
  a[0] = sumall;
  if (scale > 1) for (let i = 0; i < npix; i++) a[i] *= scale;
  inverseTransform(a, nx, ny);
  return a;
}

/** cfitsio's dodecode: the four quadrants' bit planes, the end marker, then one sign bit per non-zero value. */
function decodePlanes(r: BitReader, a: Float64Array, nx: number, ny: number, planes: number[]): void {
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  r.startBits();
  quadtreeDecode(r, a, 0, ny, nx2, ny2, planes[0]);
  quadtreeDecode(r, a, ny2, ny, nx2, ny >> 1, planes[1]);
  quadtreeDecode(r, a, ny * nx2, ny, nx >> 1, ny2, planes[1]);
  quadtreeDecode(r, a, ny * nx2 + ny2, ny, nx >> 1, ny >> 1, planes[2]);
  if (r.nybble() !== 0) throw new Error("HCOMPRESS_1 bit planes are not followed by the end code");
  r.startBits();
  for (let i = 0; i < a.length; i++) if (a[i] && r.bit()) a[i] = -a[i];
}
