// Work through a list at most `jobs` items at a time, each item started in the list's order as a slot frees:
// seeds trained in child processes, notebooks executed, simulated fields rendered in worker threads.

/**
 * Calls `work(item, index)` for every item, at most `jobs` at once; once `stop()` is true no further item starts.
 * A rejection of `work` rejects the whole at once (the items under way still finish): catch inside `work` to go on.
 */
export async function forEachAtMost<T>(
  items: readonly T[],
  jobs: number,
  work: (item: T, index: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const slot = async () => {
    while (next < items.length && !stop()) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, jobs), items.length) }, slot));
}
