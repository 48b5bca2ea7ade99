// One object's stamp: where it sits on the mosaics, the section read from each band, and what becomes of the
// object under the curation rules (lib/curate/README.md): kept (perhaps with one band zero-filled, or zero-padded
// with --pad) or dropped with a reason.
import { Band, BANDS } from "../catalog/record";
import type { PixelArray } from "../io/fits/pixels";
import type { MosaicSet } from "./mosaics";

/** Why an object was dropped, for the counts; the manifest carries the full reason. */
export type DropCause = "outside" | "edge" | "coverage" | "no-data" | "duplicate";

export interface KeptStamp {
  status: "kept";
  /** 0-based mosaic column and row of stamp pixel (0, 0). */
  x0: number;
  y0: number;
  /** One size x size image per band in BANDS order (zeros for the missing band). */
  bands: Float32Array[];
  missingBand: Band | null;
  /** Per band, pixels without data set to 0 under --pad. */
  zeroed: number[];
  /** Empty, or what was done to the stamp. */
  reason: string;
}

export interface DroppedStamp {
  status: "dropped";
  cause: DropCause;
  reason: string;
}

/**
 * 0-based mosaic column and row of stamp pixel (0, 0) for a 1-based position. The centre pixel is the mosaic pixel
 * containing (x, y) (1-based pixel i spans [i - 0.5, i + 0.5)); it lands at 0-based stamp index floor(size / 2):
 * the exact centre for odd sizes, and for even sizes the upper-right of the four central pixels.
 */
export function stampOrigin(x: number, y: number, size: number): { x0: number; y0: number } {
  const half = Math.floor(size / 2);
  return { x0: Math.floor(x + 0.5) - 1 - half, y0: Math.floor(y + 0.5) - 1 - half };
}

/** Physical values as float32, the stamps' BITPIX -32 (float64 or 32-bit integer mosaics are rounded). */
function toFloat32(data: PixelArray): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/**
 * Pixels without data: NaN or infinite (a saturated or corrupted pixel has no usable value), beyond the mosaic edge, or 0 in a stamp row or column holding nothing but 0 and NaN
 * (a zero-filled footprint edge; scattered zeros are data, as in quantised mosaics).
 */
function noData(v: Float32Array, outside: Uint8Array | null, size: number): Uint8Array {
  const mask = new Uint8Array(size * size);
  const empty = (i: number) => v[i] === 0 || !Number.isFinite(v[i]);
  for (let r = 0; r < size; r++) {
    let all = true;
    for (let c = 0; c < size && all; c++) all = empty(r * size + c);
    if (all) mask.fill(1, r * size, (r + 1) * size);
  }
  for (let c = 0; c < size; c++) {
    let all = true;
    for (let r = 0; r < size && all; r++) all = empty(r * size + c);
    if (all) for (let r = 0; r < size; r++) mask[r * size + c] = 1;
  }
  for (let i = 0; i < mask.length; i++) if (!Number.isFinite(v[i]) || outside?.[i]) mask[i] = 1;
  return mask;
}

const count = (mask: Uint8Array) => mask.reduce((a, m) => a + m, 0);
const perBand = (counts: number[]) => BANDS.filter((_, b) => counts[b] > 0).map((band) => `${band} ${counts[BANDS.indexOf(band)]}`).join(", ");

export function cutStamp(mosaics: MosaicSet, x: number, y: number, size: number, pad: boolean): KeptStamp | DroppedStamp {
  const { width, height } = mosaics;
  const { x0, y0 } = stampOrigin(x, y, size);
  const half = Math.floor(size / 2);
  const drop = (cause: DropCause, reason: string): DroppedStamp => ({ status: "dropped", cause, reason });
  if (x0 + half < 0 || x0 + half >= width || y0 + half < 0 || y0 + half >= height) return drop("outside", `position outside the ${width} x ${height} mosaic`);
  const crossesEdge = x0 < 0 || y0 < 0 || x0 + size > width || y0 + size > height;
  if (crossesEdge && !pad) return drop("edge", "stamp crosses the mosaic edge");

  const bands: Float32Array[] = [];
  const missing: Band[] = [];
  const withoutData = BANDS.map(() => 0);
  BANDS.forEach((band, b) => {
    const mosaic = mosaics.bands[b];
    if (mosaic) {
      const section = mosaic.hdu.section({ x0, y0, width: size, height: size });
      const data = toFloat32(section.data);
      const mask = noData(data, section.outside, size);
      withoutData[b] = count(mask);
      if (withoutData[b] < size * size) {
        if (pad) for (let i = 0; i < mask.length; i++) if (mask[i]) data[i] = 0;
        bands.push(data);
        return;
      }
      withoutData[b] = 0;
    }
    missing.push(band);
    bands.push(new Float32Array(size * size));
  });
  if (missing.length > 1) return drop("coverage", `${missing.length} bands without coverage: ${missing.join(", ")}`);
  if (!pad && withoutData.some((n) => n > 0)) return drop("no-data", `pixels without data in the stamp (NaN, infinite or beyond a footprint edge): ${perBand(withoutData)}`);
  const notes: string[] = [];
  if (missing.length) notes.push(`${missing[0]} without coverage: zero-filled`);
  if (crossesEdge) notes.push("stamp crosses the mosaic edge");
  if (withoutData.some((n) => n > 0)) notes.push(`zero-padded pixels without data: ${perBand(withoutData)}`);
  return { status: "kept", x0, y0, bands, missingBand: missing[0] ?? null, zeroed: withoutData, reason: notes.join("; ") };
}
