// Reading a curated folder: manifest.csv (one row per catalog object) and the MEF stamps it points to.
import * as fs from "node:fs";
import * as path from "node:path";
import { readCsvTable } from "../catalog/csv";
import { Band, BANDS, ClusterClass, parseClass } from "../catalog/record";
import { openFits } from "../io/fits";

export const MANIFEST_COLUMNS = ["field", "id", "x", "y", "class", "detected_bands", "status", "reason", "missing_band", "stamp", "truth", "second_label"] as const;

export interface ManifestRow {
  field: string;
  id: string;
  x: number;
  y: number;
  class: ClusterClass | null;
  detectedBands: number | null;
  status: "kept" | "dropped";
  reason: string;
  missingBand: Band | null;
  stamp: string;
  truth: ClusterClass | null;
  secondLabel: ClusterClass | null;
}

export interface Manifest {
  dir: string;
  size: number;
  rows: ManifestRow[];
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, "manifest.csv");
  if (!fs.existsSync(file)) throw new Error(`${dir}: not a curated folder (no manifest.csv; run 'starcluster curate')`);
  const { header, rows } = readCsvTable(file);
  const missing = MANIFEST_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`${file}: missing column(s) ${missing.join(", ")}`);
  const col = Object.fromEntries(MANIFEST_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof MANIFEST_COLUMNS)[number], number>;
  const out: ManifestRow[] = rows.map(({ line, cells }) => {
    const bad = (what: string): never => {
      throw new Error(`${file} line ${line}: ${what}`);
    };
    if (cells.length !== header.length) bad(`${cells.length} values, the header has ${header.length}`);
    const get = (c: keyof typeof col) => cells[col[c]].trim();
    const status = get("status");
    if (status !== "kept" && status !== "dropped") bad(`status '${status}' is neither kept nor dropped`);
    const band = get("missing_band");
    if (band !== "" && !(BANDS as readonly string[]).includes(band)) bad(`unknown missing band '${band}'`);
    const x = Number(get("x")), y = Number(get("y"));
    if (!Number.isFinite(x) || !Number.isFinite(y)) bad(`position (${get("x")}, ${get("y")}) is not numeric`);
    const detected = get("detected_bands");
    if (status === "kept" && get("stamp") === "") bad("kept object without a stamp path");
    return {
      field: get("field"), id: get("id"), x, y, class: parseClass(get("class")),
      detectedBands: detected === "" ? null : Number(detected), status: status as "kept" | "dropped", reason: get("reason"),
      missingBand: band === "" ? null : (band as Band), stamp: get("stamp"),
      truth: parseClass(get("truth")), secondLabel: parseClass(get("second_label")),
    };
  });
  const info = path.join(dir, "curation.json");
  const size = fs.existsSync(info) ? Number(JSON.parse(fs.readFileSync(info, "utf8")).size) : NaN;
  if (!Number.isInteger(size) || size <= 0) throw new Error(`${info}: missing or without a stamp size`);
  return { dir, size, rows: out };
}

export interface Stamp {
  size: number;
  /** Band-major [band][row][col] in BANDS order; row 0 is FITS y = 1. */
  bands: Float32Array;
  missingBand: Band | null;
}

/** Reads a five-band MEF stamp (extensions named by band). */
export function readStamp(file: string): Stamp {
  const fits = openFits(file);
  try {
    let size = 0;
    let bands = new Float32Array(0);
    let missingBand: Band | null = null;
    BANDS.forEach((band, b) => {
      const hdu = fits.hdus.find((h) => h.name === band);
      if (!hdu) throw new Error(`${file}: no extension named ${band}`);
      const [nx, ny] = hdu.shape;
      if (b === 0) {
        size = nx;
        bands = new Float32Array(BANDS.length * size * size);
      }
      if (nx !== size || ny !== size) throw new Error(`${hdu.where}: ${nx} x ${ny}, expected ${size} x ${size}`);
      const img = hdu.readImage({ float32: true });
      bands.set(img.data as Float32Array, b * size * size);
      if (hdu.header.get("MISSING") === true) missingBand = band;
    });
    return { size, bands, missingBand };
  } finally {
    fits.close();
  }
}
