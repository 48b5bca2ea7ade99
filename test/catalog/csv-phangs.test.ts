import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { readCatalog } from "../../lib/catalog/read";
import { repoRoot, tempDir } from "../helpers";

function write(name: string, text: string): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

test("plain CSV: the pixel convention is explicit and applied; bad rows reported by line", () => {
  const file = write(
    "cands.csv",
    "id,x,y,class,note\n1,10,20,1,a\n2,0,0,4,\n3,x,5,2,b\n4,5,5,two,c\n5,1,1\n6,7.5,8.5,,d\n",
  );
  assert.throws(() => readCatalog(file, { field: "F" }), /pixel convention/);
  const zero = readCatalog(file, { field: "F", pixels: "zero" });
  assert.deepEqual(
    zero.records.map((r) => [r.id, r.x, r.y, r.class]),
    [
      ["1", 11, 21, 1],
      ["2", 1, 1, 4],
      ["6", 8.5, 9.5, null],
    ],
  );
  assert.deepEqual(
    zero.badRows.map((b) => b.line),
    [4, 5, 6],
  );
  assert.match(zero.badRows[0].reason, /position \(x, 5\)/);
  assert.match(zero.badRows[1].reason, /class 'two' is not a number/);
  assert.match(zero.badRows[2].reason, /3 values, the header has 5/);
  assert.equal(zero.records[0].extra.note, "a");
  const fits = readCatalog(file, { field: "F", pixels: "fits" });
  assert.deepEqual(
    fits.records.map((r) => r.x),
    [10, 0, 7.5],
  );
  assert.throws(
    () => readCatalog(write("bad.csv", "id,x,class\n1,2,3\n"), { field: "F", pixels: "fits" }),
    /lacks column\(s\) y/,
  );
});

test("PHANGS CSV: 0-based positions become 1-based, the no-coverage sentinel marks a missing band", () => {
  const header =
    "ID_PHANGS_CLUSTER,PHANGS_X,PHANGS_Y,PHANGS_RA,PHANGS_DEC,PHANGS_CLUSTER_CLASS_HUMAN," +
    ["F275W", "F336W", "F435W", "F555W", "F814W"]
      .map((b) => `PHANGS_${b}_VEGA_TOT,PHANGS_${b}_VEGA_TOT_ERR`)
      .join(",") +
    ",PHANGS_CI";
  const row1 = "17,100.0,200.5,64.1,-62.7,2,22.1,0.1,21.9,0.08,22.5,0.05,22.0,0.04,21.0,0.03,1.4";
  const row2 = "18,5,6,64.2,-62.8,1,-9999,-9999,21.9,0.08,22.5,0.05,22.0,0.04,21.0,0.03,1.1";
  const file = write(
    "ngc1559_phangs.csv",
    [header, row1, row2, "19,nan,3,0,0,1,1,1,1,1,1,1,1,1,1,1,1"].join("\n") + "\n",
  );
  const cat = readCatalog(file);
  assert.equal(cat.records.length, 2);
  const [a, b] = cat.records;
  assert.equal(a.field, "NGC1559");
  assert.deepEqual([a.id, a.x, a.y, a.class], ["17", 101, 201.5, 2]);
  assert.deepEqual(a.mag, [22.1, 21.9, 22.5, 22.0, 21.0]);
  assert.deepEqual(b.coverage, ["outside", "detected", "detected", "detected", "detected"]);
  assert.equal(b.detectedBands, 4);
  assert.equal(a.extra.PHANGS_CI, "1.4");
  assert.deepEqual(
    cat.badRows.map((r) => r.line),
    [4],
  );
  assert.throws(
    () => readCatalog(write("x.csv", "PHANGS_X,PHANGS_Y\n1,2\n")),
    /not a PHANGS-HST cluster catalog: no column\(s\) ID_PHANGS_CLUSTER, PHANGS_CLUSTER_CLASS_HUMAN/,
  );
});

test("starcluster catalog summary prints Table 1 counts, JSON on request, and reports bad rows", () => {
  const cli = path.join(repoRoot, "bin", "starcluster.js");
  const legus = path.join(repoRoot, "data", "catalogs", "legus");
  const files = fs
    .readdirSync(legus)
    .filter((f) => /ngc(4242|45)_/.test(f))
    .map((f) => path.join(legus, f));
  const r = spawnSync(process.execPath, [cli, "catalog", "summary", ...files, "--json"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.fields.NGC4242.classes, [117, 60, 14, 42]);
  assert.deepEqual(s.fields.NGC45.classes, [45, 52, 20, 43]);
  assert.deepEqual(s.total.classes, [162, 112, 34, 85]);
  const text = spawnSync(process.execPath, [cli, "catalog", "summary", ...files], { encoding: "utf8" });
  assert.match(text.stdout, /^NGC45\s+45\s+52\s+20\s+43\s/m);
  assert.match(text.stdout, /^N >= 4 filters/m);
  const bad = write("c.csv", "id,x,y,class\n1,1,1,1\n2,1\n");
  const withBad = spawnSync(
    process.execPath,
    [cli, "catalog", "summary", bad, "--pixels", "fits", "--field", "T", "--json"],
    { encoding: "utf8" },
  );
  assert.equal(withBad.status, 0);
  assert.match(withBad.stderr, /1 bad row\(s\) not counted:\n {2}line 3: 2 values, the header has 4/);
  assert.equal(JSON.parse(withBad.stdout).badRows[0].line, 3);
  assert.equal(spawnSync(process.execPath, [cli, "catalog", "summary"], { encoding: "utf8" }).status, 2);
  const missing = spawnSync(process.execPath, [cli, "catalog", "summary", "/no/such.tab"], { encoding: "utf8" });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /\/no\/such\.tab: no such file/);
});
