// The curated format's readers: manifest.csv round trip (RFC 4180 quoting, typed fields), clear errors for a
// malformed manifest or stamp, and the CSV parser underneath.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { formatManifest, ManifestRow, readManifest, readStamp } from "../../lib/curate/manifest";
import { writeFits } from "../../lib/io/fits";
import { parseCsv } from "../../lib/util/csv";
import { tempDir } from "../helpers";

const dir = tempDir();
const rows: ManifestRow[] = [
  {
    field: "NGC628",
    id: "25",
    x: 303.58500000000004,
    y: 551.23,
    class: 3,
    detectedBands: 5,
    status: "kept",
    reason: "",
    missingBand: null,
    stamp: "stamps/NGC628/25.fits",
    truth: 2,
    secondLabel: null,
  },
  {
    field: "NGC628",
    id: 'a,"b"\nc',
    x: 1,
    y: 2,
    class: null,
    detectedBands: null,
    status: "dropped",
    reason: "2 bands without coverage: F275W, F336W",
    missingBand: null,
    stamp: null,
    truth: null,
    secondLabel: 4,
  },
  {
    field: "NGC628",
    id: "27",
    x: 10.5,
    y: 11.5,
    class: 1,
    detectedBands: 4,
    status: "kept",
    reason: "F275W without coverage: zero-filled",
    missingBand: "F275W",
    stamp: "stamps/NGC628/27.fits",
    truth: null,
    secondLabel: null,
  },
];

function writeManifest(name: string, text: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, "manifest.csv"), text);
  return d;
}

test("manifest.csv: exact header, CRLF records, quoting, and a lossless round trip", () => {
  const text = formatManifest(rows);
  assert.ok(
    text.startsWith("field,id,x,y,class,detected_bands,status,reason,missing_band,stamp,truth,second_label\r\n"),
  );
  assert.ok(text.includes('\r\nNGC628,"a,""b""\nc",1,2,,,dropped,"2 bands without coverage: F275W, F336W",,,,4\r\n'));
  assert.ok(text.includes("\r\nNGC628,25,303.58500000000004,551.23,3,5,kept,,,stamps/NGC628/25.fits,2,\r\n"));
  assert.deepEqual(readManifest(writeManifest("ok", text)), rows);
  assert.deepEqual(
    readManifest(writeManifest("lf", text.replace(/\r\n/g, "\n"))),
    rows.map((r) => ({ ...r, id: r.id.replace(/\r\n/g, "\n") })),
  );
});

test("a malformed manifest is refused naming the file, line and column", () => {
  const head = "field,id,x,y,class,detected_bands,status,reason,missing_band,stamp,truth,second_label\n";
  const cases: [string, RegExp][] = [
    ["field,id,x,y\n", /header must be exactly field,id,x,y,class,/],
    [head + "F,1,2,3,7,,kept,,,s.fits,,\n", /line 2: class '7' is not 1-4 or empty/],
    [head + "F,1,2,3,1,,kept,,,,,\n", /line 2: a kept object must have a stamp/],
    [head + "F,1,2,3,1,,dropped,,,,,\n", /line 2: a dropped object needs a reason/],
    [head + "F,1,2,3,1,,gone,x,,,,\n", /line 2: status 'gone' is not kept or dropped/],
    [head + "F,1,nan,3,1,,dropped,x,,,,\n", /line 2: x 'nan' is not a finite number/],
    [head + "F,1,2,3,1,,kept,,F606W,s.fits,,\n", /missing_band 'F606W' is not empty or one of F275W/],
    [head + "F,1,2\n", /line 2: 3 values, expected 12/],
    [head + 'F,"1,2,3\n', /line 2: quoted field never closed/],
  ];
  cases.forEach(([text, message], i) => {
    const d = writeManifest(`bad${i}`, text);
    assert.throws(
      () => readManifest(d),
      (e: Error) => e.message.startsWith(path.join(d, "manifest.csv")) && message.test(e.message),
      String(message),
    );
  });
  assert.throws(() => readManifest(path.join(dir, "none")), /manifest\.csv: no such file/);
});

test("readStamp refuses files that are not stamps", () => {
  const single = path.join(dir, "single.fits");
  writeFits(single, [{ bitpix: -32, width: 4, height: 4, data: new Float32Array(16) }]);
  assert.throws(() => readStamp(single), /single\.fits: 1 HDUs, a stamp has 6/);
  const order = path.join(dir, "order.fits");
  const bands = ["F336W", "F275W", "F438W", "F555W", "F814W"];
  writeFits(
    order,
    bands.map((b) => ({ bitpix: -32 as const, width: 4, height: 4, data: new Float32Array(16), extname: b })),
  );
  assert.throws(() => readStamp(order), /order\.fits HDU 1 \(F336W\): EXTNAME must be F275W/);
  const wide = path.join(dir, "wide.fits");
  writeFits(
    wide,
    ["F275W", "F336W", "F438W", "F555W", "F814W"].map((b, i) => ({
      bitpix: -32 as const,
      width: i === 2 ? 5 : 4,
      height: 4,
      data: new Float32Array(i === 2 ? 20 : 16),
      extname: b,
    })),
  );
  assert.throws(() => readStamp(wide), /HDU 3 \(F438W\): must be a 4 x 4 BITPIX -32 image, is 5 x 4/);
});

test("CSV parser: quoted line breaks, empty fields, the line each record starts on, stray quotes", () => {
  assert.deepEqual(parseCsv('a,b\r\n"x\r\ny",\r\n"",z', "t"), [
    { line: 1, cells: ["a", "b"] },
    { line: 2, cells: ["x\r\ny", ""] },
    { line: 4, cells: ["", "z"] },
  ]);
  assert.throws(() => parseCsv('a,b"c\n', "t.csv"), /t\.csv: line 1: quote inside an unquoted field/);
  assert.throws(() => parseCsv('"a"b\n', "t.csv"), /t\.csv: line 1: characters after a closing quote/);
});
