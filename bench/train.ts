// Training benchmark: one step of the paper's dual classifier (batch 16, cross-entropy, Adam lr 1e-4; lib/models
// trainStep), dual ResNet18 by default or dual VGG19-BN (BENCH_ARCH=vgg19_bn; at 32-63 px its classifier.0 trains
// folded as `train` does, BENCH_VGG_FOLD=0 keeps torchvision's layout), for each input size x precision x backend x
// thread count (BENCH_SIZES, default 64, e.g. 64,299 for the paper's size; BENCH_PRECISIONS, default fp32, e.g.
// fp32,bf16; BENCH_BACKENDS; BENCH_THREADS; each in its own process), beside PyTorch CPU with the same thread count
// and precision (bf16: its CPU autocast), its steps alternating with ours. Prints each run's per-kernel profile and
// PyTorch's top ops, the ratios ours/PyTorch, our bf16 speed-up over our fp32, and last the onednn 2-thread fp32
// training ratio at 64 px.
import * as tf from "@tensorflow/tfjs";
import { initBackend, Precision } from "../lib/backend/select";
import { ArchName } from "../lib/models/arch";
import { createDualModel, dualStateDict } from "../lib/models/dual";
import { trainStep } from "../lib/train/step";
import { Adam } from "../lib/train/adam";
import { convolutionRate } from "./arithmetic";
import { foldClassifier0ForTraining } from "../lib/train/train";
import { foldsClassifier0 } from "../lib/models/vgg";
import {
  benchMatrix,
  comparison,
  envList,
  formatProfile,
  kernelProfile,
  Paired,
  pairedMedians,
  machineNote,
  PEERS_NOTE,
  ProfileRow,
  runChild,
  STEPS,
  TorchPeer,
  WARMUP,
} from "./measure";

const BATCH = 16,
  CLASSES = 4;
const SIZES = envList("BENCH_SIZES", "64").map(Number);
const PRECISIONS = envList("BENCH_PRECISIONS", "fp32") as Precision[];
const ARCH = (process.env.BENCH_ARCH || "resnet18") as ArchName;
/** Whether VGG19-BN's classifier.0 trains folded where `train` folds it (1x1 last feature map). */
const foldsAt = (size: number) => process.env.BENCH_VGG_FOLD !== "0" && foldsClassifier0(ARCH, size);
/** The ratio the last line reports. */
const HEADLINE = { backend: "onednn", threads: 2, size: 64, precision: "fp32" };

interface ChildResult {
  backend: string;
  threads: number;
  precision: Precision;
  times: Paired;
  /** Floating-point operations of one step (convolutions and matrix products). */
  flops: number;
  /** A large convolution's rate here, in this precision and thread count (bench/arithmetic.ts). */
  convolutionRate: number;
}

async function child(): Promise<void> {
  const size = Number(process.env.BENCH_SIZE),
    asked = process.env.BENCH_PRECISION as Precision;
  const info = await initBackend({ precision: asked });
  if (info.precision !== asked) throw new Error(`${asked} cannot run on ${info.backend} here`);
  const model = createDualModel({ arch: ARCH, inputSize: size, seed: 1 });
  // Counted in torchvision's layout, before folding, to check against PyTorch's.
  const params = [...dualStateDict(model).values()].filter((v) => v.trainable).reduce((n, v) => n + v.size, 0);
  const x = tf.randomUniform([BATCH, size, size, 6], 0, 1, "float32", 2) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: BATCH }, (_, i) => i % CLASSES),
    "int32",
  );
  const adam = new Adam({ lr: 1e-4 });
  if (foldsAt(size)) for (const [k, v] of foldClassifier0ForTraining(model, new Map())) adam.lrScale.set(k, v);
  const step = () => void trainStep(model, x, labels, adam);
  const peers = TorchPeer.pair("train_torch.py", [
    "--arch",
    ARCH,
    "--threads",
    info.threads,
    "--batch",
    BATCH,
    "--size",
    size,
    "--precision",
    asked,
  ]);
  try {
    const times = await pairedMedians(step, peers, "step");
    const { rows, wallMs, flops } = await kernelProfile(step);
    const rate = convolutionRate();
    const torch = JSON.parse(await peers[0].request("profile")) as {
      torch: string;
      threads: number;
      params: number;
      profile: ProfileRow[];
    };
    if (torch.params !== params) throw new Error(`parameter counts differ: ours ${params}, PyTorch ${torch.params}`);
    const native = info.nativeKernels?.length ? `; native kernels: ${info.nativeKernels.join(", ")}` : "";
    console.log(
      `--- ${ARCH}${foldsAt(size) ? " (classifier.0 folded)" : ""}, ${info.backend}, ${info.threads} thread(s), ${size} px, ${info.precision}, simd ${info.simd}${native}`,
    );
    for (const line of formatProfile(
      `per-kernel profile of one training step (wall ${wallMs.toFixed(0)} ms with profiling)`,
      rows,
    ))
      console.log(line);
    console.log(`PyTorch ${torch.torch} CPU, ${torch.threads} thread(s), ${asked}, glibc keeping freed memory:`);
    for (const line of formatProfile("  top ops of one step (self CPU time)", torch.profile, 8)) console.log(line);
    console.log(
      JSON.stringify({
        backend: info.backend,
        threads: info.threads,
        precision: info.precision,
        times,
        flops,
        convolutionRate: rate,
      } satisfies ChildResult),
    );
  } finally {
    peers.forEach((p) => p.close());
  }
}

/** Our step's arithmetic rate beside a large convolution's in the same child. */
function arithmetic(r: ChildResult): string {
  const gflops = r.flops / 1e9;
  const rate = gflops / (r.times.ours / 1000);
  return `${gflops.toFixed(1)} GFLOP per step, ours ${rate.toFixed(0)} GFLOP/s (a large convolution ${(r.convolutionRate / 1e9).toFixed(0)})`;
}

async function main(): Promise<void> {
  const { backends, threads } = benchMatrix();
  console.log(
    `dual ${ARCH} training step: batch ${BATCH}, ${SIZES.join(" and ")} px, 6 channels, ${CLASSES} classes, Adam lr 1e-4, ` +
      `${PRECISIONS.join(" and ")} (parameter count checked equal to PyTorch's); medians of ${STEPS} steps after ${WARMUP} warm-up, ours and PyTorch's alternating`,
  );
  console.log(machineNote());
  console.log(PEERS_NOTE);
  const summary: string[] = [];
  const ours = new Map<string, number>();
  let headline: string | undefined;
  for (const size of SIZES) {
    for (const precision of PRECISIONS) {
      for (const backend of backends) {
        for (const n of threads) {
          const fold = foldsAt(size) ? " folded" : "";
          const label = `${ARCH} train step ${size} px${fold} ${precision} ${backend.padEnd(6)} ${n} thread(s)`;
          const r = runChild<ChildResult>(__filename, backend, n, {
            BENCH_SIZE: String(size),
            BENCH_PRECISION: precision,
          });
          r.lines.forEach((l) => console.log(l));
          if (!r.result) {
            summary.push(`${label}: unavailable (${r.error})`);
            continue;
          }
          ours.set(`${size}:${precision}:${backend}:${n}`, r.result.times.ours);
          const fp32 = ours.get(`${size}:fp32:${backend}:${n}`);
          const speedup =
            precision === "bf16" && fp32 ? `; ours bf16 ${(fp32 / r.result.times.ours).toFixed(2)}x our fp32` : "";
          const line = `${label}: ${comparison(r.result.times)}${speedup}; ${arithmetic(r.result)}`;
          const isHeadline =
            backend === HEADLINE.backend &&
            n === HEADLINE.threads &&
            size === HEADLINE.size &&
            precision === HEADLINE.precision;
          if (isHeadline) headline = line;
          else summary.push(line);
        }
      }
    }
  }
  console.log("--- summary");
  summary.forEach((l) => console.log(l));
  console.log(
    headline ??
      `${ARCH} train step ${HEADLINE.size} px ${HEADLINE.precision} ${HEADLINE.backend} ${HEADLINE.threads} thread(s): not measured (BENCH_*, or the backend is unavailable)`,
  );
}

(process.argv.includes("--child") ? child() : main()).catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
