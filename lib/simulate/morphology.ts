// What each class looks like (LEGUS definitions: Adamo et al. 2017, LEGUS_description.txt):
//   1 compact, symmetric cluster: one EFF profile, nearly round;
//   2 cluster with asymmetry: elongated EFF plus an off-centre clump (often bluer) or an offset bright core;
//   3 association: several resolved stars and small clumps over tens of parsecs on diffuse light;
//   4 not a cluster: a star, a close pair, a background galaxy, a cosmic-ray-like hit in one band, or a bright
//     star with diffraction spikes (saturating where the full well is reached).
// Unclassified catalog entries are rendered as neighbours: half point sources, half small clusters.
// A morphology is drawn once per source (sizes, shapes, member positions); each band then gets the catalog
// flux of that band, so the colours are the catalog's. Distributions and their sources: data/simulation.json.
import { ClusterClass } from "../catalog/record";
import { Class4Kind, filterPsf, magToRate, Range, SimulationConfig } from "./config";
import { SimSource } from "./field";
import { convolveSource, effMixture, effScaleForRadius, Gaussian, PIXEL_VARIANCE, pointSource } from "./profiles";
import { Rng, stream, STREAM } from "./rng";

/** One part of a source: a point or an EFF blob at an offset, with a share of the flux and a colour tilt. */
interface Part {
  dx: number;
  dy: number;
  /** Share of the source flux (before the colour tilt). */
  share: number;
  /** Magnitude offset per band (positive = fainter in that band); renormalised so the total stays the catalog's. */
  tilt: number[];
  /** EFF parameters; absent for a point source. */
  eff?: { rEffPx: number; eta: number; q: number; theta: number };
}

export interface Morphology {
  kind: string;
  parts: Part[];
  /** Extra light that is not from the catalog flux: diffraction spikes (fraction of flux) and cosmic rays (one band). */
  spikes: boolean;
  cosmicRay?: { band: number; dx: number; dy: number; length: number; angle: number; peak: number };
}

const NO_TILT = [0, 0, 0, 0, 0];
/** Weight of each band in a "bluer" colour tilt: strongest in the UV, none in I. */
const BLUENESS = [1, 0.75, 0.5, 0.25, 0];

const inRange = (rng: Rng, r: Range) => rng.between(r[0], r[1]);

function drawCluster(rng: Rng, config: SimulationConfig, pcPerPx: number, q: Range): Part["eff"] {
  const c = config.classes.cluster;
  const rEffPc = Math.min(c.r_eff_pc.max, Math.max(c.r_eff_pc.min, rng.logNormal(c.r_eff_pc.median, c.r_eff_pc.sigma_dex)));
  const eta = Math.min(c.eta.max, Math.max(c.eta.min, rng.logNormal(c.eta.median, c.eta.sigma_dex)));
  return { rEffPx: rEffPc / pcPerPx, eta, q: inRange(rng, q), theta: rng.between(0, Math.PI) };
}

/** Draws the morphology of a source (deterministic for seed, field and source index). */
export function drawMorphology(source: SimSource, config: SimulationConfig, pcPerPx: number, seed: number, fieldIndex: number): Morphology {
  const rng = stream(seed, fieldIndex, STREAM.morphology, source.index);
  const cls = config.classes;
  const truth: ClusterClass | null = source.truth;
  if (truth === null) {
    if (rng.uniform() < cls.unclassified.point_fraction) return { kind: "neighbour star", parts: [{ dx: 0, dy: 0, share: 1, tilt: NO_TILT }], spikes: false };
    return { kind: "neighbour cluster", parts: [{ dx: 0, dy: 0, share: 1, tilt: NO_TILT, eff: drawCluster(rng, config, pcPerPx, cls["1"].q) }], spikes: false };
  }
  if (truth === 1) {
    return { kind: "cluster", parts: [{ dx: 0, dy: 0, share: 1, tilt: NO_TILT, eff: drawCluster(rng, config, pcPerPx, cls["1"].q) }], spikes: false };
  }
  if (truth === 2) {
    const c2 = cls["2"];
    const main = drawCluster(rng, config, pcPerPx, c2.q)!;
    if (rng.uniform() < c2.clump_probability) {
      const f = inRange(rng, c2.clump_flux_fraction);
      const d = Math.max(1.5, inRange(rng, c2.clump_distance_reff) * main.rEffPx);
      const a = rng.between(0, 2 * Math.PI);
      const boost = inRange(rng, c2.clump_blue_boost_mag);
      const clump = { rEffPx: Math.max(0.3, main.rEffPx / 3), eta: main.eta, q: rng.between(0.6, 1), theta: rng.between(0, Math.PI) };
      return {
        kind: "cluster with clump",
        parts: [
          { dx: 0, dy: 0, share: 1 - f, tilt: NO_TILT, eff: main },
          { dx: d * Math.cos(a), dy: d * Math.sin(a), share: f, tilt: BLUENESS.map((w) => -boost * w), eff: clump },
        ],
        spikes: false,
      };
    }
    const off = inRange(rng, c2.offset_core_px);
    const a = rng.between(0, 2 * Math.PI);
    return {
      kind: "cluster with offset core",
      parts: [
        { dx: 0, dy: 0, share: 0.8, tilt: NO_TILT, eff: main },
        { dx: off * Math.cos(a), dy: off * Math.sin(a), share: 0.2, tilt: NO_TILT },
      ],
      spikes: false,
    };
  }
  if (truth === 3) {
    const c3 = cls["3"];
    const n = rng.int(c3.members[0], c3.members[1]);
    const spreadPx = inRange(rng, c3.spread_pc) / 2 / pcPerPx;
    const memberTotal = inRange(rng, c3.member_flux_fraction);
    const raw = Array.from({ length: n }, () => -Math.log(1 - rng.uniform() * 0.999));
    const sum = raw.reduce((a, b) => a + b, 0);
    const parts: Part[] = raw.map((r) => {
      // Members differ in colour (blue main-sequence stars, red supergiants): +-0.3 mag per band [U].
      const tilt = NO_TILT.map(() => 0.3 * rng.normal());
      const isClump = rng.uniform() < 0.3;
      const part: Part = { dx: spreadPx * rng.normal(), dy: spreadPx * rng.normal(), share: (memberTotal * r) / sum, tilt };
      if (isClump) part.eff = { rEffPx: rng.between(1, 2) / pcPerPx, eta: 1.5, q: rng.between(0.6, 1), theta: rng.between(0, Math.PI) };
      return part;
    });
    // Catalog positions sit near a local peak (LEGUS detects peaks): the brightest member lies within ~2 px.
    const brightest = parts.reduce((best, p) => (p.share > best.share ? p : best), parts[0]);
    const [r, a] = [rng.between(0, 2), rng.between(0, 2 * Math.PI)];
    [brightest.dx, brightest.dy] = [r * Math.cos(a), r * Math.sin(a)];
    parts.push({ dx: 0, dy: 0, share: 1 - memberTotal, tilt: NO_TILT, eff: { rEffPx: inRange(rng, c3.diffuse_r_eff_pc) / pcPerPx, eta: 1.5, q: rng.between(0.5, 1), theta: rng.between(0, Math.PI) } });
    return { kind: "association", parts, spikes: false };
  }
  const c4 = cls["4"];
  const kinds = Object.keys(c4.kinds) as Class4Kind[];
  const kind = kinds[rng.pick(kinds.map((k) => c4.kinds[k]))];
  const star: Part = { dx: 0, dy: 0, share: 1, tilt: NO_TILT };
  switch (kind) {
    case "star":
      return { kind, parts: [star], spikes: false };
    case "saturated_star":
      return { kind, parts: [star], spikes: true };
    case "pair": {
      const sep = inRange(rng, c4.pair_separation_px);
      const ratio = inRange(rng, c4.pair_flux_ratio);
      const a = rng.between(0, 2 * Math.PI);
      const [cx, cy] = [(sep / 2) * Math.cos(a), (sep / 2) * Math.sin(a)];
      const tilt = NO_TILT.map(() => 0.4 * rng.normal());
      return { kind, parts: [{ dx: -cx, dy: -cy, share: 1 / (1 + ratio), tilt: NO_TILT }, { dx: cx, dy: cy, share: ratio / (1 + ratio), tilt }], spikes: false };
    }
    case "background_galaxy":
      return {
        kind,
        parts: [{ dx: 0, dy: 0, share: 1, tilt: NO_TILT, eff: { rEffPx: inRange(rng, c4.galaxy_r_eff_px), eta: inRange(rng, c4.galaxy_eta), q: inRange(rng, c4.galaxy_q), theta: rng.between(0, Math.PI) } }],
        spikes: false,
      };
    case "cosmic_ray":
      return {
        kind,
        parts: [star],
        spikes: false,
        cosmicRay: { band: rng.int(0, 4), dx: rng.between(-2, 2), dy: rng.between(-2, 2), length: inRange(rng, c4.cosmic_ray_length_px), angle: rng.between(0, Math.PI), peak: inRange(rng, c4.cosmic_ray_peak_e_s) },
      };
  }
}

/** Shares of the flux per part in one band, after the colour tilts (they sum to 1). */
function bandShares(parts: Part[], band: number): number[] {
  const raw = parts.map((p) => p.share * Math.pow(10, -0.4 * p.tilt[band]));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / sum);
}

/**
 * Gaussian components of a source in one band, in 0-based mosaic pixels and e-/s.
 * `saturationRate` (e-/s) decides whether a star is bright enough for visible diffraction spikes.
 */
export function sourceComponents(source: SimSource, morph: Morphology, band: number, filter: string, config: SimulationConfig, saturationRate: number): Gaussian[] {
  const psf = filterPsf(config, filter);
  const rate = magToRate(config, filter, source.renderMag[band]);
  const x0 = source.record.x - 1;
  const y0 = source.record.y - 1;
  const out: Gaussian[] = [];
  const shares = bandShares(morph.parts, band);
  const rMax = config.classes.eff_truncation_px;
  morph.parts.forEach((p, i) => {
    const flux = rate * shares[i];
    if (!p.eff) {
      out.push(...pointSource(x0 + p.dx, y0 + p.dy, flux, psf));
      return;
    }
    const a = effScaleForRadius(p.eff.rEffPx, p.eff.eta, Math.max(rMax, 3 * p.eff.rEffPx));
    const trunc = Math.max(rMax, 3 * p.eff.rEffPx);
    out.push(...convolveSource(x0 + p.dx, y0 + p.dy, flux, effMixture(p.eff.eta, trunc / a), a, p.eff.q, p.eff.theta, psf));
  });
  // Diffraction spikes: four arms as two thin crossed Gaussians, for stars flagged as saturated and for any
  // point source whose core reaches a third of saturation.
  const c4 = config.classes["4"];
  const peak = rate * 0.25;
  if (morph.spikes || (morph.parts.length === 1 && !morph.parts[0].eff && peak > saturationRate / 3)) {
    const L = c4.spike_length_px;
    for (const angle of [c4.spike_angle_deg, c4.spike_angle_deg + 90]) {
      const t = (angle * Math.PI) / 180;
      const [c, s] = [Math.cos(t), Math.sin(t)];
      const [a2, b2] = [(L / 2) ** 2, 0.35 + PIXEL_VARIANCE];
      out.push({ x: x0, y: y0, cxx: a2 * c * c + b2 * s * s, cyy: a2 * s * s + b2 * c * c, cxy: (a2 - b2) * c * s, flux: (rate * c4.spike_flux_fraction) / 2 });
    }
  }
  // A cosmic-ray-like hit: sharp (not PSF-convolved) pixels along a short track, in one band only.
  const cr = morph.cosmicRay;
  if (cr && cr.band === band) {
    const steps = Math.max(1, Math.round(cr.length));
    for (let k = 0; k < steps; k++) {
      const d = k - (steps - 1) / 2;
      out.push({ x: x0 + cr.dx + d * Math.cos(cr.angle), y: y0 + cr.dy + d * Math.sin(cr.angle), cxx: 0.12, cyy: 0.12, cxy: 0, flux: cr.peak * 2 * Math.PI * 0.12 });
    }
  }
  return out;
}
