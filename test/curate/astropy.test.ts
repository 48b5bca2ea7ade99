// `starcluster curate` on a field whose five mosaics astropy wrote in five storage layouts (scaled int16, float32
// in a SCI extension, float64, int32, float32 with NaN): astropy opens every stamp strictly, and each band equals
// the astropy cutout bit for bit (and Cutout2D at integer positions); Python's csv module reads the manifest.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { readManifest } from "../../lib/curate/manifest";
import { repoRoot, runReference, tempDir } from "../helpers";

test("stamps astropy opens, equal to astropy cutouts of five differently stored mosaics", () => {
  const dir = tempDir();
  const mosaics: Record<string, string> = JSON.parse(runReference("curate_fixture.py", [dir]));
  const out = path.join(dir, "out");
  const args = [
    "curate",
    "--catalog",
    path.join(dir, "test_catalog.csv"),
    "--pixels",
    "fits",
    "--field",
    "TEST",
    "--out",
    out,
    ...Object.entries(mosaics).flatMap(([band, file]) => ["--mosaic", `${band}=${file}`]),
  ];
  const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "starcluster.js"), ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^TEST\s+kept\s+\d+/m, "Table-1-style summary printed");
  assert.match(r.stdout, /manifest\.csv: 66 objects/);

  const rows = Object.fromEntries(readManifest(out).map((row) => [row.id, row]));
  assert.deepEqual([rows.delta.status, rows.int1.status, rows.tie.status], ["kept", "kept", "kept"]);
  assert.deepEqual(
    [rows.gap.status, rows.gap.missingBand],
    ["kept", "F275W"],
    "F275W footprint ends at x = 60: zero-filled",
  );
  assert.match(
    rows.int2.reason,
    /^pixels without data in the stamp .*: F275W 1250$/,
    "footprint edge crosses the stamp",
  );
  assert.match(rows.nan.reason, /: F814W 441$/, "21 x 21 NaN pixels");

  const check = JSON.parse(runReference("curate_check.py", [out, JSON.stringify(mosaics)]));
  assert.deepEqual(check.problems, []);
  assert.equal(check.rows, 66);
  assert.equal(check.kept, Object.values(rows).filter((row) => row.status === "kept").length);
  assert.equal(check.bands_compared, 5 * check.kept);
  assert.ok(check.cutout2d >= 10, "integer positions also checked against Cutout2D");
  assert.deepEqual(
    check.centre,
    { F275W: 1000, F336W: 6000, F438W: 7000, F555W: 80000, F814W: 9000 },
    "delta at stamp[25, 25] in numpy",
  );
});
