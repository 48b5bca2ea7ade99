// The one record type every catalog reader produces, whatever the source format.
//
// Positions: a record carries pixel x, y or sky RA, Dec (or both, as LEGUS and PHANGS write them); the catalog's
// `position` says which of the two the reader was asked for or found, and only that one is used downstream.
// Pixel convention: x and y are FITS/IRAF 1-based (the centre of the first pixel is 1.0), whatever the file used;
// readers convert and say so. RA and Dec are degrees in the catalog's frame (lib/catalog/sky.ts). Classes follow the paper: 1 symmetric cluster, 2 asymmetric cluster,
// 3 association, 4 not a cluster.

export const BANDS = ["F275W", "F336W", "F438W", "F555W", "F814W"] as const;
export type Band = (typeof BANDS)[number];

export const CLASSES = [1, 2, 3, 4] as const;
export type ClusterClass = (typeof CLASSES)[number];

/** Per-band photometric status: measured, observed but not detected, outside that band's footprint, or not stated by the catalog. */
export type Coverage = "detected" | "undetected" | "outside" | "unknown";

export interface CatalogRecord {
  field: string;
  id: string;
  /** 1-based pixel position; absent when the catalog's positions are RA/Dec (position.kind "sky"). */
  x?: number;
  y?: number;
  /** Degrees; present in sky catalogs, and where a pixel catalog also states them (LEGUS, PHANGS). */
  ra?: number;
  dec?: number;
  /** Vega magnitude per band in BANDS order; null when not detected or not covered. */
  mag: (number | null)[];
  magErr: (number | null)[];
  coverage: Coverage[];
  /**
   * Number of bands with a detection as the catalog states it, or null where the catalog does not say
   * (LEGUS writes the sentinel 200 for sources with fewer than three detections, which it did not fit).
   */
  detectedBands: number | null;
  /** Human class 1-4, or null: not classified (code 0 or missing) or an unrecognised code (see rawClass). */
  class: ClusterClass | null;
  /** The class value exactly as written in the file, when there is one. */
  rawClass?: string;
  /** Columns the common type does not name, kept verbatim. */
  extra: Record<string, string>;
  /** Where the record came from: file and 1-based line (or table row). */
  source: { file: string; line: number };
}

/** A row that could not be read: reported, never silently dropped. */
export interface BadRow {
  file: string;
  /** 1-based line of a text file, or 1-based table row of a FITS table (then `unit` is "row"). */
  line: number;
  unit?: "row";
  reason: string;
}

/** "line 12: reason" or, for FITS tables, "row 12: reason". */
export function describeBadRow(b: BadRow): string {
  return `${b.unit ?? "line"} ${b.line}: ${b.reason}`;
}

/** Which position every record of a catalog carries and downstream stages use, and from which columns. */
export interface PositionSource {
  /** "pixel": x, y on the mosaics' grid; "sky": RA/Dec, converted through each band's mosaic WCS. */
  kind: "pixel" | "sky";
  /** For the log, e.g. "RA/Dec from columns RAJ2000, DEJ2000 (found by name)". */
  description: string;
}

export interface Catalog {
  records: CatalogRecord[];
  badRows: BadRow[];
  position: PositionSource;
}

/** A record read in pixels (what the simulator and pixel-only tools work on). */
export type PixelRecord = CatalogRecord & { x: number; y: number };

/** The records of a catalog read in pixels; throws naming the file when it was read for RA/Dec. */
export function pixelRecords(catalog: Catalog): PixelRecord[] {
  const bad = catalog.records.find((r) => r.x === undefined || r.y === undefined);
  if (catalog.position.kind !== "pixel" || bad) {
    const where = bad ? `${bad.source.file}: line ${bad.source.line}` : "the catalog";
    throw new Error(`${where}: no pixel position (${catalog.position.description}); pixel positions are needed here`);
  }
  return catalog.records as PixelRecord[];
}

/** Parses a class code: integers 1-4 are classes, 0 or empty means not classified, anything else is kept raw. */
export function parseClass(raw: string | undefined): ClusterClass | null {
  if (raw === undefined || raw.trim() === "") return null;
  const v = Number(raw);
  return Number.isInteger(v) && v >= 1 && v <= 4 ? (v as ClusterClass) : null;
}

/** True when a class code is neither a class 1-4 nor "not classified" (0 or empty). */
export function isUnrecognisedClass(raw: string | undefined): boolean {
  if (raw === undefined || raw.trim() === "") return false;
  const v = Number(raw);
  return !(Number.isInteger(v) && v >= 0 && v <= 4);
}
