// Evaluating trained runs: per-run predictions (cached, recomputed when the model changes), confusion matrices,
// mean and std over runs in the layout of Tables 3-6, ablation, and the `starcluster evaluate` command.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import { initBackend } from "../../lib/backend/select";
import { assembleBatch } from "../../lib/dataset/batch";
import { loadCurated, loadPixels } from "../../lib/dataset/curated";
import { loadSplit } from "../../lib/dataset/split";
import { dualPredict } from "../../lib/models/dual";
import { loadDualModel } from "../../lib/models/saved";
import {
  evaluateRuns,
  EvalOptions,
  evaluationCacheSize,
  formatTable,
  releaseEvaluationCache,
  runPredictions,
  tableCsv,
} from "../../lib/evaluate/runs";
import { DECISION_FILE, DecisionFile, priorWeighted } from "../../lib/evaluate/decision";
import { loadProfile, Profile } from "../../lib/train/profile";
import { train } from "../../lib/train/train";
import { repoRoot, tempDir } from "../helpers";
import { writeCuratedFixture } from "../dataset/fixture";

const data = writeCuratedFixture(tempDir(), { size: 32, perClass: 10 }).dir;
const work = tempDir();
const tiny: Profile = {
  ...loadProfile("smoke"),
  name: "tiny",
  batchSize: { resnet18: 8, vgg19_bn: 2 },
  batches: { resnet18: 3, vgg19_bn: 2 },
  checkpointEvery: 3,
  logEvery: 1,
};
const runs = [path.join(work, "seed-0"), path.join(work, "seed-1")];
const quiet = () => {};

// Every test evaluates these two runs: trained once here, so that each test also runs on its own.
before(async () => {
  const backend = await initBackend({ backend: "wasm", log: quiet });
  for (const [i, out] of runs.entries())
    await train({ data: [data], arch: "resnet18", seed: i, profile: tiny, out, backend, log: quiet });
});

test("two trained seeds: per-run confusion matrices on the test split, their mean and std, cached predictions", async () => {
  const e = evaluateRuns(runs, { data: [data], split: "test" });
  const split = loadSplit(path.join(data, "split.json"));
  assert.equal(split.test.length, 8);
  assert.deepEqual(e.totals, [2, 2, 2, 2]);
  for (const r of e.perRun) {
    assert.equal(
      r.counts.flat().reduce((a, b) => a + b, 0),
      8,
    );
    r.percent.forEach((row) => assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 100) < 1e-9));
  }
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) {
      const [a, b] = e.perRun.map((r) => r.percent[i][j]);
      assert.ok(Math.abs(e.mean[i][j] - (a + b) / 2) < 1e-9);
      assert.ok(Math.abs(e.std[i][j] - Math.abs(a - b) / Math.SQRT2) < 1e-9, "sample std over two runs");
    }
  assert.match(formatTable(e), /^\s+Class 1 \[%\]\s+Class 2 \[%\].*\nClass 1 +\d+\.\d ± \d+\.\d/);
  assert.equal(
    tableCsv(e).split("\r\n")[0],
    "true_class,pred1_mean,pred1_std,pred2_mean,pred2_std,pred3_mean,pred3_std,pred4_mean,pred4_std,total",
  );

  // The cached predictions are the model's own probabilities on the test stamps.
  const cached = runPredictions(runs[0], { data: [data], split: "test", labels: "class" });
  const set = loadCurated([data]);
  const items = set.items.filter((it) => split.test.includes(it.key));
  const { model } = loadDualModel(path.join(runs[0], "model.safetensors"));
  const direct = dualPredict(
    model,
    assembleBatch(loadPixels(set, items), { stampSize: 32, inputSize: 32, rescale: "stamp-absmax" }),
  ).arraySync();
  assert.deepEqual(
    cached.keys,
    items.map((it) => it.key),
  );
  direct.forEach((p, i) => p.forEach((v, c) => assert.ok(Math.abs(v - cached.probs[i][c]) < 1e-6)));
  const csv = path.join(runs[0], "predictions", `${path.basename(data)}-test.csv`);
  assert.ok(fs.existsSync(csv), csv);
  const mtime = fs.statSync(csv).mtimeMs;
  runPredictions(runs[0], { data: [data], split: "test", labels: "class" });
  assert.equal(fs.statSync(csv).mtimeMs, mtime, "second evaluation reuses the cache");
  // Read back from the cache, the probabilities are the computed float32 values to the bit.
  fs.rmSync(csv);
  const fresh = runPredictions(runs[0], { data: [data], split: "test", labels: "class" });
  const reread = runPredictions(runs[0], { data: [data], split: "test", labels: "class" });
  assert.ok(fs.existsSync(csv), "the cache was written again");
  assert.deepEqual(reread.probs, fresh.probs);

  const ablated = evaluateRuns(runs, { data: [data], split: "test", zeroBand: "F555W" });
  assert.ok(fs.existsSync(csv.replace(".csv", "-noF555W.csv")));
  assert.deepEqual(ablated.totals, e.totals);
  assert.equal(
    evaluateRuns(runs, { data: [data], split: "all" }).totals.reduce((a, b) => a + b, 0),
    40,
  );
  assert.throws(() => evaluateRuns([work], { data: [data], split: "test" }), /not a complete training run/);
});

test("predictions are cached per precision: bf16 ones in files of their own, the fp32 ones left alone", async (t) => {
  const bf16 = await initBackend({ backend: "onednn", precision: "bf16", log: quiet }).catch(() => undefined);
  try {
    if (bf16?.precision !== "bf16") {
      t.skip("no onednn backend with bf16 here");
      return;
    }
    const options = { data: [data], split: "test" as const, labels: "class" as const };
    const csv = path.join(runs[0], "predictions", `${path.basename(data)}-test.csv`);
    await initBackend({ backend: "wasm", log: quiet });
    const fp32 = runPredictions(runs[0], options);
    const mtime = fs.statSync(csv).mtimeMs;
    await initBackend({ backend: "onednn", precision: "bf16", log: quiet });
    const low = runPredictions(runs[0], options);
    assert.ok(fs.existsSync(csv.replace(".csv", "-bf16.csv")), "a bf16 cache of its own");
    assert.equal(JSON.parse(fs.readFileSync(csv.replace(".csv", "-bf16.json"), "utf8")).precision, "bf16");
    assert.equal(fs.statSync(csv).mtimeMs, mtime, "the fp32 cache is left alone");
    const diffs = fp32.probs.flatMap((p, i) => Array.from(p, (v, c) => Math.abs(v - low.probs[i][c])));
    assert.ok(Math.max(...diffs) > 0, "bf16 probabilities are computed, not the fp32 ones read back");
    assert.ok(Math.max(...diffs) < 0.05, `bf16 close to fp32 (largest difference ${Math.max(...diffs)})`);
  } finally {
    await initBackend({ backend: "wasm", log: quiet });
  }
});

test("starcluster evaluate prints the table and writes table.csv and evaluation.json", () => {
  const out = path.join(work, "eval");
  const r = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, "bin", "starcluster.js"),
      "evaluate",
      "--runs",
      runs[0],
      "--runs",
      runs[1],
      "--data",
      data,
      "--out",
      out,
      "--backend",
      "wasm",
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /accuracy \d+\.\d ± \d+\.\d % over 2 run\(s\)/);
  const e = JSON.parse(fs.readFileSync(path.join(out, "evaluation.json"), "utf8"));
  assert.equal(e.runs.length, 2);
  assert.equal(fs.readFileSync(path.join(out, "table.csv"), "utf8").trim().split("\n").length, 5);
  const bad = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, "bin", "starcluster.js"),
      "evaluate",
      "--runs",
      runs[0],
      "--data",
      data,
      "--zero-band",
      "F999W",
    ],
    { encoding: "utf8" },
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--zero-band must be one of F275W/);
});

test("the evaluation cache holds the last model and the last stamp sets until released; evaluateRuns releases it", () => {
  releaseEvaluationCache();
  const options: EvalOptions = { data: [data], split: "test", zeroBand: "F814W" };
  for (const run of runs) fs.rmSync(path.join(run, "predictions"), { recursive: true, force: true }); // predicted anew
  runPredictions(runs[0], { ...options, labels: "class" });
  assert.deepEqual(evaluationCacheSize(), { models: 1, stampSets: 1 });
  runPredictions(runs[1], { ...options, labels: "truth" });
  assert.deepEqual(evaluationCacheSize(), { models: 1, stampSets: 2 }, "run 1's model replaced run 0's");
  evaluateRuns(runs, options);
  assert.deepEqual(evaluationCacheSize(), { models: 0, stampSets: 0 });
});

test("the prior-matched decision: fitted once on the run's training split, the test probabilities read with it", () => {
  const run = runs[0];
  fs.rmSync(path.join(run, DECISION_FILE), { force: true });
  const plain = runPredictions(run, { data: [data], split: "test", labels: "class" });
  assert.equal(plain.exponent, 0);
  const read = runPredictions(run, { data: [data], split: "test", labels: "class", decision: "prior-matched" });
  const decision = JSON.parse(fs.readFileSync(path.join(run, DECISION_FILE), "utf8")) as DecisionFile;
  assert.equal(read.exponent, decision.exponent);
  assert.ok(decision.exponent >= 0 && decision.exponent <= 1);
  assert.equal(decision.fittedOn.objects, loadSplit(path.join(data, "split.json")).train.length);
  read.probs.forEach((p, i) => {
    const expected = priorWeighted(plain.probs[i], decision.prior, decision.exponent);
    p.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-7, `${read.keys[i]} class ${k + 1}`));
  });
  // Its training-split frequencies are the ones the fit recorded, and no further from the labels' than the argmax's.
  const train = runPredictions(run, { data: [data], split: "train", labels: "class", decision: "prior-matched" });
  const freq = [0, 1, 2, 3].map((k) => train.predicted.filter((c) => c === k).length / train.predicted.length);
  assert.deepEqual(freq, decision.fittedOn.predictedFrequencies);
  const l1 = (f: number[]) => f.reduce((s, v, k) => s + Math.abs(v - decision.prior[k]), 0);
  assert.ok(l1(freq) <= l1(decision.fittedOn.balancedFrequencies));
  const mtime = fs.statSync(path.join(run, DECISION_FILE)).mtimeMs;
  runPredictions(run, { data: [data], split: "test", labels: "truth", decision: "prior-matched" });
  assert.equal(fs.statSync(path.join(run, DECISION_FILE)).mtimeMs, mtime, "fitted once, then read");
  // The fixture's classes are equally common, so its fitted reading changes nothing: a decision of an uneven prior
  // (as a real catalog's) must change the probabilities exactly as priorWeighted says, and then the classes.
  const uneven = { ...decision, exponent: 1, prior: [0.01, 0.02, 0.07, 0.9] };
  fs.writeFileSync(path.join(run, DECISION_FILE), JSON.stringify(uneven));
  const reread = runPredictions(run, { data: [data], split: "test", labels: "class", decision: "prior-matched" });
  assert.equal(reread.exponent, 1);
  reread.probs.forEach((p, i) => {
    const expected = priorWeighted(plain.probs[i], uneven.prior, 1);
    p.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-7, `${reread.keys[i]} class ${k + 1}`));
  });
  assert.ok(
    reread.probs.some((p, i) => Math.abs(p[3] - plain.probs[i][3]) > 1e-3),
    "probabilities moved",
  );
  assert.ok(
    reread.predicted.filter((c) => c === 3).length >= plain.predicted.filter((c) => c === 3).length,
    "class 4, 90% of the prior, called at least as often",
  );
  fs.writeFileSync(path.join(run, DECISION_FILE), JSON.stringify({ ...uneven, exponent: 2 }));
  assert.throws(
    () => runPredictions(run, { data: [data], split: "test", labels: "class", decision: "prior-matched" }),
    /decision\.json: not a prior-matched decision .*exponent in \[0, 1\]/,
  );
  fs.rmSync(path.join(run, DECISION_FILE));
});
