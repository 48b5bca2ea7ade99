// Recycles the Float32Arrays that native kernels write their outputs into. A training step of the dual ResNet18
// (64 px, batch 16) writes ~1,100 fresh arrays, ~320 MB; as new arrays each would be zero-filled by calloc, counted
// as external memory by V8 (which then runs a full mark-compact every few tens of milliseconds, its concurrent
// marking taking the core a second compute thread needs), and freed only by the GC. Kept here instead, the next step
// takes them back: the same shapes recur every step.
//
// An array is recycled only when nothing can still see it: it came from take(), exactly one tensor data entry held
// it, whole (not a view), and that entry was deleted. An array that a second entry holds or that a view was made of
// (the cpu backend's contiguous Slice returns subarray views) is shared from then on and left to the GC. Reads of
// tensors return copies (OnednnBackend.readSync), so no caller keeps one either.
const SHARED = -1;

export class ArrayPool {
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;
  /** Arrays take() handed out (by ArrayBuffer): only these are recycled, never an array a caller gave tfjs. */
  private readonly ours = new WeakSet<ArrayBufferLike>();
  /** Per ArrayBuffer a data entry has held: how many entries hold it now (0 or 1), or SHARED. */
  private readonly holders = new WeakMap<ArrayBufferLike, number>();

  /** maxBytes: the most memory kept for reuse; beyond it released arrays go to the GC. */
  constructor(private readonly maxBytes: number) {}

  /** An array of n floats whose contents are unspecified: the caller writes every element. */
  take(n: number): Float32Array {
    const reused = this.free.get(n)?.pop();
    if (reused) {
      this.freeBytes -= reused.byteLength;
      return reused;
    }
    const a = new Float32Array(n);
    this.ours.add(a.buffer);
    return a;
  }

  /** A tensor data entry now holds `values`. */
  held(values: unknown): void {
    if (!(values instanceof Float32Array)) return;
    const count = this.holders.get(values.buffer) ?? 0;
    const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
    this.holders.set(values.buffer, whole && count === 0 ? 1 : SHARED);
  }

  /** The data entry that held `values` was deleted. */
  released(values: unknown): void {
    if (!(values instanceof Float32Array) || this.holders.get(values.buffer) !== 1) return;
    this.holders.set(values.buffer, 0);
    if (!this.ours.has(values.buffer) || this.freeBytes + values.byteLength > this.maxBytes) return;
    const list = this.free.get(values.length);
    if (list) list.push(values);
    else this.free.set(values.length, [values]);
    this.freeBytes += values.byteLength;
  }

  /** True once two data entries have held this memory, or a view of it: writing it in place is then unsafe. */
  shared(values: Float32Array): boolean {
    return this.holders.get(values.buffer) === SHARED;
  }

  /** Bytes kept for reuse now. */
  get bytes(): number {
    return this.freeBytes;
  }
}
