// Where each catalog object sits on each band's mosaic, decided for the whole catalog before any stamp is cut.
// A pixel catalog's position is the same pixel in every band (the mosaics share one grid: mosaics.ts). A sky
// catalog's RA/Dec goes through each band's own WCS (lib/io/wcs: the full WCS, SIP included), and each band's
// stamp is cut around that band's pixel. An RA/Dec off a band's mosaic, or with no pixel at all in its projection,
// drops the object with the reason. The bands must agree on where each object lies within a tolerance: mosaics
// that do not are not on one grid, and the run is refused before anything is written.
import { Band, BANDS, Catalog, CatalogRecord } from "../catalog/record";
import { hduWcs, Wcs } from "../io/wcs";
import type { MosaicSet } from "./mosaics";
import { BandPositions, DroppedStamp, PixelPosition, samePosition } from "./stamp";

/** Largest distance (pixels) between the bands' positions of one RA/Dec: drizzled bands on one grid agree to ~1e-10. */
export const DEFAULT_SKY_TOLERANCE = 0.1;

/** The RA/Dec an object was placed from, and the band whose pixel position the manifest reports. */
export interface SkyOrigin {
  ra: number;
  dec: number;
  band: Band;
}

/**
 * An object's place: per band where its stamp is cut, or why it has none. `x`, `y` are what the manifest and the
 * classification table report: the catalog's pixel position, or for RA/Dec the reference band's pixel (the first
 * band with a mosaic); null only when the RA/Dec has no pixel at all in that band's projection.
 */
export type Placement =
  | { status: "placed"; x: number; y: number; bands: BandPositions; sky?: SkyOrigin }
  | (DroppedStamp & { x: number | null; y: number | null; sky: SkyOrigin });

export interface PlacedCatalog {
  placements: Placement[];
  /** For a sky catalog: the WCS used and the largest offset between bands, for the log and curation.json. */
  sky?: { wcs: string; maxBandOffset: number; tolerance: number };
}

/** Each band's celestial WCS (null where no mosaic); a mosaic without one is refused, naming the file and what is missing. */
function mosaicWcs(mosaics: MosaicSet, catalogFile: string): (Wcs | null)[] {
  return mosaics.bands.map((m) => {
    if (!m) return null;
    try {
      return hduWcs(m.hdu);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}; the catalog ${catalogFile} gives RA/Dec, which are converted to pixels through ` +
          `each band's mosaic WCS, so the ${m.band} mosaic needs a usable celestial WCS`,
      );
    }
  });
}

/** The FITS pixel holding a 1-based position lies on a width x height mosaic (cutStamp's "outside" rule). */
function onMosaic(p: PixelPosition, width: number, height: number): boolean {
  const [cx, cy] = [Math.floor(p.x + 0.5), Math.floor(p.y + 0.5)];
  return cx >= 1 && cx <= width && cy >= 1 && cy <= height;
}

const degrees = (ra: number, dec: number) => `RA/Dec (${ra.toFixed(6)}, ${dec.toFixed(6)})`;
const pixel = (p: PixelPosition) => `(${p.x.toFixed(2)}, ${p.y.toFixed(2)})`;

/** One RA/Dec through every band's WCS: placed, or dropped naming the first band it is off. */
function placeOnSky(rec: CatalogRecord, mosaics: MosaicSet, wcs: (Wcs | null)[]): Placement {
  if (rec.ra === undefined || rec.dec === undefined)
    throw new Error(`${rec.source.file}: line ${rec.source.line}: object ${rec.id} has no RA/Dec`);
  const { ra, dec } = rec;
  const ref = wcs.findIndex((w) => w !== null);
  const sky: SkyOrigin = { ra, dec, band: BANDS[ref] };
  const bands: BandPositions = wcs.map((w) => {
    if (!w) return null;
    const [x, y] = w.skyToPixel(ra, dec);
    return { x, y };
  });
  const finite = (p: PixelPosition) => Number.isFinite(p.x) && Number.isFinite(p.y);
  const reported = bands[ref]!;
  const at = finite(reported) ? { x: reported.x, y: reported.y } : { x: null, y: null };
  for (const [b, p] of bands.entries()) {
    if (!p) continue;
    if (!finite(p)) {
      const code = wcs[b]!.definition.projection.code;
      return {
        status: "dropped",
        cause: "outside",
        ...at,
        sky,
        reason: `${degrees(ra, dec)} has no pixel in the ${BANDS[b]} mosaic's ${code} projection (far off its footprint)`,
      };
    }
    if (!onMosaic(p, mosaics.width, mosaics.height)) {
      return {
        status: "dropped",
        cause: "outside",
        ...at,
        sky,
        reason: `${degrees(ra, dec)} is outside the ${BANDS[b]} mosaic: pixel ${pixel(p)}, the mosaic is ${mosaics.width} x ${mosaics.height}`,
      };
    }
  }
  return { status: "placed", x: reported.x, y: reported.y, bands, sky };
}

/** The largest distance between a placed object's reference-band position and any other band's. */
function bandOffset(bands: BandPositions): { offset: number; band: number } {
  const ref = bands.findIndex((p) => p !== null);
  let worst = { offset: 0, band: ref };
  for (const [b, p] of bands.entries()) {
    if (!p || b === ref) continue;
    const offset = Math.hypot(p.x - bands[ref]!.x, p.y - bands[ref]!.y);
    if (offset > worst.offset) worst = { offset, band: b };
  }
  return worst;
}

/** Refuses mosaics that disagree on where the objects lie by more than `tolerance` pixels; returns the largest offset. */
function checkBandsAgree(
  records: CatalogRecord[],
  placements: Placement[],
  mosaics: MosaicSet,
  tolerance: number,
): number {
  let max = 0,
    over = 0,
    worst: { index: number; offset: number; band: number } | undefined;
  placements.forEach((p, index) => {
    if (p.status !== "placed") return;
    const o = bandOffset(p.bands);
    max = Math.max(max, o.offset);
    if (o.offset <= tolerance) return;
    over++;
    if (!worst || o.offset > worst.offset) worst = { index, ...o };
  });
  if (!worst) return max;
  const p = placements[worst.index] as Extract<Placement, { status: "placed" }>;
  const rec = records[worst.index];
  const ref = p.bands.findIndex((q) => q !== null);
  const [a, b] = [mosaics.bands[ref]!, mosaics.bands[worst.band]!];
  throw new Error(
    `${a.path} and ${b.path}: the ${a.band} and ${b.band} mosaics put ${over} of ${placements.length} object(s) more than ` +
      `${tolerance} px apart (--sky-tolerance); the worst, ${rec.id} (${rec.source.file} line ${rec.source.line}) at ${degrees(p.sky!.ra, p.sky!.dec)}, ` +
      `is at pixel ${pixel(p.bands[ref]!)} in ${a.band} and ${pixel(p.bands[worst.band]!)} in ${b.band}, ${worst.offset.toFixed(3)} px apart. ` +
      "A stamp takes the same pixels from every band, so a field's mosaics must share one pixel grid (check their WCS, or raise the tolerance)",
  );
}

/**
 * Every record's place on the mosaics, in catalog order. For a sky catalog each band's WCS is read (a mosaic
 * without a celestial WCS is refused) and the bands are checked to agree within `tolerance` pixels.
 */
export function placeCatalog(
  catalog: Catalog,
  catalogFile: string,
  mosaics: MosaicSet,
  tolerance = DEFAULT_SKY_TOLERANCE,
): PlacedCatalog {
  if (catalog.position.kind === "pixel") {
    return {
      placements: catalog.records.map((rec) => {
        if (rec.x === undefined || rec.y === undefined)
          throw new Error(`${rec.source.file}: line ${rec.source.line}: object ${rec.id} has no pixel position`);
        return { status: "placed", x: rec.x, y: rec.y, bands: samePosition(mosaics, rec.x, rec.y) };
      }),
    };
  }
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new Error(`the sky tolerance must be a number of pixels >= 0 (got ${tolerance})`);
  const wcs = mosaicWcs(mosaics, catalogFile);
  const placements = catalog.records.map((rec) => placeOnSky(rec, mosaics, wcs));
  const maxBandOffset = checkBandsAgree(catalog.records, placements, mosaics, tolerance);
  const ref = wcs.findIndex((w) => w !== null);
  return { placements, sky: { wcs: `${BANDS[ref]}: ${wcs[ref]!.describe()}`, maxBandOffset, tolerance } };
}

/** One log line on how a sky catalog was placed (nothing for a pixel catalog). */
export function describePlacement(catalogFile: string, catalog: Catalog, placed: PlacedCatalog): string | undefined {
  if (!placed.sky) return undefined;
  const off = placed.placements.filter((p) => p.status === "dropped").length;
  return (
    `${catalogFile}: ${catalog.position.description}; converted to pixels through each band's mosaic WCS ` +
    `(${placed.sky.wcs}); the bands agree within ${placed.sky.maxBandOffset.toExponential(1)} px ` +
    `(tolerance ${placed.sky.tolerance} px); ${off} of ${placed.placements.length} object(s) off the mosaics, dropped`
  );
}
