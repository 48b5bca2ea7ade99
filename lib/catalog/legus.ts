// LEGUS High Level Science Product cluster catalogs (`hlsp_legus_*_multiband_*.tab`): whitespace-separated,
// no header, one candidate per line. Column facts (1-based) are in data/catalogs/legus/README.md:
//   1 id; 2-3 x, y (FITS 1-based); 4-5 RA, Dec; 6-15 mag/err pairs F275W, F336W, F435W|F438W, F555W|F606W, F814W
//   (99.999 = not detected, 66.666 = outside the footprint); 16 CI; 17-32 SED-fit results and quality;
//   33 number of filters with detection (200 = fewer than three, not fitted); 34 or 35: the visual class.
import * as fs from "node:fs";
import * as path from "node:path";
import { paperFields } from "./fields";
import { BANDS, BadRow, Catalog, CatalogRecord, Coverage, parseClass } from "./record";
import { SettingNeeded } from "../util/errors";
import { shorten } from "../util/escape";

export const LEGUS_NOT_DETECTED = 99.999;
export const LEGUS_OUTSIDE = 66.666;
const MIN_COLUMNS = 33;

/** Names of the columns the common record does not name; kept in `extra` under these keys. */
const EXTRA_COLUMNS: Record<number, string> = {
  16: "ci",
  17: "age", 18: "age_max", 19: "age_min",
  20: "mass", 21: "mass_max", 22: "mass_min",
  23: "ebv", 24: "ebv_max", 25: "ebv_min",
  26: "chi2", 27: "q_age", 28: "q_mass", 29: "q_ebv", 30: "q_fit1", 31: "q_fit2",
  32: "quality",
};

export interface LegusOptions {
  /** Field name; default from the file name (e.g. ..._ngc4395-n_... -> NGC4395N). */
  field?: string;
  /** 1-based column holding the visual class; required unless the field is known. */
  classColumn?: number;
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

/** Why a row cannot be read, or undefined when it can. */
function rowProblem(cols: string[], classColumn: number): string | undefined {
  const needed = Math.max(MIN_COLUMNS, classColumn);
  if (cols.length < needed) return `${cols.length} columns, expected at least ${needed} (class in column ${classColumn})`;
  const nonNumeric = cols.findIndex((c) => !Number.isFinite(Number(c)));
  if (nonNumeric >= 0) return `column ${nonNumeric + 1} is not a finite number: '${shorten(cols[nonNumeric])}'`;
  const [x, y] = [Number(cols[1]), Number(cols[2])];
  if (x <= 0 || y <= 0) return `position (${x}, ${y}) is not a 1-based pixel position`;
  return undefined;
}

export function readLegusCatalog(file: string, options: LegusOptions = {}): Catalog {
  const field = options.field ?? legusFieldFromFileName(file);
  if (!field) throw new SettingNeeded("field", `${file}: cannot tell the field from the file name`);
  const classColumn = options.classColumn ?? paperFields()[field]?.class_column;
  if (classColumn === undefined) {
    throw new SettingNeeded("class-column", `${file}: no default class column for field ${field} (34 or 35 in LEGUS catalogs)`);
  }
  if (!Number.isInteger(classColumn) || classColumn < 34) {
    throw new Error(`${file}: class column must be an integer >= 34 (columns 1-33 hold positions and photometry), got ${classColumn}`);
  }
  const text = fs.readFileSync(file, "utf8");
  const records: CatalogRecord[] = [];
  const badRows: BadRow[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const cols = line.trim().split(/\s+/);
    const problem = rowProblem(cols, classColumn);
    if (problem) {
      badRows.push({ file, line: lineNo, reason: problem });
      continue;
    }
    const num = cols.map(Number);
    const [x, y] = [num[1], num[2]];
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
      x,
      y,
      ra: num[3],
      dec: num[4],
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
  return { records, badRows };
}
