// Catalog counts in the layout of the paper's Table 1: per field and in total, objects per class 1-4, and those
// detected in at least four filters.
import { CatalogRecord, CLASSES } from "./record";

export interface ClassCounts {
  /** Objects of class 1-4, in order. */
  classes: [number, number, number, number];
  /** Of those, the ones with a detection in at least four filters (where the catalog states detections). */
  atLeast4Filters: [number, number, number, number];
  notClassified: number;
  /** Class codes that are neither 0-4 nor empty, with their counts. */
  otherCodes: Record<string, number>;
  total: number;
}

export interface CatalogSummary {
  fields: Record<string, ClassCounts>;
  total: ClassCounts;
}

function emptyCounts(): ClassCounts {
  return { classes: [0, 0, 0, 0], atLeast4Filters: [0, 0, 0, 0], notClassified: 0, otherCodes: {}, total: 0 };
}

function add(c: ClassCounts, r: CatalogRecord): void {
  c.total++;
  if (r.class !== null) {
    c.classes[r.class - 1]++;
    if (r.detectedBands !== null && r.detectedBands >= 4) c.atLeast4Filters[r.class - 1]++;
  } else if (r.rawClass !== undefined && r.rawClass.trim() !== "" && Number(r.rawClass) !== 0) {
    c.otherCodes[r.rawClass] = (c.otherCodes[r.rawClass] ?? 0) + 1;
  } else {
    c.notClassified++;
  }
}

export function summarizeCatalog(records: CatalogRecord[]): CatalogSummary {
  const fields: Record<string, ClassCounts> = {};
  const total = emptyCounts();
  for (const r of records) {
    fields[r.field] ??= emptyCounts();
    add(fields[r.field], r);
    add(total, r);
  }
  return { fields, total };
}

/** A plain-text table: one row per field, the total, and the >= 4 filters row. */
export function formatSummary(s: CatalogSummary): string {
  const head = ["field", ...CLASSES.map((c) => `class ${c}`), "unclassified", "other codes", "all"];
  const row = (name: string, c: ClassCounts) => [
    name,
    ...c.classes.map(String),
    String(c.notClassified),
    String(Object.values(c.otherCodes).reduce((a, b) => a + b, 0)),
    String(c.total),
  ];
  const rows = [
    head,
    ...Object.keys(s.fields)
      .sort()
      .map((f) => row(f, s.fields[f])),
    row("total", s.total),
    ["N >= 4 filters", ...s.total.atLeast4Filters.map(String), "", "", ""],
  ];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  const lines = rows.map(fmt);
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  lines.splice(lines.length - 2, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines.join("\n");
}
