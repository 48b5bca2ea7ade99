// A rendered band as a FITS image: header keywords like a drizzled HST product (instrument, filter, exposure
// time, photometric keys, 0.04"/px TAN WCS, IRAF LTV offsets) and the pixels, quantised to 16-bit integers
// (BSCALE/BZERO) or kept as 32-bit floats. The writer itself is lib/io/fits (not this module).
import { FieldPlan } from "./field";
import { SimulationConfig, skySigma } from "./config";
import { noiseModel } from "./noise";
import { toMosaic } from "./layout";

import type { FitsCard } from "../io/fits/header";

export interface MosaicImage {
  bitpix: 16 | -32;
  width: number;
  height: number;
  /** Stored values: Int16Array for BITPIX 16 (physical = BZERO + BSCALE * stored), Float32Array for -32. */
  data: Int16Array | Float32Array;
  cards: FitsCard[];
}

/** A linear TAN WCS: pixel (1-based mosaic) -> sky, via CRPIX, CRVAL and the CD matrix (degrees per pixel). */
export interface SimpleWcs {
  crpix: [number, number];
  crval: [number, number];
  cd: [[number, number], [number, number]];
}

/** Solves 3x3 normal equations for z = c0 + c1 x + c2 y. */
function fitPlane(x: number[], y: number[], z: number[]): [number, number, number] {
  const rows = x.map((_, i) => [1, x[i], y[i]]);
  const A = [0, 1, 2].map((a) => [0, 1, 2].map((b) => rows.reduce((s, r) => s + r[a] * r[b], 0)));
  const v = [0, 1, 2].map((a) => rows.reduce((s, r, i) => s + r[a] * z[i], 0));
  // Gaussian elimination (the system is tiny and well conditioned once x, y are centred).
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      const f = A[j][i] / A[i][i];
      for (let k = i; k < 3; k++) A[j][k] -= f * A[i][k];
      v[j] -= f * v[i];
    }
  }
  const c = [0, 0, 0];
  for (let i = 2; i >= 0; i--) c[i] = (v[i] - [0, 1, 2].slice(i + 1).reduce((s, k) => s + A[i][k] * c[k], 0)) / A[i][i];
  return c as [number, number, number];
}

/**
 * The field's WCS on the mosaic. Real fields: fitted to the catalog's (x, y) -> (RA, Dec) in the original frame,
 * then shifted to the mosaic; on a compacted mosaic it holds within the segment holding CRPIX only.
 * Synthetic fields: north up, 0.04"/px, the galaxy's position at the mosaic centre.
 */
export function fieldWcs(plan: FieldPlan, config: SimulationConfig): SimpleWcs {
  const scaleDeg = config.pixel_scale_arcsec / 3600;
  if (plan.origin === "synthetic") {
    const radec = config.fields[plan.name].ra_dec_deg ?? [0, 0];
    return {
      crpix: [plan.width / 2, plan.height / 2],
      crval: radec,
      cd: [
        [-scaleDeg, 0],
        [0, scaleDeg],
      ],
    };
  }
  const src = plan.sources.filter((s) => s.record.ra !== undefined && s.record.dec !== undefined);
  const ra0 = src.reduce((a, s) => a + s.record.ra!, 0) / src.length;
  const dec0 = src.reduce((a, s) => a + s.record.dec!, 0) / src.length;
  const cosd = Math.cos((dec0 * Math.PI) / 180);
  const [mx, my] = [
    src.reduce((a, s) => a + s.origX, 0) / src.length,
    src.reduce((a, s) => a + s.origY, 0) / src.length,
  ];
  const xs = src.map((s) => s.origX - mx);
  const ys = src.map((s) => s.origY - my);
  const [a0, a1, a2] = fitPlane(
    xs,
    ys,
    src.map((s) => (s.record.ra! - ra0) * cosd),
  );
  const [b0, b1, b2] = fitPlane(
    xs,
    ys,
    src.map((s) => s.record.dec! - dec0),
  );
  // Pixel where the offsets vanish: solve [a1 a2; b1 b2] d = -[a0; b0].
  const det = a1 * b2 - a2 * b1;
  const dx = (-a0 * b2 + a2 * b0) / det;
  const dy = (-b0 * a1 + b1 * a0) / det;
  const [ox, oy] = [mx + dx, my + dy];
  const seg = (map: typeof plan.xMap, o: number) => toMosaic(map, o) ?? o - map[0].orig + map[0].mosaic;
  return {
    crpix: [seg(plan.xMap, ox), seg(plan.yMap, oy)],
    crval: [ra0, dec0],
    cd: [
      [a1, a2],
      [b1, b2],
    ],
  };
}

/** Sky position of a mosaic pixel (1-based) in the linear (small-field) approximation. */
export function pixelToSky(wcs: SimpleWcs, x: number, y: number): [number, number] {
  const [dx, dy] = [x - wcs.crpix[0], y - wcs.crpix[1]];
  const xi = wcs.cd[0][0] * dx + wcs.cd[0][1] * dy;
  const eta = wcs.cd[1][0] * dx + wcs.cd[1][1] * dy;
  return [wcs.crval[0] + xi / Math.cos((wcs.crval[1] * Math.PI) / 180), wcs.crval[1] + eta];
}

export interface ImageContext {
  plan: FieldPlan;
  band: number;
  config: SimulationConfig;
  wcs: SimpleWcs;
  bitpix: 16 | -32;
  seed: number;
  scale: string;
  saturatedPixels: number;
}

/** Quantisation step: a fraction of the sky noise, or coarser if needed to reach saturation without clipping. */
export function quantisation(
  config: SimulationConfig,
  filter: string,
): { bscale: number; bzero: number; offset: number } {
  const spec = config.filters[filter];
  const sigma = skySigma(spec);
  const bscale = Math.max(
    config.mosaic.quantisation_fraction_of_sky_sigma * sigma,
    (1.05 * noiseModel(spec).saturationRate) / 65000,
  );
  // Stored 0 maps to an integer multiple of BSCALE, so a physical 0 (outside the footprint) is exact.
  const offset = 32768 - Math.round((8 * sigma) / bscale);
  return { bscale, bzero: offset * bscale, offset };
}

/** A rendered band as a FITS image: the pixels (quantised for BITPIX 16) and an HST-like header. */
export function mosaicImage(pixels: Float32Array, ctx: ImageContext): MosaicImage {
  const { plan, band, config } = ctx;
  const filter = plan.filters[band];
  if (ctx.bitpix !== 16)
    return { bitpix: ctx.bitpix, width: plan.width, height: plan.height, data: pixels, cards: headerCards(ctx, 0) };
  const q = quantisation(config, filter);
  const { data, clipped } = quantise(pixels, q);
  const cards: FitsCard[] = [
    { key: "BSCALE", value: q.bscale, comment: "physical = BZERO + BSCALE * stored" },
    { key: "BZERO", value: q.bzero },
  ];
  return { bitpix: 16, width: plan.width, height: plan.height, data, cards: [...cards, ...headerCards(ctx, clipped)] };
}

/** Stored 16-bit values (round(pixel / BSCALE) - offset), clipped to the int16 range; `clipped` counts those. */
function quantise(pixels: Float32Array, q: { bscale: number; offset: number }): { data: Int16Array; clipped: number } {
  const data = new Int16Array(pixels.length);
  let clipped = 0;
  for (let i = 0; i < pixels.length; i++) {
    let v = Math.round(pixels[i] / q.bscale) - q.offset;
    if (v > 32767 || v < -32768) {
      clipped++;
      v = v > 32767 ? 32767 : -32768;
    }
    data[i] = v;
  }
  return { data, clipped };
}

/** The header cards after BSCALE/BZERO: instrument and filter, photometry, WCS, simulation and layout. */
function headerCards(ctx: ImageContext, clipped: number): FitsCard[] {
  const { plan, band, config, wcs } = ctx;
  const filter = plan.filters[band];
  const spec = config.filters[filter];
  const [instrument, name] = filter.split("/");
  const cards: FitsCard[] = [];
  const single = plan.xMap.length === 1 && plan.yMap.length === 1;
  cards.push(
    { key: "ORIGIN", value: "starcluster synth", comment: "simulated LEGUS-like mosaic, not HST data" },
    { key: "TELESCOP", value: "HST" },
    { key: "INSTRUME", value: instrument === "UVIS" ? "WFC3" : "ACS" },
    { key: "DETECTOR", value: instrument === "UVIS" ? "UVIS" : "WFC" },
    { key: "FILTER", value: name },
    { key: "TARGNAME", value: plan.name },
    { key: "BUNIT", value: "ELECTRONS/S" },
    { key: "EXPTIME", value: spec.exptime_s, comment: "[s] total exposure time" },
    { key: "NCOMBINE", value: spec.n_exposures, comment: "exposures combined" },
    { key: "PHOTFLAM", value: spec.photflam, comment: "[erg/cm2/s/A per e-/s] inverse sensitivity" },
    { key: "PHOTPLAM", value: spec.pivot_A, comment: "[A] pivot wavelength" },
    { key: "PHOTZPT", value: -21.1, comment: "ST magnitude zero point" },
    { key: "VEGAZPT", value: spec.zeropoint_vega, comment: "Vega mag of 1 e-/s (used for the catalog fluxes)" },
    { key: "MDRIZSKY", value: spec.sky_e_s * spec.exptime_s, comment: "[e-] sky subtracted" },
    { key: "SATURATE", value: noiseModel(spec).saturationRate, comment: "[e-/s] full well of one exposure" },
    { key: "NSATPIX", value: ctx.saturatedPixels, comment: "pixels that reached the full well" },
    { key: "NQCLIP", value: clipped, comment: "pixels clipped by 16-bit quantisation" },
    { key: "CTYPE1", value: "RA---TAN" },
    { key: "CTYPE2", value: "DEC--TAN" },
    { key: "CRPIX1", value: wcs.crpix[0] },
    { key: "CRPIX2", value: wcs.crpix[1] },
    { key: "CRVAL1", value: wcs.crval[0] },
    { key: "CRVAL2", value: wcs.crval[1] },
    { key: "CD1_1", value: wcs.cd[0][0] },
    { key: "CD1_2", value: wcs.cd[0][1] },
    { key: "CD2_1", value: wcs.cd[1][0] },
    { key: "CD2_2", value: wcs.cd[1][1] },
    { key: "D001SCAL", value: config.pixel_scale_arcsec, comment: "[arcsec/px] drizzle output pixel scale" },
    { key: "DISTMPC", value: plan.distanceMpc, comment: "[Mpc] distance (Wei et al. 2020 Tables 1-2)" },
    { key: "PCPERPIX", value: plan.pcPerPx, comment: "[pc] one pixel at that distance" },
    { key: "SIMSEED", value: ctx.seed },
    { key: "SIMSCALE", value: ctx.scale },
    {
      key: "SIMFRAME",
      value: single ? "offset" : "compacted",
      comment: single ? "mosaic = original frame + LTV" : "empty row/column bands removed; see manifest",
    },
  );
  if (single) {
    cards.push(
      { key: "LTV1", value: plan.xMap[0].mosaic - plan.xMap[0].orig, comment: "IRAF: mosaic x = original x + LTV1" },
      { key: "LTV2", value: plan.yMap[0].mosaic - plan.yMap[0].orig, comment: "IRAF: mosaic y = original y + LTV2" },
    );
  }
  return cards;
}
