// Small fields for the curation tests: five mosaics whose pixels say where they came from (band, x, y), with
// regions that exercise the rules, and a plain CSV catalog (1-based positions).
import * as fs from "node:fs";
import * as path from "node:path";
import { BANDS } from "../../lib/catalog/record";
import { FitsCard, ImageHdu, writeFits } from "../../lib/io/fits";
import { FieldJob } from "../../lib/curate/curate";

export interface Field {
  job: FieldJob;
  /** Physical pixel values per band, row-major, row 0 = FITS y = 1. */
  pixels: Float32Array[];
  width: number;
  height: number;
}

export type Painter = (band: number, x: number, y: number) => number;

/** A value unique to (band, 1-based x, y) and never 0. */
export const tag: Painter = (b, x, y) => (b + 1) * 1e4 + x + y / 1000;

/**
 * Writes one float32 mosaic per band (and the catalog rows as CSV) into `dir`. `cards(b)`: header cards for band
 * b (e.g. a WCS), replacing the default ones of the same name.
 */
export function makeField(
  dir: string,
  width: number,
  height: number,
  paint: Painter,
  rows: string[],
  field = "TEST",
  cards: (band: number) => FitsCard[] = () => [],
): Field {
  fs.mkdirSync(dir, { recursive: true });
  const pixels = BANDS.map((_, b) => {
    const data = new Float32Array(width * height);
    for (let y = 1; y <= height; y++) for (let x = 1; x <= width; x++) data[(y - 1) * width + (x - 1)] = paint(b, x, y);
    return data;
  });
  const mosaics = BANDS.map((band, b) => {
    const file = path.join(dir, `${field.toLowerCase()}_${band.toLowerCase()}_drc.fits`);
    const extra = cards(b);
    const defaults: FitsCard[] = [
      { key: "FILTER", value: band },
      { key: "CRPIX1", value: 60.5 },
      { key: "CRPIX2", value: 40.5 },
    ];
    const hdu: ImageHdu = {
      bitpix: -32,
      width,
      height,
      data: pixels[b],
      cards: [...defaults.filter((c) => !extra.some((e) => e.key === c.key)), ...extra],
    };
    writeFits(file, [hdu]);
    return { filter: band, path: file };
  });
  const catalog = path.join(dir, `${field.toLowerCase()}_catalog.csv`);
  fs.writeFileSync(catalog, ["id,x,y,class", ...rows].join("\n") + "\n");
  return { job: { field, catalog, pixels: "fits", mosaics }, pixels, width, height };
}

/** The size x size block of a band whose pixel (0, 0) is mosaic 0-based (x0, y0); NaN beyond the mosaic. */
export function block(f: Field, band: number, x0: number, y0: number, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const [x, y] = [x0 + c, y0 + r];
      out[r * size + c] = x >= 0 && y >= 0 && x < f.width && y < f.height ? f.pixels[band][y * f.width + x] : NaN;
    }
  }
  return out;
}
