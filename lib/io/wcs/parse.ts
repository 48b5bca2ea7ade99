// A celestial FITS WCS read from a header (FITS WCS Papers I and II, the SIP convention), with astropy.wcs's
// (WCSLIB's) defaults, and every feature we do not reproduce refused by name rather than silently approximated.
import type { CardValue, Header } from "../fits/header";
import { LinearTransform, Matrix2 } from "./linear";
import { projection, Projection, ProjectionParameters } from "./projections";
import { readSip, Sip } from "./sip";
import { sincosd } from "./trig";

export type CelestialFrame = "ICRS" | "FK5";

export interface WcsDefinition {
  /** e.g. "/data/j94f05bgq_flt.fits HDU 1 (SCI)": prefixes every message. */
  where: string;
  /** Alternate WCS letter ("" for the primary WCS). */
  key: string;
  ctype: [string, string];
  projection: Projection;
  linear: LinearTransform;
  /** CRVAL1, CRVAL2 in degrees. */
  crval: [number, number];
  lonpole?: number;
  latpole: number;
  frame: CelestialFrame;
  /** EQUINOX (FK5 only). */
  equinox?: number;
  sip?: Sip;
  /** What astropy would also have done silently, said once (e.g. SCAMP PV cards dropped beside SIP). */
  notes: string[];
}

/** Lookup-table and polynomial distortions astropy.wcs can apply (from extra HDUs or DPj/DQi cards) that we do not. */
const REFUSED_DISTORTIONS: [string, string][] = [
  ["D2IMDIS1", "detector-to-image lookup table (D2IMARR extension)"],
  ["D2IMDIS2", "detector-to-image lookup table (D2IMARR extension)"],
  ["CPDIS1", "prior distortion (lookup table in WCSDVARR extensions, or DPj polynomial)"],
  ["CPDIS2", "prior distortion (lookup table in WCSDVARR extensions, or DPj polynomial)"],
  ["CQDIS1", "sequent distortion (DQi cards)"],
  ["CQDIS2", "sequent distortion (DQi cards)"],
];

/** A header look-up that knows the alternate-WCS letter and names the card in every complaint. */
class Cards {
  constructor(
    readonly header: Header,
    readonly key: string,
    readonly where: string,
  ) {}

  raw(name: string): CardValue | undefined {
    return this.header.get(name + this.key);
  }

  number(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v === "bigint") return Number(v);
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${this.where}: WCS card ${name + this.key} = ${JSON.stringify(v)} is not a number`);
    }
    return v;
  }

  string(name: string): string | undefined {
    const v = this.raw(name);
    return v === undefined ? undefined : String(v).trim();
  }
}

/** Celestial systems other than RA/Dec, named in refusals. */
const SYSTEMS: Record<string, string> = {
  GLON: "galactic",
  ELON: "ecliptic",
  SLON: "supergalactic",
  HLON: "helioecliptic",
};

/** One CTYPE split as WCSLIB reads it: 4-character type, '-', 3-letter projection code, then an optional suffix. */
function splitCtype(t: string): { type: string; code: string; suffix: string } | undefined {
  if (t.length < 8 || t[4] !== "-") return undefined;
  return { type: t.slice(0, 4).replace(/-+$/, ""), code: t.slice(5, 8), suffix: t.slice(8) };
}

/** CTYPE1/2: RA and Dec on the first two axes with one projection; other systems and conventions refused by name. */
function readCtypes(c: Cards): { ctype: [string, string]; code: string } {
  const ctype = [c.string("CTYPE1") ?? "", c.string("CTYPE2") ?? ""] as [string, string];
  const what = `CTYPE1${c.key} = '${ctype[0]}', CTYPE2${c.key} = '${ctype[1]}'`;
  const [a1, a2] = ctype.map((t) => splitCtype(t.toUpperCase()));
  if (!a1 || !a2)
    throw new Error(`${c.where}: no celestial WCS on axes 1 and 2 (${what}); an RA---xxx / DEC--xxx pair is needed`);
  if (a1.type === "DEC" && a2.type === "RA") {
    throw new Error(`${c.where}: ${what}: declination on axis 1 is not supported (RA must be axis 1)`);
  }
  if (a1.type !== "RA" || a2.type !== "DEC") {
    const system = SYSTEMS[a1.type] ?? `'${a1.type}'/'${a2.type}'`;
    throw new Error(`${c.where}: ${what}: ${system} coordinates are not supported (only RA/Dec, as the catalogs use)`);
  }
  if (a1.code !== a2.code) throw new Error(`${c.where}: ${what}: the two axes name different projections`);
  for (const { suffix } of [a1, a2]) {
    if (suffix && suffix !== "-SIP") {
      throw new Error(
        `${c.where}: ${what}: the '${suffix.replace(/^-/, "")}' distortion convention is not supported (SIP is)`,
      );
    }
  }
  return { ctype, code: a1.code };
}

/** RADESYS (or the older RADECSYS) with WCSLIB's default from EQUINOX; only ICRS and FK5 are accepted. */
function readFrame(c: Cards): { frame: CelestialFrame; equinox?: number } {
  const given = c.string("RADESYS") ?? c.string("RADECSYS");
  const equinox = c.number("EQUINOX") ?? c.number("EPOCH");
  const frame = given?.toUpperCase() ?? (equinox === undefined ? "ICRS" : equinox < 1984 ? "FK4" : "FK5");
  if (frame === "ICRS" || frame === "FK5") return { frame, equinox: frame === "FK5" ? (equinox ?? 2000) : undefined };
  const why =
    given !== undefined
      ? `RADESYS${c.key} = '${given}'`
      : `no RADESYS${c.key} and EQUINOX${c.key} = ${equinox} (< 1984 means FK4, B1950)`;
  throw new Error(
    `${c.where}: celestial frame ${frame} (${why}) is not supported; ICRS and FK5 are (convert the image's WCS first)`,
  );
}

/** CUNIT1/2 must be degrees when given (WCSLIB's unitfix accepts 'DEG', 'degree' and 'degrees' too). */
function checkUnits(c: Cards): void {
  for (const name of ["CUNIT1", "CUNIT2"]) {
    const u = c.string(name);
    if (u !== undefined && u !== "" && !/^(deg|degree|degrees)$/i.test(u)) {
      throw new Error(
        `${c.where}: ${name + c.key} = '${u}': celestial axes in units other than degrees are not supported`,
      );
    }
  }
}

/** The linear part: CD, else PC + CDELT, else CDELT + CROTA2 (WCSLIB's precedence: PC over CD over CROTA). */
function readLinear(c: Cards): LinearTransform {
  const crpix: [number, number] = [c.number("CRPIX1") ?? 0, c.number("CRPIX2") ?? 0];
  const cdelt: [number, number] = [c.number("CDELT1") ?? 1, c.number("CDELT2") ?? 1];
  const keys = (prefix: string) => ["1_1", "1_2", "2_1", "2_2"].map((ij) => `${prefix}${ij}`);
  const has = (prefix: string) => keys(prefix).some((k) => c.raw(k) !== undefined);
  const matrix = (prefix: string, diagonal: number) =>
    keys(prefix).map((k, i) => c.number(k) ?? (i === 0 || i === 3 ? diagonal : 0)) as Matrix2;
  if (has("PC")) return { crpix, cdelt, pc: matrix("PC", 1) };
  if (has("CD")) return { crpix, cdelt: [1, 1], pc: matrix("CD", 0) };
  const rho = c.number("CROTA2");
  if (rho !== undefined) {
    if (cdelt[0] === 0) throw new Error(`${c.where}: singular WCS: CDELT1${c.key} is zero`);
    const lambda = cdelt[1] / cdelt[0];
    const [s, co] = sincosd(rho);
    return { crpix, cdelt, pc: [co, s * -lambda, s / lambda, co] };
  }
  return { crpix, cdelt, pc: [1, 0, 0, 1] };
}

/** Axes beyond 2 (cubes): accepted only when the matrix does not mix them with RA/Dec. */
function checkExtraAxes(c: Cards): void {
  const n = Math.max(c.number("WCSAXES") ?? 0, c.header.number("NAXIS", 0)!);
  for (let k = 3; k <= n; k++) {
    for (const [i, j] of [
      [1, k],
      [2, k],
      [k, 1],
      [k, 2],
    ]) {
      for (const prefix of ["PC", "CD"]) {
        const v = c.number(`${prefix}${i}_${j}`);
        if (v !== undefined && v !== 0) {
          throw new Error(
            `${c.where}: ${prefix}${i}_${j}${c.key} = ${v} couples axis ${k} with the celestial axes; not supported`,
          );
        }
      }
    }
  }
}

/** Lookup-table and DP/DQ distortions: refused, naming the card (astropy applies them from other HDUs). */
function refuseDistortions(c: Cards): void {
  for (const [card, what] of REFUSED_DISTORTIONS) {
    const v = c.header.get(card);
    if (v !== undefined) {
      throw new Error(
        `${c.where}: ${card} = '${String(v).trim()}': ${what} is not supported; ` +
          "astropy.wcs applies it, this reader would be off by up to a few pixels",
      );
    }
  }
  const d2im = c.header.get("D2IMFILE");
  if (d2im !== undefined && !/^(N\/A|)$/i.test(String(d2im).trim())) {
    throw new Error(
      `${c.where}: D2IMFILE = '${String(d2im).trim()}': a detector-to-image lookup-table correction is not supported`,
    );
  }
}

/** PVi_m cards of the celestial axes, by axis: [index m -> value]. */
function readPv(c: Cards, axis: number): Map<number, number> {
  const out = new Map<number, number>();
  const re = new RegExp(`^PV${axis}_(\\d+)${c.key}$`);
  for (const card of c.header.cards) {
    const m = re.exec(card.key);
    if (m) out.set(Number(m[1]), c.number(`PV${axis}_${m[1]}`)!);
  }
  return out;
}

interface PvSettings {
  parameters: ProjectionParameters;
  lonpole?: number;
  latpole?: number;
  notes: string[];
}

/** What the PV cards mean here; SCAMP's TPV terms beside SIP are dropped as astropy does, other uses refused. */
function readProjectionParameters(c: Cards, code: string, theta0: number, sip: boolean): PvSettings {
  const lng = readPv(c, 1);
  const lat = readPv(c, 2);
  if (lng.size + lat.size === 0) return { parameters: [], notes: [] };
  // astropy's test for TPV radial terms: m in (3, 11, 23, 39) below the axis's highest m.
  const radial = [lng, lat].some((pv) => [3, 11, 23, 39].some((m) => pv.has(m) && m < Math.max(...pv.keys())));
  if (sip && !radial) {
    // astropy's WCS._fix_scamp: PV cards beside SIP are SCAMP's, already converted to SIP; astropy removes them.
    return { parameters: [], notes: ["PVi_m cards ignored beside SIP (SCAMP's, as astropy.wcs drops them)"] };
  }
  const uses = code === "SIN" ? [1, 2] : code === "CEA" ? [1] : [];
  for (const [m, v] of lat) {
    if (!uses.includes(m) && v !== 0) {
      throw new Error(
        `${c.where}: PV2_${m}${c.key} = ${v}: ${code} takes no such parameter ` +
          "(TPV/SCAMP distortion terms are not supported)",
      );
    }
  }
  const defaults: Record<number, number> = { 0: 0, 1: 0, 2: theta0 };
  for (const [m, v] of lng) {
    if (m <= 2 && v !== defaults[m])
      throw new Error(`${c.where}: PV1_${m}${c.key} = ${v}: a fiducial-point offset is not supported`);
    if (m > 4) throw new Error(`${c.where}: PV1_${m}${c.key} = ${v}: TPV/SCAMP distortion terms are not supported`);
  }
  const parameters: ProjectionParameters = [];
  for (const m of uses) parameters[m] = lat.get(m);
  return { parameters, lonpole: lng.get(3), latpole: lng.get(4), notes: [] };
}

/**
 * The celestial WCS of a header. `where` names the file and HDU in messages; `key` picks an alternate WCS
 * ("A".."Z"). Throws, naming the card, on anything it would not reproduce as astropy.wcs does.
 */
export function parseWcs(header: Header, where: string, key = ""): WcsDefinition {
  const c = new Cards(header, key.toUpperCase().trim(), where);
  const { ctype, code } = readCtypes(c);
  refuseDistortions(c);
  checkUnits(c);
  checkExtraAxes(c);
  const { frame, equinox } = readFrame(c);
  const linear = readLinear(c);
  const sip = readSip(header, linear.crpix, where);
  // theta0 of the projection decides PV1_2's default; build once without parameters to learn it.
  const theta0 = projection(code, [], where).theta0;
  const pv = readProjectionParameters(c, code, theta0, sip !== undefined);
  return {
    where,
    key: c.key,
    ctype,
    projection: projection(code, pv.parameters, where),
    linear,
    crval: [c.number("CRVAL1") ?? 0, c.number("CRVAL2") ?? 0], // the standard's (and WCSLIB's) default
    lonpole: pv.lonpole ?? c.number("LONPOLE"),
    latpole: pv.latpole ?? c.number("LATPOLE") ?? 90,
    frame,
    equinox,
    sip,
    notes: pv.notes,
  };
}
