// `train-seeds --slurm`: the job-array script's content (directives, one seed per task, quoting, valid bash), and,
// where Debian's Slurm is installed and we are root, a real submission to a throwaway one-node cluster
// (scripts/slurm-local.sh) that trains two seeds and checks both runs completed.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { loadProfile, Profile } from "../../lib/train/profile";
import { slurmScript, SlurmOptions, trainArgs } from "../../lib/train/seeds";
import { RUN_FILES } from "../../lib/train/rundir";
import { repoRoot, tempDir } from "../helpers";
import { writeCuratedFixture } from "../dataset/fixture";

const cli = path.join(repoRoot, "bin", "starcluster.js");
const options: SlurmOptions = {
  jobName: "starcluster-resnet18",
  cpusPerTask: 3,
  gpus: 2,
  time: "01:30:00",
  extra: ["--partition=gpu", "--mem=16G"],
};
const directives = (script: string) => script.split("\n").filter((l) => l.startsWith("#SBATCH "));

/**
 * What each array task would exec: the script run by bash with SLURM_ARRAY_TASK_ID set and node swapped for
 * printf, so the arguments come back one per line exactly as bash split and unquoted them.
 */
function taskArgv(script: string, task: number): string[] {
  const exec = `exec ${process.execPath} `;
  assert.ok(script.includes(exec), `the script execs ${process.execPath}`);
  const r = spawnSync("bash", ["-c", script.replace(exec, `exec printf '%s\\n' `)], {
    encoding: "utf8",
    env: { ...process.env, SLURM_ARRAY_TASK_ID: String(task), SLURM_CPUS_PER_TASK: "" },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").slice(0, -1);
}

test("the job-array script: one task per seed, the requested resources, extra lines, an output log per task", () => {
  const out = path.join(tempDir(), "runs");
  const script = slurmScript(["--arch", "resnet18"], [0, 3, 5], out, "resnet18", options);
  assert.ok(script.startsWith("#!/bin/bash\n"));
  assert.deepEqual(directives(script), [
    "#SBATCH --job-name=starcluster-resnet18",
    "#SBATCH --array=0-2",
    "#SBATCH --cpus-per-task=3",
    "#SBATCH --gres=gpu:2",
    "#SBATCH --time=01:30:00",
    `#SBATCH --output=${out}/resnet18/slurm-%A_%a.log`,
    "#SBATCH --partition=gpu",
    "#SBATCH --mem=16G",
  ]);
  // sbatch stops reading directives at the first command, so all of them come before it.
  const firstCommand = script.split("\n").findIndex((l) => l !== "" && !l.startsWith("#"));
  assert.ok(
    script
      .split("\n")
      .slice(firstCommand)
      .every((l) => !l.startsWith("#SBATCH")),
  );
  assert.match(script, /^set -euo pipefail$/m);
  assert.match(script, /^SEEDS=\(0 3 5\)$/m);
  const cpu = slurmScript([], [4], out, "vgg19_bn", { ...options, gpus: 0, extra: [] });
  assert.ok(!cpu.includes("--gres"), "no GPU request for gpus 0");
  assert.ok(directives(cpu).includes("#SBATCH --array=0-0"));
});

test("each task trains its own seed into its own run directory, with paths quoted for bash and sbatch", () => {
  const base = path.join(tempDir(), "it's a dir");
  const out = path.join(base, "runs dir");
  const shared = [
    "--data",
    path.join(base, "curated set"),
    "--arch",
    "resnet18",
    "--profile",
    "smoke",
    "--fields",
    "ngc 628",
  ];
  const script = slurmScript(shared, [2, 7, 11], out, "resnet18", options);
  assert.ok(directives(script).includes(`#SBATCH --output='${out.replace(/'/g, `'\\''`)}/resnet18/slurm-%A_%a.log'`));
  const check = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
  assert.equal(check.status, 0, `bash -n: ${check.stderr}`);
  [2, 7, 11].forEach((seed, task) => {
    const argv = taskArgv(script, task);
    assert.deepEqual(argv, [
      "bin/starcluster.js",
      ...trainArgs(shared, seed, path.join(out, "resnet18", `seed-${seed}`)),
    ]);
  });
  // The task runs from the repository (bin/starcluster.js is relative) with as many threads as CPUs it was given.
  assert.match(script, new RegExp(`^cd ${repoRoot.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  assert.match(script, /^export STARCLUSTER_THREADS="\$\{SLURM_CPUS_PER_TASK:-3\}"$/m);
});

test("`train-seeds --slurm` writes an executable script with absolute paths and makes the log folder", () => {
  const work = tempDir();
  const r = spawnSync(
    process.execPath,
    [
      cli,
      "train-seeds",
      "--data",
      "curated",
      "--arch",
      "vgg19_bn",
      "--profile",
      "smoke",
      "--seeds",
      "0-2,5",
      "--out",
      "runs",
      "--slurm",
      "job.sh",
      "--slurm-cpus",
      "4",
      "--slurm-gpus",
      "0",
      "--slurm-extra=--qos=short",
    ],
    { cwd: work, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "job.sh: Slurm job array of 4 task(s); submit with 'sbatch job.sh'\n");
  const file = path.join(work, "job.sh");
  assert.ok(fs.statSync(file).mode & 0o100, "executable");
  const script = fs.readFileSync(file, "utf8");
  assert.ok(directives(script).includes("#SBATCH --array=0-3"));
  assert.ok(directives(script).includes("#SBATCH --cpus-per-task=4"));
  assert.ok(directives(script).includes("#SBATCH --qos=short"));
  assert.match(script, /^SEEDS=\(0 1 2 5\)$/m);
  assert.ok(
    fs.existsSync(path.join(work, "runs", "vgg19_bn")),
    "the log folder exists: Slurm does not make the --output folder",
  );
  const argv = taskArgv(script, 3);
  assert.equal(argv[argv.indexOf("--data") + 1], path.join(work, "curated"));
  assert.equal(argv[argv.indexOf("--out") + 1], path.join(work, "runs", "vgg19_bn", "seed-5"));
  assert.equal(argv[argv.indexOf("--seed") + 1], "5");
});

/** The tasks' logs, to say why a submission failed. */
function taskLogs(dir: string): string {
  if (!fs.existsSync(dir)) return `(no log folder ${dir})`;
  const logs = fs.readdirSync(dir).filter((f) => f.startsWith("slurm-"));
  return logs.length
    ? logs.map((f) => `--- ${f}\n${fs.readFileSync(path.join(dir, f), "utf8")}`).join("\n")
    : `(no task logs in ${dir})`;
}

// The real submission needs the Slurm daemons and munge (Debian: slurmctld slurmd slurm-client munge) and root,
// since the throwaway cluster runs its daemons and jobs as root.
const missing = ["munged", "mungekey", "slurmctld", "slurmd", "sbatch", "sinfo"].filter(
  (b) => spawnSync("bash", ["-c", `command -v ${b}`]).status !== 0,
);
const skipReal = missing.length
  ? `Slurm not installed (no ${missing.join(", ")}; scripts/setup-system.sh installs it)`
  : process.getuid?.() !== 0
    ? "the throwaway Slurm cluster needs root"
    : false;

test("a real submission: a one-node Slurm cluster trains two seeds from the job array", {
  skip: skipReal,
  timeout: 240_000,
}, async () => {
  const run = promisify(execFile);
  const local = path.join(repoRoot, "scripts", "slurm-local.sh");
  const work = tempDir();
  const data = writeCuratedFixture(path.join(work, "curated"), { size: 32, perClass: 5 }).dir;
  const tiny: Profile = {
    ...loadProfile("smoke"),
    name: "tiny",
    batchSize: { resnet18: 4, vgg19_bn: 2 },
    batches: { resnet18: 2, vgg19_bn: 2 },
    checkpointEvery: 1,
    logEvery: 1,
  };
  const profile = path.join(work, "tiny.json");
  fs.writeFileSync(profile, JSON.stringify(tiny));
  const out = path.join(work, "runs dir");
  const job = path.join(work, "job.sh");

  const started = spawnSync("bash", [local, "start"], { encoding: "utf8" });
  assert.equal(started.status, 0, `slurm-local.sh start failed:\n${started.stderr}`);
  const cluster = started.stdout.trim();
  // The daemons must not outlive this test, however it ends: stop in finally, and on exit or a signal as a backstop.
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    spawnSync("bash", [local, "stop", cluster], { stdio: "ignore" });
  };
  const onSignal = () => {
    stop();
    process.exit(1);
  };
  process.once("exit", stop);
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  try {
    const env = { ...process.env, SLURM_CONF: path.join(cluster, "slurm.conf") };
    const written = spawnSync(
      process.execPath,
      [
        cli,
        "train-seeds",
        "--data",
        data,
        "--arch",
        "resnet18",
        "--profile",
        profile,
        "--seeds",
        "0-1",
        "--out",
        out,
        "--backend",
        "wasm",
        "--slurm",
        job,
        "--slurm-cpus",
        "1",
        "--slurm-gpus",
        "0",
        "--slurm-time",
        "00:10:00",
      ],
      { encoding: "utf8" },
    );
    assert.equal(written.status, 0, written.stderr);

    // --wait: sbatch returns when every task has ended, with a nonzero status if any failed.
    const submitted = await run("sbatch", ["--wait", job], { env, encoding: "utf8", timeout: 200_000 }).catch((e) => {
      throw new Error(`sbatch --wait failed: ${e.message}\n${taskLogs(path.join(out, "resnet18"))}`);
    });
    const jobId = /^Submitted batch job (\d+)$/m.exec(submitted.stdout)?.[1];
    assert.ok(jobId, submitted.stdout);
    for (const seed of [0, 1]) {
      const dir = path.join(out, "resnet18", `seed-${seed}`);
      assert.ok(fs.existsSync(path.join(dir, RUN_FILES.done)), `seed ${seed}: run.json`);
      assert.ok(fs.statSync(path.join(dir, RUN_FILES.model)).size > 1e6, `seed ${seed}: model.safetensors`);
      const config = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.config), "utf8"));
      assert.equal(config.run.seed, seed);
      assert.equal(config.backend.threads, 1, "STARCLUSTER_THREADS follows --cpus-per-task");
      // Task i logged to its own file, and trained seeds[i].
      const log = fs.readFileSync(path.join(out, "resnet18", `slurm-${jobId}_${seed}.log`), "utf8");
      assert.ok(log.includes(`${dir}: complete, 2 batches`), log);
    }
    // Resubmitting is safe: finished seeds return at once instead of training again.
    const again = await run("sbatch", ["--wait", job], { env, encoding: "utf8", timeout: 100_000 });
    const againId = /^Submitted batch job (\d+)$/m.exec(again.stdout)?.[1];
    for (const seed of [0, 1]) {
      const log = fs.readFileSync(path.join(out, "resnet18", `slurm-${againId}_${seed}.log`), "utf8");
      assert.match(log, /: already complete, 2 batches/, log);
    }
  } finally {
    stop();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  }
  assert.ok(!fs.existsSync(cluster), "stop removes the cluster folder");
});
