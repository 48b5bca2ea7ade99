// What the data notebook (01-data.ipynb) shows: class counts per field (paper vs simulated) and small
// rendered stamps per class. Stamps are rendered on demand from a field plan (no files needed); their noise
// differs from the written mosaic's at the same place, their physics does not.
import { BANDS, CLASSES, ClusterClass } from "../catalog/record";
import { loadSimulationConfig, Scale, SimulationConfig } from "./config";
import { cropPlan, FieldPlan, paperClassCounts, paperFieldNames, planField, SimSource } from "./field";
import { planMorphologies, renderBand } from "./render";

export interface CountRow {
  field: string;
  distance_mpc: number;
  origin: "real" | "synthetic";
  paper: number[];
  labels: number[];
  truths: number[];
}

/** Per field: the paper's class counts (Tables 1-2), the simulated human labels and the rendered truths. */
export function classCountsTable(scale: Scale = "default", seed = 0): CountRow[] {
  const config = loadSimulationConfig();
  return paperFieldNames().map((field) => {
    const plan = planField(field, config, config.scales[scale], seed);
    const count = (key: "label" | "truth") => CLASSES.map((c) => plan.sources.filter((s) => s[key] === c).length);
    return {
      field,
      distance_mpc: plan.distanceMpc,
      origin: plan.origin,
      paper: paperClassCounts(field),
      labels: count("label"),
      truths: count("truth"),
    };
  });
}

/** A five-band stamp as a gallery shows it (lib/plot/stamps.ts galleryFigure), with its panel title. */
export interface GalleryStamp {
  title: string;
  size: number;
  /** Five bands in the order F275W, F336W, F438W, F555W, F814W. */
  bands: Float32Array[];
}

/** A simulated source's stamp with what the simulator knows about it (label, truth, morphology kind). */
export interface SimulatedStamp {
  field: string;
  id: string;
  label: ClusterClass;
  truth: ClusterClass;
  kind: string;
  size: number;
  /** One image per band (F275W, F336W, F438W|F435W, F555W|F606W, F814W), e-/s, row-major. */
  bands: Float32Array[];
}

/** The first `perClass` sources of each human class in a field, rendered as size x size stamps in five bands. */
/** One source's five-band stamp rendered from its field's plan (its scene and neighbours; a fresh noise draw), and its kind. */
export function renderSourceStamp(
  plan: FieldPlan,
  source: SimSource,
  config: SimulationConfig,
  size: number,
  seed: number,
): { kind: string; bands: Float32Array[] } {
  const crop = cropPlan(plan, source.origX, source.origY, size);
  const morphs = planMorphologies(crop, config, seed);
  const kind = morphs[crop.sources.findIndex((c) => c.index === source.index)].kind;
  return { kind, bands: BANDS.map((_, b) => renderBand(crop, b, morphs, config, { seed }).data) };
}

export function stampGallery(
  field: string,
  perClass = 4,
  options: { size?: number; seed?: number } = {},
): SimulatedStamp[] {
  const config = loadSimulationConfig();
  const size = options.size ?? 50;
  const seed = options.seed ?? 0;
  const plan = planField(field, config, config.scales.default, seed);
  const stamps: SimulatedStamp[] = [];
  for (const cls of CLASSES) {
    for (const s of plan.sources.filter((x) => x.label === cls).slice(0, perClass)) {
      const { kind, bands } = renderSourceStamp(plan, s, config, size, seed);
      stamps.push({ field, id: s.record.id, label: cls, truth: s.truth!, kind, size, bands });
    }
  }
  return stamps;
}
