// The per-tile decoders by ZCMPTYPE name (configuration as data: a codec added here is supported everywhere):
// each turns a tile's COMPRESSED_DATA bytes into its pixels as integers (or raw floats for lossless float tiles).
import * as zlib from "node:zlib";
import { hdecompress } from "./hcompress";
import { plioDecode } from "./plio";
import { riceDecode, RiceBytepix } from "./rice";

export type TilePixels = Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

export interface TileRequest {
  /** The tile's bytes from the heap (for PLIO_1: big-endian 16-bit words). */
  bytes: Uint8Array;
  /** Pixels in this tile (edge tiles are smaller than ZTILEn). */
  npix: number;
  zbitpix: number;
  /** ZNAMEi/ZVALi parameters, upper-case names. */
  params: Map<string, number>;
  /** True when the tile holds raw floats (lossless), not quantised integers. */
  floats: boolean;
}

export type Codec = (t: TileRequest) => TilePixels;

/** Reads n big-endian values of `bytes` as the type gzip'd integer/float tiles hold, found from the byte count. */
function bigEndian(bytes: Uint8Array, npix: number, floats: boolean, what: string): TilePixels {
  const width = bytes.length / npix;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const copy = (n: number) => {
    const out = Buffer.alloc(bytes.length);
    buf.copy(out);
    if (n === 2) out.swap16();
    if (n === 4) out.swap32();
    if (n === 8) out.swap64();
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
  };
  // cfitsio (imcomp_decompress_tile) decides the type from the decompressed size, as we do.
  if (width === 1) return Uint8Array.from(bytes);
  if (width === 2) return new Int16Array(copy(2));
  if (width === 4) return floats ? new Float32Array(copy(4)) : new Int32Array(copy(4));
  if (width === 8) return floats ? new Float64Array(copy(8)) : new BigInt64Array(copy(8));
  throw new Error(
    `${what} tile decompresses to ${bytes.length} bytes, not 1, 2, 4 or 8 per pixel for its ${npix} pixels`,
  );
}

/** GZIP_2's byte shuffle undone: the stream holds every value's first byte, then every second byte, ... */
function unshuffle(bytes: Uint8Array, npix: number): Uint8Array {
  const width = bytes.length / npix;
  if (!Number.isInteger(width) || width === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let j = 0; j < width; j++) for (let i = 0; i < npix; i++) out[i * width + j] = bytes[j * npix + i];
  return out;
}

function gunzip(bytes: Uint8Array, what: string): Uint8Array {
  try {
    return zlib.gunzipSync(bytes);
  } catch (e) {
    throw new Error(`${what} tile is not valid gzip data (${(e as Error).message})`);
  }
}

const gzip1: Codec = (t) => bigEndian(gunzip(t.bytes, "GZIP_1"), t.npix, t.floats, "GZIP_1");
const gzip2: Codec = (t) => bigEndian(unshuffle(gunzip(t.bytes, "GZIP_2"), t.npix), t.npix, t.floats, "GZIP_2");

const rice1: Codec = (t) => {
  const bytepix = (t.params.get("BYTEPIX") ?? 4) as RiceBytepix;
  const blocksize = t.params.get("BLOCKSIZE") ?? 32;
  if (![1, 2, 4].includes(bytepix)) throw new Error(`RICE_1 with BYTEPIX = ${bytepix} (1, 2 or 4 expected)`);
  const u = riceDecode(t.bytes, t.npix, blocksize, bytepix);
  // Unsigned words as decoded, reinterpreted as the signed integers they encode (8-bit data stay unsigned).
  if (u instanceof Uint16Array) return new Int16Array(u.buffer);
  if (u instanceof Uint32Array) return new Int32Array(u.buffer);
  return u;
};

const plio1: Codec = (t) => {
  const words = new Int16Array(t.bytes.length >> 1);
  for (let i = 0; i < words.length; i++) words[i] = (t.bytes[2 * i] << 8) | t.bytes[2 * i + 1];
  return plioDecode(words, t.npix);
};

/** cfitsio returns HCOMPRESS pixels of 8- and 16-bit images clipped to the type (lossy scales can overshoot). */
const hcompress1: Codec = (t) => {
  const a = hdecompress(t.bytes, t.npix, t.params.get("SMOOTH") ?? 0);
  if (t.zbitpix === 16) return Int16Array.from(a, (v) => Math.min(32767, Math.max(-32768, v)));
  if (t.zbitpix === 8) return Uint8Array.from(a, (v) => Math.min(255, Math.max(0, v)));
  // cfitsio's 64-bit path packs its results into 32-bit ints.
  return Int32Array.from(a, (v) => Number(BigInt.asIntN(32, BigInt(v))));
};

export const CODECS: Record<string, Codec> = {
  GZIP_1: gzip1,
  GZIP_2: gzip2,
  RICE_1: rice1,
  RICE_ONE: rice1,
  PLIO_1: plio1,
  HCOMPRESS_1: hcompress1,
};

/** Compression types cfitsio knows (not in the standard) that we do not decode, for a refusal that names them. */
export const KNOWN_UNSUPPORTED = ["NOCOMPRESS", "BZIP2_1"];
