import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { legusCatalogPath, paperFields } from "../../lib/catalog/fields";
import { detectLegusClassColumn, legusFieldFromFileName, readLegusCatalog } from "../../lib/catalog/legus";
import { summarizeCatalog } from "../../lib/catalog/summary";
import { repoRoot, runReference, tempDir } from "../helpers";

const paper = JSON.parse(fs.readFileSync(path.join(repoRoot, "data", "paper-results.json"), "utf8"));
const realFields = Object.keys(paperFields()).filter((f) => legusCatalogPath(f));

test("seven real LEGUS catalogs ship in data/", () => {
  assert.deepEqual(realFields.sort(), ["NGC3351", "NGC4242", "NGC4395N", "NGC4449", "NGC45", "NGC4656", "NGC5474"]);
});

test("NGC4242, NGC45 and NGC5474 reproduce Table 1 exactly; NGC3351 within one object of two classes", () => {
  for (const field of ["NGC4242", "NGC45", "NGC5474"]) {
    const { records, badRows } = readLegusCatalog(legusCatalogPath(field) as string);
    assert.equal(badRows.length, 0);
    assert.deepEqual(summarizeCatalog(records).fields[field].classes, paper.table1.fields[field].slice(1), field);
  }
  // The shipped NGC3351 file has 94 / 326 where the paper has 95 / 325 (its README table records this).
  const ngc3351 = summarizeCatalog(readLegusCatalog(legusCatalogPath("NGC3351") as string).records).fields.NGC3351;
  assert.deepEqual(ngc3351.classes, [118, 80, 94, 326]);
});

test("our reader agrees with numpy on every real catalog: rows, classes, >= 4 filters, values", () => {
  for (const field of realFields) {
    const file = legusCatalogPath(field) as string;
    const column = paperFields()[field].class_column as number;
    const ref = JSON.parse(runReference("legus_counts.py", [file, String(column)]));
    const { records, badRows } = readLegusCatalog(file);
    assert.equal(badRows.length, 0, field);
    assert.equal(records.length, ref.rows, field);
    const s = summarizeCatalog(records).fields[field];
    assert.deepEqual(s.classes, ref.classes, `${field} classes`);
    assert.deepEqual(s.atLeast4Filters, ref.ge4, `${field} >= 4 filters`);
    assert.equal(s.notClassified, ref.unclassified, `${field} unclassified`);
    assert.deepEqual(
      records.slice(0, 3).map((r) => r.x),
      ref.x,
    );
    assert.deepEqual(
      records.slice(0, 3).map((r) => r.mag[3] ?? 99.999),
      ref.mag_f555w.map((m: number) => (m === 66.666 ? 99.999 : m)),
    );
  }
});

test("a record keeps position, photometry, coverage, class and the other columns", () => {
  const { records } = readLegusCatalog(legusCatalogPath("NGC45") as string);
  const r = records[1];
  assert.equal(r.field, "NGC45");
  assert.equal(r.id, "2");
  assert.equal(r.x, 2994.015);
  assert.equal(r.y, 5506.109);
  assert.equal(r.ra, 3.50237);
  assert.deepEqual(r.coverage, ["undetected", "detected", "undetected", "detected", "detected"]);
  assert.deepEqual(r.mag, [null, 21.477, null, 21.212, 20.308]);
  assert.deepEqual(r.magErr, [null, 0.082, null, 0.058, 0.039]);
  assert.equal(r.detectedBands, 3);
  assert.equal(r.extra.ci, "1.26100");
  assert.equal(r.extra.col34, "0.0", "the unused class column is kept");
  assert.deepEqual(r.source.line, 2);
  // Sentinel 200 (fewer than three detections) is not a count.
  assert.ok(records.some((q) => q.detectedBands === null && q.extra.quality === "200.00000"));
});

test("bad rows are reported with line numbers, good rows kept unchanged", () => {
  const src = fs.readFileSync(legusCatalogPath("NGC45") as string, "utf8").split("\n");
  const lines = src.slice(0, 6);
  lines[1] = lines[1].split(/\s+/).slice(0, 20).join(" "); // truncated
  lines[3] = lines[3].replace(/^(\s*\d+\s+)\S+/, "$1nan"); // not finite
  lines[4] = lines[4].replace(/^(\s*\d+\s+)\S+/, "$1-5.0"); // not a pixel position
  const file = path.join(tempDir(), "hlsp_legus_hst_wfc3_ngc45_multiband_v1_test.tab");
  fs.writeFileSync(file, lines.join("\n") + "\n");
  const { records, badRows } = readLegusCatalog(file);
  assert.deepEqual(
    records.map((r) => r.source.line),
    [1, 3, 6],
  );
  assert.deepEqual(
    badRows.map((b) => b.line),
    [2, 4, 5],
  );
  assert.match(badRows[0].reason, /columns, expected at least 35/);
  assert.match(badRows[1].reason, /column 2 is not a finite number: 'nan'/);
  assert.match(badRows[2].reason, /not a 1-based pixel position/);
  assert.equal(records[0].x, 2964.0);
});

test("field names come from LEGUS file names; an unknown field's class column is detected from the content", () => {
  assert.equal(
    legusFieldFromFileName("hlsp_legus_hst_wfc3_ngc4395-n_multiband_v1_padagb-mwext-avgapcor.tab"),
    "NGC4395N",
  );
  assert.equal(legusFieldFromFileName("hlsp_legus_hst_acs-wfc3_ngc3351_multiband_v1_x.tab"), "NGC3351");
  const file = path.join(tempDir(), "hlsp_legus_hst_wfc3_ngc9999_multiband_v1_x.tab");
  fs.copyFileSync(legusCatalogPath("NGC45") as string, file);
  // NGC45's layout (class in 35, column 34 only 0/1) is told from its content: the same classes as with 35 given.
  const detected = readLegusCatalog(file).records;
  assert.deepEqual(
    detected.map((r) => r.class),
    readLegusCatalog(file, { classColumn: 35 }).records.map((r) => r.class),
  );
  assert.equal(detected.length, 774);
  assert.throws(() => readLegusCatalog(file, { classColumn: 12 }), /class column must be an integer >= 34/);
});

test("the class-column rule picks the Table 1 column of all seven real catalogs; where it cannot, the refusal lists both", () => {
  for (const field of realFields) {
    const { column, candidates } = detectLegusClassColumn(fs.readFileSync(legusCatalogPath(field) as string, "utf8"));
    assert.equal(column, paperFields()[field].class_column, `${field}: ${JSON.stringify(candidates)}`);
  }
  // Both columns plausible (classes 1-4 in each): refused, with what each column would give.
  const dir = tempDir();
  const row = (c34: number, c35: number) =>
    ["1", "10", "20", "1", "2", ...Array(28).fill("1"), String(c34), String(c35)].join(" ");
  const file = path.join(dir, "hlsp_legus_hst_wfc3_ngc9998_multiband_v3_x.tab");
  fs.writeFileSync(file, [row(1, 4), row(2, 3), row(3, 2), row(4, 1)].join("\n") + "\n");
  assert.throws(
    () => readLegusCatalog(file),
    (e: Error & { option?: string }) => {
      assert.equal(e.option, "class-column");
      assert.match(e.message, /field NGC9998 has no default class column and its content does not tell/);
      assert.match(
        e.message,
        /column 34 would give classes 1\/2\/3\/4 = 1\/1\/1\/1, 0 unclassified \(0\); column 35 would give classes/,
      );
      assert.match(e.message, /; the class column is 34 or 35$/);
      return true;
    },
  );
  assert.equal(readLegusCatalog(file, { classColumn: 35 }).records[0].class, 4);
});
