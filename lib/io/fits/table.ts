// BINTABLE extensions (FITS Standard 4.0, section 7.3): numeric, logical, bit and string columns, read whole
// (catalogs are small). Values follow astropy: strings lose trailing blanks, TZERO = 2^(bits-1) gives unsigned
// integers, other TSCAL/TZERO give float64.
import type { Header } from "./header";
import type { Hdu } from "./read";
import { Bitpix, decodeStored, physicalKind, PixelArray, toPhysical } from "./pixels";

export interface TableColumn {
  name: string;
  /** TFORM as written, e.g. "1E", "20A". */
  format: string;
  unit?: string;
  /** Values per row (for strings: characters per row, one string per row). */
  repeat: number;
  /** Row-major, `repeat` values per row (strings: one per row). */
  values: PixelArray | boolean[] | string[];
}

export interface FitsTable {
  rows: number;
  columns: TableColumn[];
}

export interface TableOptions {
  /** Only these columns (TTYPE, case-insensitive); default all. */
  columns?: string[];
}

const NUMERIC: Record<string, Bitpix> = { B: 8, I: 16, J: 32, K: 64, E: -32, D: -64 };
/** The column types not decoded, named in the refusal (astropy reads them as complex and object arrays). */
const UNSUPPORTED: Record<string, string> = {
  C: "complex columns (C)",
  M: "complex columns (M)",
  P: "variable-length columns (P)",
  Q: "variable-length columns (Q)",
};
const WIDTH: Record<string, number> = {
  L: 1,
  X: 1 / 8,
  B: 1,
  I: 2,
  J: 4,
  K: 8,
  A: 1,
  E: 4,
  D: 8,
  C: 8,
  M: 16,
  P: 8,
  Q: 16,
};

export interface ColumnLayout {
  name: string;
  format: string;
  code: string;
  repeat: number;
  offset: number;
  bytes: number;
}

function layout(hdu: Hdu): ColumnLayout[] {
  return columnLayout(hdu.header, hdu.where);
}

/** Where each column of a BINTABLE row lies (variable-length P/Q columns: their 8/16-byte descriptors). */
export function columnLayout(h: Header, where: string): ColumnLayout[] {
  const n = h.integer("TFIELDS", where);
  const cols: ColumnLayout[] = [];
  let offset = 0;
  for (let i = 1; i <= n; i++) {
    const format = String(h.get(`TFORM${i}`) ?? "").trim();
    const m = /^(\d*)([LXBIJKAEDCMPQ])/.exec(format);
    if (!m) throw new Error(`${where}: column ${i}: invalid TFORM${i} '${format}'`);
    const repeat = m[1] === "" ? 1 : Number(m[1]);
    const code = m[2];
    const bytes =
      code === "X" ? Math.ceil(repeat / 8) : code === "P" || code === "Q" ? WIDTH[code] : repeat * WIDTH[code];
    cols.push({ name: String(h.get(`TTYPE${i}`) ?? `col${i}`), format, code, repeat, offset, bytes });
    offset += bytes;
  }
  const rowBytes = h.integer("NAXIS1", where);
  if (offset !== rowBytes) throw new Error(`${where}: columns take ${offset} bytes per row but NAXIS1 = ${rowBytes}`);
  return cols;
}

export function readTable(hdu: Hdu, options: TableOptions = {}): FitsTable {
  if (hdu.type === "TABLE")
    throw new Error(`${hdu.where}: is an ASCII TABLE extension: ASCII tables are not supported, only BINTABLE`);
  if (hdu.type !== "BINTABLE")
    throw new Error(
      `${hdu.where}: is ${hdu.type === "PRIMARY" ? "the primary HDU" : `a ${hdu.type} extension`}, not a BINTABLE`,
    );
  const rowBytes = hdu.header.integer("NAXIS1", hdu.where);
  const rows = hdu.header.integer("NAXIS2", hdu.where);
  const cols = layout(hdu);
  const wanted = options.columns?.map((c) => c.toUpperCase());
  const selected = wanted
    ? wanted.map((w) => {
        const c = cols.find((col) => col.name.toUpperCase() === w);
        if (!c) throw new Error(`${hdu.where}: no column '${w}' (columns: ${cols.map((col) => col.name).join(", ")})`);
        return c;
      })
    : cols;
  const table = new Uint8Array(rowBytes * rows);
  hdu.file.readAt(table, hdu.dataOffset, hdu.where);
  const columns = selected.map((c) => {
    const i = cols.indexOf(c) + 1;
    const unit = hdu.header.get(`TUNIT${i}`);
    return {
      name: c.name,
      format: c.format,
      unit: unit === undefined ? undefined : String(unit),
      repeat: c.repeat,
      values: decodeColumn(hdu, c, i, table, rowBytes, rows),
    };
  });
  return { rows, columns };
}

function decodeColumn(
  hdu: Hdu,
  c: ColumnLayout,
  i: number,
  table: Uint8Array,
  rowBytes: number,
  rows: number,
): TableColumn["values"] {
  // Gather this column's bytes from every row into one aligned buffer.
  const bytes = new Uint8Array(new ArrayBuffer(c.bytes * rows));
  for (let r = 0; r < rows; r++)
    bytes.set(table.subarray(r * rowBytes + c.offset, r * rowBytes + c.offset + c.bytes), r * c.bytes);
  if (c.code === "A") {
    return Array.from({ length: rows }, (_, r) => {
      const s = Buffer.from(bytes.buffer, r * c.bytes, c.bytes).toString("latin1");
      const nul = s.indexOf("\0");
      return (nul < 0 ? s : s.slice(0, nul)).trimEnd();
    });
  }
  if (c.code === "L") return Array.from(bytes, (b) => b === 0x54); // 'T'; 'F' and 0 (undefined) read as false, as in astropy
  if (c.code === "X") return unpackBits(bytes, c.repeat, rows);
  const bitpix = NUMERIC[c.code];
  if (bitpix === undefined)
    throw new Error(
      `${hdu.where}: column ${i} '${c.name}' has TFORM '${c.format}': ${UNSUPPORTED[c.code]} are not supported`,
    );
  const stored = decodeStored(bytes, bitpix);
  const h = hdu.header;
  const tzero = h.get(`TZERO${i}`);
  const scaling = {
    bitpix,
    bscale: h.number(`TSCAL${i}`, 1)!,
    bzero: typeof tzero === "bigint" ? tzero : h.number(`TZERO${i}`, 0)!,
  };
  const kind = physicalKind(scaling);
  if (kind !== "float32" && kind !== "float64") return toPhysical(stored, scaling);
  const out = new Float64Array(stored.length);
  const zero = Number(scaling.bzero);
  for (let k = 0; k < stored.length; k++) out[k] = Number(stored[k]) * scaling.bscale + zero;
  return out;
}

/** An X column's bits, `repeat` per row, most significant bit first (astropy's _unwrapx: a bool per bit). */
function unpackBits(bytes: Uint8Array, repeat: number, rows: number): boolean[] {
  const perRow = Math.ceil(repeat / 8);
  const out: boolean[] = new Array(rows * repeat);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < repeat; j++) out[r * repeat + j] = ((bytes[r * perRow + (j >> 3)] >> (7 - (j & 7))) & 1) === 1;
  }
  return out;
}
