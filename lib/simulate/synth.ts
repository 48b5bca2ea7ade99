// `starcluster synth`: renders the paper's fields at a scale into a data folder:
//   OUT/manifest.json                 what was made: fields, files, layouts, class counts, seed, scale
//   OUT/<FIELD>/hlsp_legus_hst_sim_<field>_<filter>_drc.fits     five mosaics (e-/s)
//   OUT/<FIELD>/hlsp_legus_hst_sim_<field>_multiband_sim.tab     catalog in the LEGUS layout (human labels)
//   OUT/<FIELD>/truth.csv             per source: label, rendered truth, second classifier, morphology, origin
// Every file is written atomically; the manifest last, so a folder with a manifest is complete.
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { formatLegusCatalog } from "../catalog/legus-write";
import { writeFits } from "../io/fits";
import { CLASSES } from "../catalog/record";
import { writeFileAtomic } from "../util/atomic";
import { filterName, loadSimulationConfig, Scale, SimulationConfig } from "./config";
import { FieldPlan, paperFieldNames, planField } from "./field";
import { AxisMap } from "./layout";
import { fieldWcs, MosaicImage, mosaicImage, pixelToSky } from "./mosaic";
import { Morphology } from "./morphology";
import { Progress } from "../util/progress";
import { forEachAtMost } from "../util/pool";
import { planMorphologies, renderBand } from "./render";
import { isEmptyFolder, withOutputLock } from "../util/lock";

/** Writes one image as a FITS file (lib/io/fits); injected so that tests can capture images in memory. */
export type ImageWriter = (file: string, image: MosaicImage) => void;

/** Mosaics go to disk as single-image FITS files, written atomically by the project's FITS writer. */
export const writeMosaicFits: ImageWriter = (file, image) => writeFits(file, [image]);

export interface SynthOptions {
  out: string;
  scale: Scale;
  seed: number;
  fields?: string[];
  force?: boolean;
  writeImage: ImageWriter;
  progress?: (total: number) => Progress;
  config?: SimulationConfig;
}

export interface FieldManifest {
  field: string;
  distance_mpc: number;
  pc_per_px: number;
  origin: "real" | "synthetic";
  width: number;
  height: number;
  filters: string[];
  images: string[];
  catalog: string;
  class_column: number;
  truth: string;
  /** Mosaic pixel <-> original frame, per axis (see lib/simulate/layout.ts). */
  x_segments: AxisMap;
  y_segments: AxisMap;
  sources: number;
  label_counts: number[];
  truth_counts: number[];
}

export interface SynthManifest {
  generator: "starcluster synth";
  scale: Scale;
  seed: number;
  fields: FieldManifest[];
  bytes: number;
  seconds: number;
}

export function fieldFileStem(field: string): string {
  // The LEGUS reader takes the field from "..._<galaxy>[-<part>]_multiband": NGC4395N -> ngc4395-n.
  return field.toLowerCase().replace(/^(ngc\d+)([a-z])$/, "$1-$2");
}

function counts(values: (number | null)[]): number[] {
  return CLASSES.map((c) => values.filter((v) => v === c).length);
}

function truthCsv(plan: FieldPlan, morphs: Morphology[]): string {
  const head = "id,x,y,orig_x,orig_y,label,truth,second_label,kind,donor";
  const rows = plan.sources.map((s, i) =>
    [
      s.record.id,
      s.record.x,
      s.record.y,
      s.origX,
      s.origY,
      s.label ?? 0,
      s.truth ?? 0,
      s.second ?? 0,
      morphs[i].kind,
      s.donor ?? "",
    ].join(","),
  );
  return [head, ...rows].join("\n") + "\n";
}

/** Checks the output folder: refuses a non-empty one without `force`; with it, removes what this run rewrites. */
function prepareOutput(out: string, fields: string[], force: boolean): void {
  if (!isEmptyFolder(out)) {
    if (!force) throw new Error(`${out} is not empty; pass --force to overwrite the simulated fields in it`);
    fs.rmSync(path.join(out, "manifest.json"), { force: true });
    for (const f of fields) fs.rmSync(path.join(out, f), { recursive: true, force: true });
  }
  fs.mkdirSync(out, { recursive: true });
}

/** Simulates into `options.out`, refusing a second writer on that folder. */
export function synthesize(options: SynthOptions): SynthManifest {
  return withOutputLock(options.out, "folder", "synth", () => {
    const job = startSynth(options);
    const written = job.plans.map((plan) => writeField(plan, job.config, options, job.rows, job.progress));
    return finishSynth(job, written);
  });
}

/**
 * As `synthesize`, with up to `jobs` fields rendered at once in worker threads (synth-worker.ts), each writing
 * its field's files as FITS. The bytes are the same as `synthesize`'s: every random stream is keyed by field,
 * band and row, never by rendering order.
 */
export async function synthesizeInWorkers(
  options: Omit<SynthOptions, "writeImage"> & { jobs: number },
): Promise<SynthManifest> {
  return withOutputLock(options.out, "folder", "synth", async () => {
    const job = startSynth(options);
    return finishSynth(job, await writeFieldsInWorkers(job, options.jobs));
  });
}

/** What a synth worker reports of the field it renders: rows so far (its five bands), or its files written. */
export type SynthWorkerMessage =
  | { kind: "rows"; done: number; label: string }
  | { kind: "written"; written: WrittenField };

/** What a synth worker is given once: everything but the field plans, which it is sent one at a time. */
export interface SynthWorkerData {
  out: string;
  scale: Scale;
  seed: number;
  config: SimulationConfig;
}

/** Hands the plans to `jobs` workers, the next plan to whichever is free; the written fields in plan order. */
async function writeFieldsInWorkers(job: SynthJob, jobs: number): Promise<WrittenField[]> {
  const { options, plans, progress } = job;
  const data: SynthWorkerData = { out: options.out, scale: options.scale, seed: options.seed, config: job.config };
  const written: WrittenField[] = new Array(plans.length);
  const rowsDone = new Array<number>(plans.length).fill(0);
  const onRows = (field: number, done: number, label: string) => {
    rowsDone[field] = done;
    progress?.update(
      rowsDone.reduce((a, b) => a + b, 0),
      label,
    );
  };
  const count = Math.min(Math.max(1, jobs), plans.length);
  const workers = Array.from(
    { length: count },
    () => new Worker(path.join(__dirname, "synth-worker.js"), { workerData: data }),
  );
  const free = [...workers];
  try {
    await forEachAtMost(plans, count, async (plan, field) => {
      const worker = free.pop()!;
      written[field] = await writeInWorker(worker, plan, (done, label) => onRows(field, done, label));
      free.push(worker);
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return written;
}

/** One field rendered and written by `worker`: its rows reported as they come, its files' entry at the end. */
function writeInWorker(
  worker: Worker,
  plan: FieldPlan,
  onRows: (done: number, label: string) => void,
): Promise<WrittenField> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: SynthWorkerMessage) => {
      if (m.kind === "rows") return onRows(m.done, m.label);
      settle();
      resolve(m.written);
    };
    const onError = (e: Error) => {
      settle();
      reject(e);
    };
    const onExit = (code: number) => {
      settle();
      reject(new Error(`a synth worker stopped (exit code ${code}) before ${plan.name} was written`));
    };
    const settle = () => worker.off("message", onMessage).off("error", onError).off("exit", onExit);
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    worker.postMessage(plan);
  });
}

/** A synth under way: what it renders, and where its progress goes. */
interface SynthJob {
  start: number;
  options: Omit<SynthOptions, "writeImage">;
  config: SimulationConfig;
  plans: FieldPlan[];
  rows: { before: number };
  progress?: Progress;
}

/** Checks the scale and fields, prepares the output folder and plans every field (the progress total). */
function startSynth(options: Omit<SynthOptions, "writeImage">): SynthJob {
  const start = Date.now();
  const config = options.config ?? loadSimulationConfig();
  const scale = config.scales[options.scale];
  if (!scale) throw new Error(`unknown scale '${options.scale}'`);
  const fields = chosenFields(options.fields, scale.fields);
  prepareOutput(options.out, fields, options.force ?? false);
  const plans = fields.map((f) => planField(f, config, scale, options.seed));
  const progress = options.progress?.(plans.reduce((a, p) => a + 5 * p.height, 0));
  return { start, options, config, plans, rows: { before: 0 }, progress };
}

/** Writes manifest.json last (its presence marks a complete folder) and returns the manifest. */
function finishSynth(job: SynthJob, written: WrittenField[]): SynthManifest {
  const { options, progress } = job;
  const result: SynthManifest = {
    generator: "starcluster synth",
    scale: options.scale,
    seed: options.seed,
    fields: written.map((w) => w.manifest),
    bytes: written.reduce((a, w) => a + w.bytes, 0),
    seconds: (Date.now() - job.start) / 1000,
  };
  // Time is the one thing that differs between identical runs: kept out of the manifest file for byte-identical output.
  writeFileAtomic(
    path.join(options.out, "manifest.json"),
    JSON.stringify({ ...result, seconds: undefined }, null, 1) + "\n",
  );
  progress?.finish(
    `synth ${options.scale}: ${result.fields.length} field(s), ${(result.bytes / 1e6).toFixed(0)} MB of pixels and catalogs`,
  );
  return result;
}

/** The fields asked for (default: the scale's, or all the paper's), checked against the paper's. */
function chosenFields(asked: string[] | undefined, scaleFields: string[] | undefined): string[] {
  const known = paperFieldNames();
  const fields = asked?.length ? asked : (scaleFields ?? known);
  const unknown = fields.filter((f) => !known.includes(f));
  if (unknown.length)
    throw new Error(`unknown field(s) ${unknown.join(", ")}; the paper's fields are ${known.join(", ")}`);
  return fields;
}

/** A field's manifest entry and the bytes of its files. */
export interface WrittenField {
  manifest: FieldManifest;
  bytes: number;
}

/** One field's folder: five mosaics, the catalog and truth.csv; returns its manifest entry and bytes written. */
export function writeField(
  plan: FieldPlan,
  config: SimulationConfig,
  options: Pick<SynthOptions, "out" | "scale" | "seed" | "writeImage">,
  rows: { before: number },
  progress?: Progress,
): WrittenField {
  const dir = path.join(options.out, plan.name);
  const stem = fieldFileStem(plan.name);
  const morphs = planMorphologies(plan, config, options.seed);
  const wcs = fieldWcs(plan, config);
  const images: string[] = [];
  let bytes = 0;
  for (let band = 0; band < 5; band++) {
    const label = `${plan.name} ${filterName(plan.filters[band])}`;
    const { data, saturatedPixels } = renderBand(plan, band, morphs, config, {
      seed: options.seed,
      onRows: (done) => progress?.update(rows.before + done, label),
    });
    rows.before += plan.height;
    const image = mosaicImage(data, {
      plan,
      band,
      config,
      wcs,
      bitpix: config.scales[options.scale].bitpix,
      seed: options.seed,
      scale: options.scale,
      saturatedPixels,
    });
    const name = `hlsp_legus_hst_sim_${stem}_${filterName(plan.filters[band]).toLowerCase()}_drc.fits`;
    options.writeImage(path.join(dir, name), image);
    bytes += image.data.byteLength;
    images.push(name);
  }
  // Synthetic sources get sky positions from the mosaic's WCS; real ones keep the catalog's.
  const records = plan.sources.map((s) => {
    if (plan.origin === "real") return s.record;
    const [ra, dec] = pixelToSky(wcs, s.record.x, s.record.y);
    return { ...s.record, ra: Number(ra.toFixed(6)), dec: Number(dec.toFixed(6)) };
  });
  const catalog = `hlsp_legus_hst_sim_${stem}_multiband_sim.tab`;
  const tab = formatLegusCatalog(records, plan.classColumn);
  writeFileAtomic(path.join(dir, catalog), tab);
  const truth = truthCsv(plan, morphs);
  writeFileAtomic(path.join(dir, "truth.csv"), truth);
  bytes += tab.length + truth.length;
  return { manifest: fieldManifest(plan, images, catalog), bytes };
}

function fieldManifest(plan: FieldPlan, images: string[], catalog: string): FieldManifest {
  return {
    field: plan.name,
    distance_mpc: plan.distanceMpc,
    pc_per_px: plan.pcPerPx,
    origin: plan.origin,
    width: plan.width,
    height: plan.height,
    filters: plan.filters,
    images,
    catalog,
    class_column: plan.classColumn,
    truth: "truth.csv",
    x_segments: plan.xMap,
    y_segments: plan.yMap,
    sources: plan.sources.length,
    label_counts: counts(plan.sources.map((s) => s.label)),
    truth_counts: counts(plan.sources.map((s) => s.truth)),
  };
}
