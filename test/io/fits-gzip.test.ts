// Gzipped FITS (.fits.gz), read transparently: files astropy compressed and files gzipped here read to astropy's
// values bit for bit (whole images, sections, tables, info()); the temporary-file path for large files; the CLI
// and curation on gzipped mosaics give what the plain files give; broken or foreign compression is named.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { curate } from "../../lib/curate/curate";
import { readManifest, readStamp } from "../../lib/curate/manifest";
import { formatInfo, openFits, PixelArray, withFits, writeCutout } from "../../lib/io/fits";
import { runReference, tempDir } from "../helpers";
import { makeField, tag } from "../curate/fixture";

const dir = tempDir();
const astropyWritten: string[] = JSON.parse(runReference("fits_gzip.py", [dir]));
const corpus: string[] = JSON.parse(runReference("fits_fixtures.py", [dir]));
const hex = (a: PixelArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

interface AstropyHdu {
  name: string;
  dtype?: string;
  hex?: string;
  columns?: Record<string, { hex?: string; values?: unknown[] }>;
}
const astropy = (
  file: string,
  sections: number[][] = [],
): { info: string; hdus: AstropyHdu[]; sections: { hex: string }[] } =>
  JSON.parse(runReference("fits_exact.py", [file, JSON.stringify(sections)]));

/** gzip -9 of a file of the corpus, written next to it. */
function gzipped(name: string): string {
  const file = path.join(dir, `${name}.gz`);
  fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(path.join(dir, name)), { level: 9 }));
  return file;
}

/** Every image and table of `file` equals astropy's reading of the same (gzipped) file; info() too. */
function assertAsAstropy(file: string): void {
  const ref = astropy(file);
  withFits(file, (fits) => {
    assert.equal(fits.compression, "gzip");
    assert.equal(formatInfo(fits), ref.info);
    fits.hdus.forEach((hdu, i) => {
      const r = ref.hdus[i];
      if (r.hex !== undefined) assert.equal(hex(hdu.readImage().data), r.hex, `${file} HDU ${i}`);
      if (r.columns) {
        for (const c of hdu.readTable().columns) {
          if (r.columns[c.name].hex !== undefined)
            assert.equal(hex(c.values as PixelArray), r.columns[c.name].hex, `${file} ${c.name}`);
          else assert.deepEqual(c.values, r.columns[c.name].values);
        }
      }
    });
  });
}

test("files astropy gzipped read as astropy reads them: scaled int16 with BLANK, a MEF with a table, float64", () => {
  assert.equal(astropyWritten.length, 3);
  for (const name of astropyWritten) assertAsAstropy(path.join(dir, name));
});

test("the whole plain corpus gzipped here reads as astropy reads the .gz, and sections equal astropy's", () => {
  for (const name of corpus) assertAsAstropy(gzipped(name));
  const boxes = [
    [0, 0, 7, 5],
    [1, 2, 3, 2],
    [6, 4, 1, 1],
  ];
  for (const name of ["bitpix16.fits", "uint16.fits", "scaled32.fits", "bitpix-64.fits"]) {
    const file = path.join(dir, `${name}.gz`);
    const ref = astropy(
      file,
      boxes.map((b) => [0, ...b]),
    );
    withFits(file, (fits) =>
      boxes.forEach(([x0, y0, width, height], k) => {
        assert.equal(
          hex(fits.hdus[0].section({ x0, y0, width, height }).data),
          ref.sections[k].hex,
          `${name} box ${k}`,
        );
      }),
    );
  }
});

test("large files decompress to a temporary file (removed on close) and read the same as in memory", () => {
  const file = path.join(dir, "astropy-mef.fits.gz");
  const before = process.env.STARCLUSTER_GUNZIP_MEMORY_MAX;
  process.env.STARCLUSTER_GUNZIP_MEMORY_MAX = "0";
  const temporaries = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("starcluster-gunzip-")).length;
  const tmpBefore = temporaries();
  let onDisk: string;
  try {
    const fits = openFits(file);
    assert.equal(temporaries(), tmpBefore + 1, "one temporary folder while open");
    assert.equal(fits.compression, "gzip");
    onDisk = hex(fits.hdu("BAND2").section({ x0: 3, y0: 50, width: 10, height: 11 }).data);
    fits.close();
    assert.equal(temporaries(), tmpBefore, "removed on close");
  } finally {
    if (before === undefined) delete process.env.STARCLUSTER_GUNZIP_MEMORY_MAX;
    else process.env.STARCLUSTER_GUNZIP_MEMORY_MAX = before;
  }
  const inMemory = withFits(file, (fits) =>
    hex(fits.hdu("BAND2").section({ x0: 3, y0: 50, width: 10, height: 11 }).data),
  );
  assert.equal(onDisk, inMemory);
});

test("broken and foreign compression: truncated gzip, gzip of something else, bzip2, zip", () => {
  const whole = fs.readFileSync(path.join(dir, "astropy-mef.fits.gz"));
  const truncated = path.join(dir, "truncated.fits.gz");
  fs.writeFileSync(truncated, whole.subarray(0, whole.length - 100));
  assert.throws(
    () => openFits(truncated),
    /truncated\.fits\.gz: gzip data are corrupt or truncated \(unexpected end of file\)/,
  );
  const text = path.join(dir, "notes.fits.gz");
  fs.writeFileSync(text, zlib.gzipSync(Buffer.from("not a FITS file at all\n".repeat(200))));
  assert.throws(() => openFits(text), /notes\.fits\.gz: not a FITS file \(gunzipped: it does not start with 'SIMPLE/);
  const bz2 = path.join(dir, "x.fits.bz2");
  fs.writeFileSync(bz2, Buffer.concat([Buffer.from("BZh91AY&SY"), Buffer.alloc(3000)]));
  assert.throws(() => openFits(bz2), /x\.fits\.bz2: bzip2-compressed files are not supported; decompress it first/);
  const zip = path.join(dir, "x.zip");
  fs.writeFileSync(zip, Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(3000)]));
  assert.throws(() => openFits(zip), /x\.zip: zip archives are not supported/);
});

test("fits cutout and curation on gzipped mosaics give what the plain mosaics give", () => {
  const plain = path.join(dir, "mef.fits");
  const gz = gzipped("mef.fits");
  const [a, b] = [path.join(dir, "cut-plain.fits"), path.join(dir, "cut-gz.fits")];
  writeCutout(plain, { x: 30, y: 20, size: 9 }, a);
  writeCutout(gz, { x: 30, y: 20, size: 9 }, b);
  const images = (f: string) =>
    withFits(f, (fits) => fits.hdus.filter((h) => h.shape.length === 2).map((h) => hex(h.readImage().data)));
  assert.deepEqual(images(b), images(a));

  const field = makeField(path.join(dir, "field"), 90, 70, tag, ["a,20,30,1", "b,45.5,35,2", "c,88,68,3", "d,5,5,4"]);
  const gzJob = {
    ...field.job,
    mosaics: field.job.mosaics.map((m) => ({ ...m, path: gzipped(path.relative(dir, m.path)) })),
  };
  const run = (out: string, job: typeof field.job) =>
    curate({ out, size: 12, pad: false, jobs: [job], command: "test", warn: () => undefined });
  run(path.join(dir, "cur-plain"), field.job);
  run(path.join(dir, "cur-gz"), gzJob);
  const rows = readManifest(path.join(dir, "cur-plain"));
  assert.deepEqual(readManifest(path.join(dir, "cur-gz")), rows);
  assert.ok(rows.filter((r) => r.stamp).length >= 2);
  for (const r of rows.filter((row) => row.stamp)) {
    const [p, g] = ["cur-plain", "cur-gz"].map((d) => readStamp(path.join(dir, d, r.stamp!)));
    assert.deepEqual(g, p, r.id);
  }
});
