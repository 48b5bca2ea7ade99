// One entry point for every catalog format: picks the reader from the option or the file.
import * as fs from "node:fs";
import * as path from "node:path";
import { PixelConvention, readCsvCatalog, readCsvTable } from "./csv";
import { readLegusCatalog } from "./legus";
import { readPhangsCsv, readPhangsFits } from "./phangs";
import { Catalog } from "./record";
import type { SkyColumns } from "./sky";
import { SettingNeeded } from "../util/errors";

export const CATALOG_FORMATS = ["legus", "phangs", "csv"] as const;
export type CatalogFormat = (typeof CATALOG_FORMATS)[number];

export interface ReadCatalogOptions {
  format?: CatalogFormat;
  field?: string;
  /** LEGUS: 1-based class column. */
  classColumn?: number;
  /** Plain CSV: pixel convention of x, y (required when a plain CSV gives pixels: there is no safe default). */
  pixels?: PixelConvention;
  /** RA and Dec columns to read positions from: header names, or 1-based numbers for LEGUS tables (sky.ts). */
  sky?: SkyColumns;
}

/** The format of a catalog file, from its extension and, for CSV, its header. */
export function detectFormat(file: string): CatalogFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".tab" || ext === ".txt" || ext === ".dat") return "legus";
  if (ext === ".fits" || ext === ".fit") return "phangs";
  if (ext === ".csv") {
    const phangs = ["PHANGS_X", "ID_PHANGS_CLUSTER"];
    return readCsvTable(file).header.some((h) => phangs.includes(h.trim().toUpperCase())) ? "phangs" : "csv";
  }
  throw new SettingNeeded(
    "catalog-format",
    `${file}: cannot tell the catalog format from the extension '${ext}' (${CATALOG_FORMATS.join(", ")})`,
  );
}

export function readCatalog(file: string, options: ReadCatalogOptions = {}): Catalog {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  if (fs.statSync(file).isDirectory()) throw new Error(`${file}: is a folder; a catalog file was expected`);
  const format = options.format ?? detectFormat(file);
  switch (format) {
    case "legus":
      return readLegusCatalog(file, { field: options.field, classColumn: options.classColumn, sky: options.sky });
    case "phangs": {
      const field = options.field ?? path.basename(file).split(/[_.]/)[0].toUpperCase();
      const phangs = { field, sky: options.sky };
      return path.extname(file).toLowerCase() === ".csv" ? readPhangsCsv(file, phangs) : readPhangsFits(file, phangs);
    }
    case "csv":
      return readCsvCatalog(file, { pixels: options.pixels, field: options.field, sky: options.sky });
  }
}
