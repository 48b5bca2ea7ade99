// Writing a BINTABLE extension (FITS Standard 4.0, section 7.3) after an empty primary HDU: numeric columns
// (I int16, J int32, E float32, D float64; one value per row) and ASCII string columns (nA, n = the longest
// value). Float columns use NaN for undefined values, as the standard does; integer columns may name a TNULL.
// The file is written atomically (temporary file, fsync, rename), as images are.
import { writeFileAtomic } from "../../util/atomic";
import { FitsCard, formatHeader } from "./header";

export type NumericColumnData = Int16Array | Int32Array | Float32Array | Float64Array;

export interface TableColumnToWrite {
  name: string;
  values: NumericColumnData | string[];
  unit?: string;
  /** Integer columns: the stored value meaning "undefined" (TNULLn). */
  nullValue?: number;
}

export interface TableWriteOptions {
  extname?: string;
  /** Cards for the primary header (provenance). */
  primaryCards?: FitsCard[];
  /** Cards for the table header after the column definitions. */
  tableCards?: FitsCard[];
}

const CODES: Record<string, { code: string; bytes: number }> = {
  Int16Array: { code: "I", bytes: 2 },
  Int32Array: { code: "J", bytes: 4 },
  Float32Array: { code: "E", bytes: 4 },
  Float64Array: { code: "D", bytes: 8 },
};

interface Layout {
  column: TableColumnToWrite;
  tform: string;
  bytes: number;
  offset: number;
  /** Strings as latin1 bytes (checked ASCII). */
  text?: Buffer[];
}

function layoutOf(file: string, columns: TableColumnToWrite[], rows: number): Layout[] {
  let offset = 0;
  return columns.map((column) => {
    const where = `${file}: column '${column.name}'`;
    if (column.values.length !== rows)
      throw new Error(`${where}: ${column.values.length} values, the table has ${rows} rows`);
    let layout: Layout;
    if (Array.isArray(column.values)) {
      const text = column.values.map((s, r) => {
        // FITS character data is ASCII 0x20-0x7E; anything else would read back differently.
        if (!/^[\x20-\x7e]*$/.test(s))
          throw new Error(
            `${where}: row ${r + 1} holds characters outside printable ASCII (${JSON.stringify(s)}); FITS tables hold ASCII text`,
          );
        return Buffer.from(s, "latin1");
      });
      const width = Math.max(1, ...text.map((t) => t.length));
      if (column.nullValue !== undefined) throw new Error(`${where}: TNULL applies to integer columns only`);
      layout = { column, tform: `${width}A`, bytes: width, offset, text };
    } else {
      const kind = CODES[column.values.constructor.name];
      if (!kind) throw new Error(`${where}: unsupported array type ${column.values.constructor.name}`);
      if (column.nullValue !== undefined && (kind.code === "E" || kind.code === "D"))
        throw new Error(`${where}: float columns use NaN for undefined values, not TNULL`);
      layout = { column, tform: `1${kind.code}`, bytes: kind.bytes, offset };
    }
    offset += layout.bytes;
    return layout;
  });
}

function writeValue(buf: Buffer, at: number, code: string, v: number): void {
  if (code === "I") buf.writeInt16BE(v, at);
  else if (code === "J") buf.writeInt32BE(v, at);
  else if (code === "E") buf.writeFloatBE(v, at);
  else buf.writeDoubleBE(v, at);
}

/** Writes `columns` (all of one length) as a BINTABLE in `file`, after an empty primary HDU. */
export function writeTableFits(file: string, columns: TableColumnToWrite[], options: TableWriteOptions = {}): void {
  if (columns.length === 0) throw new Error(`${file}: a table needs at least one column`);
  const rows = columns[0].values.length;
  const layout = layoutOf(file, columns, rows);
  const rowBytes = layout.reduce((a, l) => a + l.bytes, 0);
  const primary = formatHeader([
    { key: "SIMPLE", value: true, comment: "conforms to FITS standard" },
    { key: "BITPIX", value: 8 },
    { key: "NAXIS", value: 0 },
    { key: "EXTEND", value: true },
    ...(options.primaryCards ?? []),
  ]);
  const cards: FitsCard[] = [
    { key: "XTENSION", value: "BINTABLE", comment: "binary table extension" },
    { key: "BITPIX", value: 8 },
    { key: "NAXIS", value: 2 },
    { key: "NAXIS1", value: rowBytes, comment: "bytes per row" },
    { key: "NAXIS2", value: rows, comment: "rows" },
    { key: "PCOUNT", value: 0 },
    { key: "GCOUNT", value: 1 },
    { key: "TFIELDS", value: columns.length },
  ];
  layout.forEach((l, i) => {
    cards.push({ key: `TTYPE${i + 1}`, value: l.column.name }, { key: `TFORM${i + 1}`, value: l.tform });
    if (l.column.unit) cards.push({ key: `TUNIT${i + 1}`, value: l.column.unit });
    if (l.column.nullValue !== undefined) cards.push({ key: `TNULL${i + 1}`, value: l.column.nullValue });
  });
  if (options.extname) cards.push({ key: "EXTNAME", value: options.extname });
  const header = formatHeader([...cards, ...(options.tableCards ?? [])]);
  const dataBytes = rowBytes * rows;
  const data = Buffer.alloc(Math.ceil(dataBytes / 2880) * 2880); // zero padding after the table, as the standard asks
  for (const l of layout) {
    const code = l.tform.slice(-1);
    for (let r = 0; r < rows; r++) {
      const at = r * rowBytes + l.offset;
      // Strings end at the first NUL (the standard's terminator; astropy pads so), so short values read back as written.
      if (l.text) data.set(l.text[r], at);
      else writeValue(data, at, code, (l.column.values as NumericColumnData)[r]);
    }
  }
  writeFileAtomic(file, Buffer.concat([primary, header, data]));
}
