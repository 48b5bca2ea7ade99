// A small curated folder in the format `starcluster curate` writes (manifest.csv, curation.json, five-band MEF
// stamps), with class-dependent shapes a network can learn: class 1 a compact round source, 2 an elongated one,
// 3 several scattered clumps, 4 a point source with a red colour. Used by the dataset, training and evaluation tests.
import * as fs from "node:fs";
import * as path from "node:path";
import { BANDS } from "../../lib/catalog/record";
import { writeFits } from "../../lib/io/fits";
import { mulberry32 } from "../../lib/util/random";
import { formatCsv } from "../../lib/util/csv";

export interface FixtureOptions {
  size?: number;
  perClass?: number;
  field?: string;
  seed?: number;
  /** Extra manifest rows that training must leave out (dropped, unclassified, few detections). */
  withExcluded?: boolean;
}

export function writeCuratedFixture(
  dir: string,
  options: FixtureOptions = {},
): { dir: string; size: number; kept: number } {
  const size = options.size ?? 32,
    perClass = options.perClass ?? 6,
    field = options.field ?? "TESTFIELD";
  const random = mulberry32(options.seed ?? 1);
  const rows: (string | number)[][] = [];
  const c = (size - 1) / 2;
  const blob = (img: Float32Array, x0: number, y0: number, sx: number, sy: number, amp: number) => {
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        img[y * size + x] += amp * Math.exp(-(((x - x0) / sx) ** 2 + ((y - y0) / sy) ** 2) / 2);
  };
  let n = 0;
  for (let cls = 1; cls <= 4; cls++) {
    for (let k = 0; k < perClass; k++) {
      const id = String(++n);
      const hdus = BANDS.map((band, b) => {
        const img = new Float32Array(size * size);
        for (let i = 0; i < img.length; i++) img[i] = 0.02 * (random() - 0.5);
        const colour = cls === 4 ? 0.3 + 0.35 * b : 1;
        if (cls === 1) blob(img, c, c, 2.2, 2.2, colour);
        if (cls === 2) blob(img, c, c, 4.5, 1.6, colour);
        if (cls === 3)
          for (let j = 0; j < 4; j++) blob(img, c + 8 * (random() - 0.5), c + 8 * (random() - 0.5), 1.2, 1.2, 0.6);
        if (cls === 4) blob(img, c, c, 1.0, 1.0, colour);
        return { bitpix: -32 as const, width: size, height: size, data: img, extname: band };
      });
      const stamp = path.join("stamps", field, `${id}.fits`);
      writeFits(path.join(dir, stamp), hdus, [
        { key: "FIELD", value: field },
        { key: "OBJID", value: id },
      ]);
      const truth = k === 0 ? (cls % 4) + 1 : cls;
      rows.push([field, id, 100 + n, 200 + n, cls, 5, "kept", "", "", stamp, truth, cls]);
    }
  }
  const kept = rows.length;
  if (options.withExcluded) {
    rows.push([field, "900", 1, 1, 1, 5, "dropped", "stamp crosses the mosaic edge", "", "", "", ""]);
    rows.push([field, "901", 5, 5, "", 5, "kept", "", "", rows[0][9], "", ""]);
    rows.push([field, "902", 9, 9, 2, 3, "kept", "", "", rows[0][9], 2, 2]);
  }
  const header = [
    "field",
    "id",
    "x",
    "y",
    "class",
    "detected_bands",
    "status",
    "reason",
    "missing_band",
    "stamp",
    "truth",
    "second_label",
  ];
  fs.writeFileSync(path.join(dir, "manifest.csv"), formatCsv([header, ...rows.map((r) => r.map(String))]));
  fs.writeFileSync(path.join(dir, "curation.json"), JSON.stringify({ size, bands: BANDS }) + "\n");
  return { dir, size, kept };
}
