// PHANGS-HST catalogs as FITS BINTABLE (written by astropy): the same records as the same table written as CSV,
// 0-based positions made 1-based, the no-coverage sentinel and NaN as missing bands, bad rows by table row.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { readCatalog } from "../../lib/catalog/read";
import { describeBadRow } from "../../lib/catalog/record";
import { writeFits } from "../../lib/io/fits";
import { repoRoot, runReference, tempDir } from "../helpers";

const dir = tempDir();
runReference("phangs_fixture.py", [dir]);
const fitsFile = path.join(dir, "ngc1559_phangs.fits");
const csvFile = path.join(dir, "ngc1559_phangs.csv");

test("PHANGS FITS table: positions 1-based, class, sentinel and NaN coverage, exact int64 ids, bad row by table row", () => {
  const cat = readCatalog(fitsFile);
  assert.deepEqual(
    cat.records.map((r) => [r.field, r.id, r.x, r.y, r.class]),
    [
      ["NGC1559", "101", 11.25, 21.75, 1],
      ["NGC1559", "102", 1, 1, 4],
      ["NGC1559", "9007199254740993", 4096.5, 2.5, null],
      ["NGC1559", "105", 8, 9, 3],
    ],
  );
  const [a, b, c] = cat.records;
  assert.deepEqual(a.mag, [22.1, 21.9, 22.5, 22.0, 21.0]);
  assert.deepEqual(
    a.magErr.map((e) => e!.toFixed(2)),
    ["0.05", "0.06", "0.07", "0.08", "0.09"],
  );
  assert.deepEqual(b.coverage, ["outside", "outside", "detected", "detected", "detected"]);
  assert.deepEqual([b.mag[0], b.magErr[0], b.detectedBands], [null, null, 3]);
  assert.deepEqual(c.coverage[0], "outside", "NaN magnitude = no coverage");
  assert.equal(c.rawClass, "0");
  assert.equal(a.ra, 64.4021);
  assert.equal(a.extra.PHANGS_CI, "1.25");
  assert.equal(a.extra.PHANGS_GALAXY, "ngc1559");
  assert.equal(b.extra.PHANGS_FLAGS, "2 3", "vector column kept as text");
  assert.deepEqual(
    cat.records.map((r) => r.source.line),
    [1, 2, 4, 5],
  );
  assert.equal(cat.badRows.length, 1);
  assert.deepEqual([cat.badRows[0].line, cat.badRows[0].unit], [3, "row"]);
  assert.match(describeBadRow(cat.badRows[0]), /^row 3: position \(3, NaN\) is not finite$/);
});

test("PHANGS FITS and CSV of one table give the same records (one column interpreter)", () => {
  const fromFits = readCatalog(fitsFile).records;
  const fromCsv = readCatalog(csvFile).records;
  const core = (r: (typeof fromFits)[number]) => [
    r.id,
    r.x,
    r.y,
    r.ra,
    r.dec,
    r.class,
    r.mag,
    r.magErr,
    r.coverage,
    r.detectedBands,
  ];
  assert.deepEqual(fromFits.map(core), fromCsv.map(core));
  assert.deepEqual(readCatalog(csvFile).badRows.map(describeBadRow), ["line 4: position (3.0, nan) is not finite"]);
});

test("catalog summary reads a PHANGS FITS table and reports its bad row by table row", () => {
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot, "bin", "starcluster.js"), "catalog", "summary", fitsFile, "--json"],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).fields.NGC1559.classes, [1, 0, 1, 1]);
  assert.match(r.stderr, /1 bad row\(s\) not counted:\n {2}row 3: position/);
});

test("a FITS file without a table is refused with its name", () => {
  const image = path.join(dir, "image.fits");
  writeFits(image, [{ bitpix: -32, width: 2, height: 2, data: new Float32Array(4) }]);
  assert.throws(
    () => readCatalog(image),
    (e: Error) => e.message === `${image}: no BINTABLE extension (PHANGS-HST catalogs keep their table in HDU 1)`,
  );
});
