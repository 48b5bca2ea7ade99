// Inference benchmark: eval-mode forward pass of the paper's dual classifiers (dual ResNet18, dual VGG19-BN), batch
// 16, at native 64 px (BENCH_SIZES=64,299 adds the paper's 299 px), for each backend x thread count (BENCH_BACKENDS,
// BENCH_THREADS; each in its own process), beside PyTorch CPU with the same thread count, its passes alternating with
// ours. Prints a per-kernel profile of each pass, the ratios ours/PyTorch, and last the onednn 2-thread dual-ResNet18
// 64 px ratio.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";
import { ArchName } from "../lib/models/arch";
import { createDualModel, disposeDualModel, dualForward } from "../lib/models/dual";
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
  runChild,
  STEPS,
  TorchPeer,
  WARMUP,
} from "./measure";

const BATCH = 16;
const SIZES = envList("BENCH_SIZES", "64").map(Number);
/** Dual-ResNet18 at 64 px, 2 threads on onednn: the ratio the last line reports. */
const HEADLINE = { key: "resnet18:64", backend: "onednn", threads: 2 };

/**
 * [arch, size, micro-batch]. Dual VGG19-BN at 299 px with all 16 images at once exceeds the wasm heap ("memory access
 * out of bounds"), so ours runs it as micro-batches of 4 (same result, same total work); PyTorch runs 16.
 */
const CONFIGS: [ArchName, number, number][] = SIZES.flatMap((size) =>
  (["vgg19_bn", "resnet18"] as ArchName[]).map((arch): [ArchName, number, number] => [
    arch,
    size,
    arch === "vgg19_bn" && size > 64 ? 4 : BATCH,
  ]),
);

interface ChildResult {
  backend: string;
  threads: number;
  results: Record<string, Paired>;
}

async function child(): Promise<void> {
  const info = await initBackend();
  const keys = CONFIGS.map(([arch, size]) => `${arch}:${size}`);
  const peers = TorchPeer.pair("models_torch.py", ["--threads", info.threads, "--batch", BATCH, ...keys]);
  try {
    const torch = JSON.parse(await peers[0].request("info")) as { torch: string; threads: number };
    const native = info.nativeKernels?.length ? `; native kernels: ${info.nativeKernels.join(", ")}` : "";
    console.log(
      `--- ${info.backend}, ${info.threads} thread(s), simd ${info.simd}${native}; PyTorch ${torch.torch} CPU, ${torch.threads} thread(s)`,
    );
    const results: ChildResult["results"] = {};
    for (const [arch, size, micro] of CONFIGS) {
      const model = createDualModel({ arch, inputSize: size, seed: 1 });
      const xs = Array.from(
        { length: BATCH / micro },
        (_, i) => tf.randomUniform([micro, size, size, 6], 0, 1, "float32", i) as tf.Tensor4D,
      );
      const pass = () => xs.forEach((x) => tf.tidy(() => dualForward(model, x, { training: false }).dataSync()));
      results[`${arch}:${size}`] = await pairedMedians(pass, peers, `${arch}:${size}`);
      const { rows, wallMs } = await kernelProfile(pass);
      const note = micro < BATCH ? `, micro-batches of ${micro}` : "";
      for (const line of formatProfile(
        `dual ${arch} ${size} px: per-kernel profile of one inference pass (wall ${wallMs.toFixed(0)} ms with profiling${note})`,
        rows,
        8,
      ))
        console.log(line);
      tf.dispose(xs);
      disposeDualModel(model);
    }
    console.log(JSON.stringify({ backend: info.backend, threads: info.threads, results } satisfies ChildResult));
  } finally {
    peers.forEach((p) => p.close());
  }
}

async function main(): Promise<void> {
  const { backends, threads } = benchMatrix();
  console.log(
    `dual classifiers, inference (eval mode): batch ${BATCH}, ${SIZES.join(" and ")} px; medians of ${STEPS} passes after ${WARMUP} warm-up, ours and PyTorch's alternating`,
  );
  console.log(machineNote());
  console.log(PEERS_NOTE);
  const summary: string[] = [];
  let headline: string | undefined;
  for (const backend of backends) {
    for (const n of threads) {
      const r = runChild<ChildResult>(__filename, backend, n);
      r.lines.forEach((l) => console.log(l));
      if (!r.result) {
        summary.push(`inference ${backend} ${n} thread(s): unavailable (${r.error})`);
        continue;
      }
      for (const [key, times] of Object.entries(r.result.results)) {
        const [arch, size] = key.split(":");
        const line = `inference dual ${arch.padEnd(8)} ${size.padStart(3)} px ${backend.padEnd(6)} ${n} thread(s): ${comparison(times)}`;
        if (key === HEADLINE.key && backend === HEADLINE.backend && n === HEADLINE.threads) headline = line;
        else summary.push(line);
      }
    }
  }
  console.log("--- summary");
  summary.forEach((l) => console.log(l));
  console.log(
    headline ??
      `inference ${HEADLINE.key} ${HEADLINE.backend} ${HEADLINE.threads} thread(s): not measured (BENCH_BACKENDS/BENCH_THREADS/BENCH_SIZES, or the backend is unavailable)`,
  );
}

(process.argv.includes("--child") ? child() : main()).catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
