// BINTABLE files we write: astropy's Table reads them after a strict verify (warnings as errors) with our
// values, types, units and TNULL-masked integers, and our own reader reads back the same.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { withFits, writeTableFits } from "../../lib/io/fits";
import { runReference, tempDir } from "../helpers";

const f32 = (v: number) => Math.fround(v);

test("numeric and string columns, NaN and TNULL, units and provenance cards: astropy and our reader agree", () => {
  const file = path.join(tempDir(), "table.fits");
  const columns = [
    { name: "id", values: ["25", "a longer id", "", "x"] },
    { name: "x", values: Float64Array.from([303.585, 1e-300, -0.5, 1e12]), unit: "pix" },
    { name: "p1_mean", values: Float32Array.from([0.25, NaN, 1 / 3, 3.4028234663852886e38]) },
    { name: "class_mode", values: Int16Array.from([4, 0, 1, 32767]), nullValue: 0 },
    { name: "count", values: Int32Array.from([-2147483648, 7, 0, 2147483647]) },
  ];
  writeTableFits(file, columns, {
    extname: "CLASSIFY",
    primaryCards: [
      { key: "CREATOR", value: "starcluster test" },
      { key: "NMODELS", value: 2 },
    ],
  });
  const ref = JSON.parse(runReference("fits_table_read.py", [file]));
  assert.equal(ref.extname, "CLASSIFY");
  assert.equal(ref.primary.CREATOR, "starcluster test");
  assert.equal(ref.primary.NMODELS, 2);
  assert.deepEqual(
    Object.keys(ref.columns),
    columns.map((c) => c.name),
  );
  assert.deepEqual(
    ref.columns.id.values,
    ["25", "a longer id", null, "x"],
    "astropy's Table masks empty strings (mask_invalid)",
  );
  assert.equal(ref.columns.x.dtype, "float64");
  assert.equal(ref.columns.x.unit, "pix");
  assert.deepEqual(ref.columns.x.values, [303.585, 1e-300, -0.5, 1e12]);
  assert.equal(ref.columns.p1_mean.dtype, "float32");
  assert.deepEqual(ref.columns.p1_mean.values, [0.25, null, f32(1 / 3), 3.4028234663852886e38]);
  assert.equal(ref.columns.class_mode.dtype, "int16");
  assert.deepEqual(ref.columns.class_mode.values, [4, null, 1, 32767], "TNULL 0 reads as masked");
  assert.deepEqual(ref.columns.count.values, [-2147483648, 7, 0, 2147483647]);

  withFits(file, (fits) => {
    const table = fits.hdus[1].readTable();
    assert.equal(table.rows, 4);
    assert.deepEqual(
      table.columns.map((c) => c.format),
      ["11A", "1D", "1E", "1I", "1J"],
    );
    assert.deepEqual(table.columns[0].values, ["25", "a longer id", "", "x"]);
    assert.deepEqual(Array.from(table.columns[2].values as Float32Array), [
      0.25,
      NaN,
      f32(1 / 3),
      3.4028234663852886e38,
    ]);
    assert.deepEqual(Array.from(table.columns[3].values as Int16Array), [4, 0, 1, 32767]);
  });
});

test("bad columns are refused naming the file and column: lengths, non-ASCII text, TNULL on floats", () => {
  const file = path.join(tempDir(), "bad.fits");
  assert.throws(
    () =>
      writeTableFits(file, [
        { name: "a", values: Int16Array.from([1, 2]) },
        { name: "b", values: ["x"] },
      ]),
    (e: Error) => e.message === `${file}: column 'b': 1 values, the table has 2 rows`,
  );
  assert.throws(
    () => writeTableFits(file, [{ name: "id", values: ["ok", "NGC 628 é"] }]),
    /column 'id': row 2 holds characters outside printable ASCII/,
  );
  assert.throws(
    () => writeTableFits(file, [{ name: "p", values: Float32Array.from([1]), nullValue: 0 }]),
    /float columns use NaN for undefined values/,
  );
  assert.throws(() => writeTableFits(file, []), /a table needs at least one column/);
});
