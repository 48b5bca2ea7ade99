// Bad input: every broken file gives an error that names the file and says what is wrong (and where).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { openFits, withFits, writeFits } from "../../lib/io/fits";
import { tempDir } from "../helpers";

const dir = tempDir();

/** A valid 100 x 100 float32 file (header block 2880 bytes + 40000 data bytes, padded to 43200). */
function good(name: string, hdus = 1): string {
  const file = path.join(dir, name);
  const data = Float32Array.from({ length: 10000 }, (_, i) => i);
  writeFits(
    file,
    Array.from({ length: hdus }, (_, k) => ({
      bitpix: -32 as const,
      width: 100,
      height: 100,
      data,
      extname: hdus > 1 ? `B${k}` : undefined,
    })),
  );
  return file;
}

/** Replaces a header card (same length) in the file's bytes. */
function patch(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file).toString("latin1");
  assert.ok(text.includes(from), `fixture lacks ${from}`);
  fs.writeFileSync(file, Buffer.from(text.replace(from, to.padEnd(from.length)), "latin1"));
}

test("not a FITS file", () => {
  const file = path.join(dir, "notes.txt");
  fs.writeFileSync(file, "ra,dec\n".repeat(1000));
  assert.throws(() => openFits(file), /notes\.txt: not a FITS file \(it does not start with 'SIMPLE/);
  fs.writeFileSync(file, "");
  assert.throws(() => openFits(file), /notes\.txt: not a FITS file \(0 bytes/);
});

test("truncated data", () => {
  const file = good("truncated.fits");
  fs.truncateSync(file, 2880 + 1000);
  assert.throws(
    () => openFits(file),
    /truncated\.fits HDU 0: data need 40000 bytes from byte 2880 \(NAXIS1=100 x NAXIS2=100 x 4 bytes\) but the file ends at byte 3880: the file is truncated or NAXISn is wrong/,
  );
});

test("header without END", () => {
  const file = good("noend.fits");
  patch(file, "END" + " ".repeat(77), "");
  fs.truncateSync(file, 2880);
  assert.throws(
    () => openFits(file),
    /noend\.fits HDU 0: header starting at byte 0 has no END card \(file ends at byte 2880\)/,
  );
  fs.truncateSync(file, 1000);
  assert.throws(() => openFits(file), /noend\.fits: not a FITS file \(1000 bytes/);
});

test("invalid BITPIX", () => {
  const file = good("bitpix.fits");
  patch(file, "BITPIX  =                  -32", "BITPIX  =                   12");
  assert.throws(
    () => openFits(file),
    /bitpix\.fits HDU 0: invalid BITPIX 12 \(must be one of 8, 16, 32, 64, -32, -64\)/,
  );
});

test("NAXISn inconsistent with the file size: too large, or too small so the next HDU is not where it should be", () => {
  const big = good("naxis-big.fits");
  patch(big, "NAXIS2  =                  100", "NAXIS2  =                  101");
  assert.throws(
    () => openFits(big),
    /naxis-big\.fits HDU 0: data need 40400 bytes from byte 2880 .* file ends at byte 43200/,
  );
  const small = good("naxis-small.fits", 2);
  patch(small, "NAXIS2  =                  100", "NAXIS2  =                   10"); // first extension's header
  assert.throws(
    () => openFits(small),
    /naxis-small\.fits: unexpected bytes at byte 11520 after HDU 1: expected an XTENSION card \(NAXISn of HDU 1 may be wrong/,
  );
});

test("bad cards: an unparseable value, an unterminated string (the message gives the card number and byte offset)", () => {
  const file = good("cards.fits");
  patch(file, "NAXIS2  =                  100", "NAXIS2  =                  1x0");
  assert.throws(() => openFits(file), /cards\.fits HDU 0, card 5 at byte 320: cannot parse value '1x0'/);
  const quote = good("quote.fits");
  patch(quote, "NAXIS2  =                  100", "NAXIS2  = 'abc");
  assert.throws(() => openFits(quote), /quote\.fits HDU 0, card 5 at byte 320: string value has no closing quote/);
});

test("a section outside the image, a bad box, a missing HDU, an image read as a table", () => {
  withFits(good("sections.fits", 2), (fits) => {
    const hdu = fits.hdu("B1");
    assert.throws(
      () => hdu.section({ x0: 100, y0: 0, width: 50, height: 50 }),
      /sections\.fits HDU 2 \(B1\): section x 100\.\.149, y 0\.\.49 \(0-based\) lies outside the 100 x 100 image/,
    );
    assert.throws(() => hdu.section({ x0: -60, y0: -60, width: 50, height: 50 }), /lies outside the 100 x 100 image/);
    assert.throws(() => hdu.section({ x0: 0, y0: 0, width: 0, height: 5 }), /positive size/);
    assert.throws(() => fits.hdu("F999W"), /sections\.fits: no HDU named 'F999W' \(the file has 3\)/);
    assert.throws(
      () => fits.hdu(0).section({ x0: 0, y0: 0, width: 1, height: 1 }),
      /HDU 0: sections need a 2-D image, this one has NAXIS = 0/,
    );
    assert.throws(() => hdu.readTable(), /not a BINTABLE/);
  });
});

test("BSCALE, BZERO and BLANK of the wrong type or range are refused, naming file, HDU and card", () => {
  const scaled = (name: string, cards: { key: string; value: string | number }[]) => {
    const file = path.join(dir, name);
    writeFits(file, [{ bitpix: 16, width: 4, height: 3, data: new Int16Array(12).fill(7), cards }]);
    return file;
  };
  const read = (file: string) => withFits(file, (f) => f.hdus[0].readImage());
  assert.throws(
    () => read(scaled("bscale-string.fits", [{ key: "BSCALE", value: "abc" }])),
    /bscale-string\.fits HDU 0: card BSCALE = 'abc' is not a non-zero finite number/,
  );
  assert.throws(
    () => read(scaled("bscale-zero.fits", [{ key: "BSCALE", value: 0 }])),
    /bscale-zero\.fits HDU 0: card BSCALE = 0 is not a non-zero finite number/,
  );
  assert.throws(
    () => read(scaled("bzero-string.fits", [{ key: "BZERO", value: "x" }])),
    /bzero-string\.fits HDU 0: card BZERO = 'x' is not a finite number/,
  );
  assert.throws(
    () => read(scaled("blank-real.fits", [{ key: "BLANK", value: 2.5 }])),
    /blank-real\.fits HDU 0: card BLANK = 2\.5 is not an integer/,
  );
  // A non-integer BZERO with BSCALE 1 is legal: integers become float32 (astropy gives 7.5 here).
  const half = read(scaled("bzero-half.fits", [{ key: "BZERO", value: 0.5 }]));
  assert.ok(half.data instanceof Float32Array);
  assert.deepEqual(Array.from(half.data), new Array(12).fill(7.5));
});

test("a folder given as a FITS file is named as such", () => {
  assert.throws(
    () => openFits(dir),
    new RegExp(`^Error: ${dir.replace(/[/.]/g, "\\$&")}: is a folder; a FITS file was expected$`),
  );
});
