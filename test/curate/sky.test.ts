// Curation from a catalog with RA/Dec only: the positions of a pixel catalog are turned into RA/Dec by astropy
// (all_pix2world through the mosaics' TAN-SIP WCS), and curating that sky catalog gives the pixel catalog's
// stamps exactly, from plain, gzipped and tile-compressed mosaics. Objects off the mosaics are dropped with the
// reason; bands whose WCS disagree are refused (or, within the tolerance, each band is cut at its own pixel);
// a mosaic without a celestial WCS is refused by name.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { BANDS } from "../../lib/catalog/record";
import { curate, CURATION_FILE, FieldJob } from "../../lib/curate/curate";
import { ManifestRow, readManifest, readStamp } from "../../lib/curate/manifest";
import { FitsCard, withFits } from "../../lib/io/fits";
import { repoRoot, runReference, tempDir } from "../helpers";
import { block, makeField, tag } from "./fixture";

const dir = tempDir();
const SIZE = 12;
const SCALE = 1.1e-5; // degrees per pixel: HST's 0.04"
const ROTATION = (25 * Math.PI) / 180;
const CRVAL: [number, number] = [150.1167, 2.2058];

/** A TAN-SIP WCS as drizzled HST mosaics carry (CD matrix, rotated), with distortion large enough to matter (~0.2 px). */
function wcsCards(crpix1 = 60.5): FitsCard[] {
  const [c, s] = [Math.cos(ROTATION), Math.sin(ROTATION)];
  return [
    { key: "CTYPE1", value: "RA---TAN-SIP" },
    { key: "CTYPE2", value: "DEC--TAN-SIP" },
    { key: "CRPIX1", value: crpix1 },
    { key: "CRPIX2", value: 40.5 },
    { key: "CRVAL1", value: CRVAL[0] },
    { key: "CRVAL2", value: CRVAL[1] },
    { key: "CD1_1", value: -SCALE * c },
    { key: "CD1_2", value: SCALE * s },
    { key: "CD2_1", value: SCALE * s },
    { key: "CD2_2", value: SCALE * c },
    { key: "RADESYS", value: "ICRS" },
    { key: "A_ORDER", value: 2 },
    { key: "A_2_0", value: 6e-5 },
    { key: "A_1_1", value: -4e-5 },
    { key: "A_0_2", value: 3e-5 },
    { key: "B_ORDER", value: 2 },
    { key: "B_2_0", value: -2e-5 },
    { key: "B_1_1", value: 5e-5 },
    { key: "B_0_2", value: 4e-5 },
  ];
}

// Kept objects at positions away from pixel boundaries, an edge drop, one outside, an unclassified one, a duplicate id.
const ROWS: [string, number, number, string][] = [
  ["a", 20.3, 30.2, "1"],
  ["b", 45.1, 35.8, "2"],
  ["c", 60.7, 40.4, "3"],
  ["d", 80.2, 60.9, "4"],
  ["e", 5.2, 5.1, "1"],
  ["f", -20.4, 30.3, "2"],
  ["g", 33.3, 55.6, ""],
  ["a", 50.2, 20.1, "3"],
];

/** astropy's RA/Dec of 1-based pixels through a file's WCS (all_pix2world(..., 1)). */
function astropySky(file: string, pixels: [number, number][]): [number, number][] {
  const [r] = JSON.parse(runReference("wcs_check.py", [], Buffer.from(JSON.stringify([{ file, hdu: 0, pixels }]))));
  return r.world;
}

/** A CSV catalog of the ROWS with RA/Dec only (full double precision), header "id,ra,dec,class". */
function skyCatalog(file: string, sky: [number, number][], rows = ROWS): string {
  fs.writeFileSync(
    file,
    ["id,ra,dec,class", ...rows.map(([id, , , cls], i) => `${id},${sky[i][0]},${sky[i][1]},${cls}`)].join("\n") + "\n",
  );
  return file;
}

const field = makeField(
  path.join(dir, "field"),
  90,
  70,
  tag,
  ROWS.map((r) => r.join(",")),
  "TEST",
  () => wcsCards(),
);
const sky = astropySky(
  field.job.mosaics[0].path,
  ROWS.map(([, x, y]) => [x, y]),
);
const skyJob: FieldJob = {
  field: "TEST",
  catalog: skyCatalog(path.join(dir, "sky.csv"), sky),
  mosaics: field.job.mosaics,
};
const run = (name: string, job: FieldJob, extra: { skyTolerance?: number } = {}) =>
  curate({
    out: path.join(dir, name),
    size: SIZE,
    pad: false,
    jobs: [job],
    command: "test",
    warn: () => undefined,
    log: () => undefined,
    ...extra,
  });

/** The sky run's manifest equals the pixel run's: same decisions and stamps, positions to 1e-6 px. */
function assertSameCuration(pixelDir: string, skyDir: string, what: string): ManifestRow[] {
  const [pixel, fromSky] = [readManifest(pixelDir), readManifest(skyDir)];
  assert.equal(fromSky.length, pixel.length);
  pixel.forEach((p, i) => {
    const s = fromSky[i];
    const { x: px, y: py, reason: pr, ...pRest } = p;
    const { x: sx, y: sy, reason: sr, ...sRest } = s;
    assert.deepEqual(sRest, pRest, `${what} row ${i}`);
    assert.ok(
      Math.abs(sx! - px!) < 1e-6 && Math.abs(sy! - py!) < 1e-6,
      `${what} ${p.id}: (${sx}, ${sy}) vs (${px}, ${py})`,
    );
    if (p.id === "f")
      assert.match(
        sr,
        /^RA\/Dec \(150\.\d{6}, 2\.\d{6}\) is outside the F275W mosaic: pixel \(-20\.40, 30\.30\), the mosaic is 90 x 70$/,
      );
    else assert.equal(sr, pr, `${what} ${p.id}`);
  });
  for (const row of pixel.filter((r) => r.stamp)) {
    assert.deepEqual(
      readStamp(path.join(skyDir, row.stamp!)),
      readStamp(path.join(pixelDir, row.stamp!)),
      `${what} ${row.id}`,
    );
  }
  return pixel;
}

test("an RA/Dec catalog curates as its pixel catalog: plain, gzipped and tile-compressed mosaics", () => {
  run("pixel", field.job);
  run("sky", skyJob);
  const rows = assertSameCuration(path.join(dir, "pixel"), path.join(dir, "sky"), "plain");
  assert.deepEqual(
    rows.map((r) => r.status),
    ["kept", "kept", "kept", "kept", "dropped", "dropped", "kept", "dropped"],
  );
  assert.equal(rows[7].reason, "duplicate id (first at line 2)");

  const gz = field.job.mosaics.map((m) => {
    const file = `${m.path}.gz`;
    fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(m.path)));
    return { ...m, path: file };
  });
  run("sky-gz", { ...skyJob, mosaics: gz });
  assertSameCuration(path.join(dir, "pixel"), path.join(dir, "sky-gz"), "gzip");

  // astropy compresses losslessly (GZIP_2, floats not quantised) and keeps the WCS and SIP cards.
  runReference("fits_compress.py", ["GZIP_2", "0", "-lossless", ...field.job.mosaics.map((m) => m.path)]);
  const fz = field.job.mosaics.map((m) => ({ ...m, path: m.path.replace(/\.fits$/, "-lossless.fits.fz") }));
  withFits(fz[0].path, (f) =>
    assert.ok(f.hdus[1].compressed && f.hdus[1].header.get("A_2_0") === 6e-5, "a compressed image with SIP"),
  );
  run("sky-fz", { ...skyJob, mosaics: fz });
  assertSameCuration(path.join(dir, "pixel"), path.join(dir, "sky-fz"), "tile-compressed");

  // Stamps say where the object was placed from; curation.json says how.
  const stamp = path.join(dir, "sky", rows[0].stamp!);
  withFits(stamp, (f) => {
    assert.deepEqual([f.hdus[0].header.get("RA"), f.hdus[0].header.get("DEC")], sky[0]);
    const objx = f.hdus[1].header.get("OBJX") as number;
    assert.ok(Math.abs(objx - 20.3) < 1e-6, String(objx)); // RA in float64 degrees: ~3e-9 px at 0.04"/px
  });
  const curation = JSON.parse(fs.readFileSync(path.join(dir, "sky", CURATION_FILE), "utf8"));
  assert.equal(curation.fields[0].positions.kind, "sky");
  assert.equal(curation.fields[0].positions.description, "RA/Dec from columns ra, dec (found by name)");
  assert.match(curation.fields[0].positions.wcs, /^F275W: TAN-SIP \(order 2\), ICRS/);
  assert.equal(curation.fields[0].positions.max_band_offset_px, 0, "the five mosaics share one WCS");
  assert.equal(curation.sky_tolerance_px, 0.1);
});

test("off the mosaics: dropped with the reason (no pixel at all: empty x, y); the CLI logs the columns used", () => {
  const off = astropySky(field.job.mosaics[0].path, [
    [20.3, 30.2],
    [-20.4, 30.3],
    [45.1, 35.8],
  ]);
  // The third as sexagesimal text (RA in hours), to 1e-4 s: 1.5 mas, 0.04 px.
  const hms = (deg: number) => {
    const h = deg / 15;
    const [hh, mm] = [Math.floor(h), Math.floor((h * 60) % 60)];
    return `${hh}:${String(mm).padStart(2, "0")}:${((h * 3600) % 60).toFixed(4).padStart(7, "0")}`;
  };
  const dms = (deg: number) => {
    const a = Math.abs(deg);
    return `${deg < 0 ? "-" : "+"}${Math.floor(a)}:${String(Math.floor((a * 60) % 60)).padStart(2, "0")}:${((a * 3600) % 60).toFixed(3)}`;
  };
  const catalog = path.join(dir, "off.csv");
  fs.writeFileSync(
    catalog,
    [
      "RAJ2000,DEJ2000,id,class",
      `${off[0][0]},${off[0][1]},in,1`,
      `${off[1][0]},${off[1][1]},out,2`,
      `${CRVAL[0] + 180},${-CRVAL[1]},far,3`,
      `${hms(off[2][0])},${dms(off[2][1])},sexa,4`,
    ].join("\n") + "\n",
  );
  const out = path.join(dir, "off");
  const args = [
    "curate",
    "--catalog",
    catalog,
    "--field",
    "TEST",
    "--out",
    out,
    "--size",
    String(SIZE),
    ...field.job.mosaics.flatMap((m) => ["--mosaic", `${m.filter}=${m.path}`]),
  ];
  const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "starcluster.js"), ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /off\.csv: RA\/Dec from columns RAJ2000, DEJ2000 \(found by name\); converted to pixels through each band's mosaic WCS \(F275W: TAN-SIP/,
  );
  assert.match(r.stderr, /2 of 4 object\(s\) off the mosaics, dropped/);
  assert.match(r.stdout, /dropped: position outside the mosaic 2/);
  const rows = Object.fromEntries(readManifest(out).map((row) => [row.id, row]));
  assert.equal(rows.in.status, "kept");
  assert.match(rows.out.reason, /is outside the F275W mosaic: pixel \(-20\.40, 30\.30\)/);
  assert.match(
    rows.far.reason,
    /^RA\/Dec \(330\.116700, -2\.205800\) has no pixel in the F275W mosaic's TAN projection \(far off its footprint\)$/,
  );
  assert.deepEqual([rows.far.x, rows.far.y], [null, null]);
  assert.match(fs.readFileSync(path.join(out, "manifest.csv"), "utf8"), /\r\nTEST,far,,,3,,dropped,/);
  assert.equal(rows.sexa.status, "kept");
  assert.ok(
    Math.hypot(rows.sexa.x! - 45.1, rows.sexa.y! - 35.8) < 0.05,
    `sexagesimal: (${rows.sexa.x}, ${rows.sexa.y})`,
  );
  const curation = JSON.parse(fs.readFileSync(path.join(out, CURATION_FILE), "utf8"));
  assert.equal(curation.counts.droppedBy.outside, 2);

  const usage = spawnSync(
    process.execPath,
    [path.join(repoRoot, "bin", "starcluster.js"), ...args, "--sky", "RAJ2000"],
    { encoding: "utf8" },
  );
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--sky RAJ2000: expected two columns, RA then Dec/);
});

test("bands that disagree beyond the tolerance are refused naming the files; within it each band is cut at its own pixel", () => {
  // F814W's grid is shifted by 0.3 px in x: the same RA/Dec is 0.3 px further right in it.
  const shifted = (dx: number) =>
    makeField(
      path.join(dir, `shift-${dx}`),
      90,
      70,
      tag,
      ROWS.map((r) => r.join(",")),
      "TEST",
      (b) => wcsCards(60.5 + (b === 4 ? dx : 0)),
    );
  const far = shifted(0.3);
  const job = { ...skyJob, mosaics: far.job.mosaics };
  const out = path.join(dir, "refused");
  assert.throws(
    () => run("refused", job),
    (e: Error) => {
      assert.match(
        e.message,
        /test_f275w_drc\.fits and .*shift-0\.3\/test_f814w_drc\.fits: the F275W and F814W mosaics put 7 of 8 object\(s\) more than 0\.1 px apart \(--sky-tolerance\)/,
      );
      assert.match(e.message, /is at pixel \(\d+\.\d\d, \d+\.\d\d\) in F275W and .* in F814W, 0\.300 px apart/);
      return true;
    },
  );
  assert.ok(!fs.existsSync(out), "refused before anything is written");
  run("tolerated", job, { skyTolerance: 0.5 });

  // 0.05 px: within the default. Object a at x = 20.3 is at 20.35 in F814W: same pixel; a position at 20.48 moves
  // to 20.53 in F814W, whose stamp is then cut one pixel to the right.
  const near = shifted(0.05);
  const rows: [string, number, number, string][] = [
    ["a", 20.48, 30.2, "1"],
    ["b", 45.1, 35.8, "2"],
  ];
  const catalog = skyCatalog(
    path.join(dir, "near.csv"),
    astropySky(
      near.job.mosaics[0].path,
      rows.map(([, x, y]) => [x, y]),
    ),
    rows,
  );
  run("near", { field: "TEST", catalog, mosaics: near.job.mosaics });
  const [a] = readManifest(path.join(dir, "near"));
  const stamp = readStamp(path.join(dir, "near", a.stamp!));
  const half = SIZE / 2;
  BANDS.forEach((band, b) => {
    const x0 = (b === 4 ? 21 : 20) - 1 - half;
    assert.deepEqual(
      stamp.bands.subarray(b * SIZE * SIZE, (b + 1) * SIZE * SIZE),
      block(near, b, x0, 30 - 1 - half, SIZE),
      band,
    );
  });
  withFits(path.join(dir, "near", a.stamp!), (f) =>
    assert.deepEqual(
      f.hdus.slice(1).map((h) => h.header.get("CUTX0")),
      [14, 14, 14, 14, 15],
    ),
  );
  const curation = JSON.parse(fs.readFileSync(path.join(dir, "near", CURATION_FILE), "utf8"));
  assert.ok(
    Math.abs(curation.fields[0].positions.max_band_offset_px - 0.05) < 1e-9,
    String(curation.fields[0].positions.max_band_offset_px),
  );
});

test("a mosaic without a celestial WCS is refused for an RA/Dec catalog, naming the file and what is missing", () => {
  const bare = makeField(path.join(dir, "bare"), 90, 70, tag, ["a,20,30,1"]);
  assert.throws(
    () => run("bare-sky", { ...skyJob, mosaics: bare.job.mosaics }),
    /bare\/test_f275w_drc\.fits HDU 0: no celestial WCS on axes 1 and 2 \(CTYPE1 = '', CTYPE2 = ''\).*; the catalog .*sky\.csv gives RA\/Dec, which are converted to pixels through each band's mosaic WCS, so the F275W mosaic needs a usable celestial WCS/,
  );
  assert.ok(!fs.existsSync(path.join(dir, "bare-sky")));
  // The same mosaics curate the pixel catalog as before: the WCS is only needed for RA/Dec.
  run("bare-pixel", bare.job);
});
