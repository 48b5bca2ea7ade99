// Model benchmark: eval-mode forward pass of the paper's dual classifiers (dual ResNet18, dual VGG19-BN), batch 16,
// at native 64 px and the paper's 299 px, on the selected tfjs backend and on PyTorch CPU (Debian's torch, same
// thread count) in a child process. Median of BENCH_STEPS after BENCH_WARMUP. The last line is the dual-ResNet18
// 64 px ratio ours / PyTorch.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";
import { ArchName } from "../lib/models/arch";
import { createDualModel, disposeDualModel, dualForward } from "../lib/models/dual";

const BATCH = 16;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const STEPS = Number(process.env.BENCH_STEPS ?? 3);
/**
 * [arch, size, micro-batch]. Dual VGG19-BN at 299 px with all 16 images at once exceeds the wasm heap ("memory
 * access out of bounds"), so ours runs it as micro-batches of 4 (same result, same total work); PyTorch runs 16.
 * Dual-ResNet18 at 64 px last: its ratio is the headline.
 */
const CONFIGS: [ArchName, number, number][] = [["vgg19_bn", 299, 4], ["vgg19_bn", 64, BATCH], ["resnet18", 299, BATCH], ["resnet18", 64, BATCH]];
const repoRoot = path.resolve(__dirname, "..", "..");
const python = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";

function medianMs(fn: () => void): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const info = await initBackend();
  console.log(`tfjs ${info.tfjs}: backend ${info.backend}, ${info.threads} thread(s), simd ${info.simd}; batch ${BATCH}, eval mode, median of ${STEPS} after ${WARMUP} warm-up`);
  const ours = new Map<string, number>();
  const notes = new Map<string, string>();
  for (const [arch, size, micro] of CONFIGS) {
    const model = createDualModel({ arch, inputSize: size });
    const xs = Array.from({ length: BATCH / micro }, () => tf.randomUniform([micro, size, size, 6]) as tf.Tensor4D);
    ours.set(`${arch}:${size}`, medianMs(() => xs.forEach((x) => tf.tidy(() => dualForward(model, x, { training: false }).dataSync()))));
    if (micro < BATCH) notes.set(`${arch}:${size}`, ` (tfjs in micro-batches of ${micro})`);
    tf.dispose(xs);
    disposeDualModel(model);
  }
  const keys = [...ours.keys()];
  const r = spawnSync(python, [
    path.join(repoRoot, "bench", "ref", "models_torch.py"),
    ...["--threads", info.threads, "--batch", BATCH, "--warmup", WARMUP, "--steps", STEPS].map(String), ...keys,
  ], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`PyTorch reference failed (${python}): ${r.error?.message ?? r.stderr}`);
  const torch = JSON.parse(r.stdout) as { torch: string; threads: number; results: Record<string, number> };
  console.log(`PyTorch ${torch.torch} CPU, ${torch.threads} thread(s)`);
  for (const key of keys) {
    const [arch, size] = key.split(":");
    const a = ours.get(key)!, b = torch.results[key];
    console.log(`dual ${arch.padEnd(8)} ${size.padStart(3)} px: tfjs ${a.toFixed(0).padStart(7)} ms, PyTorch ${b.toFixed(0).padStart(7)} ms, ratio tfjs/pytorch ${(a / b).toFixed(2)}${notes.get(key) ?? ""}`);
  }
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
