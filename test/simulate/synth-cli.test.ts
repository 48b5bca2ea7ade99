// `starcluster synth --scale smoke` end to end: FITS mosaics that astropy opens strictly, catalogs our reader
// reads back, a refusal to overwrite without --force.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { readLegusCatalog } from "../../lib/catalog/legus";
import { pixelRecords } from "../../lib/catalog/record";
import { repoRoot, runReference, tempDir } from "../helpers";

const cli = path.join(repoRoot, "bin", "starcluster.js");

test("synth smoke writes five FITS mosaics and a LEGUS catalog per field", () => {
  const out = path.join(tempDir(), "sim");
  const r = spawnSync(process.execPath, [cli, "synth", "--scale", "smoke", "--out", out], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8"));
  assert.equal(manifest.fields.length, 2);
  for (const f of manifest.fields) {
    const files = f.images.map((i: string) => path.join(out, f.field, i));
    const info = JSON.parse(runReference("fits_info.py", files));
    files.forEach((file: string, b: number) => {
      const [hdu] = info[file];
      assert.deepEqual(hdu.shape, [f.height, f.width], file);
      assert.equal(hdu.dtype, "float32", "BITPIX 16 with BSCALE reads as physical float values");
      assert.equal(hdu.header.FILTER, f.filters[b].split("/")[1]);
      assert.ok(hdu.header.EXPTIME > 0 && hdu.header.CD1_1 < 0 && hdu.header.CTYPE1 === "RA---TAN");
      assert.ok(hdu.max > hdu.mean && hdu.mean > 0, `${file}: sources brighter than the mean, mean above zero`);
    });
    const cat = readLegusCatalog(path.join(out, f.field, f.catalog), { field: f.field, classColumn: f.class_column });
    assert.equal(cat.badRows.length, 0);
    // FITS pixel 1 covers 0.5..1.5: every source lies on the mosaic, edges included.
    assert.ok(
      pixelRecords(cat).every(
        (rec) => rec.x >= 0.5 && rec.x <= f.width + 0.5 && rec.y >= 0.5 && rec.y <= f.height + 0.5,
      ),
    );
  }
  const again = spawnSync(process.execPath, [cli, "synth", "--scale", "smoke", "--out", out], { encoding: "utf8" });
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /--force/);
});
