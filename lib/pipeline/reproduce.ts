// `starcluster reproduce`: every experiment of the paper from nothing, skipping work already done.
//   1. synth      the simulated fields of the profile's scale (once per scale)
//   2. curate     five-band stamps of every field (resumable; once per scale)
//   3. train      each network x seed on the Table 1 fields' 80% split (resumable; finished runs skipped), and the
//                 profile's learnability runs trained on the simulator's truth (runs/<profile>/truth/<arch>/seed-N)
//   4. results    the tables and figures' data (lib/experiments/compute.ts) under results/<profile>/
//   5. notebooks  executed with that profile's results, saving its figures; HTML under results/<profile>/notebooks/
// Every stage's wall time, the command, commit and backend go into results/<profile>/provenance.json.
import * as fs from "node:fs";
import * as path from "node:path";
import { BackendInfo, initBackend } from "../backend/select";
import { curate, CURATION_FILE } from "../curate/curate";
import { synthJobs } from "../curate/synth";
import { LabelSource } from "../dataset/curated";
import { ArchName } from "../models/arch";
import { runNotebooks } from "../notebooks/run";
import { synthesizeInWorkers } from "../simulate/synth";
import { Scale } from "../simulate/config";
import { loadProfile, Profile, withPrecision } from "../train/profile";
import { isComplete, runDir, trainingSeconds } from "../train/rundir";
import { runSeedsInProcesses } from "../train/seeds";
import { train } from "../train/train";
import { progressBar } from "../util/progress";
import { gitState, machineInfo } from "../util/provenance";
import { computeResults, fieldsByTable } from "../experiments/compute";
import {
  loadReproduceSpec,
  ReproducePaths,
  reproducePaths,
  ReproduceProfile,
  ReproduceSpec,
  ReproductionProvenance,
  StageTiming,
  writeResult,
} from "../experiments/results";
import { withOutputLock } from "../util/lock";

export interface ReproduceOptions {
  profile: ReproduceProfile;
  backend: BackendInfo;
  /** Train this many seeds at once in child processes (default 1: in this process). */
  parallel?: number;
  /** Train what is missing (default true); false computes the results from the runs complete so far. */
  train?: boolean;
  /** Also execute the notebooks (default true). */
  notebooks?: boolean;
  /** Where data/generated is (default data/generated, or STARCLUSTER_DATA). */
  dataRoot?: string;
  command: string;
  log?: (line: string) => void;
}

/** Runs a reproduction, refusing a second one on the same runs folder. */
export function reproduce(
  options: ReproduceOptions,
): Promise<{ results: string; stages: Record<string, StageTiming> }> {
  const runs = reproducePaths(loadReproduceSpec(options.profile), options.dataRoot).runs;
  return withOutputLock(runs, "folder", "reproduce", () => reproduceUnlocked(options));
}

/** What the stages share: the profile's spec and paths, where to log, and the stage timings collected so far. */
interface Reproduction {
  options: ReproduceOptions;
  spec: ReproduceSpec;
  paths: ReproducePaths;
  profile: Profile;
  log: (line: string) => void;
  stages: Record<string, StageTiming>;
}

/** Stage 3: each network's seeds on the labels (the paper), then the learnability runs on the truth (ceiling.ts). */
async function trainAll(
  r: Reproduction,
  table1: string[],
): Promise<{ runs: Partial<Record<ArchName, string[]>>; truthRuns: Partial<Record<ArchName, string[]>> }> {
  const { spec } = r;
  const runs: Partial<Record<ArchName, string[]>> = {};
  for (const arch of spec.archs)
    runs[arch] = await trainSeeds(r, table1, {
      arch,
      count: spec.seeds,
      labels: "class",
      root: r.paths.runs,
      stage: `train ${arch}`,
    });
  const truthRuns: Partial<Record<ArchName, string[]>> = {};
  for (const [arch, count] of Object.entries(spec.truthSeeds ?? {}) as [ArchName, number][]) {
    truthRuns[arch] = await trainSeeds(r, table1, {
      arch,
      count,
      labels: "truth",
      root: path.join(r.paths.runs, "truth"),
      stage: `train ${arch} on the truth`,
    });
  }
  return { runs, truthRuns };
}

/** The stages in order (data, training, results, notebooks); provenance.json after the results and again at the end. */
async function reproduceUnlocked(
  options: ReproduceOptions,
): Promise<{ results: string; stages: Record<string, StageTiming> }> {
  const spec = loadReproduceSpec(options.profile);
  const r: Reproduction = {
    options,
    spec,
    paths: reproducePaths(spec, options.dataRoot),
    profile: loadProfile(spec.trainingProfile),
    log: options.log ?? ((line: string) => process.stderr.write(line + "\n")),
    stages: {},
  };
  const started = new Date().toISOString();
  await prepareData(r);
  const fields = fieldsByTable(r.paths.stamps);
  r.log(
    `reproduce ${spec.name}: training and testing on ${fields.table1.join(", ")}; generalisation to ${fields.table2.join(", ") || "(none)"}`,
  );
  const { runs, truthRuns } = await trainAll(r, fields.table1);
  const { paths, log } = r;
  await initBackend({ backend: options.backend.backend, precision: spec.evaluationPrecision ?? "fp32", log });
  await stage(r, "results", false, () =>
    computeResults({
      stamps: paths.stamps,
      synth: paths.synth,
      runs,
      truthRuns,
      results: paths.results,
      decision: spec.decision,
      log,
    }),
  );
  const seedsUsed = Object.fromEntries(Object.entries(runs).map(([a, dirs]) => [a, dirs!.length]));
  const provenance = (): ReproductionProvenance => ({
    profile: spec.name,
    command: options.command,
    seeds: seedsUsed,
    started,
    finished: new Date().toISOString(),
    git: gitState(),
    backend: options.backend,
    machine: machineInfo(),
    stages: r.stages,
    data: paths,
  });
  writeResult(paths.results, "provenance", provenance());
  if (options.notebooks ?? true) {
    // The one place notebooks write results/<profile>/figures: viewing a notebook later leaves them alone.
    await stage(r, "notebooks", false, async () => {
      await runNotebooks({
        outDir: path.join(paths.results, "notebooks"),
        jobs: options.backend.threads,
        log,
        settings: { profile: spec.name, saveFigures: true },
      });
    });
    writeResult(paths.results, "provenance", provenance());
  }
  return { results: paths.results, stages: r.stages };
}

/** Runs one stage unless `already` done, timing it into r.stages. */
async function stage(r: Reproduction, name: string, already: boolean, work: () => Promise<void> | void): Promise<void> {
  const t = Date.now();
  if (already) r.log(`reproduce ${r.spec.name}: ${name}: already done`);
  else {
    r.log(`reproduce ${r.spec.name}: ${name} ...`);
    await work();
  }
  r.stages[name] = { seconds: (Date.now() - t) / 1000, done: already ? "before" : "now" };
}

/** Stages 1-2: the simulated fields and their curated stamps (each skipped when complete). */
async function prepareData(r: Reproduction): Promise<void> {
  const { spec, paths, options } = r;
  await stage(r, "synth", fs.existsSync(path.join(paths.synth, "manifest.json")), async () => {
    // A folder without manifest.json is an interrupted synth of ours: render it again.
    await synthesizeInWorkers({
      out: paths.synth,
      scale: spec.synthScale as Scale,
      seed: 0,
      force: true,
      jobs: options.backend.threads,
      progress: (n) => progressBar(n),
    });
  });
  const curationFile = path.join(paths.stamps, CURATION_FILE);
  const curated = fs.existsSync(curationFile) && JSON.parse(fs.readFileSync(curationFile, "utf8")).complete === true;
  await stage(r, "curate", curated, () => {
    curate({
      out: paths.stamps,
      size: 50,
      pad: false,
      jobs: synthJobs(paths.synth),
      command: `${options.command} (curate --synth ${paths.synth})`,
      progress: (n) => progressBar(n),
    });
  });
}

/** One network's seeds 0..count-1 on the labels or the truth, under root/<arch>/seed-N, timed as `stage`. */
interface SeedSet {
  arch: ArchName;
  count: number;
  labels: LabelSource;
  root: string;
  stage: string;
}

/** Stage 3 for one network: its seeds' runs on the Table 1 fields (the missing ones trained, unless told not to). */
async function trainSeeds(r: Reproduction, fields: string[], set: SeedSet): Promise<string[]> {
  const { spec, options, log } = r;
  const { arch, count, root } = set;
  const seeds = Array.from({ length: count }, (_, i) => i);
  const dirs = seeds.map((s) => runDir(root, arch, s));
  if (options.train === false) {
    const done = dirs.filter(isComplete);
    log(`reproduce ${spec.name}: ${set.stage}: ${done.length} of ${count} seed(s) complete; results from those`);
    return done;
  }
  const todo = seeds.filter((s) => !isComplete(dirs[s]));
  await stage(r, set.stage, todo.length === 0, () =>
    (options.parallel ?? 1) > 1 ? trainInProcesses(r, fields, set, todo) : trainHere(r, fields, set, todo, dirs),
  );
  r.stages[set.stage].seedSeconds = dirs.filter(isComplete).map(trainingSeconds);
  return dirs;
}

/** The seeds `todo`, --parallel at a time in child processes (`starcluster train`, each logging to its train.log). */
async function trainInProcesses(r: Reproduction, fields: string[], set: SeedSet, todo: number[]): Promise<void> {
  const { spec, paths, options, log } = r;
  const shared = [
    "--data",
    paths.stamps,
    "--fields",
    fields.join(","),
    "--arch",
    set.arch,
    "--profile",
    spec.trainingProfile,
    "--labels",
    set.labels,
    "--backend",
    options.backend.backend,
  ];
  const parallel = options.parallel ?? 1;
  const failed = await runSeedsInProcesses(shared, todo, set.root, set.arch, parallel, options.backend.threads, log);
  if (failed.length) throw new Error(`${set.stage}: seed(s) ${failed.join(", ")} failed; see their train.log`);
}

/** The seeds `todo`, one after the other in this process, in the profile's precision (results: the spec's evaluationPrecision). */
async function trainHere(r: Reproduction, fields: string[], set: SeedSet, todo: number[], dirs: string[]) {
  const { spec, paths, options, profile, log } = r;
  const { arch, labels } = set;
  const backend = await initBackend({
    backend: options.backend.backend,
    precision: profile.precision ?? "fp32",
    log,
  });
  const ran = withPrecision(profile, backend.precision);
  for (const seed of todo) {
    log(
      `reproduce ${spec.name}: ${set.stage} seed ${seed} (${set.count} seeds, ${profile.batches[arch]} batches of ${profile.batchSize[arch]})`,
    );
    await train({
      data: [paths.stamps],
      fields,
      arch,
      seed,
      profile: ran,
      labels,
      out: dirs[seed],
      backend,
      log,
      progress: (n) => progressBar(n),
    });
  }
}
