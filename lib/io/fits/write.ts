// Writing FITS images: a single image in the primary HDU, or a multi-extension file (empty primary + one IMAGE
// extension per plane, e.g. one per filter with EXTNAME = filter). Data are written big-endian in chunks, to a
// temporary file that is renamed over the target only when complete (readers never see a partial file).
// With `checksum`, every HDU gets DATASUM and CHECKSUM cards (astropy's `checksum=True` verifies them).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { encodeChecksum, onesSum } from "./checksum";
import { FitsCard, formatHeader } from "./header";

export type ImageData = Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

export interface ImageHdu {
  /** 8, 16, 32, 64, -32 or -64; must match the typed array. */
  bitpix: 8 | 16 | 32 | 64 | -32 | -64;
  width: number;
  height: number;
  /** Stored values, row-major with the first row at FITS y = 1. */
  data: ImageData;
  /** Extra header cards (BSCALE/BZERO, WCS, provenance). Structural keys are written by the writer. */
  cards?: FitsCard[];
  extname?: string;
}

export interface WriteOptions {
  /** Add DATASUM and CHECKSUM cards to every HDU. */
  checksum?: boolean;
}

/** Cards the writer makes itself (structure, END, checksums): dropped from the cards a caller passes. */
export const STRUCTURAL = new Set([
  "SIMPLE",
  "XTENSION",
  "BITPIX",
  "NAXIS",
  "NAXIS1",
  "NAXIS2",
  "EXTEND",
  "PCOUNT",
  "GCOUNT",
  "EXTNAME",
  "END",
  "CHECKSUM",
  "DATASUM",
]);
const ARRAY_FOR: Record<number, string> = {
  8: "Uint8Array",
  16: "Int16Array",
  32: "Int32Array",
  64: "BigInt64Array",
  [-32]: "Float32Array",
  [-64]: "Float64Array",
};
const CHUNK_BYTES = 4 << 20;
const LITTLE_ENDIAN = os.endianness() === "LE";

function check(hdu: ImageHdu, where: string): void {
  if (!(hdu.bitpix in ARRAY_FOR))
    throw new Error(`${where}: BITPIX ${hdu.bitpix} is not a FITS image type (${Object.keys(ARRAY_FOR).join(", ")})`);
  if (hdu.data.constructor.name !== ARRAY_FOR[hdu.bitpix]) {
    throw new Error(
      `${where}: BITPIX ${hdu.bitpix} needs a ${ARRAY_FOR[hdu.bitpix]}, got a ${hdu.data.constructor.name}`,
    );
  }
  if (hdu.data.length !== hdu.width * hdu.height) {
    throw new Error(`${where}: ${hdu.data.length} values for a ${hdu.width} x ${hdu.height} image`);
  }
  for (const c of hdu.cards ?? [])
    if (STRUCTURAL.has(c.key.toUpperCase()))
      throw new Error(`${where}: card ${c.key} is written by the writer, not the caller`);
}

function headerCards(hdu: ImageHdu | undefined, primary: boolean, extend: boolean): FitsCard[] {
  const cards: FitsCard[] = primary
    ? [{ key: "SIMPLE", value: true, comment: "conforms to FITS standard" }]
    : [{ key: "XTENSION", value: "IMAGE", comment: "image extension" }];
  cards.push({ key: "BITPIX", value: hdu?.bitpix ?? 8 });
  cards.push({ key: "NAXIS", value: hdu ? 2 : 0 });
  if (hdu) cards.push({ key: "NAXIS1", value: hdu.width }, { key: "NAXIS2", value: hdu.height });
  if (primary && extend) cards.push({ key: "EXTEND", value: true });
  if (!primary) cards.push({ key: "PCOUNT", value: 0 }, { key: "GCOUNT", value: 1 });
  if (hdu?.extname) cards.push({ key: "EXTNAME", value: hdu.extname });
  return [...cards, ...(hdu?.cards ?? [])];
}

/** Big-endian bytes of data[start .. start+n) in `buf` (a copy, byte-swapped on little-endian hosts). */
function encode(data: ImageData, start: number, n: number, buf: Buffer): Buffer {
  const bytes = data.BYTES_PER_ELEMENT;
  const out = buf.subarray(0, n * bytes);
  out.set(new Uint8Array(data.buffer, data.byteOffset + start * bytes, n * bytes));
  if (LITTLE_ENDIAN && bytes === 2) out.swap16();
  else if (LITTLE_ENDIAN && bytes === 4) out.swap32();
  else if (LITTLE_ENDIAN && bytes === 8) out.swap64();
  return out;
}

/** Calls `fn` with consecutive big-endian chunks of the data (each a multiple of 4 bytes except the last). */
function forEachChunk(data: ImageData, fn: (chunk: Buffer) => void): void {
  const per = CHUNK_BYTES / data.BYTES_PER_ELEMENT;
  const buf = Buffer.alloc(Math.min(CHUNK_BYTES, data.length * data.BYTES_PER_ELEMENT));
  for (let start = 0; start < data.length; start += per)
    fn(encode(data, start, Math.min(per, data.length - start), buf));
}

function dataSum(data: ImageData | undefined): number {
  let sum = 0;
  if (data)
    forEachChunk(data, (chunk) => {
      const tail = chunk.length % 4;
      sum = onesSum(tail ? Buffer.concat([chunk, Buffer.alloc(4 - tail)]) : chunk, sum);
    });
  return sum;
}

/** The header block, with DATASUM and CHECKSUM cards when asked (CHECKSUM makes the HDU sum to -0). */
function headerBytes(cards: FitsCard[], data: ImageData | undefined, options: WriteOptions): Buffer {
  if (!options.checksum) return formatHeader(cards);
  const dsum = dataSum(data);
  const withSums = (checksum: string) =>
    formatHeader([
      ...cards,
      { key: "CHECKSUM", value: checksum, comment: "HDU checksum" },
      { key: "DATASUM", value: String(dsum), comment: "data unit checksum" },
    ]);
  return withSums(encodeChecksum(onesSum(withSums("0000000000000000"), dsum)));
}

function writeData(fd: number, data: ImageData): void {
  forEachChunk(data, (chunk) => fs.writeSync(fd, chunk));
  const pad = (2880 - ((data.length * data.BYTES_PER_ELEMENT) % 2880)) % 2880;
  if (pad) fs.writeSync(fd, Buffer.alloc(pad));
}

/**
 * Writes a FITS file atomically. One HDU without an EXTNAME goes in the primary HDU; otherwise the primary HDU
 * is empty (carrying `primaryCards`) and each HDU becomes an IMAGE extension.
 */
export function writeFits(
  file: string,
  hdus: ImageHdu[],
  primaryCards: FitsCard[] = [],
  options: WriteOptions = {},
): void {
  if (hdus.length === 0) throw new Error(`${file}: nothing to write`);
  hdus.forEach((h, i) => check(h, `${file} HDU ${i}`));
  const single = hdus.length === 1 && !hdus[0].extname;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    if (single) {
      fs.writeSync(fd, headerBytes(headerCards(hdus[0], true, false), hdus[0].data, options));
      writeData(fd, hdus[0].data);
    } else {
      fs.writeSync(fd, headerBytes([...headerCards(undefined, true, true), ...primaryCards], undefined, options));
      for (const h of hdus) {
        fs.writeSync(fd, headerBytes(headerCards(h, false, false), h.data, options));
        writeData(fd, h.data);
      }
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  fs.renameSync(tmp, file);
}
