// Our reader against astropy on a corpus astropy wrote: header cards, image values (bit for bit, in astropy's
// dtype), sections, BINTABLE columns and the info() table, for every BITPIX and scaling convention.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { CardValue, formatInfo, openFits, PixelArray, withFits, writeFits } from "../../lib/io/fits";
import { numpyDtype, runReference, tempDir } from "../helpers";

const dir = tempDir();
const files: string[] = JSON.parse(runReference("fits_fixtures.py", [dir]));

interface AstropyHdu {
  name: string;
  cards: [string, unknown, string][];
  dtype?: string;
  shape?: number[];
  hex?: string;
  columns?: Record<string, { dtype: string; hex?: string; values?: unknown[] }>;
}
interface AstropyView {
  info: string;
  hdus: AstropyHdu[];
  sections: { dtype: string; shape: number[]; hex: string }[];
}

const astropy = (file: string, sections: number[][] = []): AstropyView =>
  JSON.parse(runReference("fits_exact.py", [file, JSON.stringify(sections)]));

const hex = (a: PixelArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
const tagged = (v: CardValue | undefined) => (typeof v === "bigint" ? { bigint: String(v) } : (v ?? null));

test("astropy wrote the whole corpus", () => {
  assert.equal(files.length, 21);
});

for (const name of files) {
  test(`${name}: cards, image data and info() equal astropy's`, () => {
    const file = path.join(dir, name);
    const ref = astropy(file);
    withFits(file, (fits) => {
      assert.equal(formatInfo(fits), ref.info);
      assert.equal(fits.hdus.length, ref.hdus.length);
      fits.hdus.forEach((hdu, i) => {
        const r = ref.hdus[i];
        assert.equal(hdu.name, r.name);
        assert.deepEqual(
          hdu.header.cards.map((c) => [c.key, tagged(c.value), c.comment ?? ""]),
          r.cards,
          `${name} HDU ${i} cards`,
        );
        if (r.hex !== undefined) {
          const img = hdu.readImage();
          assert.equal(numpyDtype(img.data), r.dtype, `${name} HDU ${i} dtype`);
          assert.deepEqual([...img.shape].reverse(), r.shape);
          assert.equal(hex(img.data), r.hex, `${name} HDU ${i}: values differ from astropy's`);
        }
      });
    });
  });
}

test("sections equal astropy's section[] for every BITPIX and scaling, wherever the box lies inside", () => {
  const boxes = [
    [0, 0, 7, 5],
    [1, 2, 3, 2],
    [6, 4, 1, 1],
    [0, 3, 7, 2],
    [2, 0, 1, 5],
  ];
  // blank16.fits is left out: astropy 5.2's section raises IndexError on scaled data with few BLANK pixels
  // (it indexes `data.flat` with np.where's tuple); its full read of that file is compared above.
  for (const name of files.filter((f) => /^(bitpix|uint|int8|scaled|blank32)/.test(f))) {
    const file = path.join(dir, name);
    const ref = astropy(
      file,
      boxes.map((b) => [0, ...b]),
    );
    withFits(file, (fits) =>
      boxes.forEach(([x0, y0, width, height], k) => {
        const s = fits.hdus[0].section({ x0, y0, width, height });
        assert.equal(s.outside, null);
        assert.equal(numpyDtype(s.data), ref.sections[k].dtype, `${name} box ${k}`);
        assert.equal(hex(s.data), ref.sections[k].hex, `${name} box ${k}`);
      }),
    );
  }
});

test("a section crossing the image edge: inside pixels equal the image, outside are NaN and masked, never wrapped", () => {
  withFits(path.join(dir, "mef.fits"), (fits) => {
    const hdu = fits.hdu("F555W");
    const full = hdu.readImage().data as Float32Array;
    const [nx] = hdu.shape;
    const s = hdu.section({ x0: -3, y0: 37, width: 8, height: 6 }); // 60 x 40 image: rows 37..39 exist, 40..42 do not
    assert.ok(s.outside);
    for (let y = 0; y < 6; y++)
      for (let x = 0; x < 8; x++) {
        const [ix, iy] = [x - 3, y + 37];
        const out = ix < 0 || iy >= 40;
        assert.equal(s.outside[y * 8 + x], out ? 1 : 0);
        if (out) assert.ok(Number.isNaN(s.data[y * 8 + x]));
        else assert.equal(s.data[y * 8 + x], full[iy * nx + ix]);
      }
    // Integer data: outside pixels are 0 and only the mask tells them apart.
    const ints = openFits(path.join(dir, "bitpix16.fits"));
    const t = ints.hdus[0].section({ x0: 5, y0: -1, width: 4, height: 2 });
    ints.close();
    assert.deepEqual(Array.from(t.outside!), [1, 1, 1, 1, 0, 0, 1, 1]);
    assert.equal(t.data[0], 0);
  });
});

test("raw and float32 options: stored values without scaling; float64 rounded to float32 only when asked", () => {
  withFits(path.join(dir, "uint16.fits"), (fits) => {
    const raw = fits.hdus[0].readImage({ raw: true }).data;
    const phys = fits.hdus[0].readImage().data;
    assert.equal(numpyDtype(raw), "int16");
    assert.ok(Array.from(raw as Int16Array).every((v, i) => Number(v) + 32768 === Number(phys[i])));
  });
  withFits(path.join(dir, "bitpix-64.fits"), (fits) => {
    const d64 = fits.hdus[0].readImage().data as Float64Array;
    const d32 = fits.hdus[0].readImage({ float32: true }).data;
    assert.equal(numpyDtype(d32), "float32");
    assert.deepEqual(Array.from(d32 as Float32Array), Array.from(Float32Array.from(d64)));
  });
});

test("BINTABLE columns equal astropy's: numeric (incl. unsigned and scaled), logical, strings, vectors", () => {
  const file = path.join(dir, "mef.fits");
  const ref = astropy(file).hdus[6].columns!;
  withFits(file, (fits) => {
    const table = fits.hdu("CATALOG").readTable();
    assert.equal(table.rows, 6);
    assert.deepEqual(
      table.columns.map((c) => c.name),
      Object.keys(ref),
    );
    for (const c of table.columns) {
      const r = ref[c.name];
      if (r.values) assert.deepEqual(c.values, r.values, c.name);
      else {
        assert.equal(numpyDtype(c.values as PixelArray), r.dtype, c.name);
        assert.equal(hex(c.values as PixelArray), r.hex, c.name);
      }
    }
    assert.equal(table.columns.find((c) => c.name === "RA")!.unit, "deg");
    assert.equal(table.columns.find((c) => c.name === "FLUX")!.repeat, 5);
    const picked = fits.hdu("catalog").readTable({ columns: ["mag", "CLASS"] });
    assert.deepEqual(
      picked.columns.map((c) => c.name),
      ["MAG", "CLASS"],
    );
    assert.throws(
      () => fits.hdu("CATALOG").readTable({ columns: ["NOPE"] }),
      /mef\.fits HDU 6 \(CATALOG\): no column 'NOPE'/,
    );
    assert.throws(() => fits.hdu("F275W").readTable(), /HDU 1 \(F275W\): is a IMAGE extension, not a BINTABLE/);
  });
});

test("round trip with our writer: every BITPIX, a scaled and a uint16 image, a MEF; stored bytes back exactly, physical values as astropy's", () => {
  const out = tempDir();
  const w = 7,
    h = 5; // not square, so a swapped axis shows
  const n = w * h;
  const planes = [
    { bitpix: 8 as const, data: Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256) },
    { bitpix: 16 as const, data: Int16Array.from({ length: n }, (_, i) => ((i * 1871) % 65536) - 32768) },
    { bitpix: 32 as const, data: Int32Array.from({ length: n }, (_, i) => (i * 122949823) | 0) },
    {
      bitpix: 64 as const,
      data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 263130836933693530n - 2n ** 63n),
    },
    { bitpix: -32 as const, data: Float32Array.from({ length: n }, (_, i) => (i === 3 ? NaN : Math.sin(i) * 1e5)) },
    { bitpix: -64 as const, data: Float64Array.from({ length: n }, (_, i) => (i === 3 ? NaN : Math.cos(i) * 1e-200)) },
  ];
  const cases = [
    ...planes.map((p) => ({ name: `rt${p.bitpix}`, hdus: [{ ...p, width: w, height: h }] })),
    {
      name: "rt-scaled16",
      hdus: [
        {
          ...planes[1],
          width: w,
          height: h,
          cards: [
            { key: "BSCALE", value: 0.01 },
            { key: "BZERO", value: 100.3 },
            { key: "BLANK", value: -32768 },
          ],
        },
      ],
    },
    { name: "rt-uint16", hdus: [{ ...planes[1], width: w, height: h, cards: [{ key: "BZERO", value: 32768 }] }] },
    { name: "rt-mef", hdus: planes.map((p, b) => ({ ...p, width: w, height: h, extname: `B${b}` })) },
  ];
  for (const c of cases) {
    const file = path.join(out, `${c.name}.fits`);
    writeFits(file, c.hdus);
    const ref = astropy(file).hdus.filter((r) => r.hex !== undefined);
    withFits(file, (fits) => {
      const images = fits.hdus.filter((x) => x.shape.length > 0);
      assert.equal(images.length, c.hdus.length, c.name);
      images.forEach((hdu, i) => {
        assert.deepEqual(hdu.shape, [w, h]);
        const raw = hdu.readImage({ raw: true }).data;
        assert.equal(hex(raw), hex(c.hdus[i].data), `${c.name} HDU ${hdu.index}: stored values`);
        const img = hdu.readImage();
        assert.equal(numpyDtype(img.data), ref[i].dtype, `${c.name} HDU ${hdu.index} dtype`);
        assert.equal(hex(img.data), ref[i].hex, `${c.name} HDU ${hdu.index}: physical values differ from astropy's`);
        // A section crossing the left and bottom edges holds the image's own values where it overlaps it.
        const s = hdu.section({ x0: -2, y0: 3, width: 5, height: 4 }, { raw: true });
        for (let y = 0; y < 4; y++)
          for (let x = 0; x < 5; x++) {
            const [ix, iy] = [x - 2, y + 3];
            if (ix >= 0 && iy < h) assert.equal(s.data[y * 5 + x], raw[iy * w + ix]);
            else assert.equal(s.outside![y * 5 + x], 1);
          }
      });
    });
  }
});

test("a section of a mosaic wider than 64 KiB per row is read row by row, one read per row, and equals the image", () => {
  const file = path.join(tempDir(), "wide.fits");
  const [nx, ny] = [20_000, 6]; // 80 000 bytes per float32 row: a box spanning rows is not read in one piece
  const image = new Float32Array(nx * ny).map((_, i) => (i % 9973) - 0.5 * Math.floor(i / nx));
  writeFits(file, [{ bitpix: -32, width: nx, height: ny, data: image }]);
  withFits(file, (fits) => {
    const hdu = fits.hdus[0];
    const file = (hdu as unknown as { file: { readAt: (...args: unknown[]) => unknown } }).file;
    const reads: unknown[][] = [];
    const readAt = file.readAt.bind(file);
    file.readAt = (...args: unknown[]) => {
      reads.push(args);
      return readAt(...args);
    };
    const box = { x0: 12_345, y0: 1, width: 50, height: 4 };
    const s = hdu.section(box);
    assert.equal(reads.length, box.height, "one read per row of the box");
    assert.equal(s.outside, null);
    for (let y = 0; y < box.height; y++)
      for (let x = 0; x < box.width; x++) {
        assert.equal(s.data[y * box.width + x], image[(box.y0 + y) * nx + box.x0 + x], `pixel (${x}, ${y})`);
      }
    // Across the right edge and the last row: the per-row path reads only the inside part of each row.
    reads.length = 0;
    const edge = hdu.section({ x0: nx - 10, y0: ny - 3, width: 20, height: 5 });
    assert.equal(reads.length, 3);
    for (let y = 0; y < 5; y++)
      for (let x = 0; x < 20; x++) {
        const [ix, iy] = [nx - 10 + x, ny - 3 + y];
        if (ix >= nx || iy >= ny) assert.ok(Number.isNaN(edge.data[y * 20 + x]) && edge.outside![y * 20 + x] === 1);
        else assert.equal(edge.data[y * 20 + x], image[iy * nx + ix]);
      }
  });
});
