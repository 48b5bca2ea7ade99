// SIP distortion (Shupe et al. 2005): polynomials in pixel offsets from CRPIX that move a pixel to where an
// undistorted WCS would see it. Forward (A, B) as astropy's sip.c evaluates them (same Horner order); the inverse
// solves p + A(p - CRPIX) = focal by Newton's method to 1e-12 pixel, started from AP/BP when the header has them,
// so pixel -> sky -> pixel round trips exactly. astropy's all_world2pix solves the same equation by fixed-point
// iteration (to its `tolerance`); AP/BP alone are a fit with their own residuals and are used only when asked.
import type { Header } from "../fits/header";

/** Coefficients c[i][j] of u^i v^j, i + j <= order. */
export type SipPolynomial = { order: number; c: number[][] };

export interface Sip {
  crpix: [number, number];
  a: SipPolynomial;
  b: SipPolynomial;
  /** The header's inverse fit, if present. */
  ap?: SipPolynomial;
  bp?: SipPolynomial;
}

/** Reads one polynomial's coefficients X_i_j for i + j <= order (absent ones are 0, as astropy). */
function readPolynomial(h: Header, prefix: string, order: number, where: string): SipPolynomial {
  const c = Array.from({ length: order + 1 }, () => new Array<number>(order + 1).fill(0));
  for (let i = 0; i <= order; i++) {
    for (let j = 0; i + j <= order; j++) {
      const key = `${prefix}_${i}_${j}`;
      const v = h.get(key);
      if (v === undefined) continue;
      if (typeof v !== "number" && typeof v !== "bigint") {
        throw new Error(`${where}: SIP card ${key} = ${JSON.stringify(v)} is not a number`);
      }
      c[i][j] = Number(v);
    }
  }
  return { order, c };
}

/** A pair X/Y of SIP polynomials if X_ORDER > 1 (astropy ignores lower orders), checking Y_ORDER is there. */
function readPair(h: Header, x: string, y: string, where: string): [SipPolynomial, SipPolynomial] | undefined {
  const order = (key: string) => {
    const v = h.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new Error(`${where}: SIP card ${key} = ${JSON.stringify(v)} is not a non-negative integer`);
    }
    return v;
  };
  const mx = order(`${x}_ORDER`);
  const my = order(`${y}_ORDER`);
  if (mx !== undefined && mx > 1) {
    if (my === undefined) throw new Error(`${where}: ${x}_ORDER given without ${y}_ORDER for the SIP distortion`);
    // astropy drops both when the second order is <= 1.
    if (my <= 1) return undefined;
    return [readPolynomial(h, x, mx, where), readPolynomial(h, y, my, where)];
  }
  if (my !== undefined && my > 1)
    throw new Error(`${where}: ${y}_ORDER given without ${x}_ORDER for the SIP distortion`);
  return undefined;
}

/** The SIP distortion of a header, or undefined; astropy applies A/B even when CTYPE lacks "-SIP", and so do we. */
export function readSip(h: Header, crpix: [number, number], where: string): Sip | undefined {
  const ab = readPair(h, "A", "B", where);
  const apbp = readPair(h, "AP", "BP", where);
  if (!ab) {
    if (apbp) throw new Error(`${where}: SIP has AP/BP (inverse) coefficients but no A/B (forward) ones`);
    return undefined;
  }
  return { crpix, a: ab[0], b: ab[1], ap: apbp?.[0], bp: apbp?.[1] };
}

/** Evaluates a polynomial at (u, v) in astropy's Horner order (sip.c sip_compute). */
export function evaluate(p: SipPolynomial, u: number, v: number): number {
  const m = p.order;
  const tmp = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) {
    tmp[j] = p.c[m - j][j];
    for (let k = j - 1; k >= 0; k--) tmp[j] = v * tmp[j] + p.c[m - j][k];
  }
  let sum = tmp[0];
  for (let j = m; j > 0; j--) sum = u * sum + tmp[m - j + 1];
  return sum;
}

/** d/du and d/dv of a polynomial at (u, v). */
function gradient(p: SipPolynomial, u: number, v: number): [number, number] {
  let du = 0;
  let dv = 0;
  for (let i = 0; i <= p.order; i++) {
    for (let j = 0; i + j <= p.order; j++) {
      const c = p.c[i][j];
      if (c === 0) continue;
      if (i > 0) du += c * i * u ** (i - 1) * v ** j;
      if (j > 0) dv += c * j * u ** i * v ** (j - 1);
    }
  }
  return [du, dv];
}

/** Pixel -> focal plane (pixel + distortion), 1-based, as astropy's pix2foc. */
export function sipForward(sip: Sip, x: number, y: number): [number, number] {
  const u = x - sip.crpix[0];
  const v = y - sip.crpix[1];
  return [x + evaluate(sip.a, u, v), y + evaluate(sip.b, u, v)];
}

/** Focal plane -> pixel through the AP/BP fit alone (astropy's sip.foc2pix). */
export function sipInversePolynomial(sip: Sip, fx: number, fy: number): [number, number] {
  if (!sip.ap || !sip.bp) throw new Error("the SIP header has no AP/BP inverse coefficients");
  const u = fx - sip.crpix[0];
  const v = fy - sip.crpix[1];
  return [fx + evaluate(sip.ap, u, v), fy + evaluate(sip.bp, u, v)];
}

/** A Newton step below this (pixels) means converged; one more step then reaches the rounding level. */
const NEWTON_TOL = 1e-9;
const NEWTON_STEPS = 50;

/** Focal plane -> pixel: the pixel whose distorted position is (fx, fy), to rounding; NaN if Newton fails. */
export function sipInverse(sip: Sip, fx: number, fy: number): [number, number] {
  let [x, y] = sip.ap && sip.bp ? sipInversePolynomial(sip, fx, fy) : [fx, fy];
  let polish = false;
  for (let step = 0; step < NEWTON_STEPS; step++) {
    const u = x - sip.crpix[0];
    const v = y - sip.crpix[1];
    const gx = x + evaluate(sip.a, u, v) - fx;
    const gy = y + evaluate(sip.b, u, v) - fy;
    const [au, av] = gradient(sip.a, u, v);
    const [bu, bv] = gradient(sip.b, u, v);
    const [j11, j12, j21, j22] = [1 + au, av, bu, 1 + bv];
    const det = j11 * j22 - j12 * j21;
    const dx = (j22 * gx - j12 * gy) / det;
    const dy = (j11 * gy - j21 * gx) / det;
    x -= dx;
    y -= dy;
    if (!Number.isFinite(x) || !Number.isFinite(y)) break;
    if (polish) return [x, y];
    polish = Math.abs(dx) < NEWTON_TOL && Math.abs(dy) < NEWTON_TOL;
  }
  return [NaN, NaN];
}
