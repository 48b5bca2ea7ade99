// Writing FITS images: a single image in the primary HDU, or a multi-extension file (empty primary + one IMAGE
// extension per plane, e.g. one per filter with EXTNAME = filter). Data are written big-endian in chunks, to a
// temporary file that is renamed over the target only when complete (readers never see a partial file).
import * as fs from "node:fs";
import * as path from "node:path";
import { FitsCard, formatHeader } from "./header";

export type ImageData = Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface ImageHdu {
  /** 8, 16, 32, -32 or -64; must match the typed array. */
  bitpix: 8 | 16 | 32 | -32 | -64;
  width: number;
  height: number;
  /** Stored values, row-major with the first row at FITS y = 1. */
  data: ImageData;
  /** Extra header cards (BSCALE/BZERO, WCS, provenance). Structural keys are written by the writer. */
  cards?: FitsCard[];
  extname?: string;
}

const STRUCTURAL = new Set(["SIMPLE", "XTENSION", "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "EXTEND", "PCOUNT", "GCOUNT", "EXTNAME", "END"]);
const ARRAY_FOR: Record<number, string> = { 8: "Uint8Array", 16: "Int16Array", 32: "Int32Array", [-32]: "Float32Array", [-64]: "Float64Array" };

function check(hdu: ImageHdu, where: string): void {
  if (hdu.data.constructor.name !== ARRAY_FOR[hdu.bitpix]) {
    throw new Error(`${where}: BITPIX ${hdu.bitpix} needs a ${ARRAY_FOR[hdu.bitpix]}, got a ${hdu.data.constructor.name}`);
  }
  if (hdu.data.length !== hdu.width * hdu.height) {
    throw new Error(`${where}: ${hdu.data.length} values for a ${hdu.width} x ${hdu.height} image`);
  }
  for (const c of hdu.cards ?? []) if (STRUCTURAL.has(c.key.toUpperCase())) throw new Error(`${where}: card ${c.key} is written by the writer, not the caller`);
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

/** Writes the data big-endian in chunks of rows, then zero padding to a multiple of 2880 bytes. */
function writeData(fd: number, data: ImageData): void {
  const bytes = data.BYTES_PER_ELEMENT;
  const chunk = Math.max(1, Math.floor((4 << 20) / bytes));
  const buf = Buffer.alloc(chunk * bytes);
  for (let start = 0; start < data.length; start += chunk) {
    const n = Math.min(chunk, data.length - start);
    const view = new DataView(buf.buffer, buf.byteOffset, n * bytes);
    for (let i = 0; i < n; i++) {
      const v = data[start + i];
      if (bytes === 1) view.setUint8(i, v);
      else if (data instanceof Int16Array) view.setInt16(2 * i, v);
      else if (data instanceof Int32Array) view.setInt32(4 * i, v);
      else if (data instanceof Float32Array) view.setFloat32(4 * i, v);
      else view.setFloat64(8 * i, v);
    }
    fs.writeSync(fd, buf, 0, n * bytes);
  }
  const pad = (2880 - ((data.length * bytes) % 2880)) % 2880;
  if (pad) fs.writeSync(fd, Buffer.alloc(pad));
}

/**
 * Writes a FITS file atomically. One HDU without an EXTNAME goes in the primary HDU; otherwise the primary HDU
 * is empty (carrying `primaryCards`) and each HDU becomes an IMAGE extension.
 */
export function writeFits(file: string, hdus: ImageHdu[], primaryCards: FitsCard[] = []): void {
  if (hdus.length === 0) throw new Error(`${file}: nothing to write`);
  hdus.forEach((h, i) => check(h, `${file} HDU ${i}`));
  const single = hdus.length === 1 && !hdus[0].extname;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    if (single) {
      fs.writeSync(fd, formatHeader(headerCards(hdus[0], true, false)));
      writeData(fd, hdus[0].data);
    } else {
      fs.writeSync(fd, formatHeader([...headerCards(undefined, true, true), ...primaryCards]));
      for (const h of hdus) {
        fs.writeSync(fd, formatHeader(headerCards(h, false, false)));
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
