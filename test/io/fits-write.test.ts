// Files we write must open in astropy with verify('exception') and hold exactly our data and header values.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { formatCard, verifyChecksum, withFits, writeFits } from "../../lib/io/fits";
import { runReference, tempDir } from "../helpers";

const dump = (file: string) => JSON.parse(runReference("fits_dump.py", [file]));

test("a scaled 16-bit image: astropy applies BSCALE/BZERO to exactly our values", () => {
  const file = path.join(tempDir(), "scaled.fits");
  const stored = Int16Array.from([-32768, -1, 0, 1, 2, 32767]);
  writeFits(file, [
    {
      bitpix: 16,
      width: 3,
      height: 2,
      data: stored,
      cards: [
        { key: "BSCALE", value: 0.25, comment: "physical = BZERO + BSCALE * stored" },
        { key: "BZERO", value: 10 },
        { key: "EXPTIME", value: 1100.5, comment: "[s]" },
        { key: "FILTER", value: "F555W" },
        { key: "TARGNAME", value: "it's NGC45" },
        { key: "SATURATE", value: true },
      ],
    },
  ]);
  const [hdu] = dump(file);
  assert.deepEqual(hdu.shape, [2, 3]);
  assert.deepEqual(
    hdu.data,
    Array.from(stored, (v) => 10 + 0.25 * v),
  );
  assert.equal(hdu.header.EXPTIME, 1100.5);
  assert.equal(hdu.header.FILTER, "F555W");
  assert.equal(hdu.header.TARGNAME, "it's NGC45");
  assert.equal(hdu.header.SATURATE, true);
  assert.equal(fs.statSync(file).size % 2880, 0);
});

test("a multi-extension file: one IMAGE extension per filter with EXTNAME, float32 with NaN and extremes", () => {
  const file = path.join(tempDir(), "stamp.fits");
  const filters = ["F275W", "F336W", "F438W", "F555W", "F814W"];
  const planes = filters.map((_, b) =>
    Float32Array.from({ length: 12 }, (_, i) => (i === 5 ? NaN : (b + 1) * (i - 6) * 1.1e-3)),
  );
  planes[4][0] = 3.4028234663852886e38;
  planes[4][1] = -1.1754943508222875e-38;
  writeFits(
    file,
    filters.map((f, b) => ({
      bitpix: -32 as const,
      width: 4,
      height: 3,
      data: planes[b],
      extname: f,
      cards: [{ key: "FILTER", value: f }],
    })),
    [{ key: "ORIGIN", value: "starcluster test" }],
  );
  const hdus = dump(file);
  assert.deepEqual(
    hdus.map((h: { name: string }) => h.name),
    ["PRIMARY", ...filters],
  );
  assert.equal(hdus[0].header.ORIGIN, "starcluster test");
  filters.forEach((f, b) => {
    assert.equal(hdus[b + 1].dtype, ">f4");
    assert.deepEqual(
      hdus[b + 1].data,
      Array.from(planes[b], (v) => (Number.isNaN(v) ? null : v)),
    );
    assert.equal(hdus[b + 1].header.FILTER, f);
  });
});

test("8, 32 and -64 bit images round-trip through astropy", () => {
  const dir = tempDir();
  const cases = [
    { bitpix: 8 as const, data: Uint8Array.from([0, 1, 255, 7]) },
    { bitpix: 32 as const, data: Int32Array.from([-2147483648, -1, 0, 2147483647]) },
    { bitpix: -64 as const, data: Float64Array.from([Math.PI, -1e-300, 1e300, 0.1]) },
  ];
  for (const c of cases) {
    const file = path.join(dir, `b${c.bitpix}.fits`);
    writeFits(file, [{ ...c, width: 2, height: 2 }]);
    assert.deepEqual(dump(file)[0].data, Array.from(c.data), `BITPIX ${c.bitpix}`);
  }
});

test("wrong input is refused with a message naming the file and the problem; nothing is left behind", () => {
  const dir = tempDir();
  const file = path.join(dir, "bad.fits");
  assert.throws(
    () => writeFits(file, [{ bitpix: 16, width: 2, height: 2, data: new Float32Array(4) }]),
    /bad\.fits HDU 0: BITPIX 16 needs a Int16Array, got a Float32Array/,
  );
  assert.throws(
    () => writeFits(file, [{ bitpix: 99 as 16, width: 2, height: 2, data: new Int16Array(4) }]),
    /bad\.fits HDU 0: BITPIX 99 is not a FITS image type \(8, 16, 32, 64, -32, -64\)/,
  );
  assert.throws(
    () => writeFits(file, [{ bitpix: -32, width: 3, height: 2, data: new Float32Array(4) }]),
    /4 values for a 3 x 2 image/,
  );
  assert.throws(
    () =>
      writeFits(file, [
        { bitpix: -32, width: 2, height: 2, data: new Float32Array(4), cards: [{ key: "NAXIS1", value: 9 }] },
      ]),
    /card NAXIS1 is written by the writer/,
  );
  assert.throws(
    () =>
      writeFits(file, [
        { bitpix: -32, width: 2, height: 2, data: new Float32Array(4), cards: [{ key: "GAIN", value: NaN }] },
      ]),
    /bad\.fits: FITS card GAIN: value NaN is not finite/,
  );
  assert.deepEqual(fs.readdirSync(dir), []);
  assert.throws(() => formatCard({ key: "BAD*KEY", value: 1 }), /not 1-8 characters/);
  assert.equal(formatCard({ key: "TOOLONGKEY", value: 1 }).trimEnd(), "HIERARCH TOOLONGKEY = 1");
  assert.equal(formatCard({ key: "EXPTIME", value: 1e-21 }).slice(0, 30), "EXPTIME =                1E-21");
});

const exact = (file: string) => JSON.parse(runReference("fits_exact.py", [file]));
const hex = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

test("CHECKSUM/DATASUM we write verify in astropy (checksum=True, warnings as errors) and in our reader; a flipped byte fails both", () => {
  const file = path.join(tempDir(), "sums.fits");
  const planes = [0, 1, 2].map((b) => Float32Array.from({ length: 999 }, (_, i) => Math.sin(i * (b + 1)) * 1e3));
  writeFits(
    file,
    planes.map((data, b) => ({ bitpix: -32 as const, width: 37, height: 27, data, extname: `F${b}` })),
    [{ key: "ORIGIN", value: "starcluster" }],
    { checksum: true },
  );
  assert.equal(dump(file).length, 4); // fits_dump.py raises on any checksum warning
  withFits(file, (fits) =>
    fits.hdus.forEach((h) => assert.deepEqual(verifyChecksum(h), { datasum: true, checksum: true })),
  );
  const bytes = fs.readFileSync(file);
  bytes[2880 * 3 + 17] ^= 0x40; // a data byte of HDU 1
  fs.writeFileSync(file, bytes);
  withFits(file, (fits) => assert.deepEqual(verifyChecksum(fits.hdus[1]), { datasum: false, checksum: false }));
  assert.throws(() => dump(file), /Checksum verification failed|Datasum/i);
});

test("BITPIX 64, HIERARCH and long-string cards: astropy reads exactly what we wrote, and so do we", () => {
  const file = path.join(tempDir(), "b64.fits");
  const data = BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 123456789012345678n, 42n]);
  // (A quote followed by a blank, as in "'x' y", is avoided: astropy 5.2 misreads it in long strings, even its own.)
  const long = "drizzled with astrodrizzle from 12 exposures, 'quoted', part; ".repeat(3).trim();
  writeFits(file, [
    {
      bitpix: 64,
      width: 3,
      height: 2,
      data,
      cards: [
        { key: "HIERARCH ESO DET CHIP NAME", value: "CCD-1" },
        { key: "PROVENAN", value: long, comment: "how it was made" },
        { key: "BIGINT", value: 2n ** 62n },
      ],
    },
  ]);
  const ref = exact(file).hdus[0];
  assert.equal(ref.dtype, "int64");
  assert.equal(ref.hex, hex(data));
  const card = (k: string) => ref.cards.find((c: unknown[]) => c[0] === k);
  assert.deepEqual(card("ESO DET CHIP NAME"), ["ESO DET CHIP NAME", "CCD-1", ""]);
  assert.deepEqual(card("PROVENAN"), ["PROVENAN", long, "how it was made"]);
  assert.deepEqual(card("BIGINT"), ["BIGINT", { bigint: String(2n ** 62n) }, ""]);
  withFits(file, (fits) => {
    assert.equal(fits.hdus[0].header.get("PROVENAN"), long);
    assert.equal(fits.hdus[0].header.get("ESO DET CHIP NAME"), "CCD-1");
    assert.equal(hex(fits.hdus[0].readImage().data), hex(data));
  });
  dump(file); // verify('exception') passes
});
