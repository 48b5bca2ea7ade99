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
import { BackendInfo } from "../backend/select";
import { curate, CURATION_FILE } from "../curate/curate";
import { synthJobs } from "../curate/synth";
import { writeFits } from "../io/fits";
import { LabelSource } from "../dataset/curated";
import { ArchName } from "../models/arch";
import { runNotebooks } from "../notebooks/run";
import { synthesize } from "../simulate/synth";
import { Scale } from "../simulate/config";
import { loadProfile } from "../train/profile";
import { isComplete, runDir, trainingSeconds } from "../train/rundir";
import { runSeedsInProcesses } from "../train/seeds";
import { train } from "../train/train";
import { progressBar } from "../util/progress";
import { gitState, machineInfo } from "../util/provenance";
import { computeResults, fieldsByTable } from "./compute";
import { loadReproduceSpec, reproducePaths, ReproduceProfile, writeResult } from "./results";
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

interface Stage {
  seconds: number;
  done: "now" | "before";
  /** Training stages: each complete seed's own training time (run.json), also when it was trained before. */
  seedSeconds?: number[];
}

/** Runs a reproduction, refusing a second one on the same runs folder. */
export function reproduce(options: ReproduceOptions): Promise<{ results: string; stages: Record<string, Stage> }> {
  const runs = reproducePaths(loadReproduceSpec(options.profile), options.dataRoot).runs;
  return withOutputLock(runs, "folder", "reproduce", () => reproduceUnlocked(options));
}

async function reproduceUnlocked(options: ReproduceOptions): Promise<{ results: string; stages: Record<string, Stage> }> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const spec = loadReproduceSpec(options.profile);
  const paths = reproducePaths(spec, options.dataRoot);
  const profile = loadProfile(spec.trainingProfile);
  const stages: Record<string, Stage> = {};
  const started = new Date().toISOString();
  const stage = async (name: string, already: boolean, work: () => Promise<void> | void) => {
    const t = Date.now();
    if (already) log(`reproduce ${spec.name}: ${name}: already done`);
    else {
      log(`reproduce ${spec.name}: ${name} ...`);
      await work();
    }
    stages[name] = { seconds: (Date.now() - t) / 1000, done: already ? "before" : "now" };
  };

  await stage("synth", fs.existsSync(path.join(paths.synth, "manifest.json")), () => {
    // A folder without manifest.json is an interrupted synth of ours: render it again.
    synthesize({ out: paths.synth, scale: spec.synthScale as Scale, seed: 0, force: true, writeImage: (file, image) => writeFits(file, [image]), progress: (n) => progressBar(n) });
  });
  const curationFile = path.join(paths.stamps, CURATION_FILE);
  const curated = fs.existsSync(curationFile) && JSON.parse(fs.readFileSync(curationFile, "utf8")).complete === true;
  await stage("curate", curated, () => {
    curate({ out: paths.stamps, size: 50, pad: false, jobs: synthJobs(paths.synth), command: `${options.command} (curate --synth ${paths.synth})`, progress: (n) => progressBar(n) });
  });

  const fields = fieldsByTable(paths.stamps);
  log(`reproduce ${spec.name}: training and testing on ${fields.table1.join(", ")}; generalisation to ${fields.table2.join(", ") || "(none)"}`);
  // Each network and seed on the labels (the paper), then the learnability runs on the truth (ceiling.ts).
  const trainSet = async (arch: ArchName, count: number, labels: LabelSource, root: string, stageName: string): Promise<string[]> => {
    const seeds = Array.from({ length: count }, (_, i) => i);
    const dirs = seeds.map((s) => runDir(root, arch, s));
    if (options.train === false) {
      const done = dirs.filter(isComplete);
      log(`reproduce ${spec.name}: ${stageName}: ${done.length} of ${count} seed(s) complete; results from those`);
      return done;
    }
    const todo = seeds.filter((s) => !isComplete(dirs[s]));
    await stage(stageName, todo.length === 0, async () => {
      if ((options.parallel ?? 1) > 1) {
        const shared = ["--data", paths.stamps, "--fields", fields.table1.join(","), "--arch", arch, "--profile", spec.trainingProfile, "--labels", labels, "--backend", options.backend.backend];
        const failed = await runSeedsInProcesses(shared, todo, root, arch, options.parallel!, options.backend.threads, log);
        if (failed.length) throw new Error(`${stageName}: seed(s) ${failed.join(", ")} failed; see their train.log`);
        return;
      }
      for (const seed of todo) {
        log(`reproduce ${spec.name}: ${stageName} seed ${seed} (${count} seeds, ${profile.batches[arch]} batches of ${profile.batchSize[arch]})`);
        await train({ data: [paths.stamps], fields: fields.table1, arch, seed, profile, labels, out: dirs[seed], backend: options.backend, log });
      }
    });
    stages[stageName].seedSeconds = dirs.filter(isComplete).map(trainingSeconds);
    return dirs;
  };
  const runs: Partial<Record<ArchName, string[]>> = {};
  for (const arch of spec.archs) runs[arch] = await trainSet(arch, spec.seeds, "class", paths.runs, `train ${arch}`);
  const truthRuns: Partial<Record<ArchName, string[]>> = {};
  for (const [arch, count] of Object.entries(spec.truthSeeds ?? {}) as [ArchName, number][]) {
    truthRuns[arch] = await trainSet(arch, count, "truth", path.join(paths.runs, "truth"), `train ${arch} on the truth`);
  }
  await stage("results", false, () => computeResults({ stamps: paths.stamps, synth: paths.synth, runs, truthRuns, results: paths.results, log }));
  const seedsUsed = Object.fromEntries(Object.entries(runs).map(([a, r]) => [a, r!.length]));
  const provenance = () => ({ profile: spec.name, command: options.command, seeds: seedsUsed, started, finished: new Date().toISOString(), git: gitState(), backend: options.backend, machine: machineInfo(), stages, data: paths });
  writeResult(paths.results, "provenance", provenance());
  if (options.notebooks ?? true) {
    await stage("notebooks", false, () => {
      process.env.STARCLUSTER_PROFILE = spec.name;
      // The one place notebooks write results/<profile>/figures: viewing a notebook later leaves them alone.
      process.env.STARCLUSTER_SAVE_FIGURES = "1";
      runNotebooks({ outDir: path.join(paths.results, "notebooks"), log });
    });
    writeResult(paths.results, "provenance", provenance());
  }
  return { results: paths.results, stages };
}
