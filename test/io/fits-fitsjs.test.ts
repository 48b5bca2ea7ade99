// fitsjs as an independent cross-check: where it is correct (BITPIX 8/16/32/-32, unscaled or float scaling),
// it decodes the same values as lib/io/fits; where the toolchain notes found it wrong, this records it still is.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { readImageWithFitsjs } from "../../lib/io/fits/fitsjs";
import { withFits, writeFits } from "../../lib/io/fits";
import { tempDir } from "../helpers";

const dir = tempDir();
const W = 33,
  H = 21; // fitsjs splits frames in two buffers by rows: an odd height exercises the split

function ours(file: string, index = 0): number[] {
  return withFits(file, (f) => Array.from(f.hdus[index].readImage().data as Float32Array));
}

test("fitsjs and lib/io/fits agree on BITPIX 8, 16, 32 and -32 (NaN included) and on each extension of a MEF", async () => {
  const cases = [
    { bitpix: 8 as const, data: Uint8Array.from({ length: W * H }, (_, i) => (i * 7) % 256) },
    { bitpix: 16 as const, data: Int16Array.from({ length: W * H }, (_, i) => ((i * 2749) % 65536) - 32768) },
    { bitpix: 32 as const, data: Int32Array.from({ length: W * H }, (_, i) => (i * 1e6 + 12345) | 0) },
    { bitpix: -32 as const, data: Float32Array.from({ length: W * H }, (_, i) => (i === 3 ? NaN : Math.sin(i) * 1e4)) },
  ];
  for (const c of cases) {
    const file = path.join(dir, `b${c.bitpix}.fits`);
    writeFits(file, [{ ...c, width: W, height: H }]);
    const js = await readImageWithFitsjs(file, 0);
    assert.deepEqual([js.width, js.height], [W, H]);
    assert.deepEqual(Array.from(js.data), ours(file), `BITPIX ${c.bitpix}`);
  }
  const mef = path.join(dir, "mef.fits");
  writeFits(
    mef,
    ["F438W", "F555W"].map((f, b) => ({
      bitpix: -32 as const,
      width: W,
      height: H,
      extname: f,
      data: Float32Array.from({ length: W * H }, (_, i) => b * 1e3 + i),
    })),
  );
  for (const index of [2, 1])
    assert.deepEqual(Array.from((await readImageWithFitsjs(mef, index)).data), ours(mef, index));
});

test("the notes' fitsjs bugs still hold: BITPIX -64 decoded as float32, uint16 (BZERO 32768) overflows", async () => {
  const f64 = path.join(dir, "f64.fits");
  writeFits(f64, [{ bitpix: -64, width: 2, height: 2, data: Float64Array.from([Math.PI, 1, 2, 3]) }]);
  assert.notDeepEqual(Array.from((await readImageWithFitsjs(f64, 0)).data), ours(f64));
  const u16 = path.join(dir, "u16.fits");
  writeFits(u16, [
    {
      bitpix: 16,
      width: 2,
      height: 2,
      data: Int16Array.from([-32768, 0, 32767, 1]),
      cards: [{ key: "BZERO", value: 32768 }],
    },
  ]);
  assert.deepEqual(ours(u16), [0, 32768, 65535, 32769]);
  assert.notDeepEqual(Array.from((await readImageWithFitsjs(u16, 0)).data), ours(u16));
});
