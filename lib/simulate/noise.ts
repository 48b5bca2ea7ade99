// From expected count rates to a calibrated drizzled pixel (e-/s, sky subtracted, as LEGUS DRC images):
// saturation at the full well of one exposure, Poisson noise on source + galaxy + sky + dark electrons over the
// total exposure time, Gaussian read noise of every exposure, then the mean sky and dark are subtracted
// (AstroDrizzle's sky subtraction; the level is kept in the MDRIZSKY header key). Drizzling correlates
// neighbouring pixels in real data; we do not model that, so pixel-to-pixel noise here is the uncorrelated one.
import { FilterSpec } from "./config";
import { Rng } from "./rng";

export interface NoiseModel {
  /** Count rate (e-/s per pixel) at which one exposure reaches the full well. */
  saturationRate: number;
  /** One observed pixel value (e-/s) for an expected source + galaxy rate. */
  observe(rate: number, rng: Rng): number;
}

export function noiseModel(spec: FilterSpec): NoiseModel {
  const t = spec.exptime_s;
  const saturationRate = (spec.full_well_e * spec.n_exposures) / t;
  const background = (spec.sky_e_s + spec.dark_e_s) * t;
  const readSigma = Math.sqrt(spec.n_exposures) * spec.read_noise_e;
  const readVariance = readSigma * readSigma;
  return {
    saturationRate,
    observe(rate, rng) {
      const expected = Math.min(rate, saturationRate) * t + background;
      // Where the Poisson part is large, or small next to the read noise, Poisson + Gaussian is Gaussian to well
      // below a per cent in every moment that matters here: one normal draw with the summed variance.
      if (expected > 30 || readVariance > expected)
        return (expected - background + Math.sqrt(expected + readVariance) * rng.normal()) / t;
      const electrons = rng.poisson(expected) + readSigma * rng.normal();
      return (electrons - background) / t;
    },
  };
}
