// Writing CSV (RFC 4180): values with a comma, quote or newline are quoted, quotes doubled. Reading is
// lib/catalog/csv.ts's readCsvTable.

export type CsvValue = string | number | boolean | null | undefined;

export function csvCell(v: CsvValue): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header line and one line per row, each ending in a newline. */
export function formatCsv(header: readonly string[], rows: readonly CsvValue[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(",") + "\n").join("");
}
