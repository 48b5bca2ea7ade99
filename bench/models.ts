// Inference benchmark: eval-mode forward pass of the paper's dual classifiers (dual ResNet18, dual VGG19-BN), batch
// 16, at native 64 px (BENCH_SIZES=64,299 adds the paper's 299 px), for each backend x thread count (BENCH_BACKENDS,
// BENCH_THREADS; each in its own process), beside PyTorch CPU with the same thread count in the same run (before
// and after ours). Prints a per-kernel profile of each pass, the ratios ours/PyTorch, and last the onednn 2-thread
// dual-ResNet18 64 px ratio.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";
import { ArchName } from "../lib/models/arch";
import { createDualModel, disposeDualModel, dualForward } from "../lib/models/dual";
import { benchMatrix, formatProfile, kernelProfile, medianMs, ratio, runChild, runTorch, STEPS, WARMUP } from "./measure";

const BATCH = 16;
const SIZES = (process.env.BENCH_SIZES ?? "64").split(",").map(Number);
/** Dual-ResNet18 at 64 px, 2 threads on onednn: the ratio the last line reports. */
const HEADLINE = { key: "resnet18:64", backend: "onednn", threads: 2 };

/**
 * [arch, size, micro-batch]. Dual VGG19-BN at 299 px with all 16 images at once exceeds the wasm heap ("memory access
 * out of bounds"), so ours runs it as micro-batches of 4 (same result, same total work); PyTorch runs 16.
 */
const CONFIGS: [ArchName, number, number][] = SIZES.flatMap((size) =>
  (["vgg19_bn", "resnet18"] as ArchName[]).map((arch): [ArchName, number, number] => [arch, size, arch === "vgg19_bn" && size > 64 ? 4 : BATCH]));

interface ChildResult { backend: string; threads: number; results: Record<string, number> }
interface TorchResult { torch: string; threads: number; results: Record<string, number> }

async function child(): Promise<void> {
  const info = await initBackend();
  const native = info.nativeKernels?.length ? `; native kernels: ${info.nativeKernels.join(", ")}` : "";
  console.log(`--- ${info.backend}, ${info.threads} thread(s), simd ${info.simd}${native}`);
  const results: Record<string, number> = {};
  for (const [arch, size, micro] of CONFIGS) {
    const model = createDualModel({ arch, inputSize: size, seed: 1 });
    const xs = Array.from({ length: BATCH / micro }, (_, i) => tf.randomUniform([micro, size, size, 6], 0, 1, "float32", i) as tf.Tensor4D);
    const pass = () => xs.forEach((x) => tf.tidy(() => dualForward(model, x, { training: false }).dataSync()));
    results[`${arch}:${size}`] = medianMs(pass);
    const { rows, wallMs } = await kernelProfile(pass);
    const note = micro < BATCH ? `, micro-batches of ${micro}` : "";
    for (const line of formatProfile(`dual ${arch} ${size} px: per-kernel profile of one inference pass (wall ${wallMs.toFixed(0)} ms with profiling${note})`, rows, 8)) console.log(line);
    tf.dispose(xs);
    disposeDualModel(model);
  }
  console.log(JSON.stringify({ backend: info.backend, threads: info.threads, results } satisfies ChildResult));
}

async function main(): Promise<void> {
  const { backends, threads } = benchMatrix();
  const keys = CONFIGS.map(([arch, size]) => `${arch}:${size}`);
  console.log(`dual classifiers, inference (eval mode): batch ${BATCH}, ${SIZES.join(" and ")} px; median of ${STEPS} after ${WARMUP} warm-up`);
  console.log("PyTorch runs before and after our runs of each thread count; its time is the mean of the two (the machine may be shared)");
  const torch = (n: number) => runTorch<TorchResult>("models_torch.py", ["--threads", n, "--batch", BATCH, "--warmup", WARMUP, "--steps", STEPS, ...keys]);
  const summary: string[] = [];
  let headline: string | undefined;
  for (const n of threads) {
    const before = torch(n);
    const ours = backends.map((backend) => {
      const r = runChild<ChildResult>(__filename, backend, n);
      r.lines.forEach((l) => console.log(l));
      return { backend, ...r };
    });
    const after = torch(n);
    const torchMs = (key: string) => (before.results[key] + after.results[key]) / 2;
    console.log(`--- PyTorch ${before.torch} CPU, ${n} thread(s), before / after: ${keys.map((k) => `${k} ${before.results[k].toFixed(0)} / ${after.results[k].toFixed(0)} ms`).join(", ")}`);
    for (const r of ours) {
      if (!r.result) {
        summary.push(`inference ${r.backend} ${n} thread(s): unavailable (${r.error})`);
        continue;
      }
      for (const key of keys) {
        const [arch, size] = key.split(":");
        const a = r.result.results[key], b = torchMs(key);
        const line = `inference dual ${arch.padEnd(8)} ${size.padStart(3)} px ${r.backend.padEnd(6)} ${n} thread(s): ours ${a.toFixed(0).padStart(6)} ms, PyTorch ${b.toFixed(0).padStart(6)} ms, ratio ours/pytorch ${ratio(a, b)}`;
        if (key === HEADLINE.key && r.backend === HEADLINE.backend && n === HEADLINE.threads) headline = line;
        else summary.push(line);
      }
    }
  }
  console.log("--- summary");
  summary.forEach((l) => console.log(l));
  console.log(headline ?? `inference ${HEADLINE.key} ${HEADLINE.backend} ${HEADLINE.threads} thread(s): not measured (BENCH_BACKENDS/BENCH_THREADS/BENCH_SIZES, or the backend is unavailable)`);
}

(process.argv.includes("--child") ? child() : main()).catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
