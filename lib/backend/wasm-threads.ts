// Multithreaded tfjs wasm in Node. The package disables threads in Node (WASM_HAS_MULTITHREAD_SUPPORT is false)
// because its emscripten glue starts pthread workers from blob: URLs, which Node's worker_threads rejects. We
// give the glue a Worker class that runs the package's own worker source from a file instead, and feeds each
// worker the path of the package's threaded glue script where the glue would send a Blob.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker as NodeWorker, WorkerOptions } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../util/atomic";
// The module object itself (not an import namespace copy), so that patching cpus reaches the wasm glue.
import os = require("node:os");

const WASM_PACKAGE = "@tensorflow/tfjs-backend-wasm";
/** The wasm backend's registration priority in tfjs-backend-wasm 4.x (WASM_PRIORITY there). */
const WASM_PRIORITY = 2;

// The thread count the wasm backend was set up with (once per process: its module is instantiated once).
let enabledThreads: number | undefined;

/**
 * Makes the wasm backend run on `threads` threads. Call it before the backend is initialised
 * (tf.setBackend("wasm")); importing the wasm package first is fine. Returns the number of threads that will be
 * used: 1 when threads <= 1, or when the shim cannot be set up, in which case `log` receives the reason.
 * If the threaded module later fails to start, the backend falls back to the single-threaded module (also logged).
 */
export function enableNodeWasmThreads(threads: number, log: (line: string) => void = () => {}): number {
  if (!Number.isInteger(threads)) throw new Error(`enableNodeWasmThreads: threads must be an integer, got ${threads}`);
  if (threads <= 1) return 1;
  if (enabledThreads !== undefined) return enabledThreads;
  try {
    enabledThreads = installShim(threads, log);
  } catch (e) {
    log(`starcluster: wasm runs on 1 thread (thread shim failed: ${(e as Error).message})`);
    enabledThreads = 1;
  }
  return enabledThreads;
}

function installShim(threads: number, log: (line: string) => void): number {
  if (typeof SharedArrayBuffer === "undefined") throw new Error("SharedArrayBuffer is unavailable");
  const wasm = require(WASM_PACKAGE) as typeof import("@tensorflow/tfjs-backend-wasm");
  const factory = tf.findBackendFactory("wasm");
  if (!factory) throw new Error(`${WASM_PACKAGE} registered no 'wasm' backend`);
  // Not tf.findBackend("wasm"): that starts the backend.
  if ("wasm" in tf.engine().registry) throw new Error("the wasm backend is already initialised");

  const outDir = path.join(path.dirname(require.resolve(`${WASM_PACKAGE}/package.json`)), "wasm-out");
  const gluePath = path.join(outDir, "tfjs-backend-wasm-threaded-simd.js");
  if (!fs.existsSync(gluePath)) throw new Error(`missing ${gluePath}`);
  const workerPath = writeWorkerFile(path.join(outDir, "tfjs-backend-wasm-threaded-simd.worker.js"));

  // The glue assigns globalThis.Worker = worker_threads.Worker when it starts, so the shim is an accessor that
  // ignores that assignment.
  class WasmPthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(String(url).startsWith("blob:") ? workerPath : url, options);
    }
    // The glue unrefs a worker once it has loaded and refs it while it runs a pthread. XNNPACK's pool threads run
    // for the life of the process, parked between jobs: they must not keep Node alive, so ref() does nothing.
    ref(): void {}
    postMessage(
      message: unknown,
      transferList?: readonly (ArrayBuffer | import("node:worker_threads").MessagePort)[],
    ): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === "load" && typeof m.urlOrBlob !== "string") message = { ...m, urlOrBlob: gluePath };
      super.postMessage(message, transferList as never);
    }
  }
  Object.defineProperty(globalThis, "Worker", { configurable: true, get: () => WasmPthreadWorker, set: () => {} });

  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);

  // The C side caps the pool at os.cpus().length / 2 (it assumes 2 hyperthreads per core), read once while the
  // module starts. Show it 2 * threads cores during the backend's start only, then restore the truth.
  tf.removeBackend("wasm");
  tf.registerBackend(
    "wasm",
    async () => {
      const cpus = os.cpus;
      const real = cpus();
      os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]);
      try {
        return await factory();
      } catch (e) {
        log(`starcluster: wasm runs on 1 thread (threaded module failed to start: ${(e as Error)?.message ?? e})`);
        tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
        wasm.setThreadsCount(1);
        os.cpus = cpus;
        return await factory();
      } finally {
        os.cpus = cpus;
      }
    },
    WASM_PRIORITY,
  );
  return threads;
}

/**
 * Writes the package's pthread worker source to a per-user file (reused when identical) and returns its path.
 * The package ships it as a template literal whose "\n" escapes became newlines; the package itself escapes
 * them again before making its blob, and so do we.
 */
function writeWorkerFile(shippedPath: string): string {
  const { wasmWorkerContents } = require(shippedPath) as { wasmWorkerContents: string };
  if (typeof wasmWorkerContents !== "string") throw new Error(`${shippedPath} exports no wasmWorkerContents`);
  const source = wasmWorkerContents.replace(/\n/g, "\\n");
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const uid = typeof process.getuid === "function" ? process.getuid() : os.userInfo().username;
  const dir = path.join(os.tmpdir(), `starcluster-${uid}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A shared tmp folder: only run code from a folder that is ours and not writable by others.
  const st = fs.statSync(dir);
  if (typeof process.getuid === "function" && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) {
    throw new Error(`${dir} is not a private folder of this user`);
  }
  const file = path.join(dir, `tfjs-wasm-pthread-worker-${hash}.cjs`);
  const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  if (existing !== source) writeFileAtomic(file, source);
  return file;
}
