// Atomic file writes: readers see the old file or the complete new one, never a partial write.
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Lets `write` fill a temporary file beside `file` (through its descriptor), fsyncs it, then renames it over
 * `file`. For outputs too large for one buffer (a VGG checkpoint is 3.4 GB; Node buffers stop at 2 GB).
 */
export function writeAtomicWith(file: string, write: (fd: number) => void): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    write(fd);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/** Writes data to a temporary file beside `file`, fsyncs it, then renames it over `file`. */
export function writeFileAtomic(file: string, data: string | NodeJS.ArrayBufferView): void {
  writeAtomicWith(file, (fd) => fs.writeFileSync(fd, data));
}
