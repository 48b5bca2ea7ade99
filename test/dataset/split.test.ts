import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { loadSplit, saveSplit, stratifiedSplit, SplitItem } from "../../lib/dataset/split";
import { tempDir } from "../helpers";

const items: SplitItem[] = [];
const perClass = [254 * 5, 202 * 5, 147 * 5, 425 * 5].map((n) => Math.round(n / 5));
perClass.forEach((n, c) => {
  for (let i = 0; i < n * 5; i++) items.push({ key: `F${i % 7}/${c}-${i}`, label: c + 1 });
});

test("each class is split 80/20 and the parts are disjoint and complete", () => {
  const s = stratifiedSplit(items, { seed: 0 });
  const label = new Map(items.map((i) => [i.key, i.label]));
  for (let c = 1; c <= 4; c++) {
    const n = items.filter((i) => i.label === c).length;
    assert.equal(s.test.filter((k) => label.get(k) === c).length, Math.round(n * 0.2), `class ${c}`);
  }
  assert.equal(new Set([...s.train, ...s.test]).size, items.length);
  assert.equal(s.train.length + s.test.length, items.length);
});

test("the split depends on the seed only, not on the input order", () => {
  const a = stratifiedSplit(items, { seed: 7 });
  const b = stratifiedSplit([...items].reverse(), { seed: 7 });
  const c = stratifiedSplit(items, { seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
});

test("bad input and bad split files are refused with a clear message", () => {
  assert.throws(
    () =>
      stratifiedSplit(
        [
          { key: "a", label: 1 },
          { key: "a", label: 2 },
        ],
        { seed: 0 },
      ),
    /duplicate key 'a'/,
  );
  assert.throws(() => stratifiedSplit(items, { seed: 0, testFraction: 1 }), /test fraction must be in \(0, 1\)/);
  const dir = tempDir();
  const file = path.join(dir, "split.json");
  const s = stratifiedSplit(items, { seed: 3 });
  saveSplit(file, s);
  assert.deepEqual(loadSplit(file), s);
  fs.writeFileSync(file, JSON.stringify({ ...s, test: [...s.test, s.train[0]] }));
  assert.throws(() => loadSplit(file), /1 key\(s\) in both train and test/);
  fs.writeFileSync(file, "{");
  assert.throws(() => loadSplit(file), /split\.json: cannot read the split/);
});
