// Plain CSV catalogs: a header line naming at least id, class and a position (field optional), one object per line.
// The position is pixels x, y, or RA/Dec from the columns --sky names or of a common name (sky.ts) when there is
// no x, y. The pixel convention is an explicit option: "fits" (1-based, first pixel centre = 1.0) or "zero"
// (0-based, numpy/PHANGS style, converted to 1-based by adding 1).
import * as fs from "node:fs";
import { BadRow, Catalog, CatalogRecord, parseClass } from "./record";
import { detectSkyColumns, findSkyColumns, parseSky, SKY_COLUMN_NAMES, SkyColumns } from "./sky";
import { SettingNeeded } from "../util/errors";
import { printable, shorten } from "../util/escape";

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
  /** Pixel convention of x, y: needed when the positions are pixels (no safe default). */
  pixels?: PixelConvention;
  /** Field name for rows without a field column. */
  field?: string;
  /** Read RA/Dec from these header columns instead of pixels (--sky). */
  sky?: SkyColumns;
}

type CsvPosition =
  | { kind: "pixel"; x: number; y: number; offset: number; description: string }
  | { kind: "sky"; ra: number; dec: number; description: string };

/**
 * Where a CSV's positions are: the --sky columns if given; else x, y (pixels, with their convention); else the
 * first RA/Dec pair of common names (sky.ts). Throws naming the file and what is missing.
 */
function positionColumns(file: string, header: string[], options: CsvOptions): CsvPosition {
  const have = `have: ${headerList(header)}`;
  if (options.sky) {
    const at = findSkyColumns(header, options.sky);
    if ("missing" in at)
      throw new Error(`${file}: no column(s) ${at.missing.join(", ")} for --sky ${options.sky.join(",")} (${have})`);
    return { kind: "sky", ...at, description: `RA/Dec from columns ${options.sky.join(", ")} (--sky)` };
  }
  const [x, y] = ["x", "y"].map((name) => header.findIndex((h) => h.toLowerCase() === name));
  if (x >= 0 && y >= 0) {
    if (!options.pixels)
      throw new SettingNeeded(
        "pixels",
        `${file}: plain CSV catalogs need the pixel convention of x, y: fits (1-based) or zero (0-based)`,
      );
    const offset = options.pixels === "zero" ? 1 : 0;
    return {
      kind: "pixel",
      x,
      y,
      offset,
      description: `pixels from columns x, y (${options.pixels === "zero" ? "0-based, plus 1" : "1-based"})`,
    };
  }
  const found = detectSkyColumns(header);
  if (found) {
    const others = found.others.length
      ? `; also present: ${found.others.map((o) => o.join("/")).join(", ")}, --sky picks another`
      : "";
    return {
      kind: "sky",
      ra: found.ra,
      dec: found.dec,
      description: `RA/Dec from columns ${found.names.join(", ")} (found by name${others})`,
    };
  }
  if (x >= 0 || y >= 0) throw new Error(`${file}: CSV header lacks column(s) ${x < 0 ? "x" : "y"} (${have})`);
  throw new Error(
    `${file}: CSV header has no position: neither x, y (pixels) nor an RA/Dec pair of a known name ` +
      `(${SKY_COLUMN_NAMES.slice(1, 4)
        .map((n) => n.join("/"))
        .join(", ")}, ...); name the sky columns with --sky RA_COL,DEC_COL (${have})`,
  );
}

/** The record's position from one row, or why it cannot be read. */
function rowPosition(
  cells: string[],
  at: CsvPosition,
): { x: number; y: number } | { ra: number; dec: number } | string {
  if (at.kind === "sky") return parseSky(cells[at.ra], cells[at.dec]);
  const [x, y] = [Number(cells[at.x]), Number(cells[at.y])];
  if (cells[at.x].trim() === "" || cells[at.y].trim() === "" || !Number.isFinite(x) || !Number.isFinite(y)) {
    return `position (${shorten(cells[at.x])}, ${shorten(cells[at.y])}) is not a pair of finite numbers`;
  }
  return { x: x + at.offset, y: y + at.offset };
}

/** A header's names for a message: each cut short, unprintable characters escaped. */
function headerList(header: string[]): string {
  return header.map((h) => shorten(printable(h))).join(", ");
}

/** Whether the header names a position the reader can use (pixels, or sky columns). */
function hasPosition(file: string, header: string[], options: CsvOptions): boolean {
  try {
    positionColumns(file, header, options);
    return true;
  } catch {
    return false;
  }
}

export function readCsvCatalog(file: string, options: CsvOptions): Catalog {
  const { header, rows } = readCsvTable(file);
  const col = (name: string) => header.findIndex((h) => h.toLowerCase() === name);
  const idx = { id: col("id"), class: col("class"), field: col("field") };
  const missing = (["id", "class"] as const).filter((k) => idx[k] < 0);
  if (missing.length) {
    const position = hasPosition(file, header, options) ? "" : ", and a position (x, y, or RA/Dec with --sky)";
    throw new Error(
      `${file}: CSV header lacks column(s) ${missing.join(", ")}${position} (have: ${headerList(header)})`,
    );
  }
  if (idx.field < 0 && !options.field) throw new Error(`${file}: no 'field' column; pass the field name`);
  const at = positionColumns(file, header, options);
  const named = new Set([...Object.values(idx), ...(at.kind === "sky" ? [at.ra, at.dec] : [at.x, at.y])]);
  const records: CatalogRecord[] = [];
  const badRows: BadRow[] = [];
  for (const { line, cells } of rows) {
    const bad = (reason: string) => badRows.push({ file, line, reason });
    if (cells.length !== header.length) {
      bad(`${cells.length} values, the header has ${header.length}`);
      continue;
    }
    const position = rowPosition(cells, at);
    if (typeof position === "string") {
      bad(position);
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
      ...position,
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
  return { records, badRows, position: { kind: at.kind, description: at.description } };
}
