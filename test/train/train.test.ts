// The training engine: profiles, data order, determinism (same seed -> same weights), resume from a checkpoint,
// including after kill -9 of a real `starcluster train` process, and refusal to mix two runs in one folder.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import { initBackend } from "../../lib/backend/select";
import * as tf from "@tensorflow/tfjs";
import { createDualModel, disposeDualModel, dualForward, dualStateDict } from "../../lib/models/dual";
import { readSafetensors, SafetensorsFile } from "../../lib/models/safetensors";
import { Adam } from "../../lib/train/adam";
import { trainStep } from "../../lib/train/step";
import { inputSizeFor, learningRateAt, loadProfile, PROFILES, Profile } from "../../lib/train/profile";
import { BatchSampler } from "../../lib/train/sampler";
import {
  classifierStepScales,
  foldClassifier0ForTraining,
  RunResult,
  train,
  TrainOptions,
} from "../../lib/train/train";
import { onednnSkip } from "../backend/kernel-check";
import { relError } from "../models/helpers";
import { killWhen, repoRoot, tempDir } from "../helpers";
import { writeCuratedFixture } from "../dataset/fixture";

const data = writeCuratedFixture(tempDir(), { size: 32, perClass: 5 }).dir;
const work = tempDir();
const profileFile = path.join(work, "tiny.json");
const tiny: Profile = {
  ...loadProfile("smoke"),
  name: "tiny",
  batchSize: { resnet18: 4, vgg19_bn: 2 },
  batches: { resnet18: 4, vgg19_bn: 2 },
  checkpointEvery: 2,
  logEvery: 1,
};
fs.writeFileSync(profileFile, JSON.stringify(tiny));
const quiet = () => {};

async function run(out: string, extra: Partial<TrainOptions> = {}) {
  const backend = extra.backend ?? (await initBackend({ backend: "wasm", log: quiet }));
  return train({
    data: [data],
    arch: "resnet18",
    seed: 7,
    profile: tiny,
    out: path.join(work, out),
    backend,
    log: quiet,
    ...extra,
  });
}
const weightsOf = (out: string) => readSafetensors(path.join(work, out, "model.safetensors"));
// Run "a" (seed 7, uninterrupted) is the reference of the determinism, schedule and resume tests: trained once
// here, so that each of them also runs on its own.
let runA: RunResult;
before(async () => {
  runA = await run("a");
});

function assertSameWeights(a: string, b: string) {
  const wa = weightsOf(a),
    wb = weightsOf(b);
  assert.deepEqual([...wa.keys()], [...wb.keys()]);
  for (const [name, t] of wa)
    assert.ok(
      Buffer.from(t.data.buffer).equals(Buffer.from(wb.get(name)!.data.buffer)),
      `${name} differs between ${a} and ${b}`,
    );
}

test("the built-in profiles load; the paper profile is the published recipe; bad profiles are refused", () => {
  for (const name of PROFILES) assert.equal(loadProfile(name).name, name);
  const paper = loadProfile("paper");
  assert.deepEqual(
    [paper.inputSize, paper.learningRate, paper.batchSize.resnet18, paper.batchSize.vgg19_bn, paper.batches.resnet18],
    [299, 1e-4, 32, 16, 10000],
  );
  assert.throws(() => loadProfile("fast"), /unknown training profile 'fast'/);
  const bad = path.join(work, "bad.json");
  fs.writeFileSync(bad, JSON.stringify({ ...tiny, checkpointEvery: 3, logEvery: 2 }));
  assert.throws(() => loadProfile(bad), /checkpointEvery \(3\) must be a multiple of logEvery \(2\)/);
  fs.writeFileSync(bad, JSON.stringify({ ...tiny, rescale: "log" }));
  assert.throws(() => loadProfile(bad), /rescale must be one of/);
  fs.writeFileSync(bad, JSON.stringify({ ...tiny, vggDropout: 1 }));
  assert.throws(() => loadProfile(bad), /vggDropout must be in \[0, 1\) \(got 1\)/);
  fs.writeFileSync(bad, JSON.stringify({ ...tiny, schedule: "step" }));
  assert.throws(() => loadProfile(bad), /schedule must be one of constant, cosine/);
  fs.writeFileSync(bad, JSON.stringify({ ...tiny, inputSize: { resnet18: 96 } }));
  assert.throws(() => loadProfile(bad), /inputSize.vgg19_bn must be a positive integer \(got undefined\)/);
  const perNetwork = path.join(work, "per-network.json");
  fs.writeFileSync(perNetwork, JSON.stringify({ ...tiny, inputSize: { resnet18: 96, vgg19_bn: 50 } }));
  const sizes = loadProfile(perNetwork);
  assert.deepEqual(
    [inputSizeFor(sizes, "resnet18"), inputSizeFor(sizes, "vgg19_bn"), inputSizeFor(tiny, "vgg19_bn")],
    [96, 50, 32],
  );
  fs.writeFileSync(bad, JSON.stringify({ ...tiny, vggClassifierStep: "sqrt" }));
  assert.throws(() => loadProfile(bad), /vggClassifierStep must be one of uniform, fan-in/);
});

test("vggClassifierStep fan-in: classifier.0 steps at 1/49 of lr, classifier.3 and .6 at 1/8, nothing else scaled", () => {
  const state = new Map([
    ["backbones.0.features.0.weight", { shape: [3, 3, 3, 64] }],
    ["backbones.0.classifier.0.weight", { shape: [25088, 4096] }],
    ["backbones.0.classifier.0.bias", { shape: [4096] }],
    ["backbones.1.classifier.3.weight", { shape: [4096, 4096] }],
    ["backbones.1.classifier.6.bias", { shape: [1000] }],
    ["backbones.1.classifier.6.weight", { shape: [4096, 1000] }],
    ["head.weight", { shape: [2000, 4] }],
  ]);
  assert.deepEqual(Object.fromEntries(classifierStepScales(state)), {
    "backbones.0.classifier.0.weight": 1 / 49,
    "backbones.0.classifier.0.bias": 1 / 49,
    "backbones.1.classifier.3.weight": 1 / 8,
    "backbones.1.classifier.6.bias": 1 / 8,
    "backbones.1.classifier.6.weight": 1 / 8,
  });
});

test("shuffle sampling sees every object once per epoch, in a seed-determined order; balanced draws classes evenly", () => {
  const labels = [0, 0, 0, 0, 0, 0, 1, 1, 2, 3];
  const s = new BatchSampler(labels, 4, 3);
  const stream = [0, 1, 2, 3, 4].flatMap((b) => s.batch(b)); // 2 epochs
  assert.deepEqual(
    [...stream.slice(0, 10)].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(
    [...stream.slice(10, 20)].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.notDeepEqual(stream.slice(0, 10), stream.slice(10, 20));
  assert.deepEqual(
    new BatchSampler(labels, 4, 3).batch(3),
    s.batch(3),
    "a batch depends only on seed and batch number",
  );
  assert.notDeepEqual(new BatchSampler(labels, 4, 4).batch(0), s.batch(0));
  const balanced = new BatchSampler(labels, 1000, 3, "balanced").batch(0);
  const perClass = [0, 1, 2, 3].map((c) => balanced.filter((i) => labels[i] === c).length);
  assert.ok(
    perClass.every((n) => n > 200 && n < 300),
    `balanced counts ${perClass}`,
  );
});

test("same seed, same data, same backend: identical weights; another seed: different weights", async () => {
  assert.equal(runA.status, "complete");
  await run("b");
  assertSameWeights("a", "b");
  await run("c", { seed: 8, batches: 1 });
  const wa = weightsOf("a").get("head.weight")!,
    wc = weightsOf("c").get("head.weight")!;
  assert.ok(!Buffer.from(wa.data.buffer).equals(Buffer.from(wc.data.buffer)));
  const metrics = fs
    .readFileSync(path.join(work, "a", "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    metrics.map((m) => m.batch),
    [1, 2, 3, 4],
  );
  assert.ok(metrics.every((m) => Number.isFinite(m.loss) && m.accuracy >= 0 && m.accuracy <= 1));
  const config = JSON.parse(fs.readFileSync(path.join(work, "a", "config.json"), "utf8"));
  assert.equal(config.run.init, "torchvision-default:seed=7");
  assert.equal(config.backend.backend, "wasm");
  assert.match(config.git.commit, /^([0-9a-f]{40}|unknown)$/);
  assert.equal((await run("a")).status, "already complete");
  // The other network's input size is not this run's setting.
  const vggLarger: Profile = { ...tiny, inputSize: { resnet18: 32, vgg19_bn: 64 } };
  assert.equal((await run("a", { profile: vggLarger })).status, "already complete");
  await assert.rejects(
    run("a", { profile: { ...tiny, inputSize: { resnet18: 40, vgg19_bn: 32 } } }),
    /holds a finished run with different settings \(profile.inputSize: 32 -> 40/,
  );
});

test("the cosine schedule decays from the profile's rate to 0; constant (the paper) keeps it; a resumed cosine run is exact", async () => {
  const cosine: Profile = { ...tiny, schedule: "cosine" };
  assert.deepEqual(
    [0, 500, 999].map((b) => learningRateAt(cosine, b, 1000)),
    [1e-4, 5e-5, (1e-4 * (1 + Math.cos((Math.PI * 999) / 1000))) / 2],
  );
  assert.equal(learningRateAt(tiny, 999, 1000), tiny.learningRate);
  await run("cosine-a", { profile: cosine });
  assert.equal((await run("cosine-resumed", { profile: cosine, stopAfter: 2 })).status, "stopped");
  await run("cosine-resumed", { profile: cosine });
  assertSameWeights("cosine-a", "cosine-resumed");
  const constant = weightsOf("a"),
    decayed = weightsOf("cosine-a");
  assert.ok(
    ![...constant].every(([name, t]) => Buffer.from(t.data.buffer).equals(Buffer.from(decayed.get(name)!.data.buffer))),
    "the schedule changes the weights",
  );
});

// VGG19-BN training runs on the native backend; on wasm a step over its 286 M weights takes minutes.
const noOnednn = onednnSkip();
const vggSkip = noOnednn === false ? false : `VGG19-BN training needs the onednn backend here (${noOnednn})`;
const vggBackend = () => initBackend({ backend: "onednn", log: quiet });

test("VGG19-BN at 32 px trains classifier.0 folded: the same training as torchvision's layout under both step rules", {
  skip: vggSkip,
}, async (t) => {
  await vggBackend();
  const x = tf.randomUniform([2, 32, 32, 6], 0, 1, "float32", 5) as tf.Tensor4D;
  const y = tf.tensor1d([0, 3], "int32");
  // What three Adam steps change in the logits, trained as torchvision holds the layer or folded.
  const change = (rule: "fan-in" | "uniform", fold: boolean) => {
    const model = createDualModel({ arch: "vgg19_bn", inputSize: 32, seed: 3 });
    const logits = () => tf.tidy(() => dualForward(model, x, { training: false }).dataSync() as Float32Array);
    const before = logits();
    let scales = rule === "fan-in" ? classifierStepScales(dualStateDict(model)) : new Map<string, number>();
    if (fold) scales = foldClassifier0ForTraining(model, scales);
    const adam = new Adam({ lr: 1e-3 });
    for (const [name, scale] of scales) adam.lrScale.set(name, scale);
    for (let i = 0; i < 3; i++) trainStep(model, x, y, adam, { dropout: 0 });
    const after = logits();
    adam.dispose();
    disposeDualModel(model);
    return after.map((v, i) => v - before[i]);
  };
  for (const rule of ["fan-in", "uniform"] as const) {
    const [torchLayout, folded] = [change(rule, false), change(rule, true)];
    const err = relError(folded, torchLayout);
    t.diagnostic(`${rule}: relative difference of the logits' change ${err.toExponential(2)}`);
    assert.ok(Math.max(...torchLayout.map(Math.abs)) > 1e-3, `${rule}: training moved the logits`);
    assert.ok(err < 5e-3, `${rule}: the folded layer's change in the logits differs by ${err} (relative)`);
  }
  tf.dispose([x, y]);
});

test("a folded VGG19-BN run writes torchvision's layout and resumes exactly from its folded checkpoint", {
  skip: vggSkip,
}, async () => {
  const vgg = { arch: "vgg19_bn" as const, backend: await vggBackend() };
  assert.equal((await run("vgg-resumed", { ...vgg, stopAfter: 1 })).status, "stopped");
  const checkpoint = SafetensorsFile.open(path.join(work, "vgg-resumed", "checkpoint.safetensors"));
  assert.deepEqual(checkpoint.entry("model.backbones.0.classifier.0.weight").shape, [512, 4096]);
  assert.deepEqual(checkpoint.entry("adam.v.backbones.1.classifier.0.weight").shape, [512, 4096]);
  await run("vgg-resumed", vgg);
  await run("vgg", vgg);
  assert.deepEqual(weightsOf("vgg").get("backbones.0.classifier.0.weight")!.shape, [25088, 4096]);
  assertSameWeights("vgg", "vgg-resumed");
});

test("a run stopped at a checkpoint resumes to the same weights as an uninterrupted run", async () => {
  const first = await run("resumed", { stopAfter: 2 });
  assert.equal(first.status, "stopped");
  assert.ok(fs.existsSync(path.join(work, "resumed", "checkpoint.safetensors")));
  assert.ok(!fs.existsSync(path.join(work, "resumed", "model.safetensors")));
  assert.equal((await run("resumed")).status, "complete");
  assert.ok(
    !fs.existsSync(path.join(work, "resumed", "checkpoint.safetensors")),
    "the checkpoint is removed when the run completes",
  );
  assertSameWeights("a", "resumed");
  const batches = fs
    .readFileSync(path.join(work, "resumed", "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).batch);
  assert.deepEqual(batches, [1, 2, 3, 4]);
  await assert.rejects(
    run("resumed-other", { stopAfter: 1 }).then(() => run("resumed-other", { seed: 9 })),
    /holds a run with different settings \(seed: 7 -> 9, init: "torchvision-default:seed=7" -> "torchvision-default:seed=9"; .*config\.json\)/,
  );
});

test("kill -9 during `starcluster train`, then the same command: the same weights as an uninterrupted run", async () => {
  const out = path.join(work, "killed");
  const args = [
    path.join(repoRoot, "bin", "starcluster.js"),
    "train",
    "--data",
    data,
    "--arch",
    "resnet18",
    "--seed",
    "7",
    "--profile",
    profileFile,
    "--out",
    out,
    "--backend",
    "wasm",
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  const checkpoint = path.join(out, "checkpoint.safetensors");
  await killWhen(child, () => fs.existsSync(checkpoint), "train", 20);
  assert.ok(!fs.existsSync(path.join(out, "model.safetensors")), "killed before the end");
  const again = spawnSync(process.execPath, args, { encoding: "utf8" });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /resuming after batch 2 of 4/);
  assertSameWeights("a", "killed");
});
