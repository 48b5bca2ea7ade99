// Per-filter PSF: a Gaussian core, a Moffat wing and a faint broad halo (Moffat 1969, A&A 3, 455), both as Gaussian mixtures.
// The configured FWHM is the one measured on drizzled pixels (Brown & Gnedin 2021 measure ~1.85 px in F555W
// on LEGUS 0.04" mosaics), so the core width is solved such that core + wing, pixel-integrated, has that FWHM.
// The core fraction, wing slope and wing width come from data/simulation.json, chosen to follow the STScI
// encircled-energy tables (see lib/simulate/README.md).
import { mixtureFwhm, moffatMixture, PIXEL_VARIANCE, RadialMixture } from "./profiles";

export interface PsfSpec {
  /** FWHM in pixels of the pixel-integrated PSF (drizzled, 0.04"/px). */
  fwhm_px: number;
  /** Fraction of the flux in the Gaussian core; the rest is in the Moffat wing. */
  core_fraction: number;
  moffat_beta: number;
  /** Moffat alpha in units of the core sigma. */
  wing_alpha_over_core_sigma: number;
  /** Fraction of the flux in a broad Gaussian halo (the far wings that put EE(0.4") at ~0.91 and EE(2") at ~0.98). */
  halo_fraction: number;
  halo_sigma_px: number;
}

/** The PSF mixture (unit flux, sigmas in pixels, before pixel integration) for one spec. */
export function buildPsf(spec: PsfSpec): RadialMixture {
  const wing = moffatMixture(spec.moffat_beta);
  const at = (coreSigma: number): RadialMixture => {
    const alpha = coreSigma * spec.wing_alpha_over_core_sigma;
    const wingFraction = 1 - spec.core_fraction - spec.halo_fraction;
    return {
      sigma: [coreSigma, ...wing.sigma.map((s) => s * alpha), spec.halo_sigma_px],
      weight: [spec.core_fraction, ...wing.weight.map((w) => w * wingFraction), spec.halo_fraction],
    };
  };
  // FWHM grows monotonically with the common scale: bisection on the core sigma.
  let lo = 0.05;
  let hi = 5;
  if (mixtureFwhm(at(lo), PIXEL_VARIANCE) > spec.fwhm_px) {
    throw new Error(`PSF FWHM ${spec.fwhm_px} px is below what pixel integration allows`);
  }
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mixtureFwhm(at(mid), PIXEL_VARIANCE) < spec.fwhm_px) lo = mid;
    else hi = mid;
  }
  return at((lo + hi) / 2);
}
