// Backend selection on this kind of machine (no native TensorFlow): wasm with SIMD and real threads.
// Backends initialise once per process, so cases that need a fresh process run a small script in a child.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { repoRoot, tempDir } from "../helpers";
import { onednnSkip } from "./kernel-check";

const selectModule = path.join(repoRoot, "dist", "lib", "backend", "select.js");

/** Runs `body` (CommonJS, with `initBackend` and `tf` in scope) in a fresh Node process. */
function child(body: string, env: Record<string, string> = {}) {
  const script =
    `const tf = require("@tensorflow/tfjs"); const { initBackend } = require(${JSON.stringify(selectModule)});\n` +
    `(async () => { ${body} })().catch((e) => { console.error("ERROR " + e.message); process.exitCode = 1; });`;
  const base = { ...process.env };
  delete base.STARCLUSTER_BACKEND;
  delete base.STARCLUSTER_THREADS;
  delete base.STARCLUSTER_ONEDNN_ADDON;
  const r = spawnSync(process.execPath, ["-e", script], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...base, ...env },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

test("wasm on 2 threads: reported, really used by the C side, and the process exits by itself", async () => {
  const os = await import("node:os");
  const cpus = os.cpus().length;
  const info = await initBackend({ backend: "wasm", threads: 2, log: () => {} });
  assert.deepEqual(
    { backend: info.backend, simd: info.simd, threads: info.threads },
    { backend: "wasm", simd: true, threads: 2 },
  );
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  assert.equal(wasm.getThreadsCount(), 2); // XNNPACK's thread pool size, read from the wasm module
  assert.equal(os.cpus().length, cpus, "os.cpus() must be restored after init");
  // Exiting is checked in a child: pthread workers must not keep Node alive after the script's work is done.
  const r = child(`const i = await initBackend({ backend: "wasm", threads: 2 });
    const y = tf.conv2d(tf.ones([2, 16, 16, 32]), tf.ones([3, 3, 32, 32]), 1, "same");
    console.log(JSON.stringify({ threads: i.threads, sum: (await y.sum().data())[0] }));`);
  assert.equal(r.code, 0, `exit ${r.code} signal ${r.signal}\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim());
  assert.equal(out.threads, 2);
  assert.equal(out.sum, 2 * 32 * 9 * 32 * (14 * 14) + 2 * 32 * 32 * (4 * 14 * 6 + 4 * 4)); // ones: taps per output
});

test("auto selects wasm when the onednn addon is missing, says why in one line, and honours STARCLUSTER_THREADS=1", () => {
  const r = child(`console.log(JSON.stringify(await initBackend()));`, {
    STARCLUSTER_THREADS: "1",
    STARCLUSTER_ONEDNN_ADDON: "/nonexistent/addon.node",
  });
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout.trim());
  assert.deepEqual(
    { backend: info.backend, threads: info.threads, simd: info.simd, tfjs: info.tfjs },
    { backend: "wasm", threads: 1, simd: true, tfjs: tf.version.tfjs },
  );
  assert.match(
    r.stderr,
    /^starcluster: using backend wasm \(tfjs-node-gpu not installed; tfjs-node not installed; onednn addon not built \(STARCLUSTER_ONEDNN_ADDON: \/nonexistent\/addon\.node not found\)\)$/m,
  );
});

test("auto selects onednn where the addon is built, with the thread count asked for", { skip: onednnSkip() }, () => {
  const r = child(
    `const i = await initBackend(); const y = tf.conv2d(tf.ones([1, 6, 6, 3]), tf.ones([3, 3, 3, 2]), 1, "valid");
    console.log(JSON.stringify({ ...i, backendNow: tf.getBackend(), sum: (await y.sum().data())[0] }));`,
    { STARCLUSTER_THREADS: "1" },
  );
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout.trim());
  assert.deepEqual([info.backend, info.backendNow, info.threads], ["onednn", "onednn", 1]);
  assert.equal(info.sum, 2 * 16 * 27); // ones: 27 taps per output, 16 outputs, 2 channels
  assert.ok(info.nativeKernels.includes("Conv2D"));
  assert.match(
    r.stderr,
    /^starcluster: using backend onednn \(tfjs-node-gpu not installed; tfjs-node not installed\)$/m,
  );
});

test("when the thread shim cannot be set up, wasm falls back to 1 thread and says why", () => {
  // A tmp folder whose per-user subfolder is writable by others: the shim refuses to run code from it.
  const tmp = tempDir();
  const uid = process.getuid!();
  const shared = path.join(tmp, `starcluster-${uid}`);
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o777);
  const r = child(`console.log(JSON.stringify(await initBackend({ backend: "wasm", threads: 2 })));`, { TMPDIR: tmp });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()).threads, 1);
  assert.match(r.stderr, /wasm runs on 1 thread \(thread shim failed: .*is not a private folder/);
});

test("forcing 'tensorflow' without the native package throws a clear error", async () => {
  await assert.rejects(
    initBackend({ backend: "tensorflow" }),
    /backend 'tensorflow' unavailable: tfjs-node-gpu not installed; tfjs-node not installed/,
  );
});

test("a bad STARCLUSTER_BACKEND value throws naming the variable", async () => {
  const saved = process.env.STARCLUSTER_BACKEND;
  process.env.STARCLUSTER_BACKEND = "gpu-please";
  try {
    await assert.rejects(initBackend(), /STARCLUSTER_BACKEND: unknown backend 'gpu-please'/);
  } finally {
    if (saved === undefined) delete process.env.STARCLUSTER_BACKEND;
    else process.env.STARCLUSTER_BACKEND = saved;
  }
});
