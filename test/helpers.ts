// Shared test utilities: repository paths, reference-peer subprocesses, temporary folders.
import { ChildProcess, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Repository root (tests run from dist/test/..., two levels below it). */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** Debian's interpreter: the reference peers (astropy, torch) are installed there, not in pyenv's python3. */
export const referencePython = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";

/**
 * Runs a reference script from test/ref/ with Debian's python3 and returns its stdout.
 * Throws with the script's stderr when it fails, so a missing peer shows up as a clear failure.
 */
export function runReference(script: string, args: string[] = [], input?: string | Buffer): string {
  return runReferenceBytes(script, args, input).toString();
}

/** runReference for scripts that write binary data (e.g. raw float32 arrays). */
export function runReferenceBytes(script: string, args: string[] = [], input?: string | Buffer): Buffer {
  const file = path.join(repoRoot, "test", "ref", script);
  // A string input is passed as its UTF-8 bytes: spawnSync would read it in the output's encoding, "buffer".
  const bytes = typeof input === "string" ? Buffer.from(input) : input;
  const r = spawnSync(referencePython, [file, ...args], { input: bytes, maxBuffer: 1 << 30, encoding: "buffer" });
  if (r.error)
    throw new Error(
      `reference ${script}: cannot start ${referencePython}: ${r.error.message} (run scripts/setup-system.sh)`,
    );
  if (r.status !== 0) throw new Error(`reference ${script} exited ${r.status}:\n${r.stderr.toString()}`);
  return r.stdout;
}

/** A fresh temporary folder, removed when the process exits. */
export function tempDir(prefix = "starcluster-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Kills `child` with SIGKILL as soon as `ready()` holds (polled every `everyMs`) and resolves once it has exited.
 * Rejects when the child exits first: the test would then not be testing an interruption. Spawn the child with
 * its stderr piped and the rejection says how it ended (a full disk, say).
 */
export async function killWhen(child: ChildProcess, ready: () => boolean, what: string, everyMs = 10): Promise<void> {
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-2000)));
  const finishedEarly = () =>
    new Error(
      `${what} finished (exit code ${child.exitCode}, signal ${child.signalCode}) before it could be killed` +
        (stderrTail ? `; its stderr ended:\n${stderrTail}` : ""),
    );
  if (child.exitCode !== null || child.signalCode !== null) throw finishedEarly();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        child.kill("SIGKILL");
        resolve();
      }
    }, everyMs);
    child.once("exit", () => {
      clearInterval(poll);
      reject(finishedEarly());
    });
  });
  await exited;
}

/** numpy's dtype name of each typed array our pixel arrays can be (as astropy's reference scripts report it). */
export const NUMPY_DTYPES: Record<string, string> = {
  Uint8Array: "uint8",
  Int8Array: "int8",
  Int16Array: "int16",
  Uint16Array: "uint16",
  Int32Array: "int32",
  Uint32Array: "uint32",
  BigInt64Array: "int64",
  BigUint64Array: "uint64",
  Float32Array: "float32",
  Float64Array: "float64",
};

/** numpy's name for the dtype of one of our pixel arrays. */
export function numpyDtype(a: ArrayBufferView): string {
  return NUMPY_DTYPES[a.constructor.name];
}
