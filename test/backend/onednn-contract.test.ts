// The contract between the JS kernels and the oneDNN addon (issue 20): shapes packed by field name and checked on
// both sides, op numbers taken from the addon, a stale addon refused at load with a clear reason; the convolution
// primitive cache bounded (least recently used dropped, results unchanged) and kept per thread, so calls from
// worker threads share neither primitives nor buffers.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { ADDON_DIR, loadOnednnAddon, OnednnAddon } from "../../lib/backend/onednn/addon";
import { contractMismatch, Fields, LAYOUTS, OPS, pack } from "../../lib/backend/onednn/contract";
import { repoRoot, tempDir } from "../helpers";
import { onednnSkip, randomValues } from "./kernel-check";

const skip = onednnSkip();
const addon = () => loadOnednnAddon().addon as OnednnAddon;

/** A 3x3 stride-1 'valid' convolution of one image h x h x 3 into 4 channels (direct oneDNN, not im2col). */
function convFields(h: number): Fields<"conv"> {
  const o = h - 2;
  return {
    n: 1,
    h,
    w: h,
    ci: 3,
    kh: 3,
    kw: 3,
    co: 4,
    oh: o,
    ow: o,
    sh: 1,
    sw: 1,
    dh: 1,
    dw: 1,
    pt: 0,
    pb: 0,
    pl: 0,
    pr: 0,
  };
}

function conv(h: number): Float32Array {
  const s = convFields(h);
  const y = new Float32Array(s.n * s.oh * s.ow * s.co);
  addon().conv2d(randomValues(h * h * 3, h), randomValues(3 * 3 * 3 * 4, 100 + h), y, pack("conv", s));
  return y;
}

test("the addon exports the layouts this build packs and every op name the kernels use", { skip }, () => {
  const a = addon();
  assert.equal(contractMismatch(a), undefined);
  assert.deepEqual(a.layouts, LAYOUTS);
  for (const kind of Object.keys(OPS) as (keyof typeof OPS)[]) {
    const table = a.ops[kind] as Record<string, number>;
    assert.deepEqual(Object.keys(table), [...OPS[kind]], `${kind} ops`);
    assert.deepEqual(Object.values(table), [...OPS[kind].keys()], `${kind} ops are numbered in list order`);
  }
  assert.ok(Object.isFrozen(a.layouts.conv) && Object.isFrozen(a.ops.binary), "the contract is read-only");
});

test("pack lays the fields out in the layout's order, by name; a missing field throws", () => {
  const s = convFields(9);
  assert.deepEqual(Array.from(pack("conv", s)), [1, 9, 9, 3, 3, 3, 4, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(pack("reduce", { outer: 2, length: 3, inner: 4 })), [2, 3, 4]);
  const adam = pack("adam", {
    beta1: 0.9,
    one_minus_beta1: 0.1,
    beta2: 0.999,
    one_minus_beta2: 0.001,
    bc2_sqrt: 0.5,
    eps: 1e-8,
    step_size: 0.01,
  });
  assert.ok(adam instanceof Float32Array);
  assert.equal(adam[LAYOUTS.adam.indexOf("eps")], Math.fround(1e-8));
  const { pr: _, ...missing } = s;
  assert.throws(() => pack("conv", missing as Fields<"conv">), /onednn conv layout: field pr is undefined/);
});

test("a stale addon (other fields, other order, missing ops, no contract) is named, with the fix", () => {
  const fresh = {
    layouts: LAYOUTS,
    ops: Object.fromEntries(
      Object.entries(OPS).map(([kind, names]) => [kind, Object.fromEntries(names.map((n, i) => [n, i]))]),
    ),
  } as unknown as Parameters<typeof contractMismatch>[0];
  assert.equal(contractMismatch(fresh), undefined);
  const swapped = [...LAYOUTS.conv];
  [swapped[13], swapped[14]] = [swapped[14], swapped[13]];
  assert.match(
    contractMismatch({ ...fresh, layouts: { ...LAYOUTS, conv: swapped } }) ?? "",
    /^onednn addon is stale: its conv layout is \[n, .*pb, pt, pl, pr\], this build packs \[n, .*pt, pb, pl, pr\]; rebuild it: bash scripts\/build-native\.sh$/,
  );
  assert.match(
    contractMismatch({ ...fresh, layouts: { ...LAYOUTS, pool: LAYOUTS.pool.slice(0, -1) } }) ?? "",
    /its pool layout is/,
  );
  const { ReluGrad: _, ...binary } = fresh.ops!.binary;
  assert.match(
    contractMismatch({ ...fresh, ops: { ...fresh.ops!, binary } as typeof fresh.ops }) ?? "",
    /its binary ops lack ReluGrad/,
  );
  assert.match(contractMismatch({}) ?? "", /exports no layouts and ops/);
});

test("the addon refuses a shape of another length, naming its own fields, and an unknown op number", { skip }, () => {
  const a = addon();
  const s = pack("conv", convFields(9));
  const x = new Float32Array(9 * 9 * 3),
    w = new Float32Array(3 * 3 * 3 * 4),
    y = new Float32Array(7 * 7 * 4);
  assert.throws(
    () => a.conv2d(x, w, y, s.subarray(0, 16)),
    /^Error: shape: 16 values, but this addon's layout has 17 \(n, h, w, ci, kh, kw, co, oh, ow, sh, sw, dh, dw, pt, pb, pl, pr\)$/,
  );
  const negative = pack("conv", { ...convFields(9), pl: -1 });
  assert.throws(() => a.conv2d(x, w, y, negative), /shape: negative pl/);
  const one = Int32Array.of(1),
    out = new Float32Array(1);
  const unknown = Object.keys(a.ops.binary).length;
  assert.throws(() => a.binary(unknown, out, one, out, one, out, one), new RegExp(`unknown binary op ${unknown}$`));
  a.binary(a.ops.binary.Sub, Float32Array.of(5), one, Float32Array.of(3), one, out, one);
  assert.equal(out[0], 2, "Sub by the addon's own number");
});

test("a stale addon file is refused at load: auto selection falls back and says why", () => {
  const dir = tempDir();
  const file = path.join(dir, "stale-addon.js");
  // An addon as built before the named contract: kernels, but no layouts or ops.
  fs.writeFileSync(file, "module.exports = { setThreads: () => 1, version: () => '2.6.3', conv2d() {} };\n");
  const select = JSON.stringify(path.join(repoRoot, "dist", "lib", "backend", "select.js"));
  const env: NodeJS.ProcessEnv = { ...process.env, STARCLUSTER_ONEDNN_ADDON: file, STARCLUSTER_THREADS: "1" };
  delete env.STARCLUSTER_BACKEND;
  const r = spawnSync(
    process.execPath,
    ["-e", `require(${select}).initBackend().then((i) => console.log(i.backend))`],
    { cwd: repoRoot, encoding: "utf8", timeout: 60_000, env },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "wasm");
  assert.match(
    r.stderr,
    /onednn addon is stale: it exports no layouts and ops \(built before the named contract\); rebuild it: bash scripts\/build-native\.sh/,
  );
});

test("the primitive cache is bounded: the least recently used entry goes, and results do not change", { skip }, () => {
  const a = addon();
  const capacity = a.convCache().capacity;
  assert.equal(capacity, 256, "the documented default bound (native/onednn/conv.cc)");
  try {
    a.setConvCacheCapacity(2);
    const start = a.convCache();
    assert.ok(start.entries <= 2);
    const first = [9, 10, 11].map(conv); // three new shapes: the first is dropped
    const filled = a.convCache();
    assert.deepEqual(
      { entries: filled.entries, misses: filled.misses - start.misses, hits: filled.hits - start.hits },
      { entries: 2, misses: 3, hits: 0 },
    );
    assert.ok(filled.evictions - start.evictions >= 1);
    assert.deepEqual(conv(11), first[2]);
    assert.equal(a.convCache().hits, filled.hits + 1, "the most recent shape is kept");
    assert.deepEqual(conv(9), first[0], "a dropped primitive, created again, computes the same bits");
    const last = a.convCache();
    assert.deepEqual(
      { misses: last.misses - filled.misses, entries: last.entries },
      { misses: 1, entries: 2 },
      "shape 9 was dropped, and its return drops shape 10",
    );
    assert.throws(() => a.setConvCacheCapacity(0), /at least one entry/);
  } finally {
    a.setConvCacheCapacity(capacity);
  }
});

test("worker threads each keep their own primitives and buffers: concurrent calls compute the main thread's bits", {
  skip,
}, async () => {
  const a = addon();
  a.setThreads(1);
  const shapes = [9, 12, 4]; // 4: a 2x2 output, through im2col + gemm (its per-call column buffer)
  const expected = shapes.map(conv);
  const file = process.env.STARCLUSTER_ONEDNN_ADDON || path.join(ADDON_DIR, "starcluster_onednn.node");
  const body = `
    const { parentPort, workerData } = require("node:worker_threads");
    const { pack } = require(workerData.contract);
    const { randomValues } = require(workerData.check);
    const addon = require(workerData.file);
    addon.setThreads(1);
    const before = addon.convCache();
    const out = [];
    for (let round = 0; round < 20; round++)
      out.length = 0, workerData.shapes.forEach((h) => {
        const o = h - 2, s = { n: 1, h, w: h, ci: 3, kh: 3, kw: 3, co: 4, oh: o, ow: o, sh: 1, sw: 1, dh: 1, dw: 1,
          pt: 0, pb: 0, pl: 0, pr: 0 };
        const y = new Float32Array(o * o * 4);
        addon.conv2d(randomValues(h * h * 3, h), randomValues(108, 100 + h), y, pack("conv", s));
        out.push(Array.from(y));
      });
    parentPort.postMessage({ out, before, after: addon.convCache() });`;
  const workerData = {
    file,
    shapes,
    contract: path.join(repoRoot, "dist", "lib", "backend", "onednn", "contract.js"),
    check: path.join(repoRoot, "dist", "test", "backend", "kernel-check.js"),
  };
  const run = () =>
    new Promise<{ out: number[][]; before: { entries: number }; after: { entries: number; misses: number } }>(
      (resolve, reject) => {
        const w = new Worker(body, { eval: true, workerData });
        w.once("message", (m) => {
          resolve(m);
          void w.terminate();
        });
        w.once("error", reject);
      },
    );
  const mainBefore = a.convCache();
  const results = await Promise.all([run(), run()]);
  for (const r of results) {
    assert.deepEqual(
      r.out,
      expected.map((y) => Array.from(y)),
    );
    assert.equal(r.before.entries, 0, "a new thread starts with an empty cache");
    // The gemm path (4x4 input, 2x2 output) creates no primitive.
    assert.deepEqual({ entries: r.after.entries, misses: r.after.misses }, { entries: 2, misses: 2 });
  }
  assert.deepEqual(a.convCache(), mainBefore, "the main thread's cache is its own");
});

test("kernels survive a sampling profiler's signals (node --cpu-prof): oneDNN's sgemm runs with signals blocked", {
  skip: onednnSkip(),
}, () => {
  // oneDNN 2.6.3's sgemm corrupted the heap when the profiler's signal handler ran on its stack (native/onednn/addon.cc):
  // this loop of [64, 4608] x [4608, 512] products aborted within a second, "free(): invalid size".
  const dir = tempDir();
  const select = JSON.stringify(path.join(repoRoot, "dist", "lib", "backend", "select.js"));
  const tfjs = JSON.stringify(require.resolve("@tensorflow/tfjs"));
  const script = [
    `const tf = require(${tfjs});`,
    `require(${select}).initBackend({ backend: "onednn", log: () => {} }).then(() => {`,
    "  const a = tf.ones([64, 4608]), b = tf.ones([4608, 512]);",
    "  let sum = 0;",
    "  for (let i = 0; i < 300; i++) sum += tf.tidy(() => tf.matMul(a, b).dataSync()[0]);",
    "  console.log(sum);",
    "});",
  ].join("\n");
  const r = spawnSync(
    process.execPath,
    ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "100", "-e", script],
    { cwd: repoRoot, encoding: "utf8", timeout: 120_000, env: { ...process.env, STARCLUSTER_THREADS: "2" } },
  );
  assert.equal(r.status, 0, `exit ${r.status} (signal ${r.signal}): ${r.stderr}`);
  assert.equal(Number(r.stdout.trim()), 300 * 4608, "every product right");
  assert.ok(
    fs.readdirSync(dir).some((f) => f.endsWith(".cpuprofile")),
    "the profile was written",
  );
});
