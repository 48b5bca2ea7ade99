// Pixel values: decoding big-endian stored values and turning them into physical values the way astropy does
// (hdu/image.py `_dtype_for_bitpix` and `_get_scaled_image_data`), so that both give the same bits.
import * as os from "node:os";

export type PixelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export type Bitpix = 8 | 16 | 32 | 64 | -32 | -64;
export const BITPIXES: readonly Bitpix[] = [8, 16, 32, 64, -32, -64];

/** The output of scaling: physical values and how they were obtained. */
export interface Scaling {
  bitpix: Bitpix;
  bscale: number;
  /** A bigint only for BZERO = 2^63 (unsigned 64-bit convention). */
  bzero: number | bigint;
  blank?: number | bigint;
}

export function isBitpix(v: unknown): v is Bitpix {
  return BITPIXES.includes(v as Bitpix);
}

export const bytesPer = (bitpix: Bitpix): number => Math.abs(bitpix) / 8;

const LITTLE_ENDIAN = os.endianness() === "LE";

/**
 * Stored values from big-endian bytes. `bytes` must start at a multiple of 8 in its ArrayBuffer and is
 * byte-swapped in place, then viewed as the stored type (no copy).
 */
export function decodeStored(bytes: Uint8Array, bitpix: Bitpix): PixelArray {
  const n = bytes.length / bytesPer(bitpix);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (LITTLE_ENDIAN) {
    if (bitpix === 16) buf.swap16();
    else if (bitpix === 32 || bitpix === -32) buf.swap32();
    else if (bitpix === 64 || bitpix === -64) buf.swap64();
  }
  const { buffer, byteOffset } = bytes;
  switch (bitpix) {
    case 8:
      return bytes;
    case 16:
      return new Int16Array(buffer, byteOffset, n);
    case 32:
      return new Int32Array(buffer, byteOffset, n);
    case 64:
      return new BigInt64Array(buffer, byteOffset, n);
    case -32:
      return new Float32Array(buffer, byteOffset, n);
    case -64:
      return new Float64Array(buffer, byteOffset, n);
  }
}

/** Which convention a header's BSCALE/BZERO/BLANK select (astropy's rules). */
export type PhysicalKind = "stored" | "int8" | "uint16" | "uint32" | "uint64" | "float32" | "float64";

export function physicalKind(s: Scaling): PhysicalKind {
  const unscaled = s.bscale === 1 && Number(s.bzero) === 0;
  if (unscaled && (s.blank === undefined || s.bitpix < 0)) return "stored";
  const integerZero = typeof s.bzero === "bigint" || Number.isInteger(s.bzero);
  if (!unscaled && s.bscale === 1 && integerZero) {
    // Pseudo-unsigned integers: BZERO = 2^(bits-1) shifts a signed type to the unsigned one (and 8 bit the other way).
    const z = BigInt(s.bzero as number | bigint);
    if (s.bitpix === 8 && z === -128n) return "int8";
    if (s.bitpix === 16 && z === 1n << 15n) return "uint16";
    if (s.bitpix === 32 && z === 1n << 31n) return "uint32";
    if (s.bitpix === 64 && z === 1n << 63n) return "uint64";
  }
  if (s.bitpix === -64 || s.bitpix === 32 || s.bitpix === 64) return "float64";
  return "float32";
}

/** The astropy/numpy dtype name of the physical values, e.g. "float32" or "uint16". */
export function dtypeName(s: Scaling): string {
  const kind = physicalKind(s);
  if (kind !== "stored") return kind;
  return { 8: "uint8", 16: "int16", 32: "int32", 64: "int64", [-32]: "float32", [-64]: "float64" }[s.bitpix];
}

/**
 * Physical values from stored ones. Scaled float32 results are rounded after each operation exactly as numpy
 * does in float32 (multiply by BSCALE, then add BZERO); BLANK pixels of scaled integer data become NaN.
 */
export function toPhysical(stored: PixelArray, s: Scaling): PixelArray {
  const kind = physicalKind(s);
  const n = stored.length;
  switch (kind) {
    case "stored":
      return stored;
    case "int8":
      return Int8Array.from(stored as Uint8Array, (v) => v - 128);
    case "uint16": {
      const flipped = (stored as Int16Array).map((v) => v ^ -0x8000);
      return new Uint16Array(flipped.buffer, flipped.byteOffset, n);
    }
    case "uint32": {
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = ((stored as Int32Array)[i] ^ -0x80000000) >>> 0;
      return out;
    }
    case "uint64": {
      const out = new BigUint64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt.asUintN(64, (stored as BigInt64Array)[i] ^ -(1n << 63n));
      return out;
    }
  }
  const blank = s.bitpix > 0 && s.blank !== undefined ? s.blank : undefined;
  const bscale = s.bscale;
  const bzero = Number(s.bzero);
  if (kind === "float32") {
    const out = new Float32Array(n);
    const fs = Math.fround(bscale);
    const fz = Math.fround(bzero);
    for (let i = 0; i < n; i++) {
      let v = Math.fround(Number(stored[i]));
      if (bscale !== 1) v = Math.fround(v * fs);
      if (bzero !== 0) v = Math.fround(v + fz);
      out[i] = v;
    }
    if (blank !== undefined) for (let i = 0; i < n; i++) if (stored[i] === Number(blank)) out[i] = NaN;
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = Number(stored[i]);
    if (bscale !== 1) v *= bscale;
    if (bzero !== 0) v += bzero;
    out[i] = v;
  }
  if (blank !== undefined) {
    const b = typeof stored[0] === "bigint" ? BigInt(blank) : Number(blank);
    for (let i = 0; i < n; i++) if (stored[i] === b) out[i] = NaN;
  }
  return out;
}
