// Backend benchmark: one ResNet18 training step (forward, backward, Adam) and one inference pass on the selected
// tfjs backend, then the same on PyTorch CPU (Debian's torch, same thread count) in a child process.
// Median of N timed steps after warm-up. The last line is the training-step ratio tfjs / PyTorch.
//
// The network is built from tf ops here, with PyTorch's symmetric explicit padding, so both sides compute the
// same shapes; the parameter counts are checked equal. (To be replaced by lib/models once it exists.)
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/select";

const BATCH = 16, SIZE = 64, CLASSES = 4;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const STEPS = Number(process.env.BENCH_STEPS ?? 5);
const repoRoot = path.resolve(__dirname, "..", "..");
const python = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";

type Params = Map<string, tf.Variable>;

/** ResNet18 (torchvision layout) parameters, He-normal convs, BN weight 1 / bias 0. */
function resnet18Params(classes: number): Params {
  const p: Params = new Map();
  const conv = (name: string, k: number, ci: number, co: number) =>
    p.set(name, tf.variable(tf.randomNormal([k, k, ci, co], 0, Math.sqrt(2 / (k * k * co))), true, name));
  const bn = (name: string, c: number) => {
    p.set(`${name}.weight`, tf.variable(tf.ones([c]), true, `${name}.weight`));
    p.set(`${name}.bias`, tf.variable(tf.zeros([c]), true, `${name}.bias`));
  };
  conv("conv1", 7, 3, 64);
  bn("bn1", 64);
  let ci = 64;
  for (const [layer, co] of [[1, 64], [2, 128], [3, 256], [4, 512]]) {
    for (const block of [0, 1]) {
      const name = `layer${layer}.${block}`;
      conv(`${name}.conv1`, 3, ci, co);
      bn(`${name}.bn1`, co);
      conv(`${name}.conv2`, 3, co, co);
      bn(`${name}.bn2`, co);
      if (block === 0 && layer > 1) {
        conv(`${name}.downsample.0`, 1, ci, co);
        bn(`${name}.downsample.1`, co);
      }
      ci = co;
    }
  }
  p.set("fc.weight", tf.variable(tf.randomUniform([512, classes], -1 / Math.sqrt(512), 1 / Math.sqrt(512)), true, "fc.weight"));
  p.set("fc.bias", tf.variable(tf.zeros([classes]), true, "fc.bias"));
  return p;
}

/** Forward pass; batch statistics when training, else the (here: initial) running statistics mean 0, var 1. */
function resnet18(p: Params, x: tf.Tensor4D, training: boolean): tf.Tensor2D {
  const get = (name: string) => p.get(name)!;
  const conv = (h: tf.Tensor4D, name: string, stride: number) => {
    const k = get(name).shape[0];
    const pad = (k - 1) / 2;
    return tf.conv2d(h, get(name) as tf.Tensor4D, stride, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
  };
  const bn = (h: tf.Tensor4D, name: string) => {
    const stats = training ? tf.moments(h, [0, 1, 2]) : { mean: tf.zeros([h.shape[3]]), variance: tf.ones([h.shape[3]]) };
    return tf.batchNorm(h, stats.mean, stats.variance, get(`${name}.bias`), get(`${name}.weight`), 1e-5) as tf.Tensor4D;
  };
  let h = tf.relu(bn(conv(x, "conv1", 2), "bn1"));
  h = tf.maxPool(h, 3, 2, 1);
  for (const layer of [1, 2, 3, 4]) {
    for (const block of [0, 1]) {
      const name = `layer${layer}.${block}`;
      const stride = block === 0 && layer > 1 ? 2 : 1;
      const shortcut = stride === 2 ? bn(conv(h, `${name}.downsample.0`, 2), `${name}.downsample.1`) : h;
      const y = tf.relu(bn(conv(h, `${name}.conv1`, stride), `${name}.bn1`));
      h = tf.relu(tf.add(bn(conv(y, `${name}.conv2`, 1), `${name}.bn2`), shortcut) as tf.Tensor4D);
    }
  }
  return tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, get("fc.weight") as tf.Tensor2D), get("fc.bias"));
}

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

/** Kernel time per kernel name over one training step, largest first. */
async function profileStep(step: () => void): Promise<[string, number, number][]> {
  const profile = await tf.profile(step);
  const byName = new Map<string, [number, number]>();
  for (const k of profile.kernels) {
    const [ms, count] = byName.get(k.name) ?? [0, 0];
    byName.set(k.name, [ms + (k.kernelTimeMs as number), count + 1]);
  }
  return [...byName].map(([name, [ms, count]]) => [name, ms, count] as [string, number, number]).sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  const info = await initBackend();
  console.log(`tfjs ${info.tfjs}: backend ${info.backend}, ${info.threads} thread(s), simd ${info.simd}`);
  const params = resnet18Params(CLASSES);
  const nParams = [...params.values()].reduce((n, v) => n + v.size, 0);
  const x = tf.randomNormal([BATCH, SIZE, SIZE, 3]) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % CLASSES), "int32"), CLASSES);
  const adam = tf.train.adam(1e-3);
  const trainStep = () => {
    const loss = adam.minimize(() => tf.losses.softmaxCrossEntropy(y, resnet18(params, x, true)) as tf.Scalar, true);
    loss!.dataSync();
    loss!.dispose();
  };
  const inference = () => tf.tidy(() => resnet18(params, x, false).dataSync());

  const tfjsTrain = medianMs(trainStep);
  const tfjsInfer = medianMs(inference);
  const top = (await profileStep(trainStep)).slice(0, 12);
  const total = top.reduce((s, k) => s + k[1], 0);
  console.log(`tfjs per-kernel time over one training step (top ${top.length}, ${total.toFixed(0)} ms):`);
  for (const [name, ms, count] of top) console.log(`  ${name.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms  ${String(count).padStart(4)} calls`);

  const r = spawnSync(python, [
    path.join(repoRoot, "bench", "ref", "backend_torch.py"),
    ...["--threads", info.threads, "--batch", BATCH, "--size", SIZE, "--classes", CLASSES, "--warmup", WARMUP, "--steps", STEPS].map(String),
  ], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`PyTorch reference failed (${python}): ${r.error?.message ?? r.stderr}`);
  const torch = JSON.parse(r.stdout) as { torch: string; threads: number; params: number; train_ms: number; infer_ms: number };
  if (torch.params !== nParams) throw new Error(`parameter counts differ: tfjs ${nParams}, PyTorch ${torch.params}`);

  console.log(`ResNet18, batch ${BATCH}, ${SIZE}x${SIZE}x3, ${CLASSES} classes, ${nParams} parameters; median of ${STEPS} after ${WARMUP} warm-up`);
  console.log(`tfjs ${info.backend} (${info.threads} threads): train step ${tfjsTrain.toFixed(0)} ms, inference ${tfjsInfer.toFixed(0)} ms`);
  console.log(`PyTorch ${torch.torch} CPU (${torch.threads} threads): train step ${torch.train_ms.toFixed(0)} ms, inference ${torch.infer_ms.toFixed(0)} ms`);
  console.log(`ratio tfjs/pytorch (inference): ${(tfjsInfer / torch.infer_ms).toFixed(2)}`);
  console.log(`ratio tfjs/pytorch (train step): ${(tfjsTrain / torch.train_ms).toFixed(2)}`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
