// One writer per output: a lock file created exclusively (O_EXCL) holding the writer's pid, host and command.
// A second writer is refused at once, naming the holder; a lock left by a process that died (kill -9, power
// loss) on this host is detected by its pid and taken over. On another host (a shared file system) the pid
// cannot be checked, so the message says which file to remove once that job is known to be gone.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const FOLDER_LOCK = ".starcluster.lock";

interface Holder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** The lock file guarding a folder, or (for a single output file) the one beside it. */
export function lockFileFor(output: string, kind: "folder" | "file"): string {
  return kind === "folder"
    ? path.join(output, FOLDER_LOCK)
    : path.join(path.dirname(output), `.${path.basename(output)}.lock`);
}

/**
 * Runs `work` while holding the lock on `output` (a folder it may create, or a file beside which the lock
 * lives). A folder created here and left empty is removed again, so refused or failed work leaves no trace.
 */
export function withOutputLock<T>(output: string, kind: "folder" | "file", command: string, work: () => T): T {
  const folder = kind === "folder" ? output : path.dirname(path.resolve(output));
  const existed = fs.existsSync(folder);
  if (kind === "folder" && existed && !fs.statSync(folder).isDirectory())
    throw new Error(`${output}: is a file; this output is a folder`);
  const release = acquire(lockFileFor(output, kind), command, output);
  const done = () => {
    release();
    if (!existed && fs.existsSync(folder) && fs.readdirSync(folder).length === 0) fs.rmdirSync(folder);
  };
  let result: T;
  try {
    result = work();
  } catch (e) {
    done();
    throw e;
  }
  if (result instanceof Promise) return result.finally(done) as T;
  done();
  return result;
}

/** Takes the lock file `file` for `output` (named in refusals). */
function acquire(file: string, command: string, output: string): () => void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const me: Holder = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      if (createWhole(file, me)) break;
    } catch (e) {
      throw refusal(file, output, e);
    }
    const holder = readHolder(file);
    if (attempt > 0 || (holder && !isStale(holder)))
      throw refusal(file, output, holder ?? new Error("it exists but does not read as a lock"));
    removeIfStill(file, holder); // the holder is gone (or the file is not a lock we wrote): take over
  }
  const release = () => {
    process.removeListener("exit", release);
    if (readHolder(file)?.pid === me.pid) fs.rmSync(file, { force: true });
  };
  process.on("exit", release);
  return release;
}

/**
 * Creates `file` holding `me`, or returns false if it exists. The content is written to a private file first and
 * hard-linked into place (link fails if the name exists), so no other writer ever reads a half-written lock and
 * takes it for a dead one's.
 */
function createWhole(file: string, me: Holder): boolean {
  const draft = `${file}.${me.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(draft, JSON.stringify(me) + "\n", { flag: "wx" });
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

/**
 * Removes a dead holder's lock, unless another writer took it over meanwhile: the file is moved aside first (atomic)
 * and put back if it turns out to be a live writer's.
 */
function removeIfStill(file: string, dead: Holder | null): void {
  const aside = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // someone else removed it
    throw e;
  }
  const moved = readHolder(aside);
  if (moved && (moved.pid !== dead?.pid || moved.since !== dead?.since)) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a third writer holds the name now; the refusal below names whoever it is
    }
  }
  fs.rmSync(aside, { force: true });
}

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(fs.readFileSync(file, "utf8"));
    return Number.isInteger(h.pid) && typeof h.host === "string" ? h : null;
  } catch {
    return null;
  }
}

/** Whether a process of this host exists (signal 0 checks without sending; EPERM means it exists, as another user's). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** A holder on this host whose process no longer exists. */
function isStale(h: Holder): boolean {
  return h.host === os.hostname() && h.pid !== process.pid && !processExists(h.pid);
}

function refusal(file: string, where: string, cause: Holder | unknown): Error {
  if (cause && typeof cause === "object" && "pid" in cause) {
    const h = cause as Holder;
    const sameHost = h.host === os.hostname();
    return new Error(
      `${where}: another writer is using this output ('${h.command}', pid ${h.pid} on ${h.host}, since ${h.since}); ` +
        (sameHost ? "wait for it to finish" : `wait for it to finish, or remove ${file} if that job is gone`),
    );
  }
  return new Error(`${where}: cannot take the lock ${file}: ${(cause as Error).message}`);
}

/**
 * Whether `dir` is missing or holds nothing but its lock file and the lock's drafts and aside copies: a second
 * writer's draft (`.starcluster.lock.<pid>.<random>`) lives there for a moment while it is being refused.
 */
export function isEmptyFolder(dir: string): boolean {
  const isLock = (name: string) => name === FOLDER_LOCK || name.startsWith(`${FOLDER_LOCK}.`);
  return !fs.existsSync(dir) || fs.readdirSync(dir).every(isLock);
}
