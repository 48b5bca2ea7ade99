// LEGUS High Level Science Product cluster catalogs (`hlsp_legus_*_multiband_*.tab`): whitespace-separated,
// no header, one candidate per line. Column facts (1-based) are in data/catalogs/legus/README.md:
//   1 id; 2-3 x, y (FITS 1-based); 4-5 RA, Dec (degrees; used instead of x, y with --sky 4,5); 6-15 mag/err pairs F275W, F336W, F435W|F438W, F555W|F606W, F814W
//   (99.999 = not detected, 66.666 = outside the footprint); 16 CI; 17-32 SED-fit results and quality;
//   33 number of filters with detection (200 = fewer than three, not fitted); 34 or 35: the visual class.
//
// Which of 34 and 35 holds the class: given by --class-column, else by data/fields.json for a known field, else
// detected from the content (detectLegusClassColumn): the class column holds integers and at least three of the
// classes 1-4. Evidence, the seven shipped catalogs (data/catalogs/legus/README.md has which column reproduces the
// paper's Table 1): where the class is in 35 (NGC3351, NGC4242, NGC45; v1, 37 columns) column 34 holds only 0 and 1;
// where it is in 34 (NGC5474, NGC4395N, NGC4656, NGC4449), column 35 holds either mean classes (2.667, 1.5, ...:
// NGC4395N, NGC4656) or only 0, 1, 2 (NGC5474, NGC4449). The version (v1/v2) and the column count (37 in both
// layouts) do not tell them apart. The rule picks the Table 1 column in all seven; when it finds neither or both
// plausible, the refusal says what each column would give.
import * as fs from "node:fs";
import * as path from "node:path";
import { paperFields } from "./fields";
import { BANDS, BadRow, Catalog, CatalogRecord, Coverage, parseClass } from "./record";
import { parseSky, SkyColumns } from "./sky";
import { SettingNeeded } from "../util/errors";
import { shorten } from "../util/escape";

export const LEGUS_NOT_DETECTED = 99.999;
export const LEGUS_OUTSIDE = 66.666;
const MIN_COLUMNS = 33;

/** Names of the columns the common record does not name; kept in `extra` under these keys. */
const EXTRA_COLUMNS: Record<number, string> = {
  16: "ci",
  17: "age",
  18: "age_max",
  19: "age_min",
  20: "mass",
  21: "mass_max",
  22: "mass_min",
  23: "ebv",
  24: "ebv_max",
  25: "ebv_min",
  26: "chi2",
  27: "q_age",
  28: "q_mass",
  29: "q_ebv",
  30: "q_fit1",
  31: "q_fit2",
  32: "quality",
};

export interface LegusOptions {
  /** Field name; default from the file name (e.g. ..._ngc4395-n_... -> NGC4395N). */
  field?: string;
  /** 1-based column holding the visual class; required unless the field is known. */
  classColumn?: number;
  /** Read positions as RA/Dec from these 1-based columns (e.g. 4, 5) instead of the pixels in columns 2, 3. */
  sky?: SkyColumns;
}

/** The --sky columns of a LEGUS table as 1-based numbers (the table has no header to name them). */
function skyColumnNumbers(file: string, sky: SkyColumns): [number, number] {
  const numbers = sky.map((c) => (/^\d+$/.test(c.trim()) ? Number(c) : NaN));
  if (numbers.some((n) => !(n >= 1))) {
    throw new Error(
      `${file}: --sky ${sky.join(",")}: a LEGUS table has no header, so --sky takes 1-based column numbers (RA and Dec are 4,5)`,
    );
  }
  return numbers as [number, number];
}

/** "hlsp_legus_hst_wfc3_ngc4395-n_multiband_v1_..." -> "NGC4395N". */
export function legusFieldFromFileName(file: string): string | undefined {
  const m = /hlsp_legus_hst_[a-z0-9-]+_([a-z]+[0-9]+(?:-[a-z0-9]+)?)_multiband/i.exec(path.basename(file));
  return m ? m[1].replace(/-/g, "").toUpperCase() : undefined;
}

function coverageOf(mag: number): Coverage {
  if (mag === LEGUS_OUTSIDE) return "outside";
  if (mag === LEGUS_NOT_DETECTED) return "undetected";
  return "detected";
}

/** Why a row cannot be read, or undefined when it can; `sky`: the RA/Dec columns when positions are read from them. */
function rowProblem(cols: string[], classColumn: number, sky?: [number, number]): string | undefined {
  const needed = Math.max(MIN_COLUMNS, classColumn, ...(sky ?? []));
  if (cols.length < needed)
    return `${cols.length} columns, expected at least ${needed} (class in column ${classColumn})`;
  const nonNumeric = cols.findIndex((c) => !Number.isFinite(Number(c)));
  if (nonNumeric >= 0) return `column ${nonNumeric + 1} is not a finite number: '${shorten(cols[nonNumeric])}'`;
  if (sky) {
    const at = parseSky(Number(cols[sky[0] - 1]), Number(cols[sky[1] - 1]));
    return typeof at === "string" ? at : undefined;
  }
  const [x, y] = [Number(cols[1]), Number(cols[2])];
  if (x <= 0 || y <= 0) return `position (${x}, ${y}) is not a 1-based pixel position`;
  return undefined;
}

/** What one candidate class column holds, and whether it can be the visual class (see the header comment). */
export interface ClassColumnCandidate {
  column: number;
  plausible: boolean;
  /** e.g. "classes 1/2/3/4 = 118/80/94/326, 771 unclassified (0)" or "non-integer values (e.g. 2.667): not a class". */
  gives: string;
}

/** The class column told from a LEGUS catalog's content (34 or 35), or undefined, with what each candidate gives. */
export function detectLegusClassColumn(text: string): { column?: number; candidates: ClassColumnCandidate[] } {
  const rows = text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"))
    .map((l) => l.trim().split(/\s+/));
  const candidates: ClassColumnCandidate[] = [];
  for (const column of [34, 35]) {
    const values = rows.filter((r) => r.length >= column).map((r) => Number(r[column - 1]));
    if (values.length === 0) continue;
    const nonInteger = values.find((v) => !Number.isInteger(v));
    const counts = [1, 2, 3, 4].map((c) => values.filter((v) => v === c).length);
    const zero = values.filter((v) => v === 0).length;
    const others = [...new Set(values.filter((v) => Number.isInteger(v) && (v < 0 || v > 4)))].sort((a, b) => a - b);
    const plausible = nonInteger === undefined && counts.filter((n) => n > 0).length >= 3;
    const otherCount = values.length - zero - counts.reduce((a, b) => a + b, 0);
    const gives =
      nonInteger !== undefined
        ? `non-integer values (e.g. ${nonInteger}): not a class code`
        : `classes 1/2/3/4 = ${counts.join("/")}, ${zero} unclassified (0)` +
          `${others.length ? `, ${otherCount} with other codes (${others.slice(0, 5).join(", ")})` : ""}` +
          `${plausible ? "" : "; fewer than three of the classes 1-4"}`;
    candidates.push({ column, plausible, gives });
  }
  const plausible = candidates.filter((c) => c.plausible);
  return { column: plausible.length === 1 ? plausible[0].column : undefined, candidates };
}

function detectedClassColumn(file: string, field: string, text: string): number {
  const { column, candidates } = detectLegusClassColumn(text);
  if (column !== undefined) return column;
  const list = candidates.map((c) => `column ${c.column} would give ${c.gives}`).join("; ");
  throw new SettingNeeded(
    "class-column",
    `${file}: field ${field} has no default class column and its content does not tell ` +
      `(the class column holds integers with at least three of the classes 1-4): ${list || "the file has no rows with 34 columns"}; ` +
      "the class column is 34 or 35",
  );
}

export function readLegusCatalog(file: string, options: LegusOptions = {}): Catalog {
  const field = options.field ?? legusFieldFromFileName(file);
  if (!field) throw new SettingNeeded("field", `${file}: cannot tell the field from the file name`);
  const text = fs.readFileSync(file, "utf8");
  const classColumn =
    options.classColumn ?? paperFields()[field]?.class_column ?? detectedClassColumn(file, field, text);
  if (!Number.isInteger(classColumn) || classColumn < 34) {
    throw new Error(
      `${file}: class column must be an integer >= 34 (columns 1-33 hold positions and photometry), got ${classColumn}`,
    );
  }
  const sky = options.sky ? skyColumnNumbers(file, options.sky) : undefined;
  const records: CatalogRecord[] = [];
  const badRows: BadRow[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const cols = line.trim().split(/\s+/);
    const problem = rowProblem(cols, classColumn, sky);
    if (problem) {
      badRows.push({ file, line: lineNo, reason: problem });
      continue;
    }
    const num = cols.map(Number);
    // With --sky only RA/Dec is kept, so that nothing downstream can use the pixel columns by mistake.
    const position = sky
      ? { ra: num[sky[0] - 1], dec: num[sky[1] - 1] }
      : { x: num[1], y: num[2], ra: num[3], dec: num[4] };
    const mag: (number | null)[] = [];
    const magErr: (number | null)[] = [];
    const coverage: Coverage[] = [];
    for (let b = 0; b < BANDS.length; b++) {
      const m = num[5 + 2 * b];
      const c = coverageOf(m);
      coverage.push(c);
      mag.push(c === "detected" ? m : null);
      magErr.push(c === "detected" ? num[6 + 2 * b] : null);
    }
    const rawClass = cols[classColumn - 1];
    const extra: Record<string, string> = {};
    for (const [col, name] of Object.entries(EXTRA_COLUMNS)) extra[name] = cols[Number(col) - 1];
    for (let c = 34; c <= cols.length; c++) if (c !== classColumn) extra[`col${c}`] = cols[c - 1];
    records.push({
      field,
      id: cols[0],
      ...position,
      mag,
      magErr,
      coverage,
      detectedBands: num[32] === 200 ? null : num[32],
      class: parseClass(rawClass),
      rawClass,
      extra,
      source: { file, line: lineNo },
    });
  }
  const source = sky
    ? { kind: "sky" as const, description: `RA/Dec from columns ${sky.join(", ")} (--sky)` }
    : { kind: "pixel" as const, description: "pixels from columns 2, 3 (1-based)" };
  return { records, badRows, position: source };
}
