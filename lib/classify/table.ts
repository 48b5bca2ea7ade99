// The classification table: one row per catalog object in catalog order, as CSV (RFC 4180) or a FITS BINTABLE.
// Columns (README "Classifying"): field, id, x, y, status, reason, missing_band, p1_mean..p4_mean,
// p1_std..p4_std, class_mean, class_mode, mode_votes, n_models, entropy, mutual_info. A dropped object has its
// reason and empty values (CSV) or NaN / 0 = undefined (FITS, TNULL on the integer columns).
import * as fs from "node:fs";
import { Band, CLASSES } from "../catalog/record";
import { FitsCard, NumericColumnData, TableColumnToWrite, writeTableFits } from "../io/fits";
import { writeFileAtomic } from "../util/atomic";
import { formatCsv, parseCsv } from "../util/csv";
import type { SourceObject } from "./source";
import type { EnsembleVerdict } from "./stats";

export const OUTPUT_FORMATS = ["csv", "fits"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const OUTPUT_COLUMNS = [
  "field",
  "id",
  "x",
  "y",
  "status",
  "reason",
  "missing_band",
  ...CLASSES.map((c) => `p${c}_mean`),
  ...CLASSES.map((c) => `p${c}_std`),
  "class_mean",
  "class_mode",
  "mode_votes",
  "n_models",
  "entropy",
  "mutual_info",
];

export interface ClassifiedRow extends SourceObject {
  status: "classified" | "dropped";
  /** Why a dropped object has no stamp (the curation rule), or what was done to a classified one's stamp; often empty. */
  reason: string;
  missingBand: Band | null;
  /** Null when dropped. */
  verdict: EnsembleVerdict | null;
}

/** Float32 model outputs carry about 7 significant digits; more would be noise, fewer would lose it. */
const num = (v: number) => v.toPrecision(7);

export function formatTableCsv(rows: ClassifiedRow[], models: number): string {
  return formatCsv([
    OUTPUT_COLUMNS,
    ...rows.map((r) => {
      const v = r.verdict;
      const head = [
        r.field,
        r.id,
        r.x === null ? "" : String(r.x),
        r.y === null ? "" : String(r.y),
        r.status,
        r.reason,
        r.missingBand ?? "",
      ];
      if (!v) return [...head, ...new Array<string>(OUTPUT_COLUMNS.length - head.length).fill("")];
      return [
        ...head,
        ...v.mean.map(num),
        ...v.std.map(num),
        String(v.classMean),
        String(v.classMode),
        String(v.modeVotes),
        String(models),
        num(v.entropy),
        num(v.mutualInfo),
      ];
    }),
  ]);
}

/**
 * The BINTABLE's columns, one entry each in OUTPUT_COLUMNS' order: a list rather than steps, long only because the
 * formatter gives each entry its own lines.
 */
function fitsColumns(rows: ClassifiedRow[], models: number): TableColumnToWrite[] {
  const floats = (f: (v: EnsembleVerdict) => number): Float32Array =>
    Float32Array.from(rows, (r) => (r.verdict ? f(r.verdict) : NaN));
  const ints = (f: (v: EnsembleVerdict) => number): Int16Array =>
    Int16Array.from(rows, (r) => (r.verdict ? f(r.verdict) : 0));
  const column = (
    name: string,
    values: NumericColumnData | string[],
    extra: Partial<TableColumnToWrite> = {},
  ): TableColumnToWrite => ({ name, values, ...extra });
  return [
    column(
      "field",
      rows.map((r) => r.field),
    ),
    column(
      "id",
      rows.map((r) => r.id),
    ),
    // NaN is FITS's undefined float: an RA/Dec with no pixel in the mosaic's projection (dropped).
    column(
      "x",
      Float64Array.from(rows, (r) => r.x ?? NaN),
      { unit: "pix" },
    ),
    column(
      "y",
      Float64Array.from(rows, (r) => r.y ?? NaN),
      { unit: "pix" },
    ),
    column(
      "status",
      rows.map((r) => r.status),
    ),
    column(
      "reason",
      rows.map((r) => r.reason),
    ),
    column(
      "missing_band",
      rows.map((r) => r.missingBand ?? ""),
    ),
    ...CLASSES.map((c) =>
      column(
        `p${c}_mean`,
        floats((v) => v.mean[c - 1]),
      ),
    ),
    ...CLASSES.map((c) =>
      column(
        `p${c}_std`,
        floats((v) => v.std[c - 1]),
      ),
    ),
    column(
      "class_mean",
      ints((v) => v.classMean),
      { nullValue: 0 },
    ),
    column(
      "class_mode",
      ints((v) => v.classMode),
      { nullValue: 0 },
    ),
    column(
      "mode_votes",
      ints((v) => v.modeVotes),
      { nullValue: 0 },
    ),
    column(
      "n_models",
      ints(() => models),
      { nullValue: 0 },
    ),
    // In nats; FITS has no unit string for them (astropy rejects "nat").
    column(
      "entropy",
      floats((v) => v.entropy),
    ),
    column(
      "mutual_info",
      floats((v) => v.mutualInfo),
    ),
  ];
}

/** Reads a CSV table written by classify back into rows, checking its header (for notebooks and scripts). */
export function readClassificationCsv(file: string): ClassifiedRow[] {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const [header, ...records] = parseCsv(fs.readFileSync(file, "utf8"), file);
  if (!header || header.cells.join(",") !== OUTPUT_COLUMNS.join(","))
    throw new Error(`${file}: not a classify table (header must be ${OUTPUT_COLUMNS.join(",")})`);
  return records.map(({ line, cells }) => {
    const [field, id, x, y, status, reason, missing] = cells;
    if (cells.length !== OUTPUT_COLUMNS.length || (status !== "classified" && status !== "dropped"))
      throw new Error(`${file}: line ${line}: not a classify row`);
    const at = (name: string) => Number(cells[OUTPUT_COLUMNS.indexOf(name)]);
    const verdict: EnsembleVerdict | null =
      status === "dropped"
        ? null
        : {
            mean: CLASSES.map((c) => at(`p${c}_mean`)),
            std: CLASSES.map((c) => at(`p${c}_std`)),
            classMean: at("class_mean"),
            classMode: at("class_mode"),
            modeVotes: at("mode_votes"),
            entropy: at("entropy"),
            mutualInfo: at("mutual_info"),
          };
    const position = (v: string) => (v === "" ? null : Number(v));
    return {
      field,
      id,
      x: position(x),
      y: position(y),
      status,
      reason,
      missingBand: missing === "" ? null : (missing as Band),
      verdict,
    };
  });
}

/** Writes the table atomically; `cards` (provenance) go into the FITS primary header. */
export function writeTable(
  file: string,
  format: OutputFormat,
  rows: ClassifiedRow[],
  models: number,
  cards: FitsCard[],
): void {
  if (format === "csv") writeFileAtomic(file, formatTableCsv(rows, models));
  else writeTableFits(file, fitsColumns(rows, models), { extname: "CLASSIFY", primaryCards: cards });
}
