// The simulator's physical parameters, read from data/simulation.json (sources in lib/simulate/README.md).
import * as fs from "node:fs";
import { BANDS } from "../catalog/record";
import { dataPath } from "../util/paths";
import { buildPsf, PsfSpec } from "./psf";
import { RadialMixture } from "./profiles";

export type Range = [number, number];

export interface FilterSpec {
  photflam: number;
  pivot_A: number;
  zeropoint_vega: number;
  exptime_s: number;
  n_exposures: number;
  read_noise_e: number;
  dark_e_s: number;
  sky_e_s: number;
  full_well_e: number;
  psf: PsfSpec;
}

export interface GalaxySpec {
  type: "spiral" | "irregular";
  inclination_deg: number;
  mu_v_centre: number;
  scale_length_kpc: number;
  arm_amplitude: number;
  dust_tau_v: number;
}

export interface SimulationConfig {
  pixel_scale_arcsec: number;
  pc_per_px_per_mpc: number;
  filters: Record<string, FilterSpec>;
  default_filters: string[];
  fields: Record<string, { filters?: string[]; ra_dec_deg?: [number, number]; galaxy: GalaxySpec }>;
  galaxy_light: {
    mu_offset_vs_v: Record<string, number>;
    dust_a_over_av: Record<string, number>;
    clump_scale_pc: number;
    clump_amplitude: number;
    arm_pitch_deg: number;
    grid_step_px: number;
  };
  classes: {
    eff_truncation_px: number;
    cluster: { r_eff_pc: LogNormalSpec; eta: LogNormalSpec; resolved_r_eff_px: number };
    "1": { q: Range };
    "2": {
      kinds: Record<"elongated" | "lopsided", number>;
      q: Range;
      elongated_q: Range;
      elongated_min_r_eff_px: number;
      halo_flux_fraction: Range;
      halo_r_eff_px: Range;
      halo_offset_px: Range;
      /** The offset is at least this many halo R_eff: the asymmetry must show at the source's own size. */
      halo_offset_min_r_eff: number;
      halo_blue_mag: Range;
    };
    "3": {
      members: Range;
      spread_pc: Range;
      spread_px: Range;
      min_separation_px: number;
      member_flux_fraction: Range;
      clump_fraction: number;
      diffuse_r_eff_pc: Range;
      diffuse_r_eff_px: Range;
    };
    "4": {
      kinds: Record<Class4Kind, number>;
      pair_separation_px: Range;
      pair_flux_ratio: Range;
      galaxy_r_eff_px: Range;
      galaxy_eta: Range;
      galaxy_q: Range;
      galaxy_red_mag: Range;
      cosmic_ray_length_px: Range;
      cosmic_ray_peak_e_s: Range;
      saturated_brighten_mag: Range;
      spike_flux_fraction: number;
      spike_length_px: number;
      spike_angle_deg: number;
    };
    unclassified: { point_fraction: number };
  };
  annotator: {
    agreement_diagonal: number[];
    off_diagonal_shape: number[][];
    class_prior: number[];
    /** V magnitude at which the calibrated class errors apply as they are. */
    reference_v_mag: number;
    /** Magnitudes over which a classifier's error rate doubles. */
    error_doubling_mag: number;
    /** Largest error rate of any class at any magnitude. */
    max_error: number;
  };
  undetected: { fainter_than_limit_mag: Range };
  synthetic_fields: {
    reference_density_per_mpx: number;
    reference_distance_mpc: number;
    unclassified_per_classified: number;
    magnitude_limit_v: number;
    min_separation_px: number;
  };
  mosaic: { margin_px: number; quantisation_fraction_of_sky_sigma: number };
  scales: Record<Scale, ScaleSpec>;
}

export type Class4Kind = "star" | "pair" | "background_galaxy" | "cosmic_ray" | "saturated_star";
export interface LogNormalSpec {
  median: number;
  sigma_dex: number;
  min: number;
  max: number;
}
export type Scale = "smoke" | "default" | "full";
export const SCALES: readonly Scale[] = ["smoke", "default", "full"];
export interface ScaleSpec {
  /** Fields rendered at this scale (default: all of the paper's). */
  fields?: string[];
  /** Crop each field to this many pixels square around its densest classified region (a number for every
   *  field, or one per field name). */
  crop_px?: number | Record<string, number>;
  /** Remove empty bands of rows and columns (see README, disk budget). */
  compact: boolean;
  bitpix: 16 | -32;
  /** Synthetic fields: classified sources per Mpx relative to the reference (below 1: larger fields). */
  synthetic_density_factor?: number;
}

/** The crop side for one field at this scale, or undefined for no crop. */
export function cropSide(scale: ScaleSpec, field: string): number | undefined {
  return typeof scale.crop_px === "number" ? scale.crop_px : scale.crop_px?.[field];
}

// data/simulation.json, parsed and checked once per process (a config from another file is read on every call).
let cached: SimulationConfig | undefined;

export function loadSimulationConfig(file = dataPath("simulation.json")): SimulationConfig {
  if (file === dataPath("simulation.json") && cached) return cached;
  const config = JSON.parse(fs.readFileSync(file, "utf8")) as SimulationConfig;
  for (const [field, spec] of Object.entries(config.fields)) {
    if (field.startsWith("_")) continue;
    for (const f of spec.filters ?? config.default_filters) {
      if (!config.filters[f]) throw new Error(`${file}: field ${field} uses filter ${f}, which is not in "filters"`);
    }
  }
  for (const [name, scale] of Object.entries(config.scales)) {
    if (typeof scale.crop_px !== "object") continue;
    // A misspelt field in a per-field crop would silently leave that field uncropped.
    for (const field of Object.keys(scale.crop_px)) {
      if (!(scale.fields ?? Object.keys(config.fields)).includes(field))
        throw new Error(`${file}: scale ${name}: crop_px names ${field}, which this scale does not render`);
    }
  }
  if (file === dataPath("simulation.json")) cached = config;
  return config;
}

/** The five filters (instrument/filter) observed in a field, in BANDS order (F275W, F336W, F435W|F438W, F555W|F606W, F814W). */
export function fieldFilters(config: SimulationConfig, field: string): string[] {
  const filters = config.fields[field]?.filters ?? config.default_filters;
  if (filters.length !== BANDS.length)
    throw new Error(`field ${field}: expected ${BANDS.length} filters, got ${filters.length}`);
  return filters;
}

/** "ACS/F435W" -> "F435W". */
export function filterName(filter: string): string {
  return filter.split("/")[1];
}

// PSF mixtures by the PSF setting they were built from (so a config from another file gets its own): as many as the
// filters of the configs still in use; dropped with them.
const psfCache = new WeakMap<PsfSpec, RadialMixture>();

/** The PSF mixture of a filter (cached). */
export function filterPsf(config: SimulationConfig, filter: string): RadialMixture {
  const spec = config.filters[filter].psf;
  let psf = psfCache.get(spec);
  if (!psf) {
    psf = buildPsf(spec);
    psfCache.set(spec, psf);
  }
  return psf;
}

/** Count rate in e-/s of a source of Vega magnitude m in a filter: 10^(-0.4 (m - ZP)). */
export function magToRate(config: SimulationConfig, filter: string, mag: number): number {
  return Math.pow(10, -0.4 * (mag - config.filters[filter].zeropoint_vega));
}

/** Sky-limited noise of one pixel in e-/s: sky, dark and read noise of all exposures. */
export function skySigma(spec: FilterSpec): number {
  const electrons = (spec.sky_e_s + spec.dark_e_s) * spec.exptime_s + spec.n_exposures * spec.read_noise_e ** 2;
  return Math.sqrt(electrons) / spec.exptime_s;
}
