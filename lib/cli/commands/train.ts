// `starcluster train` (one run) and `starcluster train-seeds` (many seeds: here, in parallel processes, or as a
// Slurm job array).
import * as fs from "node:fs";
import * as path from "node:path";
import { BACKENDS, initBackend, PRECISIONS } from "../../backend/select";
import { BANDS } from "../../catalog/record";
import { LABEL_SOURCES } from "../../dataset/curated";
import { ARCHITECTURES } from "../../models/arch";
import { loadProfile, Profile, PROFILES, withPrecision } from "../../train/profile";
import { isComplete, runDir } from "../../train/rundir";
import { parseSeeds, runSeedsInProcesses, slurmLogDir, slurmScript } from "../../train/seeds";
import { train } from "../../train/train";
import { writeFileAtomic } from "../../util/atomic";
import { UsageError } from "../args";
import { defineCommand } from "../command";

const commaList = (v: string | undefined) =>
  v
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

/** Options shared by train and train-seeds: what is trained and on what. */
const runOptions = {
  data: {
    type: "string",
    required: true,
    multiple: true,
    help: "curated folder (manifest.csv + stamps); repeat for several",
  },
  fields: { type: "string", help: "comma-separated fields to train on (default: all in the data)" },
  arch: { type: "string", choices: ARCHITECTURES, required: true, help: "backbone architecture" },
  profile: {
    type: "string",
    default: "cpu",
    help: "training profile: paper, cpu, smoke, or a .json file (data/profiles/)",
  },
  weights: {
    type: "string",
    help: "ImageNet weights in project format (from 'starcluster weights import'); default: random init",
  },
  split: { type: "string", help: "split file (default: <first --data>/split.json, made if missing)" },
  labels: {
    type: "string",
    choices: LABEL_SOURCES,
    default: "class",
    help: "learn the human class (paper) or the simulator's truth",
  },
  "min-detected": {
    type: "integer",
    default: 4,
    min: 0,
    max: BANDS.length,
    help: "objects need a detection in this many bands (the paper: 4)",
  },
  batches: { type: "integer", min: 1, help: "override the profile's number of batches" },
  backend: {
    type: "string",
    choices: ["auto", ...BACKENDS],
    help: "force a backend (else STARCLUSTER_BACKEND, else auto)",
  },
  precision: {
    type: "string",
    choices: PRECISIONS,
    help: "convolutions in fp32 or bf16 (onednn, CPU with bf16); default: the profile's, else fp32",
  },
} as const;

/** The run options as `starcluster train` arguments, for child processes and Slurm tasks. */
function sharedArgs(o: Record<string, unknown>): string[] {
  const args: string[] = [];
  for (const d of o.data as string[]) args.push("--data", path.resolve(d));
  for (const k of [
    "fields",
    "arch",
    "profile",
    "weights",
    "split",
    "labels",
    "min-detected",
    "batches",
    "backend",
    "precision",
  ]) {
    const v = o[k];
    if (v === undefined) continue;
    args.push(
      `--${k}`,
      k === "weights" || k === "split" || (k === "profile" && String(v).endsWith(".json"))
        ? path.resolve(String(v))
        : String(v),
    );
  }
  return args;
}

/** --profile: a built-in name or a .json file; an unknown name is a usage mistake. */
function profileOption(name: string): Profile {
  if (!name.endsWith(".json") && !(PROFILES as readonly string[]).includes(name)) {
    throw new UsageError(
      `--profile: unknown training profile '${name}' (built in: ${PROFILES.join(", ")}; or a path to a .json file)`,
    );
  }
  return loadProfile(name);
}

export const trainCommand = defineCommand({
  name: "train",
  summary:
    "Train one dual-backbone classifier (one seed) with a profile's recipe into a run directory; resumes an interrupted run.",
  options: {
    ...runOptions,
    seed: {
      type: "integer",
      default: 0,
      min: 0,
      max: 4294967295,
      help: "random seed (initialisation, data order, augmentation)",
    },
    out: { type: "string", required: true, help: "run directory" },
  },
  async run({ options }) {
    const asked = profileOption(options.profile);
    const precision = options.precision ?? asked.precision ?? "fp32";
    const backend = await initBackend({ backend: options.backend, precision });
    // The run records the precision that ran (fp32 where bf16 was asked but cannot run here).
    const profile = withPrecision(asked, backend.precision);
    const result = await train({
      data: options.data,
      fields: commaList(options.fields),
      arch: options.arch,
      seed: options.seed,
      profile,
      out: options.out,
      weights: options.weights,
      split: options.split,
      labels: options.labels,
      minDetectedBands: options["min-detected"],
      batches: options.batches,
      backend,
    });
    process.stdout.write(
      `${result.out}: ${result.status}, ${result.batches} batches, ${result.seconds.toFixed(0)} s\n`,
    );
  },
});

export const trainSeedsCommand = defineCommand({
  name: "train-seeds",
  summary:
    "Train several seeds into <out>/<arch>/seed-N, skipping finished ones; --parallel N processes, or --slurm FILE to write a job-array script.",
  options: {
    ...runOptions,
    seeds: { type: "string", default: "0-9", help: "seeds, e.g. 0-9 or 0,2,5" },
    out: { type: "string", required: true, help: "folder of the run directories" },
    parallel: {
      type: "integer",
      default: 1,
      min: 1,
      help: "train this many seeds at once in child processes (threads are shared out)",
    },
    slurm: { type: "string", help: "write a Slurm job-array script to this file instead of training" },
    "slurm-cpus": { type: "integer", default: 8, min: 1, help: "Slurm: CPUs per task" },
    "slurm-gpus": { type: "integer", default: 1, min: 0, help: "Slurm: GPUs per task (--gres=gpu:N; 0 for CPU nodes)" },
    "slurm-time": { type: "string", default: "24:00:00", help: "Slurm: time limit per task" },
    "slurm-extra": {
      type: "string",
      multiple: true,
      help: "Slurm: an extra #SBATCH option, written with = as in --slurm-extra=--partition=gpu (repeatable)",
    },
  },
  async run({ options }) {
    let seeds: number[];
    try {
      seeds = parseSeeds(options.seeds);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    profileOption(options.profile);
    const arch = options.arch;
    const shared = sharedArgs(options);
    if (options.slurm) {
      const script = slurmScript(shared, seeds, options.out, arch, {
        jobName: `starcluster-${arch}`,
        cpusPerTask: options["slurm-cpus"],
        gpus: options["slurm-gpus"],
        time: options["slurm-time"],
        extra: options["slurm-extra"],
      });
      // Made now, on the submit host: the tasks' #SBATCH --output goes there and Slurm does not create it.
      fs.mkdirSync(slurmLogDir(options.out, arch), { recursive: true });
      writeFileAtomic(options.slurm, script);
      fs.chmodSync(options.slurm, 0o755);
      process.stdout.write(
        `${options.slurm}: Slurm job array of ${seeds.length} task(s); submit with 'sbatch ${options.slurm}'\n`,
      );
      return 0;
    }
    const todo = seeds.filter((s) => !isComplete(runDir(options.out, arch, s)));
    if (todo.length < seeds.length) process.stderr.write(`skipping ${seeds.length - todo.length} finished seed(s)\n`);
    const backend = await initBackend({ backend: options.backend });
    const failed = await runSeedsInProcesses(shared, todo, options.out, arch, options.parallel, backend.threads, (l) =>
      process.stderr.write(l + "\n"),
    );
    process.stdout.write(
      `${options.out}/${arch}: ${seeds.length - failed.length} of ${seeds.length} seed(s) complete${failed.length ? `; failed: ${failed.join(", ")}` : ""}\n`,
    );
    return failed.length ? 1 : 0;
  },
});
