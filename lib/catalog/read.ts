// One entry point for every catalog format: picks the reader from the option or the file.
import * as fs from "node:fs";
import * as path from "node:path";
import { PixelConvention, readCsvCatalog, readCsvTable } from "./csv";
import { readLegusCatalog } from "./legus";
import { readPhangsCsv, readPhangsFits } from "./phangs";
import { Catalog } from "./record";
import { SettingNeeded } from "../util/errors";

export const CATALOG_FORMATS = ["legus", "phangs", "csv"] as const;
export type CatalogFormat = (typeof CATALOG_FORMATS)[number];

export interface ReadCatalogOptions {
  format?: CatalogFormat;
  field?: string;
  /** LEGUS: 1-based class column. */
  classColumn?: number;
  /** Plain CSV: pixel convention of x, y (required for plain CSV: there is no safe default). */
  pixels?: PixelConvention;
}

/** The format of a catalog file, from its extension and, for CSV, its header. */
export function detectFormat(file: string): CatalogFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".tab" || ext === ".txt" || ext === ".dat") return "legus";
  if (ext === ".fits" || ext === ".fit") return "phangs";
  if (ext === ".csv") return readCsvTable(file).header.some((h) => h.trim().toUpperCase() === "PHANGS_X") ? "phangs" : "csv";
  throw new SettingNeeded("format", `${file}: cannot tell the catalog format from the extension '${ext}' (${CATALOG_FORMATS.join(", ")})`);
}

export function readCatalog(file: string, options: ReadCatalogOptions = {}): Catalog {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  if (fs.statSync(file).isDirectory()) throw new Error(`${file}: is a folder; a catalog file was expected`);
  const format = options.format ?? detectFormat(file);
  switch (format) {
    case "legus":
      return readLegusCatalog(file, { field: options.field, classColumn: options.classColumn });
    case "phangs": {
      const field = options.field ?? path.basename(file).split(/[_.]/)[0].toUpperCase();
      return path.extname(file).toLowerCase() === ".csv" ? readPhangsCsv(file, { field }) : readPhangsFits(file, { field });
    }
    case "csv":
      if (!options.pixels) throw new SettingNeeded("pixels", `${file}: plain CSV catalogs need the pixel convention of x, y: fits (1-based) or zero (0-based)`);
      return readCsvCatalog(file, { pixels: options.pixels, field: options.field });
  }
}
