// The bounded cache behind lib/'s module-level caches: least recently used dropped first, disposed of when dropped,
// replaced or cleared.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LruCache } from "../../lib/util/lru";

test("keeps at most its capacity, dropping (and disposing of) the least recently used", () => {
  const disposed: string[] = [];
  const c = new LruCache<string, number>(2, (_, key) => disposed.push(key));
  c.set("a", 1);
  c.set("b", 2);
  assert.equal(c.get("a"), 1); // a is now the most recent
  c.set("c", 3);
  assert.deepEqual([c.size, c.has("a"), c.has("b"), c.has("c")], [2, true, false, true]);
  assert.deepEqual(disposed, ["b"]);
  assert.equal(
    c.getOrCreate("a", () => assert.fail("a is cached")),
    1,
  );
  assert.equal(
    c.getOrCreate("d", () => 4),
    4,
  );
  assert.deepEqual(disposed, ["b", "c"]);
  c.set("d", 5); // a replaced value is disposed of
  assert.deepEqual(disposed, ["b", "c", "d"]);
  c.clear();
  assert.deepEqual([c.size, disposed.sort()], [0, ["a", "b", "c", "d", "d"]]);
  assert.throws(() => new LruCache(0), /capacity 0 is not >= 1/);
});
