// Trigonometry in degrees as WCSLIB does it (wcstrig.c): multiples of 90 degrees give exact 0 and +-1, and the
// inverse functions return exact angles at their end points, so a pixel on a pole or an axis lands exactly there
// and our coordinates equal astropy.wcs's to the last bits rather than to ~1e-16.
// WCSLIB's constants: D2R is computed as PI/180.0, R2D is a literal (its nearest double may differ from 180/PI's).
const D2R = Math.PI / 180;
// biome-ignore lint/correctness/noPrecisionLoss: WCSLIB's own literal, kept digit for digit; it rounds to its double.
const R2D = 57.2957795130823208767981548141;
/** WCSLIB's WCSTRIG_TOL: arguments this far beyond +-1 are taken as +-1 by asind/acosd. */
const TOL = 1e-10;

export function cosd(angle: number): number {
  if (angle % 90 === 0) {
    const i = Math.abs(Math.floor(angle / 90 + 0.5)) % 4;
    return [1, 0, -1, 0][i];
  }
  return Math.cos(angle * D2R);
}

export function sind(angle: number): number {
  if (angle % 90 === 0) {
    const i = Math.abs(Math.floor(angle / 90 - 0.5)) % 4;
    return [1, 0, -1, 0][i];
  }
  return Math.sin(angle * D2R);
}

/** [sin, cos] of an angle in degrees. */
export function sincosd(angle: number): [number, number] {
  if (angle % 90 === 0) {
    const i = Math.abs(Math.floor(angle / 90 + 0.5)) % 4;
    const sign = angle > 0 ? 1 : -1;
    return (
      [
        [0, 1],
        [sign, 0],
        [0, -1],
        [-sign, 0],
      ] as [number, number][]
    )[i];
  }
  return [Math.sin(angle * D2R), Math.cos(angle * D2R)];
}

export function tand(angle: number): number {
  const resid = angle % 360;
  if (resid === 0 || Math.abs(resid) === 180) return 0;
  if (resid === 45 || resid === 225) return 1;
  if (resid === -135 || resid === -315) return -1;
  return Math.tan(angle * D2R);
}

export function acosd(v: number): number {
  if (v >= 1) {
    if (v - 1 < TOL) return 0;
  } else if (v === 0) {
    return 90;
  } else if (v <= -1) {
    if (v + 1 > -TOL) return 180;
  }
  return Math.acos(v) * R2D;
}

export function asind(v: number): number {
  if (v <= -1) {
    if (v + 1 > -TOL) return -90;
  } else if (v === 0) {
    return 0;
  } else if (v >= 1) {
    if (v - 1 < TOL) return 90;
  }
  return Math.asin(v) * R2D;
}

export function atand(v: number): number {
  if (v === -1) return -45;
  if (v === 0) return 0;
  if (v === 1) return 45;
  return Math.atan(v) * R2D;
}

export function atan2d(y: number, x: number): number {
  if (y === 0) {
    if (x >= 0) return 0;
    if (x < 0) return 180;
  } else if (x === 0) {
    if (y > 0) return 90;
    if (y < 0) return -90;
  }
  return Math.atan2(y, x) * R2D;
}

/** C's fmod: the remainder with the sign of the dividend (JavaScript's % is the same operation). */
export const fmod = (a: number, b: number): number => a % b;

export { D2R, R2D };
