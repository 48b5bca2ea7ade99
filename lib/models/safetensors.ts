// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then
// the tensor bytes. Offsets are relative to the end of the header; tensors tile the data area without gaps.
// PyTorch/timm state dicts and this project's own weight files use it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { writeAtomicWith } from "../util/atomic";

export const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;
export type Dtype = keyof typeof DTYPE_BYTES;

export interface TensorEntry {
  dtype: Dtype;
  shape: number[];
  /** Byte range within the data area (after the header). */
  begin: number;
  end: number;
}

/** A tensor's values: floats widened or narrowed to float32, integers and booleans to int32. */
export interface TensorData {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Largest header we accept; real headers are kilobytes, so a bigger length means a corrupt or foreign file. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsError extends Error {}

/** An open safetensors file: the validated header; tensors are read from disk on demand. */
export class SafetensorsFile {
  private constructor(
    readonly file: string,
    readonly metadata: Record<string, string>,
    readonly entries: Map<string, TensorEntry>,
    private readonly dataStart: number,
  ) {}

  /** Reads and validates the header of `file`; throws SafetensorsError naming the file and the problem. */
  static open(file: string): SafetensorsFile {
    if (os.endianness() !== "LE")
      throw new SafetensorsError(`${file}: reading safetensors needs a little-endian machine`);
    const fail = (msg: string): never => {
      throw new SafetensorsError(`${file}: not a valid safetensors file: ${msg}`);
    };
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      if (size < 8) fail(`${size} bytes, shorter than the 8-byte header length`);
      const head = Buffer.alloc(8);
      fs.readSync(fd, head, 0, 8, 0);
      const n = head.readBigUInt64LE(0);
      if (n > BigInt(Math.min(MAX_HEADER_BYTES, size - 8))) {
        fail(
          `header length ${n} exceeds ${size - 8 < MAX_HEADER_BYTES ? `the ${size - 8} bytes after it (truncated?)` : "100 MB"}`,
        );
      }
      const headerLength = Number(n);
      const json = Buffer.alloc(headerLength);
      fs.readSync(fd, json, 0, headerLength, 8);
      let header: unknown;
      try {
        header = JSON.parse(json.toString("utf8"));
      } catch (e) {
        return fail(`header is not JSON (${(e as Error).message})`);
      }
      if (typeof header !== "object" || header === null || Array.isArray(header))
        return fail("header is not a JSON object");
      const dataStart = 8 + headerLength;
      const dataSize = size - dataStart;
      const metadata: Record<string, string> = {};
      const entries = new Map<string, TensorEntry>();
      for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
        if (name === "__metadata__") {
          if (typeof value !== "object" || value === null) fail("__metadata__ is not an object");
          for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            if (typeof v !== "string") fail(`__metadata__.${k} is not a string`);
            metadata[k] = v as string;
          }
          continue;
        }
        entries.set(name, parseEntry(name, value, fail));
      }
      // Tensors must tile the data area exactly: sorted by offset, each starts where the previous ended.
      let expected = 0;
      for (const [name, e] of [...entries].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end)) {
        if (e.begin < expected) fail(`tensor '${name}' at bytes [${e.begin}, ${e.end}) overlaps the previous tensor`);
        if (e.begin > expected) fail(`gap in the data area before tensor '${name}' (bytes ${expected}..${e.begin})`);
        expected = e.end;
      }
      if (expected > dataSize) fail(`tensors need ${expected} data bytes but the file has ${dataSize} (truncated?)`);
      if (expected < dataSize) fail(`${dataSize - expected} trailing bytes after the last tensor`);
      return new SafetensorsFile(file, metadata, entries, dataStart);
    } finally {
      fs.closeSync(fd);
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  entry(name: string): TensorEntry {
    const e = this.entries.get(name);
    if (!e) throw new SafetensorsError(`${this.file}: no tensor named '${name}'`);
    return e;
  }

  /** Reads one tensor, converting F64/F16/BF16 to float32 and integer/boolean types to int32. */
  read(name: string): TensorData {
    const e = this.entry(name);
    const bytes = Buffer.allocUnsafeSlow(e.end - e.begin); // own ArrayBuffer at offset 0: aligned for typed views
    const fd = fs.openSync(this.file, "r");
    try {
      const got = fs.readSync(fd, bytes, 0, bytes.length, this.dataStart + e.begin);
      if (got !== bytes.length)
        throw new SafetensorsError(`${this.file}: tensor '${name}' is truncated (${got} of ${bytes.length} bytes)`);
    } finally {
      fs.closeSync(fd);
    }
    const data = decode(e.dtype, bytes, this.file, name);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    // A NaN or infinite weight makes every prediction NaN; refuse it here, where the tensor can be named.
    if (bad >= 0)
      throw new SafetensorsError(
        `${this.file}: tensor '${name}' holds ${data[bad]} at index ${bad}: weights must be finite numbers (a corrupted or diverged file)`,
      );
    return { shape: e.shape, data };
  }
}

function parseEntry(name: string, value: unknown, fail: (msg: string) => never): TensorEntry {
  if (typeof value !== "object" || value === null) fail(`entry '${name}' is not an object`);
  const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof v.dtype !== "string" || !(v.dtype in DTYPE_BYTES))
    fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(v.dtype)}`);
  const dtype = v.dtype as Dtype;
  const isCount = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!Array.isArray(v.shape) || !v.shape.every(isCount))
    fail(`tensor '${name}' has an invalid shape ${JSON.stringify(v.shape)}`);
  const offsets = v.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[1] < offsets[0]) {
    fail(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const shape = v.shape as number[];
  const [begin, end] = offsets as number[];
  const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
  if (end - begin !== expected)
    fail(
      `tensor '${name}' (${dtype} ${JSON.stringify(shape)}) needs ${expected} bytes, data_offsets give ${end - begin}`,
    );
  return { dtype, shape, begin, end };
}

function decode(dtype: Dtype, bytes: Buffer, file: string, name: string): Float32Array | Int32Array {
  const buf = bytes.buffer;
  const n = bytes.length / DTYPE_BYTES[dtype];
  switch (dtype) {
    case "F32":
      return new Float32Array(buf, 0, n);
    case "F64":
      return Float32Array.from(new Float64Array(buf, 0, n));
    case "F16": {
      const h = new Uint16Array(buf, 0, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(h[i]);
      return out;
    }
    case "BF16": {
      const h = new Uint16Array(buf, 0, n);
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = h[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case "I64": {
      const big = new BigInt64Array(buf, 0, n);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        if (big[i] > 2147483647n || big[i] < -2147483648n)
          throw new SafetensorsError(`${file}: tensor '${name}' holds an I64 value outside int32 (${big[i]})`);
        out[i] = Number(big[i]);
      }
      return out;
    }
    case "I32":
      return new Int32Array(buf, 0, n);
    case "I16":
      return Int32Array.from(new Int16Array(buf, 0, n));
    case "I8":
      return Int32Array.from(new Int8Array(buf, 0, n));
    case "U8":
    case "BOOL":
      return Int32Array.from(new Uint8Array(buf, 0, n));
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A tensor to write: float32 data as F32, int32 data as I32, or as I64 when `dtype` says so (PyTorch's counters). */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | Int32Array;
  dtype?: "F32" | "I32" | "I64";
}

/** Writes tensors (in the given order) and string metadata as one safetensors file, atomically. */
export function writeSafetensors(
  file: string,
  tensors: Map<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new SafetensorsError(
        `${file}: tensor '${name}' has ${t.data.length} values for shape ${JSON.stringify(t.shape)}`,
      );
    const dtype = t.dtype ?? (t.data instanceof Float32Array ? "F32" : "I32");
    const bytes =
      dtype === "I64"
        ? new Uint8Array(BigInt64Array.from(t.data, (v) => BigInt(v)).buffer)
        : new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  // Pad the header with spaces to a multiple of 8 bytes so tensor data stays aligned, as the reference writer does.
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const padded = Math.ceil(json.length / 8) * 8;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const head = Buffer.allocUnsafe(8);
  head.writeBigUInt64LE(BigInt(json.length), 0);
  // Streamed tensor by tensor: a VGG19-BN checkpoint exceeds what one Buffer can hold.
  writeAtomicWith(file, (fd) => {
    for (const part of [head, json, ...parts]) {
      for (let done = 0; done < part.length; ) done += fs.writeSync(fd, part, done, part.length - done);
    }
  });
}

/** Every tensor of a safetensors file, by name (validated as SafetensorsFile.open does). */
export function readSafetensors(file: string): Map<string, TensorData> {
  const st = SafetensorsFile.open(file);
  return new Map(st.names().map((name) => [name, st.read(name)]));
}

/**
 * Copies a torchvision ResNet18 state dict (torch layout: conv OIHW, linear [out, in]) into `params` (tfjs layout:
 * conv HWIO, linear [in, out]; BN vectors and running statistics as they are). Names must match exactly; every
 * parameter needs a tensor of the right shape, except num_batches_tracked, which older checkpoints lack.
 * Tensors in `stateDict` that `params` does not have (e.g. fc when params were built without it) are an error,
 * so a wrong architecture cannot load silently; drop them from the map first if that is intended.
 */
export function loadTorchvisionResnet18(params: Map<string, tf.Variable>, stateDict: Map<string, TensorData>): void {
  const unexpected = [...stateDict.keys()].filter((name) => !params.has(name));
  if (unexpected.length)
    throw new Error(
      `resnet18 state dict: unexpected tensors ${unexpected.slice(0, 5).join(", ")}${unexpected.length > 5 ? ", ..." : ""}`,
    );
  for (const [name, v] of params) {
    const t = stateDict.get(name);
    if (!t) {
      if (name.endsWith("num_batches_tracked")) continue;
      throw new Error(`resnet18 state dict: missing '${name}'`);
    }
    const s = v.shape;
    // The torch shape this variable corresponds to, and the permutation from torch to tfjs layout.
    const [torchShape, perm] =
      s.length === 4
        ? [
            [s[3], s[2], s[0], s[1]],
            [2, 3, 1, 0],
          ]
        : s.length === 2
          ? [
              [s[1], s[0]],
              [1, 0],
            ]
          : [s, undefined];
    if (t.shape.join(",") !== torchShape.join(","))
      throw new Error(`resnet18 state dict: '${name}' has shape [${t.shape}], expected [${torchShape}]`);
    tf.tidy(() => {
      const x = tf.tensor(t.data, t.shape, v.dtype);
      v.assign(perm ? tf.transpose(x, perm) : x);
    });
  }
}
