import { readCatalog } from "../../catalog/read";
import { CatalogRecord, describeBadRow } from "../../catalog/record";
import { formatSummary, summarizeCatalog } from "../../catalog/summary";
import { defineCommand } from "../command";
import { CATALOG_READ_OPTIONS, parseSkyColumns } from "./curate";

export const catalogSummaryCommand = defineCommand({
  name: "catalog summary",
  summary: "Count catalog objects per field and class, and those detected in >= 4 filters (the layout of Table 1).",
  args: "FILE...",
  renamed: { format: "catalog-format" },
  positionals: [1, Infinity],
  options: {
    json: { type: "boolean", help: "print JSON instead of a table" },
    "catalog-format": CATALOG_READ_OPTIONS["catalog-format"],
    field: { type: "string", help: "field name (default: from the file name or a field column)" },
    "class-column": {
      type: "integer",
      min: 34,
      help: "LEGUS: 1-based column of the visual class, 34 or later (default: per field, else from its content)",
    },
    pixels: CATALOG_READ_OPTIONS.pixels,
    sky: {
      type: "string",
      help: "read positions as RA/Dec from these columns (RA_COL,DEC_COL; LEGUS: 1-based numbers)",
    },
  },
  async run({ options, positionals }) {
    const records: CatalogRecord[] = [];
    const badRows = [];
    for (const file of positionals) {
      const cat = readCatalog(file, {
        format: options["catalog-format"],
        field: options.field,
        classColumn: options["class-column"],
        pixels: options.pixels as "fits" | "zero" | undefined,
        sky: parseSkyColumns(options.sky),
      });
      records.push(...cat.records);
      badRows.push(...cat.badRows);
      if (cat.badRows.length) {
        const shown = cat.badRows
          .slice(0, 10)
          .map((b) => `  ${describeBadRow(b)}`)
          .join("\n");
        process.stderr.write(
          `${file}: ${cat.badRows.length} bad row(s) not counted:\n${shown}${cat.badRows.length > 10 ? "\n  ..." : ""}\n`,
        );
      }
    }
    const summary = summarizeCatalog(records);
    if (options.json) process.stdout.write(JSON.stringify({ ...summary, badRows }, null, 2) + "\n");
    else process.stdout.write(formatSummary(summary) + "\n");
  },
});
