// Tile-compressed images (ZIMAGE = T) against astropy 5.2 (cfitsio 4.2) on files astropy writes: every compression
// type (RICE_1, GZIP_1, GZIP_2, PLIO_1, HCOMPRESS_1; HCOMPRESS's SMOOTH option refused by name), every integer width,
// unsigned and scaled integers, floats quantised with each dither method, lossless floats, cubes: info(), image
// headers and values bit for bit; sections decode only the tiles they touch; cutouts and curation on compressed
// mosaics give the plain mosaics' stamps.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { curate } from "../../lib/curate/curate";
import { readManifest, readStamp } from "../../lib/curate/manifest";
import { CardValue, formatInfo, PixelArray, withFits, writeCutout } from "../../lib/io/fits";
import { numpyDtype, runReference, tempDir } from "../helpers";
import { makeField } from "../curate/fixture";

const dir = tempDir();
const fixtures: { file: string; type: string; note: string }[] = JSON.parse(runReference("fits_compressed.py", [dir]));
const hex = (a: PixelArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
const tagged = (v: CardValue | undefined) => (typeof v === "bigint" ? { bigint: String(v) } : (v ?? null));

interface AstropyView {
  info: string;
  hdus: { name: string; cards: [string, unknown, string][]; dtype?: string; shape?: number[]; hex?: string }[];
  sections: { dtype: string; hex: string }[];
}
const astropy = (file: string, sections: number[][] = []): AstropyView =>
  JSON.parse(runReference("fits_exact.py", [file, JSON.stringify(sections)]));

/** Files whose values are compared elsewhere (NaN handling) or refused. */
const SPECIAL = new Set(["f64-nan-zblank.fits", "hc-smooth.fits"]);

test("astropy wrote every compression type, integer width and dither method", () => {
  const types = new Set(fixtures.map((f) => f.type));
  for (const t of ["RICE_1", "GZIP_1", "GZIP_2", "PLIO_1", "HCOMPRESS_1"]) assert.ok(types.has(t), t);
  assert.ok(fixtures.some((f) => f.type === "HCOMPRESS_1" && f.note.includes("quantised")));
  for (const m of ["NO_DITHER", "SUBTRACTIVE_DITHER_1", "SUBTRACTIVE_DITHER_2"])
    assert.ok(
      fixtures.some((f) => f.note.includes(m)),
      m,
    );
  assert.equal(fixtures.length, 49);
});

const compared = fixtures.filter((x) => !SPECIAL.has(x.file));
// One astropy start-up for all of them (each would cost a second here).
const views: AstropyView[] = JSON.parse(
  runReference("fits_exact.py", ["--many", ...compared.map((f) => path.join(dir, f.file))]),
);

for (const [k, f] of compared.entries()) {
  test(`${f.file} (${f.type}, ${f.note}): info, image header and values equal astropy's`, () => {
    const file = path.join(dir, f.file);
    const ref = views[k];
    withFits(file, (fits) => {
      assert.equal(formatInfo(fits), ref.info);
      fits.hdus.forEach((hdu, i) => {
        const r = ref.hdus[i];
        assert.equal(hdu.name, r.name);
        assert.deepEqual(
          hdu.header.cards.map((c) => [c.key, tagged(c.value), c.comment ?? ""]),
          r.cards,
          `HDU ${i} cards`,
        );
        if (r.hex === undefined) return;
        const img = hdu.readImage();
        assert.deepEqual([...img.shape].reverse(), r.shape);
        assert.equal(numpyDtype(img.data), r.dtype, `HDU ${i} dtype`);
        assert.equal(hex(img.data), r.hex, `HDU ${i}: values differ from astropy's`);
      });
    });
  });
}

test("sections equal astropy's data, crossing tile and image edges, and decode only the tiles they touch", () => {
  const boxes = [
    [0, 0, 70, 45],
    [10, 10, 31, 11],
    [15, 15, 2, 2],
    [60, 40, 10, 5],
    [33, 0, 1, 45],
    [0, 44, 70, 1],
  ];
  for (const name of [
    "i16-rice_1-tiles.fits",
    "i16-gzip_2-tiles.fits",
    "i16-plio_1-tiles.fits",
    "f32-rice-sd2-zeros.fits",
    "u16-rice.fits",
    "i16-scaled.fits",
    "f32-rice-clock-seed.fits",
    "f64-gzip2-lossless.fits",
    "hc-i16-tiles.fits",
    "hc-f32-sd1.fits",
  ]) {
    const file = path.join(dir, name);
    const ref = astropy(
      file,
      boxes.map((b) => [1, ...b]),
    );
    withFits(file, (fits) =>
      boxes.forEach(([x0, y0, width, height], k) => {
        const s = fits.hdus[1].section({ x0, y0, width, height });
        assert.equal(s.outside, null);
        assert.equal(hex(s.data), ref.sections[k].hex, `${name} box ${k}`);
      }),
    );
  }
  // 16 x 16 tiles on a 70 x 45 image: 5 x 3 tiles. x 10..40, y 10..20 touches columns 0-2 of rows 0-1: 6 tiles.
  withFits(path.join(dir, "i16-rice_1-tiles.fits"), (fits) => {
    const c = fits.hdus[1].compressed!;
    assert.deepEqual(c.tileShape, [16, 16]);
    fits.hdus[1].section({ x0: 10, y0: 10, width: 31, height: 11 });
    assert.equal(c.tilesDecoded, 6);
    fits.hdus[1].section({ x0: 12, y0: 12, width: 5, height: 5 }); // inside a tile already decoded: from the cache
    assert.equal(c.tilesDecoded, 6);
    const edge = fits.hdus[1].section({ x0: 66, y0: -2, width: 8, height: 4 });
    assert.deepEqual(Array.from(edge.outside!.slice(0, 8)), [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(edge.outside!.slice(16, 24)), [0, 0, 0, 0, 1, 1, 1, 1]);
  });
});

test("NaN: a quantised blank marked by ZBLANK is NaN (astropy 5.2 returns the dequantised sentinel); all else as astropy", () => {
  const file = path.join(dir, "f64-nan-zblank.fits");
  const ref = astropy(file).hdus[1];
  const theirs = new Float64Array(new Uint8Array(Buffer.from(ref.hex!, "hex")).buffer);
  const ours = withFits(file, (fits) => fits.hdus[1].readImage().data as Float64Array);
  const at = 20 * 70 + 33;
  assert.ok(Number.isNaN(ours[at]));
  assert.ok(Number.isFinite(theirs[at]) && theirs[at] < -1e6, `astropy 5.2 gives ${theirs[at]}`);
  ours[at] = theirs[at];
  assert.equal(hex(ours), hex(theirs));
  // Without ZBLANK (as astropy 5.2 writes NaN) nothing marks the pixel: both readers return the same value.
  const plain = path.join(dir, "f64-nan.fits");
  assert.equal(hex(withFits(plain, (fits) => fits.hdus[1].readImage().data)), astropy(plain).hdus[1].hex);
});

test("HCOMPRESS_1 with SMOOTH is listed like astropy but refused by name on reading; a damaged tile names file, HDU and tile", () => {
  const file = path.join(dir, "hc-smooth.fits");
  withFits(file, (fits) => {
    assert.equal(formatInfo(fits), astropy(file).info);
    assert.throws(
      () => fits.hdus[1].readImage(),
      /hc-smooth\.fits HDU 1 \(COMPRESSED_IMAGE\): tile 1 \(HCOMPRESS_1\): HCOMPRESS_1 with SMOOTH != 0 .* is not supported/,
    );
    assert.throws(() => fits.hdus[1].section({ x0: 0, y0: 0, width: 2, height: 2 }), /SMOOTH != 0/);
  });
  // Zero the heap of a RICE file from its middle on: the tiles there no longer decode.
  const bytes = fs.readFileSync(path.join(dir, "i16-rice_1-rows.fits"));
  const damaged = path.join(dir, "damaged.fits");
  const heap = withFits(path.join(dir, "i16-rice_1-rows.fits"), (fits) => fits.hdus[1].dataOffset + 45 * 8);
  bytes.fill(0xff, heap + 1500, heap + 1600);
  fs.writeFileSync(damaged, bytes);
  assert.throws(
    () => withFits(damaged, (fits) => fits.hdus[1].readImage()),
    /damaged\.fits HDU 1 \(SCI\): tile \d+ \(RICE_1\): RICE_1 tile ends early/,
  );
});

test("a cutout of a compressed MEF equals astropy's data; curating compressed mosaics equals curating their values uncompressed", () => {
  const mef = path.join(dir, "mef.fits");
  const out = path.join(dir, "cut.fits");
  writeCutout(mef, { x: 35, y: 20, size: 9 }, out);
  const ref = astropy(
    mef,
    [1, 2, 3, 4].map((i) => [i, 30, 15, 9, 9]),
  );
  withFits(out, (fits) => {
    assert.deepEqual(
      fits.hdus.slice(1).map((h) => h.name),
      ["F275W", "F336W", "F438W", "PLAIN"],
    );
    fits.hdus.slice(1).forEach((h, k) => assert.equal(hex(h.readImage().data), ref.sections[k].hex, h.name));
  });

  // A smooth field with texture (quantisation needs noise to estimate): one value per band and position.
  const paint = (b: number, x: number, y: number) =>
    100 + b * 10 + Math.sin(x / 3) * 20 + y / 7 + ((x * 31 + y * 17) % 13);
  const field = makeField(path.join(dir, "field"), 90, 70, paint, [
    "a,20,30,1",
    "b,45.5,35,2",
    "c,88,68,3",
    "d,60,20,4",
  ]);
  const variants = [
    ["GZIP_2", "0", "lossless"],
    ["RICE_1", "16", "quantised"],
  ] as const;
  for (const [type, level, what] of variants) {
    runReference("fits_compress.py", [type, level, `-${what}`, ...field.job.mosaics.map((m) => m.path)]);
    const stem = (p: string) => p.replace(/\.fits$/, `-${what}`);
    const jobs = {
      compressed: { ...field.job, mosaics: field.job.mosaics.map((m) => ({ ...m, path: `${stem(m.path)}.fits.fz` })) },
      plain: { ...field.job, mosaics: field.job.mosaics.map((m) => ({ ...m, path: `${stem(m.path)}.plain.fits` })) },
    };
    const run = (name: string, job: typeof field.job) =>
      curate({
        out: path.join(dir, `${what}-${name}`),
        size: 12,
        pad: false,
        jobs: [job],
        command: "test",
        warn: () => undefined,
      });
    run("compressed", jobs.compressed);
    run("plain", jobs.plain);
    const rows = readManifest(path.join(dir, `${what}-plain`));
    assert.deepEqual(readManifest(path.join(dir, `${what}-compressed`)), rows, what);
    assert.ok(rows.filter((r) => r.stamp).length >= 3, what);
    for (const r of rows.filter((row) => row.stamp)) {
      const [ours, plain] = ["compressed", "plain"].map((kind) =>
        readStamp(path.join(dir, `${what}-${kind}`, r.stamp!)),
      );
      assert.deepEqual(ours, plain, `${what} ${r.id}`);
    }
    if (what === "lossless") {
      // Lossless: the compressed mosaic holds the original pixels exactly.
      const original = withFits(field.job.mosaics[0].path, (f) => hex(f.hdus[0].readImage().data));
      assert.equal(
        withFits(jobs.compressed.mosaics[0].path, (f) => hex(f.hdus[1].readImage().data)),
        original,
      );
    }
  }
});
