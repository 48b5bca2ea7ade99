// What notebook 08-classify shows: a simulated field classified by a seed ensemble, built on demand and kept.
//   With a reproduction's trained ResNet18 seeds (data/generated/runs/<profile>/resnet18, the profile shown being
//   STARCLUSTER_PROFILE, default quick) and its simulated NGC 1559: those seeds on that field, their probabilities
//   read as the reproduction's results read them (its spec's decision).
//   Otherwise a stand-in in data/generated/classify-demo/ made in about a minute: the smoke-scale simulated
//   fields, NGC 1559 curated, two ResNet18 seeds trained on it with the smoke profile, and NGC 4656, a galaxy
//   they have not seen, classified from its catalog and mosaics.
// The table is written once (FIELD.csv beside the models' folder); delete it to classify again.
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../backend/select";
import { curate, FieldJob } from "../curate/curate";
import { MosaicSpec, openMosaics } from "../curate/mosaics";
import { cutStamp } from "../curate/stamp";
import { synthJobs } from "../curate/synth";
import { loadReproduceSpec, reproducePaths, shownProfile } from "../experiments/results";
import type { GalleryStamp } from "../simulate/gallery";
import { synthesize, writeMosaicFits } from "../simulate/synth";
import { loadProfile } from "../train/profile";
import { train } from "../train/train";
import { dataPath } from "../util/paths";
import { classify } from "../classify/classify";
import type { DecisionRule } from "../evaluate/decision";
import { ensembleInput, findModels } from "../classify/models";
import { ClassifiedRow, readClassificationCsv } from "../classify/table";
import { settings } from "../util/settings";

export interface DemoClassification {
  /** One sentence: which models classified which field. */
  about: string;
  field: string;
  mosaics: MosaicSpec[];
  stampSize: number;
  /** Models in the ensemble. */
  models: number;
  table: string;
  rows: ClassifiedRow[];
}

const STAND_IN_SEEDS = [0, 1];

function job(synth: string, field: string): FieldJob {
  const j = synthJobs(synth).find((f) => f.field === field);
  if (!j) throw new Error(`${synth}: no field ${field}`);
  return j;
}

/** The models to classify with, the field, what they are, the table, and how probabilities become classes. */
interface Chosen {
  models: string;
  job: FieldJob;
  about: string;
  table: string;
  decision?: DecisionRule;
}

/** The reproduction's seeds and NGC 1559, when both are there. */
function reproduction(): Chosen | undefined {
  const spec = loadReproduceSpec(shownProfile());
  const paths = reproducePaths(spec);
  const models = path.join(paths.runs, "resnet18");
  if (!fs.existsSync(path.join(paths.synth, "NGC1559"))) return undefined;
  try {
    const n = findModels(models).members.length;
    // Read as the reproduction's results read them (its spec's decision), in a table of that decision's own.
    const decision = spec.decision ?? "argmax";
    return {
      models,
      job: job(paths.synth, "NGC1559"),
      about: `the ${spec.name} reproduction's ${n} ResNet18 seed(s) on its simulated NGC1559 (classes ${decision})`,
      table: path.join(paths.runs, `NGC1559-classify${decision === "argmax" ? "" : `-${decision}`}.csv`),
      decision,
    };
  } catch {
    return undefined; // no complete run yet
  }
}

/** The stand-in: smoke fields, two seeds trained on NGC 1559, NGC 4656 to classify. */
async function standIn(root: string, log: (line: string) => void): Promise<Chosen> {
  const synth = path.join(root, "synth"),
    stamps = path.join(root, "stamps"),
    runs = path.join(root, "runs");
  if (!fs.existsSync(path.join(synth, "manifest.json"))) {
    log("classify demo: rendering the smoke-scale fields");
    synthesize({
      out: synth,
      scale: "smoke",
      seed: 0,
      force: true,
      writeImage: writeMosaicFits,
    });
  }
  if (!fs.existsSync(path.join(stamps, "manifest.csv"))) {
    log("classify demo: curating NGC1559");
    curate({
      out: stamps,
      size: 50,
      pad: false,
      jobs: [job(synth, "NGC1559")],
      command: "notebook 08-classify",
      warn: () => undefined,
    });
  }
  const backend = await initBackend({ log: () => undefined });
  for (const seed of STAND_IN_SEEDS) {
    log(`classify demo: training ResNet18 seed ${seed} (smoke profile)`);
    await train({
      data: [stamps],
      arch: "resnet18",
      seed,
      profile: loadProfile("smoke"),
      out: path.join(runs, "resnet18", `seed-${seed}`),
      backend,
      log: () => undefined,
    });
  }
  return {
    models: runs,
    job: job(synth, "NGC4656"),
    about: `${STAND_IN_SEEDS.length} ResNet18 seeds trained briefly (smoke profile) on the simulated NGC1559, on the simulated NGC4656`,
    table: path.join(root, "NGC4656.csv"),
  };
}

/** The classified field, made (or read back) as the header says. */
export async function demoClassification(log: (line: string) => void = () => undefined): Promise<DemoClassification> {
  const root = path.join(settings().data ?? dataPath("generated"), "classify-demo");
  const chosen = reproduction() ?? (await standIn(root, log));
  const { members } = findModels(chosen.models);
  const stampSize = ensembleInput(members).stampSize;
  let rows: ClassifiedRow[];
  if (fs.existsSync(chosen.table)) rows = readClassificationCsv(chosen.table);
  else {
    log(`classify demo: classifying ${chosen.job.field} with ${members.length} model(s)`);
    await initBackend({ log: () => undefined });
    const { catalog, field, format, classColumn, pixels, mosaics } = chosen.job;
    rows = classify({
      models: chosen.models,
      source: { catalog: { catalog, field, format, classColumn, pixels, mosaics, pad: false } },
      out: chosen.table,
      format: "csv",
      batchSize: 64,
      decision: chosen.decision,
      log: () => undefined,
    }).rows;
  }
  return {
    about: chosen.about,
    field: chosen.job.field,
    mosaics: chosen.job.mosaics,
    stampSize,
    models: members.length,
    table: chosen.table,
    rows,
  };
}

/** The `n` classified objects of highest entropy (ties: higher mutual information), with their stamps for a gallery. */
export function mostUncertain(demo: DemoClassification, n: number): GalleryStamp[] {
  const picked = demo.rows
    .filter((r) => r.verdict)
    .sort((a, b) => b.verdict!.entropy - a.verdict!.entropy || b.verdict!.mutualInfo - a.verdict!.mutualInfo)
    .slice(0, n);
  const set = openMosaics(demo.mosaics, () => undefined);
  try {
    return picked.map((r) => {
      if (r.x === null || r.y === null)
        throw new Error(`${r.field} ${r.id}: classified but the table gives it no pixel position`);
      const cut = cutStamp(set, { x: r.x, y: r.y }, demo.stampSize, false);
      if (cut.status !== "kept")
        throw new Error(
          `${r.field} ${r.id}: classified but its stamp is now dropped (${cut.reason}); were the mosaics changed?`,
        );
      const v = r.verdict!;
      return {
        title: `${r.id}: class ${v.classMean} (p ${v.mean[v.classMean - 1].toFixed(2)}), vote ${v.classMode} (${v.modeVotes}/${demo.models}), H ${v.entropy.toFixed(2)}, MI ${v.mutualInfo.toFixed(3)}`,
        size: demo.stampSize,
        bands: cut.bands,
      };
    });
  } finally {
    set.close();
  }
}

/** The field's image in one band (the whole mosaic), for the thumbnail. */
export function fieldImage(
  demo: DemoClassification,
  band = "F555W",
): { width: number; height: number; data: Float32Array } {
  const spec = demo.mosaics.find((m) => m.filter.toUpperCase() === band);
  if (!spec) throw new Error(`${demo.field}: no ${band} mosaic`);
  const set = openMosaics([spec], () => undefined);
  try {
    const m = set.bands.find((b) => b !== null)!;
    return {
      width: set.width,
      height: set.height,
      data: Float32Array.from(m.hdu.readImage().data as ArrayLike<number>),
    };
  } finally {
    set.close();
  }
}
