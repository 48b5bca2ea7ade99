// Quick backend benchmark on the backend this machine selects (auto, or STARCLUSTER_BACKEND) with its thread count:
// one dual-ResNet18 training step and one inference pass (64x64x6, batch 16, lib/models), a per-kernel profile of
// the step, and PyTorch CPU with the same thread count in the same run. The last line is the training ratio
// ours / PyTorch. bench:train and bench:models measure every backend at 1 and 2 threads.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";
import { createDualModel, dualForward } from "../lib/models/dual";
import { trainStep } from "../lib/models/step";
import { Adam } from "../lib/train/adam";
import { formatProfile, kernelProfile, medianMs, ratio, runTorch, STEPS, WARMUP } from "./measure";

const BATCH = 16, SIZE = 64;

async function main(): Promise<void> {
  const info = await initBackend();
  console.log(`tfjs ${info.tfjs}: backend ${info.backend}, ${info.threads} thread(s), simd ${info.simd}; dual ResNet18, batch ${BATCH}, ${SIZE}x${SIZE}x6; median of ${STEPS} after ${WARMUP} warm-up`);
  const model = createDualModel({ arch: "resnet18", inputSize: SIZE, seed: 1 });
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 6], 0, 1, "float32", 2) as tf.Tensor4D;
  const labels = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 4), "int32");
  const adam = new Adam({ lr: 1e-4 });
  const step = () => void trainStep(model, x, labels, adam);
  const train = medianMs(step);
  const infer = medianMs(() => tf.tidy(() => dualForward(model, x, { training: false }).dataSync()));
  for (const line of formatProfile("per-kernel profile of one training step", (await kernelProfile(step)).rows)) console.log(line);

  const args = ["--threads", info.threads, "--batch", BATCH, "--warmup", WARMUP, "--steps", STEPS];
  const t = runTorch<{ torch: string; train_ms: number }>("train_torch.py", [...args, "--size", SIZE]);
  const i = runTorch<{ results: Record<string, number> }>("models_torch.py", [...args, `resnet18:${SIZE}`]);
  const torchInfer = i.results[`resnet18:${SIZE}`];
  console.log(`ours ${info.backend} (${info.threads} threads): train step ${train.toFixed(0)} ms, inference ${infer.toFixed(0)} ms`);
  console.log(`PyTorch ${t.torch} CPU (${info.threads} threads): train step ${t.train_ms.toFixed(0)} ms, inference ${torchInfer.toFixed(0)} ms`);
  console.log(`ratio ours/pytorch (inference): ${ratio(infer, torchInfer)}`);
  console.log(`ratio ours/pytorch (train step): ${ratio(train, t.train_ms)}`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
