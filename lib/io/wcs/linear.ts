// The linear step of a FITS WCS (Paper I): pixel offsets from CRPIX -> intermediate world coordinates through
// CDELT x PC (or CD, or CDELT + CROTA2), and back through the inverse matrix, computed as WCSLIB's lin.c does
// (its LU inverse, its skipping of zero matrix elements) so the last bits agree with astropy.wcs.

/** 2 x 2 matrices are row-major: [m11, m12, m21, m22]. */
export type Matrix2 = [number, number, number, number];

export interface LinearTransform {
  crpix: [number, number];
  /** PC (unit when only CDELT is given; CD when CD is given, with CDELT then 1). */
  pc: Matrix2;
  cdelt: [number, number];
}

export interface LinearSetup extends LinearTransform {
  /** PC is the unit matrix: WCSLIB then scales by CDELT alone. */
  unity: boolean;
  /** CDELT folded into PC (pixel -> intermediate) and its inverse. */
  piximg: Matrix2;
  imgpix: Matrix2;
}

/** WCSLIB's matinv for n = 2: LU factorisation with scaled partial pivoting. */
export function invert2(mat: Matrix2, where: string): Matrix2 {
  const n = 2;
  const lu = [...mat];
  const rowmax = [Math.max(Math.abs(mat[0]), Math.abs(mat[1])), Math.max(Math.abs(mat[2]), Math.abs(mat[3]))];
  if (rowmax[0] === 0 || rowmax[1] === 0) throw new Error(`${where}: singular WCS matrix (a row of CD or PC is zero)`);
  const mxl = [0, 1];
  for (let k = 0; k < n; k++) {
    let pivot = k;
    let colmax = Math.abs(lu[k * n + k]) / rowmax[k];
    for (let i = k + 1; i < n; i++) {
      const d = Math.abs(lu[i * n + k]) / rowmax[i];
      if (d > colmax) {
        colmax = d;
        pivot = i;
      }
    }
    if (pivot > k) {
      for (let j = 0; j < n; j++) [lu[pivot * n + j], lu[k * n + j]] = [lu[k * n + j], lu[pivot * n + j]];
      [rowmax[pivot], rowmax[k]] = [rowmax[k], rowmax[pivot]];
      [mxl[pivot], mxl[k]] = [mxl[k], mxl[pivot]];
    }
    for (let i = k + 1; i < n; i++) {
      const ik = i * n + k;
      if (lu[ik] !== 0) {
        lu[ik] /= lu[k * n + k];
        for (let j = k + 1; j < n; j++) lu[i * n + j] -= lu[ik] * lu[k * n + j];
      }
    }
  }
  const lxm = [0, 0];
  for (let i = 0; i < n; i++) lxm[mxl[i]] = i;
  const inv = [0, 0, 0, 0];
  for (let k = 0; k < n; k++) {
    inv[lxm[k] * n + k] = 1;
    for (let i = lxm[k] + 1; i < n; i++)
      for (let j = lxm[k]; j < i; j++) inv[i * n + k] -= lu[i * n + j] * inv[j * n + k];
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) inv[i * n + k] -= lu[i * n + j] * inv[j * n + k];
      if (lu[i * n + i] === 0) throw new Error(`${where}: singular WCS matrix (CD or PC has no inverse)`);
      inv[i * n + k] /= lu[i * n + i];
    }
  }
  return inv as Matrix2;
}

/** Precomputes the matrices of a linear transform (WCSLIB linset). */
export function linearSetup(t: LinearTransform, where: string): LinearSetup {
  const unity = t.pc[0] === 1 && t.pc[1] === 0 && t.pc[2] === 0 && t.pc[3] === 1;
  if (unity && (t.cdelt[0] === 0 || t.cdelt[1] === 0))
    throw new Error(`${where}: singular WCS: CDELT1 or CDELT2 is zero`);
  const piximg: Matrix2 = [t.cdelt[0] * t.pc[0], t.cdelt[0] * t.pc[1], t.cdelt[1] * t.pc[2], t.cdelt[1] * t.pc[3]];
  return { ...t, unity, piximg, imgpix: unity ? [1 / t.cdelt[0], 0, 0, 1 / t.cdelt[1]] : invert2(piximg, where) };
}

/** Pixel (1-based, after distortion) -> intermediate world coordinates in degrees (WCSLIB linp2x). */
export function pixelToIntermediate(lin: LinearSetup, px: number, py: number): [number, number] {
  const dx = px - lin.crpix[0];
  const dy = py - lin.crpix[1];
  if (lin.unity) return [lin.cdelt[0] * dx, lin.cdelt[1] * dy];
  const m = lin.piximg;
  // Zero elements are skipped, as WCSLIB does, so that a NaN on one axis does not spread to the other.
  let x = 0;
  let y = 0;
  if (m[0] !== 0) x += m[0] * dx;
  if (m[2] !== 0) y += m[2] * dx;
  if (m[1] !== 0) x += m[1] * dy;
  if (m[3] !== 0) y += m[3] * dy;
  return [x, y];
}

/** Intermediate world coordinates -> pixel (1-based, before distortion) (WCSLIB linx2p). */
export function intermediateToPixel(lin: LinearSetup, x: number, y: number): [number, number] {
  if (lin.unity) return [x / lin.cdelt[0] + lin.crpix[0], y / lin.cdelt[1] + lin.crpix[1]];
  const m = lin.imgpix;
  let px = 0;
  let py = 0;
  if (m[0] !== 0) px += m[0] * x;
  if (m[1] !== 0) px += m[1] * y;
  if (m[2] !== 0) py += m[2] * x;
  if (m[3] !== 0) py += m[3] * y;
  return [px + lin.crpix[0], py + lin.crpix[1]];
}
