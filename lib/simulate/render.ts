// Renders one band of a field into a Float32Array (e-/s per pixel, row-major, row 0 = FITS row 1), strip by
// strip. Every pixel's value is the same whatever the strip height: sources are added in the same order,
// galaxy light comes from a grid fixed in mosaic coordinates, and noise comes from one random stream per row.
import { filterPsf, SimulationConfig, skySigma } from "./config";
import { FieldPlan } from "./field";
import { covered, Footprint } from "./footprint";
import { galaxyModel } from "./galaxy";
import { toOriginal } from "./layout";
import { drawMorphology, Morphology, sourceComponents } from "./morphology";
import { NoiseModel, noiseModel } from "./noise";
import { addGaussian, componentBox, Gaussian } from "./profiles";
import { stream, STREAM } from "./rng";

export interface RenderOptions {
  seed: number;
  /** Rows per strip (memory and progress granularity); does not change the result. */
  stripRows?: number;
  /** Leave out noise (tests of the noiseless model). */
  noiseless?: boolean;
  /** Leave out the diffuse galaxy light (tests on isolated sources). */
  noGalaxy?: boolean;
  onRows?: (rowsDone: number) => void;
}

export interface BandRender {
  data: Float32Array;
  /** Pixels whose expected rate reached the full well of an exposure. */
  saturatedPixels: number;
}

/** Morphologies of all sources of a plan (band-independent; draw once, render five bands). */
export function planMorphologies(plan: FieldPlan, config: SimulationConfig, seed: number): Morphology[] {
  return plan.sources.map((s) => drawMorphology(s, config, plan.pcPerPx, seed, plan.fieldIndex));
}

/**
 * Footprint mask of one row. The footprint is evaluated exactly on a coarse grid of nodes; a pixel takes its
 * cell's value when the cell's four corners agree and no hole reaches the cell, and is evaluated exactly otherwise.
 */
function footprintSampler(fp: Footprint, plan: FieldPlan, step: number): (y: number, out: Uint8Array) => void {
  if (fp.everywhere) return (_y, out) => out.fill(1);
  const nodes = new Map<number, Uint8Array>();
  const nodeRow = (j: number): Uint8Array => {
    let row = nodes.get(j);
    if (!row) {
      const oy = toOriginal(plan.yMap, j * step + 1);
      row = new Uint8Array(Math.ceil((plan.width - 1) / step) + 2);
      for (let i = 0; i < row.length; i++) row[i] = covered(fp, toOriginal(plan.xMap, i * step + 1), oy) ? 1 : 0;
      nodes.delete(j - 2);
      nodes.set(j, row);
    }
    return row;
  };
  return (y, out) => {
    const j = Math.floor(y / step);
    const [a, b] = [nodeRow(j), nodeRow(j + 1)];
    const oy = toOriginal(plan.yMap, y + 1);
    const holesHere = fp.holes.filter((h) => Math.abs(h.y - oy) < h.r + 2 * step);
    for (let i = 0; i * step < plan.width; i++) {
      const corners = a[i] + a[i + 1] + b[i] + b[i + 1];
      const x0 = i * step;
      const x1 = Math.min(plan.width, x0 + step);
      const ox = toOriginal(plan.xMap, x0 + 1);
      const nearHole = holesHere.some((h) => Math.abs(h.x - ox) < h.r + 2 * step);
      if ((corners === 0 || corners === 4) && !nearHole) out.fill(corners ? 1 : 0, x0, x1);
      else for (let x = x0; x < x1; x++) out[x] = covered(fp, toOriginal(plan.xMap, x + 1), oy) ? 1 : 0;
    }
  };
}

/** One band of a plan: the sources' light, the galaxy's, the footprint and the noise, strip by strip. */
export function renderBand(
  plan: FieldPlan,
  band: number,
  morphologies: Morphology[],
  config: SimulationConfig,
  options: RenderOptions,
): BandRender {
  const filter = plan.filters[band];
  const noise = noiseModel(config.filters[filter]);
  const { width, height } = plan;
  const stripRows = options.stripRows ?? 256;
  filterPsf(config, filter);
  const comps = sourceComponentBoxes(plan, band, morphologies, config, noise.saturationRate);
  const step = config.galaxy_light.grid_step_px;
  const scene: BandScene = {
    plan,
    band,
    noise,
    options,
    step,
    gridRow: galaxyGrid(plan, config, filter, options),
    footprintRow: footprintSampler(plan.footprints[band], plan, step),
  };
  const data = new Float32Array(width * height);
  let saturatedPixels = 0;
  for (let rowStart = 0; rowStart < height; rowStart += stripRows) {
    const rows = Math.min(stripRows, height - rowStart);
    const strip = data.subarray(rowStart * width, (rowStart + rows) * width);
    for (const c of comps) {
      if (c.box.y1 < rowStart || c.box.y0 >= rowStart + rows) continue;
      addGaussian(strip, width, rowStart, rows, c.g, c.box);
    }
    saturatedPixels += observeStrip(strip, rowStart, rows, scene);
    options.onRows?.(rowStart + rows);
  }
  return { data, saturatedPixels };
}

/** Components of every source in one band, each with the box where it rises above 1% of the sky noise. */
function sourceComponentBoxes(
  plan: FieldPlan,
  band: number,
  morphologies: Morphology[],
  config: SimulationConfig,
  saturationRate: number,
): { g: Gaussian; box: ReturnType<typeof componentBox> }[] {
  const filter = plan.filters[band];
  const floor = 0.01 * skySigma(config.filters[filter]);
  const comps: { g: Gaussian; box: ReturnType<typeof componentBox> }[] = [];
  plan.sources.forEach((s, i) => {
    for (const g of sourceComponents(s, morphologies[i], band, filter, config, saturationRate)) {
      comps.push({ g, box: componentBox(g, floor, 80) });
    }
  });
  return comps;
}

/** Galaxy light on a coarse grid in mosaic coordinates (fixed, so strips agree at their edges): row j of nodes. */
function galaxyGrid(
  plan: FieldPlan,
  config: SimulationConfig,
  filter: string,
  options: RenderOptions,
): (j: number) => Float64Array {
  const galaxySpec = config.fields[plan.name].galaxy;
  const galaxy = options.noGalaxy
    ? undefined
    : galaxyModel(config, galaxySpec, filter, plan.centre, plan.pcPerPx, options.seed, plan.fieldIndex);
  const step = config.galaxy_light.grid_step_px;
  const gridW = Math.ceil((plan.width - 1) / step) + 2;
  return (j) => {
    const row = new Float64Array(gridW);
    const oy = toOriginal(plan.yMap, j * step + 1);
    for (let i = 0; i < gridW; i++) row[i] = galaxy ? galaxy.rate(toOriginal(plan.xMap, i * step + 1), oy) : 0;
    return row;
  };
}

interface BandScene {
  plan: FieldPlan;
  band: number;
  noise: NoiseModel;
  options: RenderOptions;
  /** Galaxy grid step (px). */
  step: number;
  gridRow: (j: number) => Float64Array;
  footprintRow: (y: number, out: Uint8Array) => void;
}

/**
 * Adds the galaxy light (bilinear between grid nodes) to a strip holding the sources' light, then observes each
 * pixel inside the footprint (noise from one stream per row) and zeroes those outside. Returns the pixels whose
 * expected rate reached saturation.
 */
function observeStrip(strip: Float32Array, rowStart: number, rows: number, scene: BandScene): number {
  const { plan, band, noise, options, step, gridRow, footprintRow } = scene;
  const width = plan.width;
  const mask = new Uint8Array(width);
  let saturatedPixels = 0;
  let gj = -1;
  let g0 = gridRow(0);
  let g1 = g0;
  for (let r = 0; r < rows; r++) {
    const y = rowStart + r;
    const j = Math.floor(y / step);
    if (j !== gj) {
      [g0, g1, gj] = [gridRow(j), gridRow(j + 1), j];
    }
    const fy = (y - j * step) / step;
    footprintRow(y, mask);
    const rng = stream(options.seed, plan.fieldIndex, STREAM.noise, band, y);
    const base = r * width;
    for (let x = 0; x < width; x++) {
      const i = Math.floor(x / step);
      const fx = (x - i * step) / step;
      const gal = (g0[i] * (1 - fx) + g0[i + 1] * fx) * (1 - fy) + (g1[i] * (1 - fx) + g1[i + 1] * fx) * fy;
      const rate = strip[base + x] + gal;
      if (rate >= noise.saturationRate) saturatedPixels++;
      if (!mask[x]) strip[base + x] = 0;
      else strip[base + x] = options.noiseless ? Math.min(rate, noise.saturationRate) : noise.observe(rate, rng);
    }
  }
  return saturatedPixels;
}
