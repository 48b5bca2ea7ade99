// The curated data set's file format, and the one parser everyone uses for it (the dataset loader included):
//   OUT/manifest.csv   RFC 4180, header row, one row per catalog object in catalog order, fields in command order:
//                      field,id,x,y,class,detected_bands,status,reason,missing_band,stamp,truth,second_label
//   OUT/stamps/<FIELD>/<id>.fits  MEF: empty primary HDU with provenance, then one BITPIX -32 size x size IMAGE
//                      extension per band in BANDS order (EXTNAME = band), pixel (0, 0) = lower left as FITS stores it.
// The rules that fill these files are in lib/curate/README.md.
import * as fs from "node:fs";
import * as path from "node:path";
import { Band, BANDS, ClusterClass } from "../catalog/record";
import { withFits } from "../io/fits/read";
import { formatCsv, parseCsv } from "../util/csv";

export const MANIFEST_FILE = "manifest.csv";
export const MANIFEST_COLUMNS = [
  "field",
  "id",
  "x",
  "y",
  "class",
  "detected_bands",
  "status",
  "reason",
  "missing_band",
  "stamp",
  "truth",
  "second_label",
] as const;

export type Status = "kept" | "dropped";

export interface ManifestRow {
  field: string;
  id: string;
  /**
   * The catalog's position, 1-based FITS pixels; for an RA/Dec catalog the position in the first band's mosaic.
   * Null (empty) only for a dropped object whose RA/Dec has no pixel in that mosaic's projection.
   */
  x: number | null;
  y: number | null;
  class: ClusterClass | null;
  /** Bands with a detection as the catalog states it; null when it does not. */
  detectedBands: number | null;
  status: Status;
  /** Empty when kept with nothing to say; why it was dropped, or what was done to a kept stamp. */
  reason: string;
  /** The band zero-filled for want of coverage. */
  missingBand: Band | null;
  /** Path relative to the curation folder, e.g. "stamps/NGC4656/25.fits"; null when dropped. */
  stamp: string | null;
  truth: ClusterClass | null;
  secondLabel: ClusterClass | null;
}

const text = (v: number | string | null) => (v === null ? "" : String(v));

export function formatManifest(rows: ManifestRow[]): string {
  return formatCsv([
    [...MANIFEST_COLUMNS],
    ...rows.map((r) => [
      r.field,
      r.id,
      text(r.x),
      text(r.y),
      text(r.class),
      text(r.detectedBands),
      r.status,
      r.reason,
      text(r.missingBand),
      text(r.stamp),
      text(r.truth),
      text(r.secondLabel),
    ]),
  ]);
}

/** Reads DIR/manifest.csv into typed rows; throws naming the file, line and column of any malformed value. */
export function readManifest(dir: string): ManifestRow[] {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file (is ${dir} a curation folder?)`);
  const [header, ...records] = parseCsv(fs.readFileSync(file, "utf8"), file);
  if (!header || header.cells.join(",") !== MANIFEST_COLUMNS.join(",")) {
    throw new Error(
      `${file}: header must be exactly ${MANIFEST_COLUMNS.join(",")} (got ${header ? header.cells.join(",") : "nothing"})`,
    );
  }
  return records.map(({ line, cells }) => {
    const bad = (column: string, expected: string) =>
      new Error(
        `${file}: line ${line}: ${column} '${cells[MANIFEST_COLUMNS.indexOf(column as never)]}' is not ${expected}`,
      );
    if (cells.length !== MANIFEST_COLUMNS.length)
      throw new Error(`${file}: line ${line}: ${cells.length} values, expected ${MANIFEST_COLUMNS.length}`);
    const [field, id, x, y, cls, detected, status, reason, missing, stamp, truth, second] = cells;
    const position = (v: string, column: string) => {
      if (v === "" && status === "dropped") return null; // an RA/Dec with no pixel in the mosaic's projection
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n))
        throw bad(column, status === "dropped" ? "a finite number or empty" : "a finite number");
      return n;
    };
    const label = (v: string, column: string): ClusterClass | null => {
      if (v === "") return null;
      if (!/^[1-4]$/.test(v)) throw bad(column, "1-4 or empty");
      return Number(v) as ClusterClass;
    };
    if (status !== "kept" && status !== "dropped") throw bad("status", "kept or dropped");
    if (missing !== "" && !BANDS.includes(missing as Band))
      throw bad("missing_band", `empty or one of ${BANDS.join(", ")}`);
    if (detected !== "" && !/^[0-5]$/.test(detected)) throw bad("detected_bands", "0-5 or empty");
    if ((status === "kept") !== (stamp !== ""))
      throw new Error(
        `${file}: line ${line}: a ${status} object must ${status === "kept" ? "have" : "not have"} a stamp`,
      );
    if (status === "dropped" && reason === "")
      throw new Error(`${file}: line ${line}: a dropped object needs a reason`);
    return {
      field,
      id,
      x: position(x, "x"),
      y: position(y, "y"),
      class: label(cls, "class"),
      detectedBands: detected === "" ? null : Number(detected),
      status,
      reason,
      missingBand: missing === "" ? null : (missing as Band),
      stamp: stamp === "" ? null : stamp,
      truth: label(truth, "truth"),
      secondLabel: label(second, "second_label"),
    };
  });
}

export interface Stamp {
  size: number;
  /** Band-major [band][row][col] in BANDS order; row 0 is the stamp's bottom row (FITS y = 1). */
  bands: Float32Array;
  missingBand: Band | null;
}

/** Reads one stamp file, checking its layout (empty primary, five square BITPIX -32 extensions in band order). */
/** Whether `file` is a whole stamp of side `size` (headers and data all there); pixels are not read. */
export function stampIsIntact(file: string, size: number): boolean {
  try {
    return withFits(
      file,
      (fits) =>
        fits.hdus.length === BANDS.length + 1 &&
        fits.hdus.slice(1).every((h) => h.bitpix === -32 && h.shape.join("x") === `${size}x${size}`),
    );
  } catch {
    return false; // unreadable, truncated or empty: written again
  }
}

export function readStamp(file: string): Stamp {
  return withFits(file, (fits) => {
    if (fits.hdus.length !== BANDS.length + 1)
      throw new Error(
        `${file}: ${fits.hdus.length} HDUs, a stamp has ${BANDS.length + 1} (empty primary + one per band)`,
      );
    if (fits.hdus[0].shape.length !== 0) throw new Error(`${file}: the primary HDU of a stamp holds no data`);
    const size = fits.hdus[1].shape[0];
    const bands = new Float32Array(BANDS.length * size * size);
    BANDS.forEach((band, b) => {
      const hdu = fits.hdus[b + 1];
      if (hdu.name !== band)
        throw new Error(`${hdu.where}: EXTNAME must be ${band} (bands in the order ${BANDS.join(", ")})`);
      if (hdu.bitpix !== -32 || hdu.shape.join("x") !== `${size}x${size}`) {
        throw new Error(
          `${hdu.where}: must be a ${size} x ${size} BITPIX -32 image, is ${hdu.shape.join(" x ")} BITPIX ${hdu.bitpix}`,
        );
      }
      const data = hdu.readImage().data as Float32Array;
      // Curation drops or zero-pads pixels without data, so a non-finite one means a damaged or foreign stamp.
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new Error(
          `${hdu.where}: pixel (${(bad % size) + 1}, ${Math.floor(bad / size) + 1}) is ${data[bad]}; a curated stamp holds finite ` +
            "values only (delete the file and rerun the curation to cut it again)",
        );
      }
      bands.set(data, b * size * size);
    });
    const missing = fits.hdus[0].header.get("MISSBAND");
    if (missing !== undefined && !BANDS.includes(missing as Band))
      throw new Error(`${file}: MISSBAND = '${String(missing)}' is not a band`);
    return { size, bands, missingBand: (missing as Band | undefined) ?? null };
  });
}
