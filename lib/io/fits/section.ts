// Section reads: a rectangular cutout of a 2-D image read straight from disk at computed byte offsets,
// one read per row (or one read when the rows are close together), so a 50x50 stamp of a 10k x 10k mosaic
// costs ~10 kB of I/O and never the mosaic. Pixels outside the image are marked, never wrapped.
import type { Hdu, ReadOptions } from "./read";
import { finish } from "./read";
import { bytesPer, decodeStored, PixelArray } from "./pixels";

/** 0-based pixel box: columns x0..x0+width-1, rows y0..y0+height-1 (FITS pixel (x0+1, y0+1) is its first). */
export interface SectionBox {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

export type SectionOptions = ReadOptions;

export interface FitsSection {
  box: SectionBox;
  /** Row-major width x height values; outside the image: NaN for float data, 0 for integer data. */
  data: PixelArray;
  /** 1 where the pixel lies outside the image; null when the whole box is inside. */
  outside: Uint8Array | null;
}

/** Rows whose bytes lie within this span are fetched with one read instead of one per row. */
const COALESCE_BYTES = 64 * 1024;

export function readSection(hdu: Hdu, box: SectionBox, options: SectionOptions = {}): FitsSection {
  hdu.assertImage();
  const { x0, y0, width, height } = box;
  const shape = hdu.shape;
  if (shape.length !== 2)
    throw new Error(`${hdu.where}: sections need a 2-D image, this one has NAXIS = ${shape.length}`);
  if (![x0, y0, width, height].every(Number.isInteger) || width <= 0 || height <= 0) {
    throw new Error(`${hdu.where}: section box must be integers with positive size, got ${JSON.stringify(box)}`);
  }
  const [nx, ny] = shape;
  const xa = Math.max(x0, 0);
  const xb = Math.min(x0 + width, nx);
  const ya = Math.max(y0, 0);
  const yb = Math.min(y0 + height, ny);
  if (xa >= xb || ya >= yb) {
    throw new Error(
      `${hdu.where}: section x ${x0}..${x0 + width - 1}, y ${y0}..${y0 + height - 1} (0-based) lies outside the ${nx} x ${ny} image`,
    );
  }
  const inside = xa === x0 && ya === y0 && xb === x0 + width && yb === y0 + height;
  const compressed = hdu.compressed;
  const stored = compressed ? storedFromTiles(hdu, box, [xa, ya, xb, yb]) : storedFromDisk(hdu, box, [xa, ya, xb, yb]);
  // Scale first (outside pixels hold stored 0), then overwrite the outside with the fill value.
  const data = compressed ? compressed.finish(stored, options) : finish(stored, hdu.scaling, options);
  if (inside) return { box, data, outside: null };
  const outside = new Uint8Array(width * height).fill(1);
  for (let y = ya; y < yb; y++) outside.fill(0, (y - y0) * width + (xa - x0), (y - y0) * width + (xb - x0));
  const fill =
    data instanceof Float32Array || data instanceof Float64Array ? NaN : typeof data[0] === "bigint" ? 0n : 0;
  for (let i = 0; i < outside.length; i++) if (outside[i]) (data as { [i: number]: number | bigint })[i] = fill;
  return { box, data, outside };
}

/** Stored values of the box read from the file: the inside part [xa, xb) x [ya, yb), zero elsewhere. */
function storedFromDisk(hdu: Hdu, box: SectionBox, [xa, ya, xb, yb]: number[]): PixelArray {
  const { x0, y0, width, height } = box;
  const nx = hdu.shape[0];
  const bpe = bytesPer(hdu.bitpix);
  const bytes = new Uint8Array(new ArrayBuffer(width * height * bpe));
  const rowBytes = (xb - xa) * bpe;
  const firstByte = hdu.dataOffset + (ya * nx + xa) * bpe;
  const span = (yb - 1 - ya) * nx * bpe + rowBytes;
  const outRow = (y: number) => ((y - y0) * width + (xa - x0)) * bpe;
  if (x0 === 0 && width === nx) {
    // Whole rows: contiguous on disk and in the output.
    hdu.file.readAt(bytes.subarray(outRow(ya), outRow(yb)), firstByte, hdu.where);
  } else if (span <= COALESCE_BYTES) {
    const all = new Uint8Array(span);
    hdu.file.readAt(all, firstByte, hdu.where);
    for (let y = ya; y < yb; y++)
      bytes.set(all.subarray((y - ya) * nx * bpe, (y - ya) * nx * bpe + rowBytes), outRow(y));
  } else {
    for (let y = ya; y < yb; y++) {
      hdu.file.readAt(bytes.subarray(outRow(y), outRow(y) + rowBytes), hdu.dataOffset + (y * nx + xa) * bpe, hdu.where);
    }
  }
  return decodeStored(bytes, hdu.bitpix);
}

/** Stored values of the box from a tile-compressed image: only the tiles overlapping the inside are decoded. */
function storedFromTiles(hdu: Hdu, box: SectionBox, [xa, ya, xb, yb]: number[]): PixelArray {
  const { x0, y0, width, height } = box;
  const part = hdu.compressed!.region([xa, ya], [xb, yb]);
  if (xa === x0 && ya === y0 && xb === x0 + width && yb === y0 + height) return part;
  const out = new (part.constructor as new (n: number) => PixelArray)(width * height);
  const w = xb - xa;
  for (let y = ya; y < yb; y++) {
    const row = (part as Float64Array).subarray((y - ya) * w, (y - ya + 1) * w);
    (out as Float64Array).set(row, (y - y0) * width + (xa - x0));
  }
  return out;
}
