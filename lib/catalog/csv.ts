// Plain CSV catalogs: a header line naming at least id, x, y, class (field optional), one object per line.
// The pixel convention is an explicit option: "fits" (1-based, first pixel centre = 1.0) or "zero" (0-based,
// numpy/PHANGS style, converted to 1-based by adding 1).
import * as fs from "node:fs";
import { BadRow, Catalog, CatalogRecord, parseClass } from "./record";
import { shorten } from "../util/escape";

export type PixelConvention = "fits" | "zero";

/** Splits one CSV line (RFC 4180 quotes). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") out.push(cur), (cur = "");
    else cur += ch;
  }
  out.push(cur);
  return out;
}

export interface CsvTable {
  header: string[];
  rows: { line: number; cells: string[] }[];
}

/** Reads a CSV file into header + rows, keeping each row's 1-based line number. */
export function readCsvTable(file: string): CsvTable {
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== "" && !l.startsWith("#"));
  if (headerIndex < 0) throw new Error(`${file}: empty CSV file (no header line)`);
  const header = splitCsvLine(lines[headerIndex]).map((h) => h.trim());
  const rows: CsvTable["rows"] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    if (lines[i].trim() === "" || lines[i].startsWith("#")) continue;
    rows.push({ line: i + 1, cells: splitCsvLine(lines[i]) });
  }
  return { header, rows };
}

export interface CsvOptions {
  pixels: PixelConvention;
  /** Field name for rows without a field column. */
  field?: string;
}

export function readCsvCatalog(file: string, options: CsvOptions): Catalog {
  const { header, rows } = readCsvTable(file);
  const col = (name: string) => header.findIndex((h) => h.toLowerCase() === name);
  const idx = { id: col("id"), x: col("x"), y: col("y"), class: col("class"), field: col("field") };
  const missing = (["id", "x", "y", "class"] as const).filter((k) => idx[k] < 0);
  if (missing.length) throw new Error(`${file}: CSV header lacks column(s) ${missing.join(", ")} (have: ${header.join(", ")})`);
  if (idx.field < 0 && !options.field) throw new Error(`${file}: no 'field' column; pass the field name`);
  const offset = options.pixels === "zero" ? 1 : 0;
  const named = new Set(Object.values(idx));
  const records: CatalogRecord[] = [];
  const badRows: BadRow[] = [];
  for (const { line, cells } of rows) {
    const bad = (reason: string) => badRows.push({ file, line, reason });
    if (cells.length !== header.length) {
      bad(`${cells.length} values, the header has ${header.length}`);
      continue;
    }
    const x = Number(cells[idx.x]);
    const y = Number(cells[idx.y]);
    if (cells[idx.x].trim() === "" || cells[idx.y].trim() === "" || !Number.isFinite(x) || !Number.isFinite(y)) {
      bad(`position (${shorten(cells[idx.x])}, ${shorten(cells[idx.y])}) is not a pair of finite numbers`);
      continue;
    }
    const id = cells[idx.id].trim();
    if (id === "") {
      bad("empty id");
      continue;
    }
    const rawClass = cells[idx.class].trim();
    if (rawClass !== "" && !Number.isFinite(Number(rawClass))) {
      bad(`class '${shorten(rawClass)}' is not a number`);
      continue;
    }
    const extra: Record<string, string> = {};
    header.forEach((h, i) => {
      if (!named.has(i)) extra[h] = cells[i];
    });
    records.push({
      field: idx.field >= 0 && cells[idx.field].trim() !== "" ? cells[idx.field].trim() : (options.field as string),
      id,
      x: x + offset,
      y: y + offset,
      mag: [null, null, null, null, null],
      magErr: [null, null, null, null, null],
      coverage: ["unknown", "unknown", "unknown", "unknown", "unknown"],
      detectedBands: null,
      class: parseClass(rawClass),
      rawClass,
      extra,
      source: { file, line },
    });
  }
  return { records, badRows };
}
