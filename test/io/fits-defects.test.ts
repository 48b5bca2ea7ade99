// Issue 19 item 4, against astropy on its own test files: trailing blank cards counted, random groups listed as
// GroupsHDU, a malformed non-structural card read past with a warning (astropy's verify('fix') value), and
// `fits cutout` on an HST-like exposure file (SCI/ERR/DQ x 2, D2IMARR, WCSDVARR, a cube): skipped HDUs noted,
// `--hdu SCI` (every SCI) and `--hdu SCI,2`.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { formatInfo, openFits, parseHeader, withFits, writeCutout } from "../../lib/io/fits";
import { runReference, tempDir } from "../helpers";

const data: { fits: string; wcs: string } = JSON.parse(runReference("astropy_data.py"));
const dir = tempDir();
type View = { info: string; warnings: string[]; hdus: { cards: [string, unknown, string][]; hex?: string }[] };
const astropy = (...files: string[]): Record<string, View> =>
  JSON.parse(runReference("fits_defects.py", ["view", ...files]));

test("info() equals astropy's: blank cards before END counted, random groups as GroupsHDU, EXTNAME case kept", () => {
  const files = [
    "checksum.fits",
    "comp.fits",
    "o4sp040b0_raw.fits",
    "random_groups.fits",
    "group.fits",
    "double_ext.fits",
  ].map((f) => path.join(data.fits, f));
  const ref = astropy(...files);
  for (const file of files) withFits(file, (fits) => assert.equal(formatInfo(fits), ref[file].info, file));
  // checksum.fits: 28 keyed cards then 78 blank ones before END; astropy's len(header) is 106.
  withFits(files[0], (fits) => assert.equal(fits.hdus[0].header.cards.length, 106));
  withFits(files[4], (fits) =>
    assert.match(formatInfo(fits), /GroupsHDU +15 +\(5, 3, 1, 1\) +float32 +10 Groups {2}3 Parameters/),
  );
});

test("a malformed non-structural card is read past with a warning naming file, HDU and card; values equal astropy's", () => {
  const file = path.join(data.wcs, "dss.14.29.56-62.41.05.fits.gz");
  const ref = astropy(file)[file];
  assert.ok(ref.warnings.some((w) => /Card 'SKEW' is not FITS standard/.test(w)));
  withFits(file, (fits) => {
    assert.equal(formatInfo(fits), ref.info);
    assert.equal(fits.warnings.length, 1);
    assert.match(
      fits.warnings[0],
      /dss\.14\.29\.56-62\.41\.05\.fits\.gz HDU 0, card 117 at byte 9280: .*card SKEW is not FITS standard/,
    );
    // After astropy's verify('fix'), SKEW is the string of the value text; every card equals astropy's.
    const ours = fits.hdus[0].header.cards.map((c) => [c.key, c.value ?? null, c.comment ?? ""]);
    assert.deepEqual(
      ours.find((c) => c[0] === "SKEW"),
      ["SKEW", "-1.3869888376036E+00, -1.6912592180432E+00", "Measure of skew"],
    );
    const keyed = (cards: unknown[][]) =>
      cards.filter((c) => c[0] !== "" && c[0] !== "COMMENT" && c[0] !== "HISTORY").map((c) => c.slice(0, 2));
    assert.deepEqual(keyed(ours), keyed(ref.hdus[0].cards));
    const image = fits.hdus[0].readImage({ raw: true }).data as Int16Array;
    const le = Buffer.alloc(image.length * 2);
    image.forEach((v, i) => le.writeInt16LE(v, i * 2));
    assert.equal(le.toString("hex"), ref.hdus[0].hex);
  });
  // A malformed structural card stays an error, and the message no longer calls every bad value complex.
  const bad = `${"SIMPLE  =                    T".padEnd(80)}${"BITPIX  = 16 17".padEnd(80)}`;
  assert.throws(
    () => parseHeader(bad, "x.fits HDU 0", 0, []),
    /x\.fits HDU 0, card 2 at byte 80: cannot parse value '16 17' \(not a FITS string/,
  );
  assert.throws(() => parseHeader(`${"SKEW    = 1 2".padEnd(80)}`, "x.fits HDU 0", 0), /cannot parse value/);
});

test("fits cutout on an HST-like file: distortion arrays and cubes skipped with notes, --hdu SCI and SCI,2", () => {
  const flt = path.join(dir, "j00000000_flt.fits");
  runReference("fits_defects.py", ["hst", flt]);
  const out = path.join(dir, "cut.fits");
  const names = (file: string) => withFits(file, (f) => f.hdus.slice(1).map((h) => `${h.name},${h.ver}`));
  let r = writeCutout(flt, { x: 10, y: 5, size: 5 }, out);
  assert.deepEqual(r.hdus, ["SCI,1", "ERR,1", "DQ,1", "SCI,2", "ERR,2", "DQ,2"]);
  assert.deepEqual(names(out), r.hdus);
  assert.equal(r.notes.length, 4);
  assert.match(
    r.notes[0],
    /j00000000_flt\.fits HDU 7 \(D2IMARR,1\): skipped, the position \(10, 5\) is outside its 64 x 1 image/,
  );
  assert.match(r.notes[3], /HDU 10 \(CUBE,1\): skipped, a 3-D image \(40 x 30 x 3\); only 2-D images are cut/);
  // SCI,2 of the cutout equals astropy's SCI,2 rows 2..6, columns 7..11 (0-based): centre (10, 5) 1-based, side 5.
  const ref = astropy(flt, out);
  const sci2 = Buffer.from(ref[flt].hdus[4].hex!, "hex");
  const cut2 = Buffer.from(ref[out].hdus[4].hex!, "hex");
  for (let row = 0; row < 5; row++) {
    assert.ok(
      cut2.subarray(row * 20, row * 20 + 20).equals(sci2.subarray(((row + 2) * 40 + 7) * 4, ((row + 2) * 40 + 12) * 4)),
    );
  }
  // Near the corner: the float images get NaN outside; DQ (int16, no BLANK) cannot mark outside pixels, so it is skipped.
  r = writeCutout(flt, { x: 2, y: 2, size: 5 }, out);
  assert.deepEqual(r.hdus, ["SCI,1", "ERR,1", "SCI,2", "ERR,2", "WCSDVARR,1", "WCSDVARR,2"]); // (2, 2) is on the 9 x 8 arrays
  assert.ok(
    r.notes.some((n) => /HDU 3 \(DQ\).*crosses the image edge.*no BLANK/.test(n)),
    r.notes.join("\n"),
  );
  r = writeCutout(flt, { x: 10, y: 5, size: 5, hdu: "SCI" }, out);
  assert.deepEqual(r.hdus, ["SCI,1", "SCI,2"]);
  assert.deepEqual(names(out), ["SCI,1", "SCI,2"]);
  r = writeCutout(flt, { x: 10, y: 5, size: 5, hdu: "sci,2" }, out);
  assert.deepEqual(r.hdus, ["SCI,2"]);
  assert.deepEqual(astropy(out)[out].hdus[1].hex, cut2.toString("hex"));
  // One HDU named: failures are errors naming it; no match lists what the file has.
  assert.throws(
    () => writeCutout(flt, { x: 10, y: 5, size: 5, hdu: "D2IMARR,1" }, out),
    /HDU 7 \(D2IMARR,1\): cannot cut: the position/,
  );
  assert.throws(
    () => writeCutout(flt, { x: 10, y: 5, size: 5, hdu: "SCI,3" }, out),
    /no HDU with EXTNAME 'SCI' and EXTVER 3 \(the file has HDU 0, SCI,1/,
  );
  assert.throws(
    () => writeCutout(flt, { x: 500, y: 5, size: 5 }, out),
    /no 2-D image HDU to cut at \(500, 5\):\n {2}.*SCI,1\): skipped, the position/,
  );
  openFits(out).close();
});
