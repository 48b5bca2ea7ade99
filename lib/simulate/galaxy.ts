// Diffuse galaxy light under the sources: an inclined exponential disk, two logarithmic spiral arms (spirals) or
// none (irregulars), star-forming clumps on ~200 pc scales, and dust lanes on the trailing edge of the arms plus
// patchy dust, with attenuation rising to the blue (Cardelli et al. 1989). It varies on scales of >= 50 px, so it
// is evaluated on a coarse grid and interpolated (render.ts). Parameters per field: data/simulation.json.
import { filterName, GalaxySpec, SimulationConfig } from "./config";
import { deriveSeed, stream, STREAM } from "./rng";

export interface GalaxyModel {
  /** Diffuse light in e-/s per pixel at an original-frame position. */
  rate(x: number, y: number): number;
}

/** Smooth value noise in [0, 1]: bilinear interpolation of hashed lattice values (cell size `scale`). */
function valueNoise(key: number, scale: number): (x: number, y: number) => number {
  const at = (i: number, j: number) => deriveSeed(key, i + 100000, j + 100000) / 4294967296;
  return (x, y) => {
    const [u, v] = [x / scale, y / scale];
    const [i, j] = [Math.floor(u), Math.floor(v)];
    const [fu, fv] = [u - i, v - j];
    const [su, sv] = [fu * fu * (3 - 2 * fu), fv * fv * (3 - 2 * fv)];
    const top = at(i, j) * (1 - su) + at(i + 1, j) * su;
    const bottom = at(i, j + 1) * (1 - su) + at(i + 1, j + 1) * su;
    return top * (1 - sv) + bottom * sv;
  };
}

export function galaxyModel(
  config: SimulationConfig,
  spec: GalaxySpec,
  filter: string,
  centre: [number, number],
  pcPerPx: number,
  seed: number,
  fieldIndex: number,
): GalaxyModel {
  const gl = config.galaxy_light;
  const band = filterName(filter);
  const f = config.filters[filter];
  const rng = stream(seed, fieldIndex, STREAM.galaxy);
  const pa = rng.between(0, Math.PI);
  const armPhase = rng.between(0, 2 * Math.PI);
  const cosI = Math.max(0.2, Math.cos((spec.inclination_deg * Math.PI) / 180));
  const muCentre = spec.mu_v_centre + gl.mu_offset_vs_v[band];
  const centralRate = Math.pow(10, -0.4 * (muCentre - f.zeropoint_vega)) * config.pixel_scale_arcsec ** 2;
  const hPx = (spec.scale_length_kpc * 1000) / pcPerPx;
  const tanPitch = Math.tan((gl.arm_pitch_deg * Math.PI) / 180);
  const clumps = valueNoise(deriveSeed(seed, fieldIndex, STREAM.galaxy, 1), gl.clump_scale_pc / pcPerPx);
  const dustPatches = valueNoise(deriveSeed(seed, fieldIndex, STREAM.galaxy, 2), (gl.clump_scale_pc * 0.7) / pcPerPx);
  const aOverAv = gl.dust_a_over_av[band];
  const [cp, sp] = [Math.cos(pa), Math.sin(pa)];
  return {
    rate(x, y) {
      const [dx, dy] = [x - centre[0], y - centre[1]];
      const u = dx * cp + dy * sp;
      const v = (-dx * sp + dy * cp) / cosI;
      const r = Math.hypot(u, v);
      let light = Math.exp(-r / hPx);
      let tauV = spec.dust_tau_v * Math.exp(-r / (2 * hPx)) * 0.4 * dustPatches(x, y);
      if (spec.type === "spiral" && r > 0) {
        const phase = 2 * (Math.atan2(v, u) - Math.log(r / hPx + 1e-3) / tanPitch) + armPhase;
        light *= 1 + spec.arm_amplitude * Math.cos(phase);
        // Dust lanes sit on the concave (trailing) side of the arms, hence the phase lag.
        tauV += spec.dust_tau_v * Math.exp(-r / (2 * hPx)) * Math.pow(Math.max(0, Math.cos(phase - 0.8)), 6);
      }
      light *= 1 + gl.clump_amplitude * (2 * clumps(x, y) - 1);
      // Attenuation in magnitudes: A = 1.086 tau.
      return centralRate * light * Math.pow(10, -0.4 * 1.086 * tauV * aOverAv);
    },
  };
}
