import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { legusCatalogPath, paperFields } from "../../lib/catalog/fields";
import { readLegusCatalog } from "../../lib/catalog/legus";
import { formatLegusCatalog } from "../../lib/catalog/legus-write";
import { tempDir } from "../helpers";

const strip = (r: object) => ({ ...r, source: undefined });

test("every real LEGUS catalog survives a write and read back unchanged", () => {
  const dir = tempDir();
  for (const [field, info] of Object.entries(paperFields())) {
    const file = legusCatalogPath(field);
    if (!file) continue;
    const original = readLegusCatalog(file);
    const copy = path.join(dir, path.basename(file));
    fs.writeFileSync(copy, formatLegusCatalog(original.records, info.class_column!));
    const back = readLegusCatalog(copy);
    assert.deepEqual(back.badRows, [], field);
    assert.equal(back.records.length, original.records.length, field);
    back.records.forEach((r, i) => assert.deepEqual(strip(r), strip(original.records[i]), `${field} row ${i + 1}`));
  }
});

test("coverage sentinels are written as LEGUS writes them", () => {
  const file = legusCatalogPath("NGC4449")!;
  const outside = readLegusCatalog(file).records.find((r) => r.coverage[0] === "outside")!;
  const line = formatLegusCatalog([outside], 34).trim().split(/\s+/);
  assert.deepEqual(line.slice(5, 7), ["66.666", "66.666"]);
});
