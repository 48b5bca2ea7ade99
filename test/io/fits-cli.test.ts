// `fits info` and `fits cutout` on a 5-filter mosaic file: info equals astropy's text; the cutout opens in
// astropy (verify('exception')), holds the source's values, shifted WCS, and NaN beyond the mosaic's edge.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { fitsCutoutCommand, fitsInfoCommand } from "../../lib/cli/commands/fits";
import { Command, parseCommandArgs } from "../../lib/cli/command";
import { withFits, writeFits } from "../../lib/io/fits";
import { runReference, tempDir } from "../helpers";

const dir = tempDir();
const FILTERS = ["F275W", "F336W", "F438W", "F555W", "F814W"];
const mosaic = path.join(dir, "ngc0000_mosaic.fits");
const [W, H] = [300, 200];
writeFits(
  mosaic,
  FILTERS.map((f, b) => ({
    bitpix: -32 as const,
    width: W,
    height: H,
    extname: f,
    data: Float32Array.from({ length: W * H }, (_, i) => (b + 1) * 1000 + (i % W) + Math.floor(i / W) * 1e-3),
    cards: [
      { key: "FILTER", value: f },
      { key: "CRPIX1", value: 150.5 },
      { key: "CRPIX2", value: 100.5 },
      { key: "BUNIT", value: "ELECTRONS/S" },
    ],
  })),
  [{ key: "TELESCOP", value: "HST" }],
  { checksum: true },
);

async function run(command: Command, argv: string[]): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => chunks.push(s) > 0) as typeof process.stdout.write;
  try {
    await command.run(parseCommandArgs(command, argv));
  } finally {
    process.stdout.write = write;
  }
  return chunks.join("");
}

test("fits info prints astropy's info() table for a 5-extension mosaic, and JSON with BITPIX", async () => {
  const ours = await run(fitsInfoCommand as unknown as Command, [mosaic]);
  assert.equal(ours, JSON.parse(runReference("fits_exact.py", [mosaic])).info);
  assert.match(ours, / {2}3 {2}F438W {9}1 ImageHDU {8}1\d {3}\(300, 200\) {3}float32 {3}/);
  const json = (await run(fitsInfoCommand as unknown as Command, [mosaic, "--json"]))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    json.map((h) => [h.index, h.name, h.type, h.bitpix]),
    [[0, "PRIMARY", "PrimaryHDU", 8], ...FILTERS.map((f, i) => [i + 1, f, "ImageHDU", -32])],
  );
});

test("fits cutout writes one extension per filter with the source values, shifted CRPIX and provenance", async () => {
  const out = path.join(dir, "stamp.fits");
  await run(fitsCutoutCommand as unknown as Command, [mosaic, "--x", "101", "--y", "51", "--size", "10", "--out", out]);
  const ref = JSON.parse(runReference("fits_dump.py", [out])); // verify('exception'), warnings as errors
  assert.deepEqual(
    ref.map((h: { name: string }) => h.name),
    ["PRIMARY", ...FILTERS],
  );
  assert.equal(ref[0].header.TELESCOP, "HST");
  FILTERS.forEach((f, b) => {
    const h = ref[b + 1];
    assert.deepEqual(h.shape, [10, 10]);
    // Centre (101, 51) 1-based -> first cutout pixel is source (96, 46) 1-based = (95, 45) 0-based.
    assert.equal(h.data[0], Math.fround((b + 1) * 1000 + 95 + 45 * 1e-3));
    assert.equal(h.data[5 * 10 + 5], Math.fround((b + 1) * 1000 + 100 + 50 * 1e-3));
    assert.equal(h.header.CRPIX1, 150.5 - 95);
    assert.equal(h.header.CRPIX2, 100.5 - 45);
    assert.equal(h.header.CUTX0, 96);
    assert.equal(h.header.FILTER, f);
  });
});

test("a cutout across the mosaic corner has NaN outside, never wrapped pixels; bad arguments are refused", async () => {
  const out = path.join(dir, "corner.fits");
  await run(fitsCutoutCommand as unknown as Command, [
    mosaic,
    "--x",
    "1",
    "--y",
    "200",
    "--size",
    "4",
    "--out",
    out,
    "--hdu",
    "F814W",
  ]);
  withFits(out, (fits) => {
    assert.equal(fits.hdus.length, 2);
    const d = fits.hdu("F814W").readImage().data as Float32Array;
    // x0 = -2, y0 = 197 (0-based): columns 0,1 and row 3 are outside.
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) {
        const inside = x >= 2 && y < 3;
        assert.equal(Number.isNaN(d[y * 4 + x]), !inside, `(${x}, ${y})`);
        if (inside) assert.equal(d[y * 4 + x], Math.fround(5000 + (x - 2) + (197 + y) * 1e-3));
      }
  });
  await assert.rejects(
    run(fitsCutoutCommand as unknown as Command, [mosaic, "--x", "5000", "--y", "5", "--out", out]),
    /ngc0000_mosaic\.fits: no 2-D image HDU to cut at \(5000, 5\):\n.*HDU 1 \(F275W,1\): skipped, the position \(5000, 5\) is outside its 300 x 200 image/,
  );
  assert.throws(
    () => parseCommandArgs(fitsCutoutCommand as unknown as Command, [mosaic, "--x", "5"]),
    /missing required option --y/,
  );
});
