// Where a FITS file's bytes come from: the file itself, or, for a gzip-compressed file (.fits.gz, recognised by its
// magic bytes, not its name), its decompressed bytes. gzip cannot be read from the middle, so a gzipped file is
// decompressed once, when opened: into memory up to GUNZIP_MEMORY_MAX bytes (decompressed), else into a temporary
// file (by a child process streaming through zlib, so memory stays flat), removed when the file is closed.
// Cost: one full decompression per open (~0.4 s per 100 MB of FITS data, measured here with zlib) and the
// decompressed size in memory or on disk; after that, sections read only the bytes they need, as for a plain file.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { settings } from "../../util/settings";

export interface ByteSource {
  /** Size in bytes of the (decompressed) FITS data. */
  readonly size: number;
  /** "gzip" when the file on disk is gzip-compressed. */
  readonly compression?: "gzip";
  /** Copies bytes [position, position + target.length) into target; returns how many were available. */
  read(target: Uint8Array, offset: number, length: number, position: number): number;
  close(): void;
}

/** Decompressed gzip data larger than this go to a temporary file instead of memory (override: STARCLUSTER_GUNZIP_MEMORY_MAX). */
export const GUNZIP_MEMORY_MAX = 512 * 1024 * 1024;

class FileSource implements ByteSource {
  constructor(
    private fd: number,
    readonly size: number,
    private readonly cleanup?: () => void,
    readonly compression?: "gzip",
  ) {}

  read(target: Uint8Array, offset: number, length: number, position: number): number {
    return fs.readSync(this.fd, target, offset, length, position);
  }

  close(): void {
    fs.closeSync(this.fd);
    this.cleanup?.();
  }
}

class MemorySource implements ByteSource {
  readonly compression = "gzip" as const;
  constructor(private bytes: Buffer) {}

  get size(): number {
    return this.bytes.length;
  }

  read(target: Uint8Array, offset: number, length: number, position: number): number {
    const n = Math.max(0, Math.min(length, this.bytes.length - position));
    target.set(this.bytes.subarray(position, position + n), offset);
    return n;
  }

  close(): void {
    this.bytes = Buffer.alloc(0);
  }
}

/** The first bytes of a file, to recognise its compression. */
function magic(fd: number): Buffer {
  const head = Buffer.alloc(4);
  const n = fs.readSync(fd, head, 0, 4, 0);
  return head.subarray(0, n);
}

/** gzip's ISIZE: the decompressed size modulo 2^32 of the last member (a hint only: wrong above 4 GB or with members). */
function gzipSizeHint(fd: number, size: number): number {
  if (size < 18) return 0;
  const tail = Buffer.alloc(4);
  fs.readSync(fd, tail, 0, 4, size - 4);
  return tail.readUInt32LE(0);
}

function memoryLimit(): number {
  return settings().gunzipMemoryMax ?? GUNZIP_MEMORY_MAX;
}

/** The child process that streams src through gunzip into dst (synchronous for the caller, bounded memory). */
const STREAM_GUNZIP = `
const fs = require("fs"), zlib = require("zlib"), { pipeline } = require("stream");
pipeline(fs.createReadStream(process.argv[1]), zlib.createGunzip(), fs.createWriteStream(process.argv[2]), (e) => {
  if (e) { process.stderr.write(e.message); process.exit(1); }
});`;

function gunzipToTempFile(file: string): FileSource {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "starcluster-gunzip-"));
  const tmp = path.join(dir, path.basename(file).replace(/\.gz$/i, "") || "data.fits");
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ["-e", STREAM_GUNZIP, file, tmp], { encoding: "utf8" });
  if (r.status !== 0) {
    remove();
    throw new Error(
      `${file}: gzip data are corrupt or truncated (${(r.stderr || r.error?.message || "gunzip failed").trim()})`,
    );
  }
  process.once("exit", remove); // in case the caller never closes it
  const fd = fs.openSync(tmp, "r");
  return new FileSource(fd, fs.fstatSync(fd).size, remove, "gzip");
}

/** Decompresses into memory; when the data turn out larger than twice the limit (ISIZE lied), into a temp file. */
function gunzipToMemory(file: string, fd: number): ByteSource {
  const compressed = Buffer.alloc(fs.fstatSync(fd).size);
  fs.readSync(fd, compressed, 0, compressed.length, 0);
  try {
    return new MemorySource(zlib.gunzipSync(compressed, { maxOutputLength: Math.max(2 * memoryLimit(), 1 << 20) }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return gunzipToTempFile(file);
    throw new Error(`${file}: gzip data are corrupt or truncated (${(e as Error).message})`);
  }
}

/**
 * Opens `file` for reading: plain files as they are, gzip files decompressed (see above). bzip2 and zip, which
 * astropy also reads, are refused by name.
 */
export function openSource(file: string): ByteSource {
  const fd = fs.openSync(file, "r");
  try {
    const head = magic(fd);
    const size = fs.fstatSync(fd).size;
    if (head[0] === 0x1f && head[1] === 0x8b) {
      const source =
        gzipSizeHint(fd, size) > memoryLimit() || size > memoryLimit()
          ? gunzipToTempFile(file)
          : gunzipToMemory(file, fd);
      fs.closeSync(fd);
      return source;
    }
    if (head.toString("latin1", 0, 3) === "BZh") {
      throw new Error(`${file}: bzip2-compressed files are not supported; decompress it first (bunzip2)`);
    }
    if (head.toString("latin1", 0, 4) === "PK\x03\x04")
      throw new Error(`${file}: zip archives are not supported; unzip it first`);
    return new FileSource(fd, size);
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed after a successful decompression
    }
    throw e;
  }
}
