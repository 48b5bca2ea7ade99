// Writes catalog records in the LEGUS `.tab` layout that readLegusCatalog reads (column facts in
// data/catalogs/legus/README.md): whitespace-separated, no header, 33 fixed columns, the visual class in
// `classColumn` (34 or 35) and any further columns from `extra` (`col34`, `col36`, ...). Reading the file back
// with the same class column gives the same records (positions, magnitudes, coverage, classes, extras).
import { LEGUS_NOT_DETECTED, LEGUS_OUTSIDE } from "./legus";
import { CatalogRecord } from "./record";

/** Names of columns 16-32 in `extra`, as the reader stores them. */
const EXTRA_NAMES = [
  "ci",
  "age",
  "age_max",
  "age_min",
  "mass",
  "mass_max",
  "mass_min",
  "ebv",
  "ebv_max",
  "ebv_min",
  "chi2",
  "q_age",
  "q_mass",
  "q_ebv",
  "q_fit1",
  "q_fit2",
  "quality",
];

function num(v: number | undefined, what: string, record: CatalogRecord): string {
  if (v === undefined || !Number.isFinite(v))
    throw new Error(`record ${record.field}:${record.id}: ${what} is not a finite number (${v})`);
  return String(v);
}

/** One `.tab` line for a record. */
export function legusLine(r: CatalogRecord, classColumn: number): string {
  if (!Number.isInteger(classColumn) || classColumn < 34)
    throw new Error(`class column must be an integer >= 34, got ${classColumn}`);
  const cols: string[] = [r.id, num(r.x, "x", r), num(r.y, "y", r), num(r.ra ?? 0, "ra", r), num(r.dec ?? 0, "dec", r)];
  for (let b = 0; b < r.mag.length; b++) {
    const cov = r.coverage[b];
    if (cov === "detected")
      cols.push(
        num(r.mag[b] ?? undefined, `magnitude ${b + 1}`, r),
        num(r.magErr[b] ?? undefined, `error ${b + 1}`, r),
      );
    else if (cov === "outside") cols.push(String(LEGUS_OUTSIDE), String(LEGUS_OUTSIDE));
    else if (cov === "undetected") cols.push(String(LEGUS_NOT_DETECTED), String(LEGUS_NOT_DETECTED));
    else
      throw new Error(
        `record ${r.field}:${r.id}: band ${b + 1} coverage '${cov}' cannot be written in the LEGUS layout`,
      );
  }
  for (const name of EXTRA_NAMES) cols.push(r.extra[name] ?? "0");
  cols.push(r.detectedBands === null ? "200" : String(r.detectedBands));
  const extraCols = Object.keys(r.extra).flatMap((k) => (/^col\d+$/.test(k) ? [Number(k.slice(3))] : []));
  const last = Math.max(classColumn, ...extraCols);
  for (let c = 34; c <= last; c++) {
    if (c === classColumn) cols.push(r.rawClass ?? String(r.class ?? 0));
    else cols.push(r.extra[`col${c}`] ?? "0");
  }
  return cols.join(" ");
}

/** The whole `.tab` text. */
export function formatLegusCatalog(records: CatalogRecord[], classColumn: number): string {
  return records.map((r) => legusLine(r, classColumn)).join("\n") + "\n";
}
