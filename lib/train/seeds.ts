// Many seeds of one network: run directories <out>/<arch>/seed-<N>, trained here one after another or as
// parallel child processes, or handed to a cluster's Slurm scheduler as a job array (one seed per task).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ArchName } from "../models/arch";
import { projectRoot } from "../util/paths";
import { forEachAtMost } from "../util/pool";
import { runDir } from "./rundir";

/** "0-9", "0,3,5" or "0-2,7" -> sorted distinct seeds. */
export function parseSeeds(spec: string): number[] {
  const seeds = new Set<number>();
  for (const part of spec.split(",").map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`seeds: '${part}' is not a seed or a range like 0-9`);
    const a = Number(m[1]),
      b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`seeds: range '${part}' runs backwards`);
    for (let s = a; s <= b; s++) seeds.add(s);
  }
  return [...seeds].sort((x, y) => x - y);
}

/** The `starcluster train` arguments of one seed (everything but --seed and --out is shared). */
export function trainArgs(shared: string[], seed: number, dir: string): string[] {
  return ["train", ...shared, "--seed", String(seed), "--out", dir];
}

/**
 * Trains the seeds in child processes, `parallel` at a time, each with threads/parallel compute threads.
 * Resolves with the seeds that failed (their logs are in <run>/train.log).
 */
export async function runSeedsInProcesses(
  shared: string[],
  seeds: number[],
  out: string,
  arch: ArchName,
  parallel: number,
  threads: number,
  log: (line: string) => void,
): Promise<number[]> {
  const failed: number[] = [];
  const childThreads = String(Math.max(1, Math.floor(threads / parallel)));
  await forEachAtMost(seeds, parallel, async (seed) => {
    const dir = runDir(out, arch, seed);
    fs.mkdirSync(dir, { recursive: true });
    const logFile = path.join(dir, "train.log");
    log(`seed ${seed}: training in a child process (${childThreads} thread(s)), log ${logFile}`);
    const fd = fs.openSync(logFile, "a");
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(projectRoot, "bin", "starcluster.js"), ...trainArgs(shared, seed, dir)],
        {
          stdio: ["ignore", fd, fd],
          env: { ...process.env, STARCLUSTER_THREADS: childThreads },
        },
      );
      child.on("exit", (c) => resolve(c ?? 1));
    });
    fs.closeSync(fd);
    log(`seed ${seed}: ${code === 0 ? "done" : `failed (exit ${code}), see ${logFile}`}`);
    if (code !== 0) failed.push(seed);
  });
  return failed.sort((a, b) => a - b);
}

export interface SlurmOptions {
  jobName: string;
  cpusPerTask: number;
  gpus: number;
  time: string;
  /** Extra #SBATCH lines, e.g. "--partition=gpu". */
  extra: string[];
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Where the job array's logs go: Slurm does not create this folder, and a task whose log cannot be opened fails. */
export function slurmLogDir(out: string, arch: ArchName): string {
  return path.join(path.resolve(out), arch);
}

/**
 * A Slurm job-array script: task i trains seeds[i] into its run directory with the same command as a local run,
 * so a task that is requeued or resubmitted resumes from its checkpoint and a finished one returns at once.
 */
export function slurmScript(shared: string[], seeds: number[], out: string, arch: ArchName, o: SlurmOptions): string {
  const logs = path.join(slurmLogDir(out, arch), "slurm-%A_%a.log");
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${o.jobName}`,
    `#SBATCH --array=0-${seeds.length - 1}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    ...(o.gpus > 0 ? [`#SBATCH --gres=gpu:${o.gpus}`] : []),
    `#SBATCH --time=${o.time}`,
    // sbatch reads quotes in #SBATCH lines as the shell does, so a folder with spaces survives.
    `#SBATCH --output=${shellQuote(logs)}`,
    ...o.extra.map((e) => `#SBATCH ${e}`),
    "# Written by 'starcluster train-seeds --slurm'. Submit with: sbatch THIS_FILE",
    "set -euo pipefail",
    `cd ${shellQuote(projectRoot)}`,
    `SEEDS=(${seeds.join(" ")})`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion in the generated script
    'SEED="${SEEDS[$SLURM_ARRAY_TASK_ID]}"',
    `export STARCLUSTER_THREADS="\${SLURM_CPUS_PER_TASK:-${o.cpusPerTask}}"`,
    `exec ${shellQuote(process.execPath)} bin/starcluster.js ${["train", ...shared].map(shellQuote).join(" ")} --seed "$SEED" --out ${shellQuote(path.join(path.resolve(out), arch))}/seed-"$SEED"`,
    "",
  ];
  return lines.join("\n");
}
