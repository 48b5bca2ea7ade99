// PHANGS-HST cluster catalogs (FITS BINTABLE or CSV). Column names follow the PHANGS-HST releases:
//   ID_PHANGS_CLUSTER, PHANGS_X / PHANGS_Y (0-based pixels; converted here to FITS 1-based), PHANGS_RA / PHANGS_DEC
//   (degrees; the position when there is no PHANGS_X/Y, or when --sky names them),
//   PHANGS_CLUSTER_CLASS_HUMAN, PHANGS_<BAND>_VEGA_TOT and ..._ERR per band (F435W stands in for F438W where a
//   field used it). A magnitude equal to the no-coverage sentinel (default -9999) or NaN means the band does not
//   cover the object. Both formats go through one column interpreter (phangsFromTable); FITS bad rows are
//   numbered by 1-based table row. Checked against files astropy writes: no real PHANGS catalog can be downloaded.
import { withFits } from "../io/fits/read";
import type { TableColumn } from "../io/fits/table";
import { readCsvTable } from "./csv";
import { BANDS, BadRow, Catalog, CatalogRecord, Coverage, parseClass } from "./record";
import { detectSkyColumns, findSkyColumns, parseSky, SkyColumns } from "./sky";

export const PHANGS_NO_COVERAGE = -9999;

export interface PhangsOptions {
  field: string;
  noCoverage?: number;
  /** Read positions as RA/Dec from these columns (e.g. PHANGS_RA, PHANGS_DEC) instead of PHANGS_X/Y. */
  sky?: SkyColumns;
}

/** A table as named columns of strings or numbers, whatever file it came from. */
export interface ColumnTable {
  names: string[];
  rowCount: number;
  cell(row: number, column: number): string | number | boolean | null;
  /** 1-based line (CSV) or row (FITS) for messages. */
  rowLabel(row: number): number;
  /** What rowLabel counts: text lines or table rows. */
  labelUnit: "line" | "row";
}

function bandColumns(names: string[], band: string): [number, number] {
  const candidates = band === "F438W" ? ["F438W", "F435W"] : band === "F555W" ? ["F555W", "F606W"] : [band];
  for (const b of candidates) {
    const m = names.indexOf(`PHANGS_${b}_VEGA_TOT`);
    if (m >= 0) return [m, names.indexOf(`PHANGS_${b}_VEGA_TOT_ERR`)];
  }
  return [-1, -1];
}

type PhangsPosition = { kind: "pixel" } | { kind: "sky"; ra: number; dec: number; description: string };

/** PHANGS_X/Y (pixels) unless --sky names other columns; PHANGS_RA/DEC (or another common pair) when there are no pixels. */
function phangsPosition(file: string, names: string[], options: PhangsOptions): PhangsPosition {
  if (options.sky) {
    const at = findSkyColumns(names, options.sky);
    if ("missing" in at)
      throw new Error(
        `${file}: no column(s) ${at.missing.join(", ")} for --sky ${options.sky.join(",")} (have: ${names.join(", ")})`,
      );
    return { kind: "sky", ...at, description: `RA/Dec from columns ${options.sky.join(", ")} (--sky)` };
  }
  if (names.includes("PHANGS_X") && names.includes("PHANGS_Y")) return { kind: "pixel" };
  const found = detectSkyColumns(names);
  if (found)
    return {
      kind: "sky",
      ra: found.ra,
      dec: found.dec,
      description: `RA/Dec from columns ${found.names.join(", ")} (no PHANGS_X/Y)`,
    };
  const missing = ["PHANGS_X", "PHANGS_Y"].filter((n) => !names.includes(n));
  throw new Error(
    `${file}: not a PHANGS-HST cluster catalog: no column(s) ${missing.join(", ")}, and no RA/Dec pair (PHANGS_RA, PHANGS_DEC) either`,
  );
}

/** A cell as RA/Dec parsing takes it: numbers as they are, anything else as text. */
const skyCell = (v: string | number | boolean | null) => (typeof v === "number" ? v : String(v ?? ""));

/** Where the columns PHANGS names are, -1 when absent. */
interface PhangsColumns {
  id: number;
  x: number;
  y: number;
  ra: number;
  dec: number;
  cls: number;
}

/** The PHANGS columns of a table; one without an id or class column is refused. */
function phangsColumns(file: string, names: string[]): PhangsColumns {
  const col = (n: string) => names.indexOf(n);
  const idx = {
    id: col("ID_PHANGS_CLUSTER"),
    x: col("PHANGS_X"),
    y: col("PHANGS_Y"),
    ra: col("PHANGS_RA"),
    dec: col("PHANGS_DEC"),
    cls: col("PHANGS_CLUSTER_CLASS_HUMAN"),
  };
  const missing = (["id", "cls"] as const).filter((k) => idx[k] < 0);
  if (missing.length) {
    const wanted = { id: "ID_PHANGS_CLUSTER", cls: "PHANGS_CLUSTER_CLASS_HUMAN" };
    throw new Error(
      `${file}: not a PHANGS-HST cluster catalog: no column(s) ${missing.map((k) => wanted[k]).join(", ")}`,
    );
  }
  return idx;
}

type RowPosition = { x: number; y: number; ra?: number; dec?: number } | { ra: number; dec: number };

/** Row r's position: RA/Dec, or PHANGS_X/Y made 1-based (with PHANGS_RA/DEC when present); a string says why not. */
function rowPosition(table: ColumnTable, r: number, at: PhangsPosition, idx: PhangsColumns): RowPosition | string {
  const num = (c: number) => (c < 0 ? NaN : Number(table.cell(r, c)));
  if (at.kind === "sky") return parseSky(skyCell(table.cell(r, at.ra)), skyCell(table.cell(r, at.dec)));
  const x = num(idx.x),
    y = num(idx.y);
  if (!Number.isFinite(x) || !Number.isFinite(y))
    return `position (${table.cell(r, idx.x)}, ${table.cell(r, idx.y)}) is not finite`;
  return {
    x: x + 1,
    y: y + 1,
    ra: idx.ra >= 0 ? num(idx.ra) : undefined,
    dec: idx.dec >= 0 ? num(idx.dec) : undefined,
  };
}

/** Magnitudes, errors and coverage per band from the [magnitude, error] columns (-1: absent) of each band. */
function bandMagnitudes(num: (column: number) => number, bands: [number, number][], sentinel: number) {
  const mag: (number | null)[] = [],
    magErr: (number | null)[] = [],
    coverage: Coverage[] = [];
  for (const [m, e] of bands) {
    const v = num(m);
    const covered = m >= 0 && Number.isFinite(v) && v !== sentinel;
    coverage.push(m < 0 ? "unknown" : covered ? "detected" : "outside");
    mag.push(covered ? v : null);
    magErr.push(covered && e >= 0 ? num(e) : null);
  }
  return { mag, magErr, coverage };
}

/** The records of a PHANGS table, whichever file it came from; a row without a position or id is a bad row. */
export function phangsFromTable(file: string, table: ColumnTable, options: PhangsOptions): Catalog {
  const sentinel = options.noCoverage ?? PHANGS_NO_COVERAGE;
  const names = table.names.map((n) => n.trim().toUpperCase());
  const idx = phangsColumns(file, names);
  const at = phangsPosition(file, names, options);
  const bands = BANDS.map((b) => bandColumns(names, b));
  const skyColumns = at.kind === "sky" ? [at.ra, at.dec] : [];
  const named = new Set([...Object.values(idx), ...skyColumns, ...bands.flat()].filter((i) => i >= 0));
  const records: CatalogRecord[] = [];
  const badRows: BadRow[] = [];
  const unit = table.labelUnit === "row" ? { unit: "row" as const } : {};
  for (let r = 0; r < table.rowCount; r++) {
    const line = table.rowLabel(r);
    const num = (c: number) => (c < 0 ? NaN : Number(table.cell(r, c)));
    const position = rowPosition(table, r, at, idx);
    if (typeof position === "string") {
      badRows.push({ file, line, ...unit, reason: position });
      continue;
    }
    const id = String(table.cell(r, idx.id) ?? "").trim();
    if (id === "") {
      badRows.push({ file, line, ...unit, reason: "empty id" });
      continue;
    }
    const { mag, magErr, coverage } = bandMagnitudes(num, bands, sentinel);
    const extra: Record<string, string> = {};
    names.forEach((n, c) => {
      if (!named.has(c)) extra[n] = String(table.cell(r, c));
    });
    const rawClass = String(table.cell(r, idx.cls) ?? "");
    records.push({
      field: options.field,
      id,
      ...position,
      mag,
      magErr,
      coverage,
      detectedBands: coverage.every((c) => c !== "unknown") ? coverage.filter((c) => c === "detected").length : null,
      class: parseClass(rawClass),
      rawClass,
      extra,
      source: { file, line },
    });
  }
  const description = at.kind === "sky" ? at.description : "pixels from columns PHANGS_X, PHANGS_Y (0-based, plus 1)";
  return { records, badRows, position: { kind: at.kind, description } };
}

export function readPhangsCsv(file: string, options: PhangsOptions): Catalog {
  const { header, rows } = readCsvTable(file);
  const badWidth: BadRow[] = [];
  const good = rows.filter((r) => {
    if (r.cells.length === header.length) return true;
    badWidth.push({ file, line: r.line, reason: `${r.cells.length} values, the header has ${header.length}` });
    return false;
  });
  const catalog = phangsFromTable(
    file,
    {
      names: header,
      rowCount: good.length,
      cell: (row, column) => good[row].cells[column],
      rowLabel: (row) => good[row].line,
      labelUnit: "line",
    },
    options,
  );
  return { ...catalog, badRows: [...badWidth, ...catalog.badRows].sort((a, b) => a.line - b.line) };
}

/** One cell of a FITS column: scalars as they are (64-bit integers as exact decimal text), vectors as space-separated text. */
function fitsCell(column: TableColumn, row: number): string | number | boolean | null {
  const v = column.values;
  if (column.repeat === 1 || typeof v[0] === "string") {
    const x = v[row];
    return typeof x === "bigint" ? String(x) : x;
  }
  return Array.from(v.slice(row * column.repeat, (row + 1) * column.repeat) as ArrayLike<unknown>, String).join(" ");
}

/** A PHANGS-HST catalog stored as a FITS BINTABLE: the first BINTABLE extension of the file. */
export function readPhangsFits(file: string, options: PhangsOptions): Catalog {
  return withFits(file, (fits) => {
    const hdu = fits.hdus.find((h) => h.type === "BINTABLE");
    if (!hdu) throw new Error(`${file}: no BINTABLE extension (PHANGS-HST catalogs keep their table in HDU 1)`);
    const table = hdu.readTable();
    return phangsFromTable(
      file,
      {
        names: table.columns.map((c) => c.name),
        rowCount: table.rows,
        cell: (row, column) => fitsCell(table.columns[column], row),
        rowLabel: (row) => row + 1,
        labelUnit: "row",
      },
      options,
    );
  });
}
