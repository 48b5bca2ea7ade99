// RFC 4180 CSV: records end with CRLF; a field holding a comma, a quote or a line break is quoted, with quotes
// doubled. The parser also accepts LF line ends, and reports each record's 1-based first line for messages.

/** One record (no line end). */
export function formatCsvRecord(cells: string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",");
}

/** Records (header first) as RFC 4180 text: CRLF after every record. */
export function formatCsv(records: string[][]): string {
  return records.map((r) => formatCsvRecord(r) + "\r\n").join("");
}

export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Parses RFC 4180 text; throws naming `where` and the line on an unclosed or stray quote. */
export function parseCsv(text: string, where: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' && cell === "") {
      // A quoted field runs to the next lone quote, line breaks included.
      const open = line;
      for (i++; text[i] !== '"' || text[i + 1] === '"'; i++) {
        if (i >= text.length) throw new Error(`${where}: line ${open}: quoted field never closed`);
        if (text[i] === '"') i++;
        else if (text[i] === "\n") line++;
        cell += text[i];
      }
      const next = text[i + 1];
      if (next !== undefined && next !== "," && next !== "\n" && !(next === "\r" && text[i + 2] === "\n")) {
        throw new Error(`${where}: line ${line}: characters after a closing quote`);
      }
    } else if (ch === '"') {
      throw new Error(`${where}: line ${line}: quote inside an unquoted field`);
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || (ch === "\r" && text[i + 1] === "\n")) {
      if (ch === "\r") i++;
      cells.push(cell);
      records.push({ line: start, cells });
      cells = [];
      cell = "";
      start = ++line;
    } else cell += ch;
  }
  if (cell !== "" || cells.length) {
    cells.push(cell);
    records.push({ line: start, cells });
  }
  return records;
}
