// One object's stamp: where it sits on the mosaics, the section read from each band, and what becomes of the
// object under the curation rules (lib/curate/README.md): kept (perhaps with one band zero-filled, or zero-padded
// with --pad) or dropped with a reason.
import { Band, BANDS } from "../catalog/record";
import type { PixelArray } from "../io/fits/pixels";
import type { MosaicSet } from "./mosaics";

/** Why an object was dropped, for the counts; the manifest carries the full reason. */
export type DropCause = "outside" | "edge" | "coverage" | "no-data" | "duplicate";

/** A 1-based FITS pixel position. */
export interface PixelPosition {
  x: number;
  y: number;
}

/**
 * Where an object's stamp is cut in each band, BANDS order (null where no mosaic was given): the same position in
 * every band for a pixel catalog; for a sky catalog each band's own, from RA/Dec through that band's WCS.
 */
export type BandPositions = (PixelPosition | null)[];

export interface KeptStamp {
  status: "kept";
  /** 0-based mosaic column and row of stamp pixel (0, 0) in the reference band (the first band with a mosaic). */
  x0: number;
  y0: number;
  /** The same per band, BANDS order (the reference band's where no mosaic was given). */
  origins: { x0: number; y0: number }[];
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
const perBand = (counts: number[]) =>
  BANDS.filter((_, b) => counts[b] > 0)
    .map((band) => `${band} ${counts[BANDS.indexOf(band)]}`)
    .join(", ");

/** The position in every band with a mosaic (a pixel catalog's: the mosaics share one pixel grid). */
export function samePosition(mosaics: MosaicSet, x: number, y: number): BandPositions {
  return mosaics.bands.map((m) => (m ? { x, y } : null));
}

/**
 * Cuts one object's stamp under the rules of lib/curate/README.md. `at`: one position for every band, or one per
 * band (BandPositions); each band's section is read around its own position.
 */
export function cutStamp(
  mosaics: MosaicSet,
  at: PixelPosition | BandPositions,
  size: number,
  pad: boolean,
): KeptStamp | DroppedStamp {
  const { width, height } = mosaics;
  const positions = Array.isArray(at) ? at : samePosition(mosaics, at.x, at.y);
  const reference = positions.find((p): p is PixelPosition => p !== null);
  if (!reference) throw new Error("cutStamp: no band has a position (no mosaic given)");
  const origins = positions.map((p) => stampOrigin((p ?? reference).x, (p ?? reference).y, size));
  const { x0, y0 } = stampOrigin(reference.x, reference.y, size);
  const half = Math.floor(size / 2);
  const drop = (cause: DropCause, reason: string): DroppedStamp => ({ status: "dropped", cause, reason });
  const centreOutside = (o: { x0: number; y0: number }) =>
    o.x0 + half < 0 || o.x0 + half >= width || o.y0 + half < 0 || o.y0 + half >= height;
  if (origins.some(centreOutside)) return drop("outside", `position outside the ${width} x ${height} mosaic`);
  const crossesEdge = origins.some((o) => o.x0 < 0 || o.y0 < 0 || o.x0 + size > width || o.y0 + size > height);
  if (crossesEdge && !pad) return drop("edge", "stamp crosses the mosaic edge");

  const bands: Float32Array[] = [];
  const missing: Band[] = [];
  const withoutData = BANDS.map(() => 0);
  BANDS.forEach((band, b) => {
    const mosaic = mosaics.bands[b];
    if (mosaic) {
      const section = mosaic.hdu.section({ x0: origins[b].x0, y0: origins[b].y0, width: size, height: size });
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
  if (!pad && withoutData.some((n) => n > 0))
    return drop(
      "no-data",
      `pixels without data in the stamp (NaN, infinite or beyond a footprint edge): ${perBand(withoutData)}`,
    );
  const notes: string[] = [];
  if (missing.length) notes.push(`${missing[0]} without coverage: zero-filled`);
  if (crossesEdge) notes.push("stamp crosses the mosaic edge");
  if (withoutData.some((n) => n > 0)) notes.push(`zero-padded pixels without data: ${perBand(withoutData)}`);
  return {
    status: "kept",
    x0,
    y0,
    origins,
    bands,
    missingBand: missing[0] ?? null,
    zeroed: withoutData,
    reason: notes.join("; "),
  };
}
