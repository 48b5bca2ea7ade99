// Field plans: which sources a simulated field holds, where they sit on the mosaic, what is rendered for each,
// and which labels the catalog carries. Real-catalog fields keep their real positions, magnitudes, coverage
// flags and human classes; the other fields (NGC3627, NGC5457C, NGC6744N and NGC1559) draw sources from the
// pooled real catalogs with exactly the class counts of Tables 1-2, moved to the field's distance.
import { readLegusCatalog } from "../catalog/legus";
import { legusCatalogPath, paperFields } from "../catalog/fields";
import { BANDS, ClusterClass, PixelRecord, pixelRecords } from "../catalog/record";
import { dataPath } from "../util/paths";
import * as fs from "node:fs";
import { AnnotatorModel, annotatorModel, drawSecondLabel, drawTruth } from "./annotator";
import { cropSide, fieldFilters, ScaleSpec, SimulationConfig } from "./config";
import { buildFootprint, Footprint, Point } from "./footprint";
import { AxisMap, axisLength, compactAxis, cropAxis, toMosaic } from "./layout";
import { Rng, stream, STREAM } from "./rng";

export interface SimSource {
  /** Stable index within the field: the key of every random stream that belongs to this source. */
  index: number;
  /** Catalog record as written to the .tab (x, y on the mosaic). */
  record: PixelRecord;
  /** Position in the original frame (real LEGUS mosaic, or the synthetic field's own frame). */
  origX: number;
  origY: number;
  /** Human label written in the catalog (null: unclassified neighbour). */
  label: ClusterClass | null;
  /** Class whose morphology is rendered (null: unclassified neighbour, see morphology.ts). */
  truth: ClusterClass | null;
  /** A second classifier's label (annotator model), for the human-agreement experiment. */
  second: ClusterClass | null;
  /** Magnitude rendered in each band: the catalog's, or a faint one for 99.999 and 66.666 bands. */
  renderMag: number[];
  /** Where the synthetic source was drawn from ("FIELD:id"); undefined for real sources. */
  donor?: string;
}

export interface FieldPlan {
  name: string;
  /** Index of the field in paperFieldNames(): part of every random stream of this field. */
  fieldIndex: number;
  distanceMpc: number;
  pcPerPx: number;
  origin: "real" | "synthetic";
  filters: string[];
  xMap: AxisMap;
  yMap: AxisMap;
  width: number;
  height: number;
  footprints: Footprint[];
  /** Galaxy centre in the original frame. */
  centre: [number, number];
  sources: SimSource[];
  /** Column of the visual class in the written .tab (the real catalog's, or 34). */
  classColumn: number;
}

/** The paper's eleven fields, Table 1 then Table 2, in a fixed order (the field index of random streams). */
export function paperFieldNames(): string[] {
  return Object.keys(paperFields());
}

/** Class counts of Tables 1-2 for a field, from data/paper-results.json. */
export function paperClassCounts(field: string): number[] {
  const results = JSON.parse(fs.readFileSync(dataPath("paper-results.json"), "utf8"));
  const row = results.table1.fields[field] ?? results.table2.fields[field];
  if (!row) throw new Error(`no Table 1 or 2 counts for field ${field}`);
  return row.slice(1, 5);
}

interface RealCatalogs {
  byField: Map<string, PixelRecord[]>;
  /** Faint limit per band: 98th percentile of detected magnitudes over all real catalogs. */
  faintLimit: number[];
  /** Bounding box of classified sources per field (for normalised positions of donors). */
  box: Map<string, [number, number, number, number]>;
}

// The shipped LEGUS catalogs' sources by field, read once per process (one value; data/catalogs does not change).
let realCache: RealCatalogs | undefined;

export function realCatalogs(): RealCatalogs {
  if (realCache) return realCache;
  const byField = new Map<string, PixelRecord[]>();
  const box = new Map<string, [number, number, number, number]>();
  for (const field of paperFieldNames()) {
    const file = legusCatalogPath(field);
    if (!file) continue;
    const records = pixelRecords(readLegusCatalog(file));
    byField.set(field, records);
    const cls = records.filter((r) => r.class !== null);
    box.set(field, [
      Math.min(...cls.map((r) => r.x)),
      Math.max(...cls.map((r) => r.x)),
      Math.min(...cls.map((r) => r.y)),
      Math.max(...cls.map((r) => r.y)),
    ]);
  }
  const faintLimit = BANDS.map((_, b) => {
    const mags = [...byField.values()]
      .flat()
      .flatMap((r) => (r.mag[b] === null ? [] : [r.mag[b] as number]))
      .sort((a, c) => a - c);
    return mags[Math.floor(0.98 * (mags.length - 1))];
  });
  realCache = { byField, faintLimit, box };
  return realCache;
}

function renderMagnitudes(
  record: PixelRecord,
  config: SimulationConfig,
  limits: number[],
  seed: number,
  fieldIndex: number,
  index: number,
): number[] {
  const rng = stream(seed, fieldIndex, STREAM.magnitude, index);
  const [lo, hi] = config.undetected.fainter_than_limit_mag;
  return record.mag.map((m, b) => (m === null ? limits[b] + rng.between(lo, hi) : m));
}

const V_BAND = 3;

// The calibrated annotator, made once per process, configuration, scale and seed.
let annotatorCache: { key: string; model: AnnotatorModel } | undefined;

/**
 * The annotator calibrated over the classified sources of the Table 1 fields (the training set, whose labels the
 * paper's 66/37/40/61 per cent describe) at the V magnitudes they are rendered with.
 */
export function calibratedAnnotator(config: SimulationConfig, scale: ScaleSpec, seed: number): AnnotatorModel {
  const key = JSON.stringify([config, scale, seed]);
  if (annotatorCache?.key === key) return annotatorCache.model;
  const table1 = paperFieldNames().filter((f) => paperFields()[f].table === 1);
  const sources = table1
    .flatMap((f) => fieldSources(f, config, scale, seed).sources)
    .flatMap((s) => (s.label === null ? [] : [{ label: s.label, v: s.renderMag[V_BAND] }]));
  const model = annotatorModel(config.annotator, sources);
  annotatorCache = { key, model };
  return model;
}

function attachLabels(sources: SimSource[], model: AnnotatorModel, seed: number, fieldIndex: number): void {
  for (const s of sources) {
    if (s.label === null) continue;
    const v = s.renderMag[V_BAND];
    s.truth = drawTruth(model, s.label, v, stream(seed, fieldIndex, STREAM.truth, s.index)) as ClusterClass;
    s.second = drawSecondLabel(model, s.truth, v, stream(seed, fieldIndex, STREAM.annotator, s.index)) as ClusterClass;
  }
}

/**
 * A position near (x, y), scattered by half the mean spacing and at least `minSep` px from every source placed
 * before (real catalogs have no two sources closer than their detection could separate: section 3 of the README).
 */
function placeApart(
  rng: Rng,
  placed: { x: number; y: number }[],
  x: number,
  y: number,
  o: { inner: number; margin: number; spacing: number; minSep: number },
): { x: number; y: number } {
  const lo = o.margin + 1,
    hi = o.margin + o.inner;
  const clampIn = (c: number) => Math.min(hi, Math.max(lo, c));
  let p = { x: clampIn(x + 0.5 * o.spacing * rng.normal()), y: clampIn(y + 0.5 * o.spacing * rng.normal()) };
  for (let tries = 0; tries < 100 && placed.some((q) => Math.hypot(q.x - p.x, q.y - p.y) < o.minSep); tries++) {
    p = { x: clampIn(x + o.spacing * rng.normal()), y: clampIn(y + o.spacing * rng.normal()) };
  }
  return p;
}

type Donor = { field: string; r: PixelRecord };

/** The real catalogs' records pooled by class (null: unclassified), in field and catalog order. */
function donorPools(byField: Map<string, PixelRecord[]>): Map<ClusterClass | null, Donor[]> {
  const pools = new Map<ClusterClass | null, Donor[]>();
  for (const [f, records] of byField)
    for (const r of records) {
      const list = pools.get(r.class) ?? [];
      list.push({ field: f, r });
      pools.set(r.class, list);
    }
  return pools;
}

/**
 * A donor of class `cls` and its magnitude shift to `distance`. Classified sources must stay bright enough to have
 * been selected at this distance: faint ones are redrawn (up to 50 times).
 */
function drawDonor(rng: Rng, pool: Donor[], cls: ClusterClass | null, distance: number, limitV: number) {
  let donor = pool[rng.int(0, pool.length - 1)];
  let shift = 5 * Math.log10(distance / paperFields()[donor.field].distance_mpc);
  for (let tries = 0; cls !== null && tries < 50; tries++) {
    const v = donor.r.mag[V_BAND];
    if (v !== null && v + shift <= limitV) break;
    donor = pool[rng.int(0, pool.length - 1)];
    shift = 5 * Math.log10(distance / paperFields()[donor.field].distance_mpc);
  }
  return { donor, shift };
}

/** The donor's record moved to this field: source `index`, class `cls`, magnitudes shifted, errors grown with them. */
function donatedRecord(donor: Donor, shift: number, field: string, index: number, cls: ClusterClass | null) {
  return {
    ...donor.r,
    field,
    id: String(index + 1),
    mag: donor.r.mag.map((m) => (m === null ? null : m + shift)),
    magErr: donor.r.magErr.map((e) => (e === null ? null : Math.min(1, e * Math.pow(10, 0.4 * shift)))),
    class: cls,
    rawClass: cls === null ? "0" : String(cls),
    // Named columns (CI, SED fit) are the donor's; its catalog-specific columns 34+ are not carried over.
    extra: Object.fromEntries(Object.entries(donor.r.extra).filter(([k]) => !/^col\d+$/.test(k))),
    source: { file: "", line: 0 },
  } satisfies PixelRecord;
}

/** Draws a synthetic field's sources from the pooled real catalogs (positions in the field's own frame). */
function syntheticSources(
  field: string,
  distance: number,
  config: SimulationConfig,
  scale: ScaleSpec,
  seed: number,
  fieldIndex: number,
): { sources: SimSource[]; side: number } {
  const real = realCatalogs();
  const sf = config.synthetic_fields;
  const counts = paperClassCounts(field);
  const nClassified = counts.reduce((a, b) => a + b, 0);
  const density =
    sf.reference_density_per_mpx * (distance / sf.reference_distance_mpc) ** 2 * (scale.synthetic_density_factor ?? 1);
  const margin = config.mosaic.margin_px;
  const inner = Math.ceil(Math.sqrt((nClassified / density) * 1e6));
  const side = inner + 2 * margin;
  const pools = donorPools(real.byField);
  const wanted: (ClusterClass | null)[] = [];
  counts.forEach((n, k) => wanted.push(...Array<ClusterClass>(n).fill((k + 1) as ClusterClass)));
  wanted.push(...Array<null>(Math.round(nClassified * sf.unclassified_per_classified)).fill(null));
  const sources: SimSource[] = [];
  const placed: { x: number; y: number }[] = [];
  // Mean distance between sources: the scatter around a donor's place keeps the galaxy's large-scale layout
  // without stacking donors drawn twice (or from the same spot of different fields) on one pixel.
  const spacing = inner / Math.sqrt(wanted.length);
  wanted.forEach((cls, index) => {
    const rng = stream(seed, fieldIndex, STREAM.layout, index);
    const { donor, shift } = drawDonor(rng, pools.get(cls)!, cls, distance, sf.magnitude_limit_v);
    const [x0, x1, y0, y1] = real.box.get(donor.field)!;
    const u = Math.min(1, Math.max(0, (donor.r.x - x0) / Math.max(1, x1 - x0)));
    const v = Math.min(1, Math.max(0, (donor.r.y - y0) / Math.max(1, y1 - y0)));
    const { x: origX, y: origY } = placeApart(rng, placed, margin + 1 + u * (inner - 1), margin + 1 + v * (inner - 1), {
      inner,
      margin,
      spacing,
      minSep: sf.min_separation_px,
    });
    placed.push({ x: origX, y: origY });
    sources.push({
      index,
      record: donatedRecord(donor, shift, field, index, cls),
      origX,
      origY,
      label: cls,
      truth: null,
      second: null,
      renderMag: [],
      donor: `${donor.field}:${donor.r.id}`,
    });
  });
  return { sources, side };
}

/** The window of `size` pixels that holds the most classified sources (searched on a 64-px grid). */
function densestWindow(sources: SimSource[], size: number): [number, number] {
  const cls = sources.filter((s) => s.label !== null);
  let best: [number, number] = [1, 1];
  let bestCount = -1;
  const xs = cls.map((s) => s.origX);
  const ys = cls.map((s) => s.origY);
  for (let x = Math.floor(Math.min(...xs) / 64) * 64; x <= Math.max(...xs); x += 64) {
    for (let y = Math.floor(Math.min(...ys) / 64) * 64; y <= Math.max(...ys); y += 64) {
      let n = 0;
      for (const s of cls)
        if (s.origX >= x + 24 && s.origX < x + size - 24 && s.origY >= y + 24 && s.origY < y + size - 24) n++;
      if (n > bestCount) [best, bestCount] = [[x, y], n];
    }
  }
  return best;
}

/** A field's sources with their rendered magnitudes, before labels: real positions, or drawn for a synthetic field. */
function fieldSources(field: string, config: SimulationConfig, scale: ScaleSpec, seed: number) {
  const info = paperFields()[field];
  if (!info) throw new Error(`unknown field ${field}; the paper's fields are ${paperFieldNames().join(", ")}`);
  const fieldIndex = paperFieldNames().indexOf(field);
  const real = realCatalogs();
  const records = real.byField.get(field);
  const { sources, side } = records
    ? { sources: realSources(records), side: 0 }
    : syntheticSources(field, info.distance_mpc, config, scale, seed, fieldIndex);
  for (const s of sources) s.renderMag = renderMagnitudes(s.record, config, real.faintLimit, seed, fieldIndex, s.index);
  return { info, fieldIndex, records, sources, side };
}

/** Plans one field: its sources, their labels and truths, and the mosaic layout for a scale. */
export function planField(field: string, config: SimulationConfig, scale: ScaleSpec, seed: number): FieldPlan {
  const { info, fieldIndex, records, sources, side } = fieldSources(field, config, scale, seed);
  attachLabels(sources, calibratedAnnotator(config, scale, seed), seed, fieldIndex);
  const { xMap, yMap } = fieldLayout(sources, config, scale, field, side);
  const [width, height] = [axisLength(xMap), axisLength(yMap)];
  const kept = onMosaic(sources, xMap, yMap, width, height);
  const centre: [number, number] = [
    sources.reduce((a, s) => a + s.origX, 0) / sources.length,
    sources.reduce((a, s) => a + s.origY, 0) / sources.length,
  ];
  return {
    name: field,
    fieldIndex,
    distanceMpc: info.distance_mpc,
    pcPerPx: config.pc_per_px_per_mpc * info.distance_mpc,
    origin: records ? "real" : "synthetic",
    filters: fieldFilters(config, field),
    xMap,
    yMap,
    width,
    height,
    footprints: fieldFootprints(sources, config.mosaic.margin_px),
    centre,
    sources: kept,
    classColumn: info.class_column ?? 34,
  };
}

/** A real field's catalog as it is: real positions, magnitudes and human classes. */
function realSources(records: PixelRecord[]): SimSource[] {
  return records.map((r, index) => ({
    index,
    record: r,
    origX: r.x,
    origY: r.y,
    label: r.class,
    truth: null,
    second: null,
    renderMag: [],
  }));
}

/**
 * The mosaic's axes: a crop around the densest window, the compacted classified sources, a synthetic field's own
 * square (`side`), or the bounding box of the classified sources plus the margin.
 */
function fieldLayout(
  sources: SimSource[],
  config: SimulationConfig,
  scale: ScaleSpec,
  field: string,
  side: number,
): { xMap: AxisMap; yMap: AxisMap } {
  const margin = config.mosaic.margin_px;
  const classified = sources.filter((s) => s.label !== null);
  const crop = cropSide(scale, field);
  if (crop) {
    const [x0, y0] = densestWindow(sources, crop);
    return { xMap: cropAxis(x0, crop), yMap: cropAxis(y0, crop) };
  }
  if (scale.compact) {
    return {
      xMap: compactAxis(
        classified.map((s) => s.origX),
        margin,
      ),
      yMap: compactAxis(
        classified.map((s) => s.origY),
        margin,
      ),
    };
  }
  if (side) return { xMap: cropAxis(1, side), yMap: cropAxis(1, side) };
  const box = (v: number[]) =>
    cropAxis(Math.max(1, Math.floor(Math.min(...v) - margin)), Math.ceil(Math.max(...v) - Math.min(...v) + 2 * margin));
  return { xMap: box(classified.map((s) => s.origX)), yMap: box(classified.map((s) => s.origY)) };
}

/** Each band's observed area, from where its sources are and are not covered (original frame). */
function fieldFootprints(sources: SimSource[], margin: number): Footprint[] {
  return BANDS.map((_, b) => {
    const observed: Point[] = sources.filter((s) => s.record.coverage[b] !== "outside").map((s) => [s.origX, s.origY]);
    const outside: Point[] = sources.filter((s) => s.record.coverage[b] === "outside").map((s) => [s.origX, s.origY]);
    return buildFootprint(observed, outside, 2 * margin);
  });
}

/** The sources that land on the mosaic, their records moved to mosaic pixels. */
function onMosaic(sources: SimSource[], xMap: AxisMap, yMap: AxisMap, width: number, height: number): SimSource[] {
  const kept: SimSource[] = [];
  for (const s of sources) {
    const x = toMosaic(xMap, s.origX);
    const y = toMosaic(yMap, s.origY);
    if (x === undefined || y === undefined || x < 0.5 || y < 0.5 || x > width + 0.5 || y > height + 0.5) continue;
    s.record = { ...s.record, x, y };
    kept.push(s);
  }
  return kept;
}

/**
 * The part of a plan inside a square of `size` pixels centred on an original-frame position: same sources,
 * footprints and galaxy, an offset-only layout. Used for stamp galleries and small test renders; its noise
 * differs from the full mosaic's at the same place (noise streams are keyed by mosaic row).
 */
export function cropPlan(plan: FieldPlan, origX: number, origY: number, size: number): FieldPlan {
  const xMap = cropAxis(Math.round(origX) - Math.floor(size / 2), size);
  const yMap = cropAxis(Math.round(origY) - Math.floor(size / 2), size);
  const reach = size / 2 + 40;
  const sources = plan.sources
    .filter((s) => Math.abs(s.origX - origX) < reach && Math.abs(s.origY - origY) < reach)
    .map((s) => ({ ...s, record: { ...s.record, x: s.origX - xMap[0].orig + 1, y: s.origY - yMap[0].orig + 1 } }));
  return { ...plan, xMap, yMap, width: size, height: size, sources };
}

export interface TestSource {
  x: number;
  y: number;
  /** Magnitude per band (BANDS order). */
  mag: number[];
  truth: ClusterClass | null;
}

/**
 * A plan with hand-placed sources on an empty field (no galaxy light unless rendered with it, full footprints):
 * for physics tests and examples. `field` picks the filter set and galaxy parameters; distance may be overridden.
 */
export function isolatedPlan(
  field: string,
  config: SimulationConfig,
  width: number,
  height: number,
  sources: TestSource[],
  distanceMpc?: number,
): FieldPlan {
  const info = paperFields()[field];
  const distance = distanceMpc ?? info.distance_mpc;
  const sims: SimSource[] = sources.map((t, index) => ({
    index,
    record: {
      field,
      id: String(index + 1),
      x: t.x,
      y: t.y,
      mag: [...t.mag],
      magErr: t.mag.map(() => 0.01),
      coverage: t.mag.map(() => "detected" as const),
      detectedBands: 5,
      class: t.truth,
      rawClass: String(t.truth ?? 0),
      extra: {},
      source: { file: "", line: 0 },
    },
    origX: t.x,
    origY: t.y,
    label: t.truth,
    truth: t.truth,
    second: t.truth,
    renderMag: [...t.mag],
  }));
  return {
    name: field,
    fieldIndex: paperFieldNames().indexOf(field),
    distanceMpc: distance,
    pcPerPx: config.pc_per_px_per_mpc * distance,
    origin: "synthetic",
    filters: fieldFilters(config, field),
    xMap: cropAxis(1, width),
    yMap: cropAxis(1, height),
    width,
    height,
    footprints: BANDS.map(() => buildFootprint([], [], 0)),
    centre: [width / 2, height / 2],
    sources: sims,
    classColumn: 34,
  };
}
