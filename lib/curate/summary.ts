// Curation counts in the layout of the paper's Table 1: per field and in total, objects kept and dropped per
// class, then why objects were dropped and which bands were zero-filled.
import { Band, BANDS, CLASSES } from "../catalog/record";
import type { ManifestRow } from "./manifest";
import type { DropCause } from "./stamp";

export const DROP_CAUSES: Record<DropCause, string> = {
  outside: "position outside the mosaic",
  edge: "stamp crosses the mosaic edge",
  coverage: "2+ bands without coverage",
  "no-data": "pixels without data in the stamp",
  duplicate: "duplicate id",
};

export interface ClassTally {
  /** Classes 1-4, then not classified, then all. */
  "1": number;
  "2": number;
  "3": number;
  "4": number;
  unclassified: number;
  all: number;
}

export interface CurationCounts {
  kept: ClassTally;
  dropped: ClassTally;
  droppedBy: Record<DropCause, number>;
  /** Kept objects with this band zero-filled. */
  missingBand: Record<Band, number>;
  /** Kept objects with pixels without data set to 0 (--pad). */
  padded: number;
}

const tally = (): ClassTally => ({ "1": 0, "2": 0, "3": 0, "4": 0, unclassified: 0, all: 0 });

export function emptyCounts(): CurationCounts {
  return {
    kept: tally(),
    dropped: tally(),
    droppedBy: Object.fromEntries(Object.keys(DROP_CAUSES).map((k) => [k, 0])) as Record<DropCause, number>,
    missingBand: Object.fromEntries(BANDS.map((b) => [b, 0])) as Record<Band, number>,
    padded: 0,
  };
}

/** Adds one manifest row (with its drop cause, or whether it was padded) to each of `counts`. */
export function addRow(
  row: ManifestRow,
  outcome: { cause?: DropCause; padded?: boolean },
  ...counts: CurationCounts[]
): void {
  for (const c of counts) {
    const t = row.status === "kept" ? c.kept : c.dropped;
    t[row.class === null ? "unclassified" : (String(row.class) as "1")]++;
    t.all++;
    if (outcome.cause) c.droppedBy[outcome.cause]++;
    if (row.missingBand) c.missingBand[row.missingBand]++;
    if (outcome.padded) c.padded++;
  }
}

/** A plain-text table (field / status rows, class columns) and the drop and zero-fill counts of the total. */
export function formatCurationSummary(fields: Record<string, CurationCounts>, total: CurationCounts): string {
  const head = ["field", "status", ...CLASSES.map((c) => `class ${c}`), "unclassified", "all"];
  const cells = (t: ClassTally) => [
    ...CLASSES.map((c) => String(t[String(c) as "1"])),
    String(t.unclassified),
    String(t.all),
  ];
  const block = (name: string, c: CurationCounts) => [
    [name, "kept", ...cells(c.kept)],
    ["", "dropped", ...cells(c.dropped)],
  ];
  const rows = [head, ...Object.entries(fields).flatMap(([f, c]) => block(f, c)), ...block("total", total)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const lines = rows.map((r) =>
    r
      .map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, rule);
  lines.splice(lines.length - 2, 0, rule);
  const list = (entries: [string, number][]) =>
    entries
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none";
  lines.push(`dropped: ${list(Object.entries(total.droppedBy).map(([k, n]) => [DROP_CAUSES[k as DropCause], n]))}`);
  lines.push(`kept with one band zero-filled: ${list(Object.entries(total.missingBand))}`);
  if (total.padded) lines.push(`kept zero-padded (--pad): ${total.padded}`);
  return lines.join("\n");
}
