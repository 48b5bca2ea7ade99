// What each class looks like (LEGUS definitions: Adamo et al. 2017, LEGUS_description.txt; Wei et al. 2020 Sec. 2).
// Humans labelled what they saw, so each class's defining trait is rendered at or above the PSF's scale:
//   1 compact, symmetric cluster: one round EFF profile, resolved (the catalog's concentration-index cut);
//   2 cluster with asymmetry and a single peak: an elongated body, or a core with a halo pushed to one side;
//   3 association: several resolved peaks (stars and small clumps) over diffuse light;
//   4 not a cluster: a star, a close pair, a red background galaxy, a cosmic-ray-like hit in one band, or a bright
//     star with diffraction spikes (saturating where the full well is reached).
// Unclassified catalog entries are rendered as neighbours: half point sources, half small clusters.
// A morphology is drawn once per source (sizes, shapes, member positions); each band then gets the catalog
// flux of that band, so the colours are the catalog's. Distributions and their sources: data/simulation.json
// and lib/simulate/README.md.
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
  /** Magnitude offsets per band applied to the whole source (its colour replaces the catalog's); V unchanged. */
  colour?: number[];
}

const NO_TILT = [0, 0, 0, 0, 0];
/** Weight of each band in a "bluer" colour tilt: strongest in the UV, none in I. */
const BLUENESS = [1, 0.75, 0.5, 0.25, 0];
/** Weight of each band in a "redder" colour, relative to V (band 3): fainter in the UV, brighter in I. */
const REDNESS = [1, 0.7, 0.35, 0, -0.3];

const inRange = (rng: Rng, r: Range) => rng.between(r[0], r[1]);
const clamp = (v: number, r: Range) => Math.min(r[1], Math.max(r[0], v));

/**
 * A cluster's EFF parameters. R_eff is drawn in parsecs (Ryon et al.) and kept only if the source is resolved in
 * the mosaic (R_eff >= `resolved_r_eff_px`): LEGUS inspects only candidates above a concentration-index cut set
 * just above the stellar locus, so a catalogued cluster is never smaller than that cut allows at its distance.
 * `minPx` raises the floor further for morphologies whose defining trait needs room (an elongation).
 */
function drawCluster(
  rng: Rng,
  config: SimulationConfig,
  pcPerPx: number,
  q: Range,
  minPx = 0,
): NonNullable<Part["eff"]> {
  const c = config.classes.cluster;
  const rEffPc = clamp(rng.logNormal(c.r_eff_pc.median, c.r_eff_pc.sigma_dex), [c.r_eff_pc.min, c.r_eff_pc.max]);
  const floor = Math.max(c.resolved_r_eff_px, minPx);
  const rEffPx = Math.max(rEffPc / pcPerPx, floor * rng.between(1, 1.3));
  const eta = clamp(rng.logNormal(c.eta.median, c.eta.sigma_dex), [c.eta.min, c.eta.max]);
  return { rEffPx, eta, q: inRange(rng, q), theta: rng.between(0, Math.PI) };
}

const polar = (r: number, a: number) => ({ dx: r * Math.cos(a), dy: r * Math.sin(a) });

/**
 * Class 2: "asymmetric, single peak, radial profile more extended relative to class 1 cluster" (LEGUS catalog
 * headers). A second peak would make it a multi-peaked system (class 3), so the asymmetry is in the body's light:
 * an elongated body, or a compact core with a wider, bluer halo pushed to one side ("possible colour gradient").
 */
function drawAsymmetric(rng: Rng, config: SimulationConfig, pcPerPx: number): Morphology {
  const c2 = config.classes["2"];
  const kinds = ["elongated", "lopsided"] as const;
  const kind = kinds[rng.pick(kinds.map((k) => c2.kinds[k]))];
  if (kind === "elongated") {
    const main = drawCluster(rng, config, pcPerPx, c2.elongated_q, c2.elongated_min_r_eff_px);
    return { kind: "elongated cluster", parts: [{ dx: 0, dy: 0, share: 1, tilt: NO_TILT, eff: main }], spikes: false };
  }
  const core = drawCluster(rng, config, pcPerPx, c2.q);
  const halo = {
    rEffPx: Math.max(inRange(rng, c2.halo_r_eff_px), 2 * core.rEffPx),
    eta: core.eta,
    q: inRange(rng, c2.q),
    theta: rng.between(0, Math.PI),
  };
  const haloShare = inRange(rng, c2.halo_flux_fraction);
  const offsetPx = Math.max(inRange(rng, c2.halo_offset_px), c2.halo_offset_min_r_eff * halo.rEffPx);
  const offset = polar(offsetPx, rng.between(0, 2 * Math.PI));
  const gradient = inRange(rng, c2.halo_blue_mag);
  return {
    kind: "cluster with lopsided halo",
    parts: [
      { dx: 0, dy: 0, share: 1 - haloShare, tilt: NO_TILT, eff: core },
      { ...offset, share: haloShare, tilt: BLUENESS.map((w) => -gradient * w), eff: halo },
    ],
    spikes: false,
  };
}

/**
 * Class 3: several resolved peaks over diffuse light. The spread is drawn in parsecs and kept inside the window in
 * which a human sees a multi-peaked system in a 50 px stamp: below it the peaks merge into one source (a class 1
 * or 2), above it the members are catalogued as sources of their own.
 */
function drawAssociation(rng: Rng, config: SimulationConfig, pcPerPx: number): Morphology {
  const c3 = config.classes["3"];
  const n = rng.int(c3.members[0], c3.members[1]);
  const spreadPx = clamp(inRange(rng, c3.spread_pc) / 2 / pcPerPx, c3.spread_px);
  const memberTotal = inRange(rng, c3.member_flux_fraction);
  // Member fluxes: the two brightest comparable (two or more visible peaks), the rest a falling sequence.
  const raw = Array.from({ length: n }, (_, i) => (i < 2 ? rng.between(0.6, 1) : rng.between(0.1, 0.6)));
  const sum = raw.reduce((a, b) => a + b, 0);
  const positions = placeMembers(rng, n, spreadPx, c3.min_separation_px);
  const parts: Part[] = raw.map((r, i) => {
    // Members differ in colour (blue main-sequence stars, red supergiants): +-0.3 mag per band [U].
    const tilt = NO_TILT.map(() => 0.3 * rng.normal());
    const part: Part = { ...positions[i], share: (memberTotal * r) / sum, tilt };
    if (rng.uniform() < c3.clump_fraction)
      part.eff = { rEffPx: rng.between(0.5, 1), eta: 1.5, q: rng.between(0.6, 1), theta: rng.between(0, Math.PI) };
    return part;
  });
  const diffuse = {
    rEffPx: clamp(inRange(rng, c3.diffuse_r_eff_pc) / pcPerPx, c3.diffuse_r_eff_px),
    eta: 1.5,
    q: rng.between(0.5, 1),
    theta: rng.between(0, Math.PI),
  };
  parts.push({ dx: 0, dy: 0, share: 1 - memberTotal, tilt: NO_TILT, eff: diffuse });
  return { kind: "association", parts, spikes: false };
}

/**
 * Member positions: the first (brightest) within ~1 px of the catalog position (LEGUS positions are peaks), the
 * others Gaussian around it, each at least `minSep` px from the members placed before it (resolved peaks).
 */
function placeMembers(rng: Rng, n: number, spreadPx: number, minSep: number): { dx: number; dy: number }[] {
  const out = [polar(rng.between(0, 1), rng.between(0, 2 * Math.PI))];
  for (let i = 1; i < n; i++) {
    let p = { dx: spreadPx * rng.normal(), dy: spreadPx * rng.normal() };
    for (let tries = 0; tries < 20 && out.some((o) => Math.hypot(o.dx - p.dx, o.dy - p.dy) < minSep); tries++) {
      p = { dx: spreadPx * rng.normal(), dy: spreadPx * rng.normal() };
    }
    out.push(p);
  }
  return out;
}

/** Class 4: not a cluster (facts 3.4: foreground stars, blends, background galaxies, artifacts). */
function drawNotCluster(rng: Rng, config: SimulationConfig): Morphology {
  const c4 = config.classes["4"];
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
      const { dx, dy } = polar(sep / 2, rng.between(0, 2 * Math.PI));
      const tilt = NO_TILT.map(() => 0.4 * rng.normal());
      return {
        kind,
        parts: [
          { dx: -dx, dy: -dy, share: 1 / (1 + ratio), tilt: NO_TILT },
          { dx, dy, share: ratio / (1 + ratio), tilt },
        ],
        spikes: false,
      };
    }
    case "background_galaxy": {
      const eff = {
        rEffPx: inRange(rng, c4.galaxy_r_eff_px),
        eta: inRange(rng, c4.galaxy_eta),
        q: inRange(rng, c4.galaxy_q),
        theta: rng.between(0, Math.PI),
      };
      // Red whatever the catalog colour: an old, redshifted population, faint in the UV (facts 3.4).
      const red = inRange(rng, c4.galaxy_red_mag);
      const colour = REDNESS.map((w) => red * w);
      return { kind, parts: [{ dx: 0, dy: 0, share: 1, tilt: NO_TILT, eff }], spikes: false, colour };
    }
    case "cosmic_ray": {
      const cosmicRay = {
        band: rng.int(0, 4),
        dx: rng.between(-2, 2),
        dy: rng.between(-2, 2),
        length: inRange(rng, c4.cosmic_ray_length_px),
        angle: rng.between(0, Math.PI),
        peak: inRange(rng, c4.cosmic_ray_peak_e_s),
      };
      return { kind, parts: [star], spikes: false, cosmicRay };
    }
  }
}

const single = (kind: string, eff?: Part["eff"]): Morphology => ({
  kind,
  parts: [{ dx: 0, dy: 0, share: 1, tilt: NO_TILT, eff }],
  spikes: false,
});

/** Draws the morphology of a source (deterministic for seed, field and source index). */
export function drawMorphology(
  source: SimSource,
  config: SimulationConfig,
  pcPerPx: number,
  seed: number,
  fieldIndex: number,
): Morphology {
  const rng = stream(seed, fieldIndex, STREAM.morphology, source.index);
  const cls = config.classes;
  switch (source.truth) {
    case null:
      if (rng.uniform() < cls.unclassified.point_fraction) return single("neighbour star");
      return single("neighbour cluster", drawCluster(rng, config, pcPerPx, cls["1"].q));
    case 1:
      return single("cluster", drawCluster(rng, config, pcPerPx, cls["1"].q));
    case 2:
      return drawAsymmetric(rng, config, pcPerPx);
    case 3:
      return drawAssociation(rng, config, pcPerPx);
    default:
      return drawNotCluster(rng, config);
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
export function sourceComponents(
  source: SimSource,
  morph: Morphology,
  band: number,
  filter: string,
  config: SimulationConfig,
  saturationRate: number,
): Gaussian[] {
  const psf = filterPsf(config, filter);
  const rate = magToRate(config, filter, source.renderMag[band] + (morph.colour?.[band] ?? 0));
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
    out.push(
      ...convolveSource(x0 + p.dx, y0 + p.dy, flux, effMixture(p.eff.eta, trunc / a), a, p.eff.q, p.eff.theta, psf),
    );
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
      out.push({
        x: x0,
        y: y0,
        cxx: a2 * c * c + b2 * s * s,
        cyy: a2 * s * s + b2 * c * c,
        cxy: (a2 - b2) * c * s,
        flux: (rate * c4.spike_flux_fraction) / 2,
      });
    }
  }
  // A cosmic-ray-like hit: sharp (not PSF-convolved) pixels along a short track, in one band only.
  const cr = morph.cosmicRay;
  if (cr && cr.band === band) {
    const steps = Math.max(1, Math.round(cr.length));
    for (let k = 0; k < steps; k++) {
      const d = k - (steps - 1) / 2;
      out.push({
        x: x0 + cr.dx + d * Math.cos(cr.angle),
        y: y0 + cr.dy + d * Math.sin(cr.angle),
        cxx: 0.12,
        cyy: 0.12,
        cxy: 0,
        flux: cr.peak * 2 * Math.PI * 0.12,
      });
    }
  }
  return out;
}
