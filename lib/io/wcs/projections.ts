// Spherical projections (Calabretta & Greisen 2002, "Paper II"), ported point by point from WCSLIB's prj.c, the
// library astropy.wcs wraps, with its tolerances and special cases, so that both give the same coordinates.
// Each takes the projection plane (x, y) in degrees to native spherical (phi, theta) in degrees and back;
// points outside a projection's domain give NaN (astropy.wcs gives NaN there too).
// Fiducial offsets (PV1_0..PV1_2) are refused by the parser, so x0 = y0 = 0 here.
import { acosd, asind, atan2d, atand, cosd, D2R, R2D, sincosd, sind, tand } from "./trig";

export type Point = [number, number];

export interface Projection {
  /** The three-letter code of CTYPE, e.g. "TAN". */
  code: string;
  name: string;
  /** Native latitude of the fiducial point: 90 for zenithal projections, 0 for the cylindrical ones here. */
  theta0: number;
  /** Projection plane -> native spherical, NaN outside the domain. */
  x2s(x: number, y: number): Point;
  /** Native spherical -> projection plane, NaN where the projection is undefined (e.g. TAN's far hemisphere). */
  s2x(phi: number, theta: number): Point;
}

/** Projection parameters PV2_m (m = 1, 2, ...) of the latitude axis; undefined where not given. */
export type ProjectionParameters = (number | undefined)[];

const BAD: Point = [NaN, NaN];

/** WCSLIB's prjbchk: native coordinates a hair outside their range are clamped, further ones are invalid. */
function boundsChecked(phi: number, theta: number, tol = 1e-13): Point {
  if (phi < -180) {
    if (phi < -180 - tol) return BAD;
    phi = -180;
  } else if (phi > 180) {
    if (phi > 180 + tol) return BAD;
    phi = 180;
  }
  if (theta < -90) {
    if (theta < -90 - tol) return BAD;
    theta = -90;
  } else if (theta > 90) {
    if (theta > 90 + tol) return BAD;
    theta = 90;
  }
  return [phi, theta];
}

/** Azimuth of a zenithal projection's plane point: phi = atan2(x, -y), 0 at the origin. */
const azimuth = (x: number, y: number, r: number): number => (r === 0 ? 0 : atan2d(x, -y));

/** A zenithal projection with radius function R(theta), given as its two directions. */
function zenithal(
  code: string,
  name: string,
  theta: (r: number) => number,
  radius: (theta: number) => number,
): Projection {
  return {
    code,
    name,
    theta0: 90,
    x2s(x, y) {
      const r = Math.sqrt(x * x + y * y);
      const t = theta(r);
      return Number.isNaN(t) ? BAD : boundsChecked(azimuth(x, y, r), t);
    },
    s2x(phi, th) {
      const r = radius(th);
      if (Number.isNaN(r)) return BAD;
      const [s, c] = sincosd(phi);
      return [r * s, -r * c];
    },
  };
}

/** TAN, gnomonic: the usual projection of optical images. */
const tan = (): Projection =>
  zenithal(
    "TAN",
    "gnomonic",
    (r) => atan2d(R2D, r),
    (theta) => {
      const s = sind(theta);
      if (s <= 0) return NaN; // the horizon and the far hemisphere have no image (WCSLIB: s == 0 always, s < 0 by bounds)
      return (R2D * cosd(theta)) / s;
    },
  );

/** STG, stereographic. */
const stg = (): Projection =>
  zenithal(
    "STG",
    "stereographic",
    (r) => 90 - 2 * atand(r * (Math.PI / 360)),
    (theta) => {
      const s = 1 + sind(theta);
      return s === 0 ? NaN : ((360 / Math.PI) * cosd(theta)) / s;
    },
  );

/** ARC, zenithal equidistant. */
const arc = (): Projection =>
  zenithal(
    "ARC",
    "zenithal equidistant",
    (r) => (r === 0 ? 90 : 90 - r),
    (theta) => 90 - theta,
  );

/** ZEA, zenithal equal area. */
const zea = (): Projection => {
  const w0 = 360 / Math.PI;
  const w1 = Math.PI / 360;
  return zenithal(
    "ZEA",
    "zenithal equal area",
    (r) => {
      const s = r * w1;
      if (Math.abs(s) > 1) return Math.abs(r - w0) < 1e-12 ? -90 : NaN;
      return 90 - 2 * asind(s);
    },
    (theta) => w0 * sind((90 - theta) / 2),
  );
};

/**
 * SIN, orthographic, with the "synthesis" generalisation of PV2_1 = xi, PV2_2 = eta (WCSLIB's sinx2s/sins2x). Long
 * only as a whole: the projection object holds both directions and the synthesis helper, each short, side by side
 * as WCSLIB's sin.c has them, sharing the parameters derived once.
 */
function sin(pv: ProjectionParameters): Projection {
  const xi = pv[1] ?? 0;
  const eta = pv[2] ?? 0;
  const w1 = xi * xi + eta * eta;
  const w2 = w1 + 1;
  const w3 = w1 - 1;
  return {
    code: "SIN",
    name: "orthographic/synthesis",
    theta0: 90,
    x2s(x, y) {
      const x0 = x * (1 / R2D);
      const y0 = y * (1 / R2D);
      const r2 = x0 * x0 + y0 * y0;
      if (w1 === 0) {
        const phi = r2 !== 0 ? atan2d(x0, -y0) : 0;
        if (r2 < 0.5) return boundsChecked(phi, acosd(Math.sqrt(r2)));
        if (r2 <= 1) return boundsChecked(phi, asind(Math.sqrt(1 - r2)));
        return BAD;
      }
      return synthesisX2s(x0, y0, r2);
    },
    s2x(phi, theta) {
      let t = (90 - Math.abs(theta)) * D2R;
      let z: number;
      let costhe: number;
      if (t < 1e-5) {
        z = theta > 0 ? (t * t) / 2 : 2 - (t * t) / 2;
        costhe = t;
      } else {
        z = 1 - sind(theta);
        costhe = cosd(theta);
      }
      const r = R2D * costhe;
      const [s, c] = sincosd(phi);
      if (w1 === 0) return theta < 0 ? BAD : [r * s, -r * c];
      z *= R2D;
      t = -atand(xi * s - eta * c);
      if (theta < t) return BAD;
      return [r * s + xi * z, -r * c + eta * z];
    },
  };

  function synthesisX2s(x0: number, y0: number, r2: number): Point {
    const xy = x0 * xi + y0 * eta;
    let z: number;
    let theta: number;
    if (r2 < 1e-10) {
      z = r2 / 2; // small-angle formula
      theta = 90 - R2D * Math.sqrt(r2 / (1 + xy));
    } else {
      const a = w2;
      const b = xy - w1;
      const c = r2 - xy - xy + w3;
      let d = b * b - a * c;
      if (d < 0) return BAD;
      d = Math.sqrt(d);
      // The solution closest to the pole.
      const s1 = (-b + d) / a;
      const s2 = (-b - d) / a;
      let sinthe = Math.max(s1, s2);
      if (sinthe > 1) sinthe = sinthe - 1 < 1e-13 ? 1 : Math.min(s1, s2);
      if (sinthe < -1 && sinthe + 1 > -1e-13) sinthe = -1;
      if (sinthe > 1 || sinthe < -1) return BAD;
      theta = asind(sinthe);
      z = 1 - sinthe;
    }
    const x1 = -y0 + eta * z;
    const y1 = x0 - xi * z;
    return boundsChecked(x1 === 0 && y1 === 0 ? 0 : atan2d(y1, x1), theta);
  }
}

/** CAR, plate carree: phi = x, theta = y. */
const car = (): Projection => ({
  code: "CAR",
  name: "plate carree",
  theta0: 0,
  x2s: (x, y) => boundsChecked(x, y),
  s2x: (phi, theta) => [phi, theta],
});

/** MER, Mercator. */
const mer = (): Projection => ({
  code: "MER",
  name: "Mercator",
  theta0: 0,
  x2s: (x, y) => boundsChecked(x, 2 * atand(Math.exp(y / R2D)) - 90),
  s2x: (phi, theta) => (theta <= -90 || theta >= 90 ? BAD : [phi, R2D * Math.log(tand((theta + 90) / 2))]),
});

/** CEA, cylindrical equal area, with PV2_1 = lambda (default 1). */
function cea(pv: ProjectionParameters, where: string): Projection {
  const lambda = pv[1] ?? 1;
  if (lambda <= 0 || lambda > 1) throw new Error(`${where}: CEA needs 0 < PV2_1 <= 1, got ${lambda}`);
  const w2 = R2D / lambda;
  const w3 = lambda / R2D;
  return {
    code: "CEA",
    name: "cylindrical equal area",
    theta0: 0,
    x2s(x, y) {
      const s = w3 * y;
      if (Math.abs(s) > 1) return Math.abs(s) > 1 + 1e-13 ? BAD : boundsChecked(x, Math.sign(s) * 90);
      return boundsChecked(x, asind(s));
    },
    s2x: (phi, theta) => [phi, w2 * sind(theta)],
  };
}

/** SFL, Sanson-Flamsteed (GLS is its old name). */
const sfl = (): Projection => ({
  code: "SFL",
  name: "Sanson-Flamsteed",
  theta0: 0,
  x2s(x, y) {
    const s = Math.cos(y / R2D);
    if (s === 0) return BAD;
    return boundsChecked(x * (1 / s), y, 1e-12);
  },
  s2x: (phi, theta) => [cosd(theta) * phi, theta],
});

/** AIT, Hammer-Aitoff. */
const ait = (): Projection => {
  const w0 = 2 * R2D * R2D;
  const w1 = 1 / (2 * w0);
  const w2 = w1 / 4;
  const w3 = 1 / (2 * R2D);
  return {
    code: "AIT",
    name: "Hammer-Aitoff",
    theta0: 0,
    x2s(x, y) {
      let s = 1 - x * x * w2 - y * y * w1;
      if (s < 0.5) {
        if (s < 0.5 - 1e-13) return BAD;
        s = 0.5;
      }
      const z = Math.sqrt(s);
      const x0 = 2 * z * z - 1;
      const y0 = z * (x * w3);
      const phi = x0 === 0 && y0 === 0 ? 0 : 2 * atan2d(y0, x0);
      let t = (z * y) / R2D;
      if (Math.abs(t) > 1) {
        if (Math.abs(t) > 1 + 1e-13) return BAD;
        t = Math.sign(t) * 90;
      } else {
        t = asind(t);
      }
      return boundsChecked(phi, t);
    },
    s2x(phi, theta) {
      const [sinphi, cosphi] = sincosd(phi / 2);
      const [sinthe, costhe] = sincosd(theta);
      const w = Math.sqrt(w0 / (1 + costhe * cosphi));
      return [2 * w * costhe * sinphi, w * sinthe];
    },
  };
};

/** The projections supported, by CTYPE code; configuration as data, each a factory taking PV2_m. */
const PROJECTIONS: Record<string, (pv: ProjectionParameters, where: string) => Projection> = {
  TAN: tan,
  SIN: sin,
  STG: stg,
  ARC: arc,
  ZEA: zea,
  CAR: car,
  MER: mer,
  CEA: cea,
  SFL: sfl,
  AIT: ait,
};

/** Projections astropy (WCSLIB) knows that we do not, so a refusal can say so rather than "unknown". */
const KNOWN_ELSEWHERE = [
  "AZP",
  "SZP",
  "ZPN",
  "AIR",
  "CYP",
  "PAR",
  "MOL",
  "COP",
  "COE",
  "COD",
  "COO",
  "BON",
  "PCO",
  "TSC",
  "CSC",
  "QSC",
  "HPX",
  "XPH",
  "NCP",
  "GLS",
  "TPV",
  "TPD",
  "TNX",
  "ZPX",
];

export const SUPPORTED_PROJECTIONS = Object.keys(PROJECTIONS);

/** The projection of a CTYPE code, or an error naming it and what is supported. */
export function projection(code: string, pv: ProjectionParameters, where: string): Projection {
  const make = PROJECTIONS[code];
  if (make) return make(pv, where);
  const known = KNOWN_ELSEWHERE.includes(code)
    ? "a FITS projection astropy.wcs supports but this reader does not"
    : "not a FITS projection";
  throw new Error(`${where}: projection '${code}' is ${known}; supported: ${SUPPORTED_PROJECTIONS.join(", ")}`);
}
