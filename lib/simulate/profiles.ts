// Light profiles as sums of 2-D Gaussians. A Gaussian convolved with a Gaussian is a Gaussian whose
// covariance is the sum of both, so a source drawn as a Gaussian mixture (multi-Gaussian expansion, MGE:
// Emsellem et al. 1994, A&A 285, 723; Cappellari 2002, MNRAS 333, 400) convolved with a PSF drawn as a
// Gaussian mixture is again a mixture, evaluated analytically: no FFTs, no oversampled stamps.
// Pixel integration is approximated by adding the variance of a unit box (1/12 px^2) to every component.
import { LruCache } from "../util/lru";

/** One elliptical Gaussian on the mosaic: centre in 0-based pixel coordinates, covariance in px^2, flux in e-/s. */
export interface Gaussian {
  x: number;
  y: number;
  cxx: number;
  cxy: number;
  cyy: number;
  flux: number;
}

/** A circular radial profile as weights (summing to 1) on Gaussians of the given sigmas. */
export interface RadialMixture {
  sigma: number[];
  weight: number[];
}

export const PIXEL_VARIANCE = 1 / 12;

/**
 * Fits non-negative weights of unit-flux circular Gaussians to a radial surface-brightness profile,
 * minimising the relative error weighted by the flux per logarithmic radius (so both the core and the wings count).
 * Multiplicative updates keep the weights non-negative (Lee & Seung 2001; the least-squares form).
 */
export function fitRadialMixture(
  profile: (r: number) => number,
  sigmas: number[],
  rMin: number,
  rMax: number,
): RadialMixture {
  const n = 160;
  const radii = Array.from({ length: n }, (_, i) => rMin * Math.pow(rMax / rMin, i / (n - 1)));
  const target = radii.map(profile);
  const peak = Math.max(...target);
  const weightOf = radii.map((r, i) => (target[i] > 1e-12 * peak ? (r * r) / target[i] : (r * r) / (1e-12 * peak)));
  const basis = sigmas.map((s) => radii.map((r) => Math.exp((-r * r) / (2 * s * s)) / (2 * Math.PI * s * s)));
  const k = sigmas.length;
  // Normal equations G w = h with G = B^T W B, h = B^T W f; all entries are non-negative.
  const G = Array.from({ length: k }, (_, a) =>
    sigmas.map((_, b) => basis[a].reduce((s, v, i) => s + v * basis[b][i] * weightOf[i], 0)),
  );
  const h = sigmas.map((_, a) => basis[a].reduce((s, v, i) => s + v * target[i] * weightOf[i], 0));
  let w = h.map((v, a) => v / G[a][a]);
  for (let iter = 0; iter < 3000; iter++) {
    const Gw = G.map((row) => row.reduce((s, v, b) => s + v * w[b], 0));
    w = w.map((v, a) => (Gw[a] > 0 ? (v * h[a]) / Gw[a] : 0));
  }
  const total = w.reduce((a, b) => a + b, 0);
  const keep = w.map((v) => v > 1e-5 * total);
  return { sigma: sigmas.filter((_, i) => keep[i]), weight: w.filter((_, i) => keep[i]).map((v) => v / total) };
}

/** Log-spaced sigmas from lo to hi. */
export function logSpaced(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo * Math.pow(hi / lo, i / (count - 1)));
}

/** Surface brightness of a circular mixture at radius r (continuous, unit total flux). */
export function mixtureAt(m: RadialMixture, r: number, extraVariance = 0): number {
  let v = 0;
  for (let i = 0; i < m.sigma.length; i++) {
    const s2 = m.sigma[i] ** 2 + extraVariance;
    v += (m.weight[i] * Math.exp((-r * r) / (2 * s2))) / (2 * Math.PI * s2);
  }
  return v;
}

/** Fraction of the flux inside radius r (encircled energy) of a circular mixture. */
export function mixtureEncircled(m: RadialMixture, r: number, extraVariance = 0): number {
  let v = 0;
  for (let i = 0; i < m.sigma.length; i++)
    v += m.weight[i] * (1 - Math.exp((-r * r) / (2 * (m.sigma[i] ** 2 + extraVariance))));
  return v;
}

/** Full width at half maximum of a circular mixture, by bisection on the half-maximum radius. */
export function mixtureFwhm(m: RadialMixture, extraVariance = 0): number {
  const half = mixtureAt(m, 0, extraVariance) / 2;
  let lo = 0;
  let hi = 1;
  while (mixtureAt(m, hi, extraVariance) > half) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mixtureAt(m, mid, extraVariance) > half) lo = mid;
    else hi = mid;
  }
  return lo + hi;
}

// --- EFF profile (Elson, Fall & Freeman 1987, ApJ 323, 54), truncated as in Brown & Gnedin 2021 ---

/** Effective (half-light) radius of a circular EFF profile with scale a and slope eta, truncated at rMax (BG21 eq. in fit_utils). */
export function effHalfLightRadius(a: number, eta: number, rMax: number): number {
  const t = Math.pow(1 + (rMax / a) ** 2, 1 - eta);
  return a * Math.sqrt(Math.pow(0.5 * (1 + t), 1 / (1 - eta)) - 1);
}

/** Scale radius a giving the requested effective radius (bisection; R_eff grows with a). */
export function effScaleForRadius(rEff: number, eta: number, rMax: number): number {
  let lo = 1e-4;
  let hi = rMax;
  if (effHalfLightRadius(hi, eta, rMax) < rEff) return hi;
  for (let i = 0; i < 80; i++) {
    const mid = Math.sqrt(lo * hi);
    if (effHalfLightRadius(mid, eta, rMax) < rEff) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

// EFF mixtures on the grid of effMixture's keys (eta and log rMax/a in steps of 0.05: sources with eta 1-3.5 and
// R_eff 0.3-15 px, wider than data/simulation.json's, fall on 2,340 of them); bounded so that an unusual config
// cannot grow it without end. Never cleared: an entry computed again is the same mixture.
const effCache = new LruCache<string, RadialMixture>(4096);

/** MGE of a truncated EFF profile with unit scale (multiply sigmas by a); cached on a grid of eta and rMax/a. */
export function effMixture(eta: number, rMaxOverA: number): RadialMixture {
  const etaQ = Math.round(eta * 20) / 20;
  const tQ = Math.exp(Math.round(Math.log(rMaxOverA) * 20) / 20);
  const key = `${etaQ}|${tQ}`;
  return effCache.getOrCreate(key, () => {
    const profile = (r: number) => (r <= tQ ? Math.pow(1 + r * r, -etaQ) : 0);
    return fitRadialMixture(profile, logSpaced(0.05, Math.max(0.2, tQ / 1.5), 12), 0.01, tQ * 1.3);
  });
}

/** Moffat profile MGE with unit alpha (multiply sigmas by alpha). */
export function moffatMixture(beta: number): RadialMixture {
  const profile = (r: number) => Math.pow(1 + r * r, -beta);
  return fitRadialMixture(profile, logSpaced(0.15, 30, 10), 0.01, 200);
}

// --- drawing ---

/**
 * Elliptical Gaussian components of a source: each radial component with sigma s becomes
 * s^2 * R diag(1, q^2) R^T (major axis at angle theta), then convolved with each PSF component.
 * Radial components much narrower than the PSF core are merged first (moment-preserving), which keeps the
 * number of components per source small without changing the image beyond the pixel scale.
 */
export function convolveSource(
  x: number,
  y: number,
  flux: number,
  shape: RadialMixture,
  scale: number,
  q: number,
  theta: number,
  psf: RadialMixture,
): Gaussian[] {
  const psfCore = Math.min(...psf.sigma);
  const merged: { s2: number; w: number }[] = [];
  let smallW = 0;
  let smallS2 = 0;
  for (let i = 0; i < shape.sigma.length; i++) {
    const s = shape.sigma[i] * scale;
    if (s < 0.3 * psfCore) {
      smallW += shape.weight[i];
      smallS2 += shape.weight[i] * s * s;
    } else merged.push({ s2: s * s, w: shape.weight[i] });
  }
  if (smallW > 0) merged.push({ s2: smallS2 / smallW, w: smallW });
  const c = Math.cos(theta);
  const sn = Math.sin(theta);
  const out: Gaussian[] = [];
  for (const comp of merged) {
    const a2 = comp.s2;
    const b2 = comp.s2 * q * q;
    const sxx = a2 * c * c + b2 * sn * sn;
    const syy = a2 * sn * sn + b2 * c * c;
    const sxy = (a2 - b2) * c * sn;
    for (let j = 0; j < psf.sigma.length; j++) {
      const p2 = psf.sigma[j] ** 2 + PIXEL_VARIANCE;
      out.push({ x, y, cxx: sxx + p2, cxy: sxy, cyy: syy + p2, flux: flux * comp.w * psf.weight[j] });
    }
  }
  return out;
}

/** A point source: the PSF mixture, pixel-integrated. */
export function pointSource(x: number, y: number, flux: number, psf: RadialMixture): Gaussian[] {
  return psf.sigma.map((s, j) => ({
    x,
    y,
    cxx: s * s + PIXEL_VARIANCE,
    cxy: 0,
    cyy: s * s + PIXEL_VARIANCE,
    flux: flux * psf.weight[j],
  }));
}

/** Rows and columns a component reaches: out to where it falls below `floor` (e-/s per pixel), at most maxRadius. */
export function componentBox(
  g: Gaussian,
  floor: number,
  maxRadius: number,
): { x0: number; x1: number; y0: number; y1: number } {
  const det = g.cxx * g.cyy - g.cxy * g.cxy;
  const peak = g.flux / (2 * Math.PI * Math.sqrt(det));
  // Q = 2 ln(peak/floor) is the Mahalanobis radius^2 at the floor; the box half-widths are sqrt(Q * cxx), sqrt(Q * cyy).
  const q2 = peak > floor ? 2 * Math.log(peak / floor) : 0;
  const rx = Math.min(maxRadius, Math.max(1, Math.sqrt(q2 * g.cxx)));
  const ry = Math.min(maxRadius, Math.max(1, Math.sqrt(q2 * g.cyy)));
  return { x0: Math.floor(g.x - rx), x1: Math.ceil(g.x + rx), y0: Math.floor(g.y - ry), y1: Math.ceil(g.y + ry) };
}

/**
 * Adds a component to an image strip holding rows [rowStart, rowStart + rows) of a mosaic `width` wide,
 * clipped to the box. Pixel centres are at integer 0-based coordinates.
 */
export function addGaussian(
  strip: Float32Array,
  width: number,
  rowStart: number,
  rows: number,
  g: Gaussian,
  box: { x0: number; x1: number; y0: number; y1: number },
): void {
  const det = g.cxx * g.cyy - g.cxy * g.cxy;
  const ixx = g.cyy / det;
  const iyy = g.cxx / det;
  const ixy = -g.cxy / det;
  const norm = g.flux / (2 * Math.PI * Math.sqrt(det));
  const y0 = Math.max(box.y0, rowStart);
  const y1 = Math.min(box.y1, rowStart + rows - 1);
  const x0 = Math.max(box.x0, 0);
  const x1 = Math.min(box.x1, width - 1);
  for (let yy = y0; yy <= y1; yy++) {
    const dy = yy - g.y;
    const base = (yy - rowStart) * width;
    for (let xx = x0; xx <= x1; xx++) {
      const dx = xx - g.x;
      strip[base + xx] += norm * Math.exp(-0.5 * (ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy));
    }
  }
}
