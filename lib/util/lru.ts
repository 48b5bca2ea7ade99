// A cache with a bound: at most `capacity` entries, the least recently used dropped first (and handed to `dispose`,
// for values that hold memory outside the JS heap, such as a model's tensors). The module-level caches of lib/ that
// can grow with their inputs use it, so that each states its bound where it is declared.

export class LruCache<K, V> {
  /** Insertion order of a Map is the recency order here: a hit moves its entry to the end. */
  private readonly entries = new Map<K, V>();

  constructor(
    readonly capacity: number,
    private readonly dispose?: (value: V, key: K) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`LruCache: capacity ${capacity} is not >= 1`);
  }

  /** The value of `key`, now the most recently used, or undefined. */
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** The value of `key`, made by `make` when absent (dropping the least recently used entry beyond the bound). */
  getOrCreate(key: K, make: () => V): V {
    if (this.entries.has(key)) return this.get(key) as V;
    const value = make();
    this.set(key, value);
    return value;
  }

  /** Stores `value` as the most recently used; a value it replaces is disposed of. */
  set(key: K, value: V): void {
    const old = this.entries.get(key);
    const had = this.entries.delete(key);
    if (had && old !== value) this.dispose?.(old as V, key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [K, V];
      this.entries.delete(oldestKey);
      this.dispose?.(oldest, oldestKey);
    }
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Drops every entry (disposing of each). */
  clear(): void {
    const all = [...this.entries];
    this.entries.clear();
    for (const [key, value] of all) this.dispose?.(value, key);
  }

  get size(): number {
    return this.entries.size;
  }
}
