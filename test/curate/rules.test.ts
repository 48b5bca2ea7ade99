// The curation rules on a small field whose mosaics have a footprint edge, a corner without coverage in two
// bands, a NaN pixel and scattered zeros: what is kept, zero-filled, padded or dropped, with which reason, and
// that kept stamps hold exactly the mosaic's pixels. Also: the pixel convention (a delta function lands in the
// centre pixel), resuming, refusing a folder with other settings, reading by sections and opening each mosaic once.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import nodeFs = require("node:fs");
import * as path from "node:path";
import { test } from "node:test";
import { BANDS } from "../../lib/catalog/record";
import { curate, CurateOptions, stampFileName } from "../../lib/curate/curate";
import { ManifestRow, readManifest, readStamp } from "../../lib/curate/manifest";
import { Hdu, withFits } from "../../lib/io/fits";
import { tempDir } from "../helpers";
import { block, Field, makeField, Painter, tag } from "./fixture";

const SIZE = 20;
const paint: Painter = (b, x, y) => {
  if (b === 0 && x <= 30) return 0; // F275W: the footprint ends at x = 30, zeros beyond (as drizzle writes)
  if (b === 1 && x <= 30 && y >= 80) return 0; // F336W: no coverage in the upper-left corner
  if (b === 1 && x === 80 && y === 50) return NaN; // F336W: one masked pixel
  if (b === 2 && x >= 85 && (x + y) % 7 === 0) return 0; // F438W: scattered zeros are data (quantised mosaics have them)
  return tag(b, x, y);
};
const rows = [
  "ok,60,50,1", // line 2
  "gap,12,50,2", // F275W all zero in the stamp: missing, zero-filled
  "straddle,30,50,3", // F275W footprint edge crosses the stamp
  "nan,80,50,4",
  "zeros,95,30,", // unclassified; scattered zeros kept as they are
  "two,12,90,1", // F275W and F336W without coverage
  "edge,115,50,2",
  "away,500,50,1",
  "ok,61,50,1", // duplicate id
  "bad,x,5,1", // line 11: a bad catalog row
];
const dir = tempDir();
const field = makeField(path.join(dir, "in"), 120, 100, paint, rows);

function run(
  out: string,
  extra: Partial<CurateOptions> = {},
  f: Field = field,
): { rows: ManifestRow[]; warnings: string[]; written: number; skipped: number } {
  const warnings: string[] = [];
  const r = curate({
    out,
    size: SIZE,
    pad: false,
    jobs: [f.job],
    command: "test",
    warn: (m) => warnings.push(m),
    ...extra,
  });
  return { rows: readManifest(out), warnings, written: r.written, skipped: r.skipped };
}

const byId = (rs: ManifestRow[]) =>
  Object.fromEntries(rs.map((r) => [r.status === "dropped" && r.reason.startsWith("duplicate") ? "ok#2" : r.id, r]));
const summary = (r: ManifestRow) => [r.status, r.missingBand, r.reason];

test("rules: kept, one band zero-filled, dropped for coverage, footprint edge, NaN, mosaic edge, position, duplicate", () => {
  const out = path.join(dir, "default");
  const { rows: got, warnings } = run(out);
  assert.deepEqual(
    got.map((r) => r.id),
    ["ok", "gap", "straddle", "nan", "zeros", "two", "edge", "away", "ok"],
    "one row per good catalog row, in order",
  );
  const r = byId(got);
  assert.deepEqual(summary(r.ok), ["kept", null, ""]);
  assert.deepEqual(summary(r.gap), ["kept", "F275W", "F275W without coverage: zero-filled"]);
  assert.deepEqual(summary(r.straddle), [
    "dropped",
    null,
    "pixels without data in the stamp (NaN, infinite or beyond a footprint edge): F275W 220",
  ]);
  assert.deepEqual(summary(r.nan), [
    "dropped",
    null,
    "pixels without data in the stamp (NaN, infinite or beyond a footprint edge): F336W 1",
  ]);
  assert.deepEqual(summary(r.zeros), ["kept", null, ""]);
  assert.deepEqual(summary(r.two), ["dropped", null, "2 bands without coverage: F275W, F336W"]);
  assert.deepEqual(summary(r.edge), ["dropped", null, "stamp crosses the mosaic edge"]);
  assert.deepEqual(summary(r.away), ["dropped", null, "position outside the 120 x 100 mosaic"]);
  assert.deepEqual(summary(r["ok#2"]), ["dropped", null, "duplicate id (first at line 2)"]);
  assert.deepEqual(
    [r.zeros.class, r.ok.class, r.gap.class, r.ok.x, r.ok.y, r.ok.detectedBands],
    [null, 1, 2, 60, 50, null],
  );
  assert.equal(r.ok.stamp, "stamps/TEST/ok.fits");
  assert.ok(got.every((row) => (row.status === "kept") === (row.stamp !== null)));
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /test_catalog\.csv: 1 bad row\(s\), not curated \(no manifest row\):\n {2}line 11: position \(x, 5\)/,
  );
  assert.deepEqual(fs.readdirSync(path.join(out, "stamps", "TEST")).sort(), ["gap.fits", "ok.fits", "zeros.fits"]);
  const curation = JSON.parse(fs.readFileSync(path.join(out, "curation.json"), "utf8"));
  assert.equal(curation.complete, true);
  assert.deepEqual(curation.counts.kept, { 1: 1, 2: 1, 3: 0, 4: 0, unclassified: 1, all: 3 });
  assert.deepEqual(curation.counts.droppedBy, { outside: 1, edge: 1, coverage: 1, "no-data": 2, duplicate: 1 });
  assert.deepEqual(curation.fields[0].mosaics.F814W.width, 120);
  assert.equal(curation.fields[0].catalog.bad_rows[0].line, 11);

  // Kept stamps hold the mosaic's pixels exactly (scattered zeros included); the missing band is all zeros.
  for (const id of ["ok", "gap", "zeros"]) {
    const stamp = readStamp(path.join(out, r[id].stamp!));
    const [x0, y0] = [Math.round(r[id].x!) - 1 - SIZE / 2, Math.round(r[id].y!) - 1 - SIZE / 2];
    BANDS.forEach((band, b) => {
      const got = stamp.bands.subarray(b * SIZE * SIZE, (b + 1) * SIZE * SIZE);
      const want = band === r[id].missingBand ? new Float32Array(SIZE * SIZE) : block(field, b, x0, y0, SIZE);
      assert.deepEqual(got, want, `${id} ${band}`);
    });
    assert.equal(stamp.missingBand, r[id].missingBand);
  }
  assert.ok(
    readStamp(path.join(out, r.zeros.stamp!))
      .bands.subarray(2 * SIZE * SIZE, 3 * SIZE * SIZE)
      .some((v) => v === 0),
  );
});

test("--pad keeps edge-crossing stamps and pixels without data, zeroed and flagged; coverage and position still drop", () => {
  const out = path.join(dir, "pad");
  const r = byId(run(out, { pad: true }).rows);
  assert.deepEqual(summary(r.straddle), ["kept", null, "zero-padded pixels without data: F275W 220"]);
  assert.deepEqual(summary(r.nan), ["kept", null, "zero-padded pixels without data: F336W 1"]);
  assert.deepEqual(summary(r.edge), [
    "kept",
    null,
    "stamp crosses the mosaic edge; zero-padded pixels without data: F275W 80, F336W 80, F438W 80, F555W 80, F814W 80",
  ]);
  assert.deepEqual(summary(r.two), ["dropped", null, "2 bands without coverage: F275W, F336W"]);
  assert.deepEqual(summary(r.away)[0], "dropped");
  const edge = readStamp(path.join(out, r.edge.stamp!));
  const want = block(field, 4, 104, 39, SIZE).map((v) => (Number.isNaN(v) ? 0 : v));
  assert.deepEqual(edge.bands.subarray(4 * SIZE * SIZE), want, "inside pixels kept, beyond the edge 0");
  const nan = readStamp(path.join(out, r.nan.stamp!)).bands.subarray(SIZE * SIZE, 2 * SIZE * SIZE);
  assert.ok(nan.every(Number.isFinite));
  assert.equal(nan[10 * SIZE + 10], 0, "the NaN pixel (the centre) is 0");
});

test("a band missing from the command is a missing band", () => {
  const out = path.join(dir, "four");
  const job = { ...field.job, mosaics: field.job.mosaics.filter((m) => m.filter !== "F814W") };
  const r = byId(run(out, { jobs: [job] }).rows);
  assert.deepEqual(summary(r.ok), ["kept", "F814W", "F814W without coverage: zero-filled"]);
  assert.deepEqual(summary(r.gap), ["dropped", null, "2 bands without coverage: F275W, F814W"]);
  assert.ok(
    readStamp(path.join(out, r.ok.stamp!))
      .bands.subarray(4 * SIZE * SIZE)
      .every((v) => v === 0),
  );
});

test("pixel convention: a delta at a 1-based position lands in stamp pixel floor(size/2) (exact centre when odd)", () => {
  // Delta at 1-based (41, 33); positions within the pixel [40.5, 41.5) x [32.5, 33.5) share it, 41.5 is the next.
  const delta = makeField(
    path.join(dir, "delta"),
    90,
    70,
    (b, x, y) => (x === 41 && y === 33 ? 1000 * (b + 1) : 1),
    ["a,41,33,1", "b,41.49,32.5,1", "c,40.5,33.49,1", "d,41.5,33.5,1"],
    "DELTA",
  );
  for (const size of [50, 51, 2]) {
    const out = path.join(dir, `delta${size}`);
    const got = run(out, { size, jobs: [delta.job] }, delta).rows;
    const half = Math.floor(size / 2);
    for (const row of got) {
      assert.equal(row.status, "kept", `${row.id} size ${size}: ${row.reason}`);
      const { bands } = readStamp(path.join(out, row.stamp!));
      const at = row.id === "d" ? (half - 1) * size + (half - 1) : half * size + half;
      BANDS.forEach((_, b) => {
        const plane = bands.subarray(b * size * size, (b + 1) * size * size);
        assert.equal(
          plane[at],
          1000 * (b + 1),
          `${row.id} size ${size} band ${b}: delta at stamp index (${at % size}, ${Math.floor(at / size)})`,
        );
        assert.equal(plane.filter((v) => v !== 1).length, 1);
      });
    }
  }
});

test("resume: a rerun writes only missing stamps and the same manifest; other settings or a foreign folder are refused", () => {
  const out = path.join(dir, "resume");
  const first = run(out);
  const manifest = fs.readFileSync(path.join(out, "manifest.csv"));
  const okStamp = path.join(out, "stamps", "TEST", "ok.fits");
  const before = fs.readFileSync(okStamp);
  fs.rmSync(path.join(out, "stamps", "TEST", "gap.fits"));
  fs.writeFileSync(path.join(out, "stamps", "TEST", ".zeros.fits.999999999.tmp"), "partial"); // a dead writer's leftover
  const again = run(out);
  assert.deepEqual([first.written, first.skipped, again.written, again.skipped], [3, 0, 1, 2]);
  assert.deepEqual(fs.readFileSync(path.join(out, "manifest.csv")), manifest);
  assert.deepEqual(fs.readFileSync(okStamp), before, "a finished stamp is not rewritten (same DATE, same bytes)");
  assert.ok(
    !fs.readdirSync(path.join(out, "stamps", "TEST")).some((n) => n.endsWith(".tmp")),
    "stale temporary file removed",
  );
  // A damaged stamp (empty, or cut short) is written again, not counted as there.
  fs.writeFileSync(path.join(out, "stamps", "TEST", "gap.fits"), "");
  fs.truncateSync(okStamp, 5000);
  const repaired = run(out);
  assert.deepEqual([repaired.written, repaired.skipped], [2, 1]);
  assert.deepEqual(fs.readFileSync(okStamp), before, "the damaged stamp is written again, the same bytes");
  assert.match(
    repaired.warnings.join("\n"),
    /2 damaged stamp\(s\) \(truncated, empty or of another size\) written again, e\.g\. stamps\/TEST\/ok\.fits/,
  );
  assert.throws(
    () => run(out, { size: 30 }),
    /holds a curation with other settings or inputs \(was: size 20; now: size 30\)/,
  );
  const foreign = path.join(dir, "foreign");
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, "notes.txt"), "mine");
  assert.throws(() => run(foreign), /not empty and not a curation folder/);
});

test("mosaics are read by sections only, each file opened once", () => {
  const readImage = Hdu.prototype.readImage;
  const opened: string[] = [];
  const openSync = nodeFs.openSync;
  Hdu.prototype.readImage = () => {
    throw new Error("readImage called: mosaics must be read by sections");
  };
  // The library's `import * as fs` reads through to this module object, so the spy sees every open.
  nodeFs.openSync = ((p: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => {
    opened.push(String(p));
    return openSync(p, flags, mode);
  }) as typeof fs.openSync;
  try {
    run(path.join(dir, "spy"));
  } finally {
    Hdu.prototype.readImage = readImage;
    nodeFs.openSync = openSync;
  }
  for (const m of field.job.mosaics) assert.equal(opened.filter((p) => p === m.path).length, 1, m.path);
});

test("ids become safe, unique file names; non-ASCII ids and file names are escaped in headers", () => {
  assert.equal(stampFileName("25"), "25.fits");
  assert.equal(stampFileName("a/b c"), "a%2Fb%20c.fits");
  assert.equal(stampFileName(".."), "%2E..fits");
  assert.notEqual(stampFileName("a%2Fb"), stampFileName("a/b"));
  const odd = makeField(path.join(dir, "odd-é"), 60, 40, tag, ['"é/1,x",30,20,1'], "ODD");
  const out = path.join(dir, "odd");
  const [row] = run(out, { jobs: [odd.job] }, odd).rows;
  assert.deepEqual([row.id, row.stamp], ["é/1,x", "stamps/ODD/%C3%A9%2F1%2Cx.fits"]);
  withFits(path.join(out, row.stamp!), (f) => {
    assert.equal(f.hdus[0].header.get("OBJID"), "%C3%A9/1,x");
    assert.equal(f.hdus[0].header.get("CATALOG"), "odd_catalog.csv");
  });
});

test("infinite pixels are no data, like NaN: one drops the stamp, a band of them is a band without coverage", () => {
  const infinite: Painter = (b, x, y) => {
    if (b === 0) return -Infinity; // F275W: a band holding nothing usable
    if (b === 3 && x === 30 && y === 30) return Infinity; // F555W: one corrupted pixel
    return tag(b, x, y);
  };
  const f = makeField(path.join(dir, "inf-in"), 60, 60, infinite, ["hit,30,30,1", "clean,30,45,2"]);
  const r = byId(run(path.join(dir, "inf"), {}, f).rows);
  assert.deepEqual(summary(r.hit), [
    "dropped",
    null,
    "pixels without data in the stamp (NaN, infinite or beyond a footprint edge): F555W 1",
  ]);
  assert.deepEqual(summary(r.clean), ["kept", "F275W", "F275W without coverage: zero-filled"]);
});

test("a curation that keeps nothing is an error, not marked complete, with the causes and the manifest", () => {
  const f = makeField(path.join(dir, "far-in"), 60, 60, tag, ["a,500,50,1", "b,30,900,2"]);
  const out = path.join(dir, "far");
  assert.throws(
    () => run(out, {}, f),
    /far: nothing curated \(all 2 object\(s\) dropped: outside 2; each one's reason is in manifest\.csv\); the curation is not marked complete/,
  );
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, "curation.json"), "utf8")).complete, false);
  assert.equal(readManifest(out).length, 2);
  const empty = makeField(path.join(dir, "empty-in"), 60, 60, tag, []);
  assert.throws(
    () => run(path.join(dir, "empty"), {}, empty),
    /nothing curated \(no usable row in .*empty-in\/test_catalog\.csv\)/,
  );
});

test("class values that are not 0-4 are named in a warning; a huge bad value is cut short in messages and curation.json", () => {
  const huge = "9".repeat(100_000) + "x";
  const f = makeField(path.join(dir, "classes-in"), 60, 60, tag, [
    "a,30,30,7",
    "b,30,45,-1",
    "c,15,30,2.5",
    "d,45,30,1",
    `e,${huge},30,1`,
  ]);
  const out = path.join(dir, "classes");
  const { rows: got, warnings } = run(out, {}, f);
  assert.deepEqual(
    got.map((r) => [r.id, r.class]),
    [
      ["a", null],
      ["b", null],
      ["c", null],
      ["d", 1],
    ],
  );
  assert.match(
    warnings.join("\n"),
    /3 class value\(s\) that are not 0-4 \(line 2: '7', line 3: '-1', line 4: '2\.5'\); curated as unclassified/,
  );
  assert.match(
    warnings.join("\n"),
    /line 6: position \(9{40}\.\.\. \(100001 characters\), 30\) is not a pair of finite numbers/,
  );
  assert.ok(fs.statSync(path.join(out, "curation.json")).size < 20_000, "the value is not stored in full");
});
