// Shared by the benchmarks: timing, per-kernel profiles, the PyTorch peers, and a runner that measures each
// (backend, threads) pair in its own Node process, since a backend and its thread count are fixed once a process
// has initialised it. Ours and PyTorch's steps alternate one by one (pairedMedians), so that on a machine shared
// with other work both see the same load.
import * as fs from "node:fs";
import * as os from "node:os";
import { profileFlops } from "./arithmetic";
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import * as tf from "@tensorflow/tfjs";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const python = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";

export const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
export const STEPS = Number(process.env.BENCH_STEPS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeMs(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export function medianMs(fn: () => void, warmup = WARMUP, steps = STEPS): number {
  for (let i = 0; i < warmup; i++) fn();
  return median(Array.from({ length: steps }, () => timeMs(fn)));
}

/**
 * How a PyTorch peer's glibc allocator treats freed memory. "retain" is what the onednn backend does (addon
 * retainFreedMemory: never unmap, so no page faults for each step's fresh arrays, which cost ~10 us a page on this
 * project's VMs), set for PyTorch through glibc's tunables: the fair comparison, and the ratios' denominator.
 * "default" is PyTorch as users run it; on such VMs its training step was ~3x slower than with "retain".
 */
export type MallocPolicy = "retain" | "default";
const RETAIN_FREED_MEMORY = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647";

/** The environment of a PyTorch peer process with that allocator policy. */
export const torchEnv = (policy: MallocPolicy): NodeJS.ProcessEnv =>
  policy === "retain" ? { ...process.env, GLIBC_TUNABLES: RETAIN_FREED_MEMORY } : process.env;

/** The CPU a benchmark ran on: figures from another CPU are not comparable (bf16 above all: AMX or not). */
export function machineNote(): string {
  const cpus = os.cpus();
  const model = `machine: ${cpus.length} CPU(s), ${cpus[0]?.model ?? "model unknown"}`;
  // The CPU's instruction flags: Linux only.
  if (!fs.existsSync("/proc/cpuinfo")) return `${model}; bf16 instructions: unknown (no /proc/cpuinfo)`;
  const flags = new Set(
    (/^flags\s*:(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "").trim().split(/\s+/),
  );
  const bf16 = ["avx512_bf16", "amx_bf16"].filter((f) => flags.has(f));
  return `${model}; bf16 instructions: ${bf16.join(", ") || "none"}`;
}

export const PEERS_NOTE =
  "PyTorch twice: with glibc keeping freed memory as ours does (the ratios), and with glibc's defaults (in brackets)";

/**
 * A PyTorch peer script from bench/ref/ running as a server: one request per line on its stdin, one answer line on
 * its stdout. It runs on Debian's python3 with the thread count given in its arguments.
 */
export class TorchPeer {
  private readonly waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private stderr = "";

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: child.stdout }).on("line", (line) => this.waiting.shift()?.resolve(line));
    child.stderr.on("data", (d) => (this.stderr += d));
    child.on("exit", (code) => {
      for (const w of this.waiting.splice(0))
        w.reject(new Error(`PyTorch peer exited ${code} (${python}): ${this.stderr.trim()}`));
    });
  }

  static start(script: string, args: (string | number)[], policy: MallocPolicy): TorchPeer {
    return new TorchPeer(
      spawn(python, [path.join(repoRoot, "bench", "ref", script), ...args.map(String)], { env: torchEnv(policy) }),
    );
  }

  /** The two peers every comparison runs: [retain, default]. */
  static pair(script: string, args: (string | number)[]): [TorchPeer, TorchPeer] {
    return [TorchPeer.start(script, args, "retain"), TorchPeer.start(script, args, "default")];
  }

  request(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(command + "\n");
    });
  }

  close(): void {
    this.child.stdin.end("quit\n");
  }
}

/** Timings of ours and of the two peers (retain, default), run in turn. */
export interface Paired {
  ours: number;
  torch: number;
  torchDefault: number;
}

/**
 * After one side's run, its idle OpenMP threads may spin for a while (libgomp's default wait policy); the next run
 * waits this long first, so that it does not share the cores with them.
 */
const SETTLE_MS = 30;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Medians of ours and of each peer's timed `command`, run in turn after WARMUP warm-up rounds of each. */
export async function pairedMedians(ours: () => void, peers: [TorchPeer, TorchPeer], command: string): Promise<Paired> {
  const times: number[][] = [[], [], []];
  for (let i = 0; i < WARMUP + STEPS; i++) {
    await settle();
    const round = [timeMs(ours)];
    for (const peer of peers) {
      await settle();
      round.push(Number(await peer.request(command)));
    }
    if (i >= WARMUP) round.forEach((t, k) => times[k].push(t));
  }
  const [a, b, c] = times.map(median);
  return { ours: a, torch: b, torchDefault: c };
}

/** "ours X ms, PyTorch Y ms [Z ms], ratio ours/pytorch R [R']": [] with glibc's default allocator. */
export function comparison({ ours, torch, torchDefault }: Paired): string {
  return (
    `ours ${ours.toFixed(0).padStart(6)} ms, PyTorch ${torch.toFixed(0).padStart(6)} ms [${torchDefault.toFixed(0)} ms], ` +
    `ratio ours/pytorch ${ratio(ours, torch)} [${ratio(ours, torchDefault)}]`
  );
}

/** [kernel name, total ms, calls], largest first. */
export type ProfileRow = [string, number, number];

/** Kernel time per kernel name over one call of fn (tf.profile times each kernel the engine runs). */
export async function kernelProfile(fn: () => void): Promise<{ rows: ProfileRow[]; wallMs: number; flops: number }> {
  const t = process.hrtime.bigint();
  const profile = await tf.profile(fn);
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  const byName = new Map<string, [number, number]>();
  // tf.customGrad's forward (our batch norm) is recorded as one "unnamed scope" whose time includes the kernels it
  // ran, which are recorded too: leave it out, so that the total does not count them twice.
  for (const k of profile.kernels.filter((k) => k.name !== "unnamed scope")) {
    const [ms, count] = byName.get(k.name) ?? [0, 0];
    byName.set(k.name, [ms + (k.kernelTimeMs as number), count + 1]);
  }
  const rows = [...byName].map(([name, [ms, count]]) => [name, ms, count] as ProfileRow).sort((a, b) => b[1] - a[1]);
  return { rows, wallMs, flops: profileFlops(profile) };
}

/** The top rows of a profile as indented lines, with the rest summed into one line. */
export function formatProfile(title: string, rows: ProfileRow[], top = 12): string[] {
  const total = rows.reduce((s, r) => s + r[1], 0);
  const shown = rows.slice(0, top);
  const rest = rows.slice(top);
  const line = ([name, ms, calls]: ProfileRow) =>
    `  ${name.padEnd(26)} ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${String(calls).padStart(5)} calls`;
  const out = [`${title} (kernel time ${total.toFixed(0)} ms):`, ...shown.map(line)];
  if (rest.length)
    out.push(
      line([`(${rest.length} other kernels)`, rest.reduce((s, r) => s + r[1], 0), rest.reduce((s, r) => s + r[2], 0)]),
    );
  return out;
}

/** A comma-separated benchmark setting from the environment, or its default. */
export const envList = (name: string, fallback: string): string[] =>
  (process.env[name] ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Backends and thread counts to measure: BENCH_BACKENDS (default wasm,onednn) and BENCH_THREADS (default 1,2). */
export function benchMatrix(): { backends: string[]; threads: number[] } {
  return {
    backends: envList("BENCH_BACKENDS", "wasm,onednn"),
    threads: envList("BENCH_THREADS", "1,2").map(Number),
  };
}

/**
 * Runs `script --child` in a fresh Node process with the backend and thread count forced; the child prints
 * human-readable lines and, last, one JSON line. Returns the parsed JSON, or the reason the child failed.
 */
export function runChild<T>(
  script: string,
  backend: string,
  threads: number,
  extraEnv: Record<string, string> = {},
): { result?: T; lines: string[]; error?: string } {
  const env = { ...process.env, STARCLUSTER_BACKEND: backend, STARCLUSTER_THREADS: String(threads), ...extraEnv };
  const r = spawnSync(process.execPath, [script, "--child"], { encoding: "utf8", env, maxBuffer: 1 << 24 });
  const lines = r.stdout.trimEnd().split("\n").filter(Boolean);
  if (r.status !== 0) return { lines: lines, error: r.stderr.trim().split("\n").pop() ?? `exit ${r.status}` };
  return { result: JSON.parse(lines.pop()!) as T, lines };
}

export const ratio = (ours: number, torch: number) => (ours / torch).toFixed(2);
