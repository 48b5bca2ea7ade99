// Training benchmark: one step of the paper's dual-ResNet18 classifier (64x64x6 input, batch 16, cross-entropy,
// Adam lr 1e-4; lib/models trainStep) for each backend x thread count (BENCH_BACKENDS, BENCH_THREADS; each in its
// own process), beside PyTorch CPU with the same thread count, its steps alternating with ours. Prints each run's
// per-kernel profile and PyTorch's top ops, the ratios ours/PyTorch, and last the onednn 2-thread training ratio.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";
import { createDualModel, dualStateDict } from "../lib/models/dual";
import { trainStep } from "../lib/train/step";
import { Adam } from "../lib/train/adam";
import { benchMatrix, comparison, formatProfile, kernelProfile, Paired, pairedMedians, PEERS_NOTE, ProfileRow, runChild, STEPS, TorchPeer, WARMUP } from "./measure";

const BATCH = 16, SIZE = 64, CLASSES = 4;
/** The ratio the last line reports. */
const HEADLINE = { backend: "onednn", threads: 2 };

interface ChildResult { backend: string; threads: number; times: Paired }

async function child(): Promise<void> {
  const info = await initBackend();
  const model = createDualModel({ arch: "resnet18", inputSize: SIZE, seed: 1 });
  const params = [...dualStateDict(model).values()].filter((v) => v.trainable).reduce((n, v) => n + v.size, 0);
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 6], 0, 1, "float32", 2) as tf.Tensor4D;
  const labels = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % CLASSES), "int32");
  const adam = new Adam({ lr: 1e-4 });
  const step = () => void trainStep(model, x, labels, adam);
  const peers = TorchPeer.pair("train_torch.py", ["--threads", info.threads, "--batch", BATCH, "--size", SIZE]);
  try {
    const times = await pairedMedians(step, peers, "step");
    const { rows, wallMs } = await kernelProfile(step);
    const torch = JSON.parse(await peers[0].request("profile")) as { torch: string; threads: number; params: number; profile: ProfileRow[] };
    if (torch.params !== params) throw new Error(`parameter counts differ: ours ${params}, PyTorch ${torch.params}`);
    const native = info.nativeKernels?.length ? `; native kernels: ${info.nativeKernels.join(", ")}` : "";
    console.log(`--- ${info.backend}, ${info.threads} thread(s), simd ${info.simd}${native}`);
    for (const line of formatProfile(`per-kernel profile of one training step (wall ${wallMs.toFixed(0)} ms with profiling)`, rows)) console.log(line);
    console.log(`PyTorch ${torch.torch} CPU, ${torch.threads} thread(s), glibc keeping freed memory:`);
    for (const line of formatProfile("  top ops of one step (self CPU time)", torch.profile, 8)) console.log(line);
    console.log(JSON.stringify({ backend: info.backend, threads: info.threads, times } satisfies ChildResult));
  } finally {
    peers.forEach((p) => p.close());
  }
}

async function main(): Promise<void> {
  const { backends, threads } = benchMatrix();
  console.log(`dual ResNet18 training step: batch ${BATCH}, ${SIZE}x${SIZE}x6, ${CLASSES} classes, Adam lr 1e-4 (parameter count ` +
    `checked equal to PyTorch's); medians of ${STEPS} steps after ${WARMUP} warm-up, ours and PyTorch's alternating`);
  console.log(PEERS_NOTE);
  const summary: string[] = [];
  let headline: string | undefined;
  for (const backend of backends) {
    for (const n of threads) {
      const r = runChild<ChildResult>(__filename, backend, n);
      r.lines.forEach((l) => console.log(l));
      if (!r.result) {
        summary.push(`train step ${backend.padEnd(6)} ${n} thread(s): unavailable (${r.error})`);
        continue;
      }
      const line = `train step ${backend.padEnd(6)} ${n} thread(s): ${comparison(r.result.times)}`;
      if (backend === HEADLINE.backend && n === HEADLINE.threads) headline = line;
      else summary.push(line);
    }
  }
  console.log("--- summary");
  summary.forEach((l) => console.log(l));
  console.log(headline ?? `train step ${HEADLINE.backend} ${HEADLINE.threads} thread(s): not measured (BENCH_BACKENDS/BENCH_THREADS, or the backend is unavailable)`);
}

(process.argv.includes("--child") ? child() : main()).catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
