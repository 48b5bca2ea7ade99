// What produced a result: the project's git commit, the machine's software, the time.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import { projectRoot } from "./paths";

export interface GitState {
  /** HEAD's commit, or "unknown" outside a git checkout. */
  commit: string;
  /** Uncommitted changes to tracked files. */
  dirty: boolean;
}

// The checkout's commit and dirty state, asked of git once per process (one value: what the process started from).
let cached: GitState | undefined;

export function gitState(): GitState {
  if (cached) return cached;
  const git = (...args: string[]) => spawnSync("git", ["-C", projectRoot, ...args], { encoding: "utf8" });
  const head = git("rev-parse", "HEAD");
  if (head.status !== 0) {
    cached = { commit: "unknown", dirty: false };
  } else {
    const status = git("status", "--porcelain", "--untracked-files=no");
    cached = { commit: head.stdout.trim(), dirty: status.stdout.trim() !== "" };
  }
  return cached;
}

export function machineInfo(): Record<string, string | number> {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? "unknown",
  };
}

/**
 * sha256 of a file, read in 4 MB chunks. Files of 64 MB and more (models: a VGG19-BN is 1.1 GB, a second to hash)
 * are remembered for the process by their identity (device, inode, size, change times): evaluation asks for each
 * run's model hash once per test set, and the project rewrites models by atomic rename, so a new one has a new inode.
 */
export function sha256File(file: string): string {
  const s = fs.statSync(file, { bigint: true });
  if (s.size < REMEMBERED_BYTES) return hashFile(file);
  const identity = [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(":");
  const known = hashes.get(file);
  if (known?.identity === identity) return known.sha256;
  const sha256 = hashFile(file);
  hashes.set(file, { identity, sha256 });
  return sha256;
}

const REMEMBERED_BYTES = 64n << 20n;
const hashes = new Map<string, { identity: string; sha256: string }>();

function hashFile(file: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    for (let n = fs.readSync(fd, buf, 0, buf.length, null); n > 0; n = fs.readSync(fd, buf, 0, buf.length, null)) {
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}
