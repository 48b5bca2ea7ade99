// Sky positions in catalogs: RA and Dec read as decimal degrees or sexagesimal text, and the columns that hold
// them, named by the user (--sky RA_COL,DEC_COL) or found by the common names of survey and VizieR tables.
//
// Decimal numbers are degrees for both coordinates (RA = 150.1167, not hours). Sexagesimal text is hours for RA
// ("10:00:28.0", "10 00 28.0", "10h00m28.0s") and degrees for Dec ("+02:12:21", "-02d12m21s", "+02 12 21"), as
// SIMBAD, VizieR and astropy's SkyCoord(..., unit=(hourangle, deg)) write them.
import { shorten } from "../util/escape";

/** The two columns holding RA and Dec: header names (CSV, PHANGS) or 1-based column numbers (LEGUS tables). */
export type SkyColumns = [string, string];

/**
 * Common RA/Dec column names, most specific first (compared without case). The first pair present in a header
 * is used; the log says which, and names any other pair present.
 */
export const SKY_COLUMN_NAMES: readonly SkyColumns[] = [
  ["PHANGS_RA", "PHANGS_DEC"],
  ["RA", "DEC"],
  ["RAJ2000", "DEJ2000"],
  ["RAJ2000", "DECJ2000"],
  ["RA_J2000", "DEC_J2000"],
  ["RA_ICRS", "DE_ICRS"],
  ["RA_ICRS", "DEC_ICRS"],
  ["RA_DEG", "DEC_DEG"],
  ["RADEG", "DEDEG"],
  ["RADEG", "DECDEG"],
  ["_RAJ2000", "_DEJ2000"],
  ["ALPHA_J2000", "DELTA_J2000"],
];

/** "RA,DEC" (the --sky option) -> the two names; throws saying what is wrong. */
export function parseSkyOption(text: string): SkyColumns {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p === "")) {
    throw new Error(
      `--sky ${text}: expected two columns, RA then Dec, separated by a comma (e.g. --sky RAJ2000,DEJ2000, or --sky 4,5 for a LEGUS table)`,
    );
  }
  return [parts[0], parts[1]];
}

/** The 0-based indexes of the named columns in a header (names compared without case), or the names not found. */
export function findSkyColumns(
  header: string[],
  names: SkyColumns,
): { ra: number; dec: number } | { missing: string[] } {
  const upper = header.map((h) => h.trim().toUpperCase());
  const [ra, dec] = names.map((n) => upper.indexOf(n.trim().toUpperCase()));
  if (ra >= 0 && dec >= 0) return { ra, dec };
  return { missing: names.filter((_, i) => [ra, dec][i] < 0) };
}

/** The first pair of SKY_COLUMN_NAMES present in the header, with the others present (for the log). */
export function detectSkyColumns(
  header: string[],
): { ra: number; dec: number; names: SkyColumns; others: SkyColumns[] } | undefined {
  const found = SKY_COLUMN_NAMES.flatMap((names) => {
    const at = findSkyColumns(header, names);
    return "ra" in at ? [{ ...at, names: [header[at.ra].trim(), header[at.dec].trim()] as SkyColumns }] : [];
  });
  if (found.length === 0) return undefined;
  return { ...found[0], others: found.slice(1).map((f) => f.names) };
}

/** A decimal number (no hex, no empty string, no "Infinity"). */
function decimal(text: string): number | undefined {
  const t = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : undefined;
}

/** [sign, a, b, c] of "a:b:c", "a b c" or "a<u>b<u>c<u>" with the given unit letters; undefined if it is none. */
function sexagesimal(text: string, units: string): [number, number, number, number] | undefined {
  const sep = `\\s*(?:[:\\s]|[${units}])\\s*`;
  const re = new RegExp(
    `^\\s*([+\\-\\u2212]?)\\s*(\\d{1,3})${sep}(\\d{1,2})${sep}(\\d{1,2}(?:\\.\\d*)?)\\s*[${units}"\\u2033]?\\s*$`,
    "i",
  );
  const m = re.exec(text);
  if (!m) return undefined;
  return [m[1] === "" || m[1] === "+" ? 1 : -1, Number(m[2]), Number(m[3]), Number(m[4])];
}

/** RA in degrees from a cell, or why it is not one. */
export function parseRa(text: string): number | string {
  const d = decimal(text);
  if (d !== undefined) return d >= 0 && d <= 360 ? d : `RA ${d} is not within 0-360 degrees`;
  const s = sexagesimal(text, "hms'\u2032");
  if (!s) return `RA '${shorten(text.trim())}' is neither degrees nor sexagesimal hours (hh:mm:ss.s)`;
  const [sign, h, m, sec] = s;
  if (sign < 0 || h >= 24 || m >= 60 || sec >= 60)
    return `RA '${shorten(text.trim())}' is not a time of 0-24 h (hh:mm:ss.s)`;
  return (h + m / 60 + sec / 3600) * 15;
}

/** Dec in degrees from a cell, or why it is not one. */
export function parseDec(text: string): number | string {
  const d = decimal(text);
  if (d !== undefined) return d >= -90 && d <= 90 ? d : `Dec ${d} is not within -90 to +90 degrees`;
  const s = sexagesimal(text, "dm\u00b0'\u2032s");
  if (!s) return `Dec '${shorten(text.trim())}' is neither degrees nor sexagesimal (+dd:mm:ss.s)`;
  const [sign, deg, m, sec] = s;
  const value = sign * (deg + m / 60 + sec / 3600);
  if (m >= 60 || sec >= 60 || Math.abs(value) > 90)
    return `Dec '${shorten(text.trim())}' is not an angle of -90 to +90 degrees (+dd:mm:ss.s)`;
  return value;
}

/** RA and Dec of one row in degrees, or why they cannot be read (for a bad row). */
export function parseSky(ra: string | number, dec: string | number): { ra: number; dec: number } | string {
  const r =
    typeof ra === "number"
      ? Number.isFinite(ra) && ra >= 0 && ra <= 360
        ? ra
        : `RA ${ra} is not within 0-360 degrees`
      : parseRa(ra);
  if (typeof r === "string") return r;
  const d =
    typeof dec === "number"
      ? Number.isFinite(dec) && Math.abs(dec) <= 90
        ? dec
        : `Dec ${dec} is not within -90 to +90 degrees`
      : parseDec(dec);
  if (typeof d === "string") return d;
  return { ra: r, dec: d };
}
