// Quick backend benchmark on the backend this machine selects (auto, or STARCLUSTER_BACKEND) with its thread count:
// one dual-ResNet18 training step and one inference pass (64x64x6, batch 16, lib/models), a per-kernel profile of
// the step, and PyTorch CPU with the same thread count, its steps alternating with ours. The last line is the
// training ratio ours / PyTorch. bench:train and bench:models measure every backend at 1 and 2 threads.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";
import { createDualModel, dualForward } from "../lib/models/dual";
import { trainStep } from "../lib/train/step";
import { Adam } from "../lib/train/adam";
import {
  comparison,
  formatProfile,
  kernelProfile,
  pairedMedians,
  machineNote,
  PEERS_NOTE,
  STEPS,
  TorchPeer,
  WARMUP,
} from "./measure";

const BATCH = 16,
  SIZE = 64;

async function main(): Promise<void> {
  const info = await initBackend();
  console.log(
    `tfjs ${info.tfjs}: backend ${info.backend}, ${info.threads} thread(s), simd ${info.simd}; dual ResNet18, batch ${BATCH}, ${SIZE}x${SIZE}x6; medians of ${STEPS} after ${WARMUP} warm-up`,
  );
  console.log(machineNote());
  console.log(PEERS_NOTE);
  const model = createDualModel({ arch: "resnet18", inputSize: SIZE, seed: 1 });
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 6], 0, 1, "float32", 2) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: BATCH }, (_, i) => i % 4),
    "int32",
  );
  const adam = new Adam({ lr: 1e-4 });
  const step = () => void trainStep(model, x, labels, adam);
  const inference = () => tf.tidy(() => dualForward(model, x, { training: false }).dataSync());
  const trainPeers = TorchPeer.pair("train_torch.py", ["--threads", info.threads, "--batch", BATCH, "--size", SIZE]);
  const inferPeers = TorchPeer.pair("models_torch.py", [
    "--threads",
    info.threads,
    "--batch",
    BATCH,
    `resnet18:${SIZE}`,
  ]);
  try {
    const train = await pairedMedians(step, trainPeers, "step");
    const infer = await pairedMedians(inference, inferPeers, `resnet18:${SIZE}`);
    for (const line of formatProfile("per-kernel profile of one training step", (await kernelProfile(step)).rows))
      console.log(line);
    console.log(`${info.backend}, ${info.threads} thread(s):`);
    console.log(`inference: ${comparison(infer)}`);
    console.log(`train step: ${comparison(train)}`);
  } finally {
    [...trainPeers, ...inferPeers].forEach((p) => p.close());
  }
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
