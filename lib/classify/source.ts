// The objects to classify, one at a time in catalog order, each with its stamp or the reason it has none:
//   from a catalog and its mosaics, curated on the fly through curate's own rules (cutStamp, duplicate ids), or
//   from a `starcluster curate` folder (manifest.csv + stamps). Stamps are read or cut only when asked for, so
//   a field of any size streams through in batches.
import * as fs from "node:fs";
import * as path from "node:path";
import { CatalogFormat } from "../catalog/read";
import { Band, CatalogRecord } from "../catalog/record";
import type { PixelConvention } from "../catalog/csv";
import { DuplicateIds, readFieldCatalog } from "../curate/curate";
import { MANIFEST_FILE, ManifestRow, readManifest, readStamp } from "../curate/manifest";
import { bandOf, MosaicSet, MosaicSpec, openMosaics } from "../curate/mosaics";
import { cutStamp } from "../curate/stamp";
import { curatedStampSize } from "../dataset/curated";
import { sha256File } from "../util/provenance";

export interface SourceObject {
  field: string;
  id: string;
  /** The catalog's position, 1-based FITS pixels. */
  x: number;
  y: number;
}

export type SourceItem =
  | { object: SourceObject; status: "kept"; stamp: Float32Array; missingBand: Band | null; note: string }
  | { object: SourceObject; status: "dropped"; reason: string };

export interface ObjectSource {
  /** Every object in order (positions only: cheap). */
  objects: SourceObject[];
  /** What must be the same for a rerun to resume: inputs by name and size or content, and settings. */
  fingerprint: string[];
  /** The items from object index `from` on; stamps band-major [band][row][col], BANDS order. */
  items(from: number): Iterable<SourceItem>;
  close(): void;
}

export interface CatalogInput {
  catalog: string;
  field: string;
  format?: CatalogFormat;
  classColumn?: number;
  pixels?: PixelConvention;
  mosaics: MosaicSpec[];
  /** Keep stamps crossing the mosaic edge or holding pixels without data, zero-padded (curate --pad). */
  pad: boolean;
}

const fileLine = (what: string, file: string) => `${what} ${path.basename(file)} (${fs.statSync(file).size} bytes)`;
const objectOf = (r: CatalogRecord | ManifestRow): SourceObject => ({ field: r.field, id: r.id, x: r.x, y: r.y });

/** Catalog + mosaics: every record is cut as `curate` would cut it at the models' stamp size. */
export function catalogSource(input: CatalogInput, stampSize: number, warn: (message: string) => void): ObjectSource {
  const catalog = readFieldCatalog(input, warn);
  const mosaics: MosaicSet = openMosaics(input.mosaics, warn);
  const records = catalog.records;
  const fingerprint = [
    fileLine("catalog", input.catalog), `field ${input.field}`, `catalog format ${input.format ?? "from the file"}, class column ${input.classColumn ?? "default"}, pixels ${input.pixels ?? "default"}`,
    ...input.mosaics.map((m) => fileLine(`${bandOf(m.filter)} mosaic`, m.path)), `stamp size ${stampSize}`, `pad ${input.pad}`,
  ];
  return {
    objects: records.map(objectOf),
    fingerprint,
    *items(from) {
      // Duplicates are decided over the whole catalog, so skipped records are still registered.
      const duplicates = DuplicateIds.forCatalog(input.catalog);
      for (let i = 0; i < records.length; i++) {
        const rec = records[i];
        const duplicate = duplicates.check(rec);
        if (i < from) continue;
        const cut = duplicate ?? cutStamp(mosaics, rec.x, rec.y, stampSize, input.pad);
        if (cut.status === "dropped") {
          yield { object: objectOf(rec), status: "dropped", reason: cut.reason };
          continue;
        }
        const stamp = new Float32Array(cut.bands.length * stampSize * stampSize);
        cut.bands.forEach((b, k) => stamp.set(b, k * stampSize * stampSize));
        yield { object: objectOf(rec), status: "kept", stamp, missingBand: cut.missingBand, note: cut.reason };
      }
    },
    close: () => mosaics.close(),
  };
}

/** A curated folder: its manifest's rows in order, stamps read from their files; its stamp size must be the models'. */
export function stampsSource(dir: string, stampSize: number): ObjectSource {
  const rows = readManifest(dir);
  const size = curatedStampSize(dir);
  if (size !== stampSize) {
    throw new Error(`${dir}: stamps are ${size} px but the models take ${stampSize} px stamps; curate at --size ${stampSize}, or classify from the catalog and mosaics (--catalog, --mosaic), which cuts stamps at the models' size`);
  }
  return {
    objects: rows.map(objectOf),
    fingerprint: [`curated folder ${path.basename(path.resolve(dir))}, ${MANIFEST_FILE} sha256 ${sha256File(path.join(dir, MANIFEST_FILE))}`, `stamp size ${stampSize}`],
    *items(from) {
      for (const row of rows.slice(from)) {
        if (row.status === "dropped") {
          yield { object: objectOf(row), status: "dropped", reason: row.reason };
          continue;
        }
        const file = path.join(dir, row.stamp as string);
        const stamp = readStamp(file);
        if (stamp.size !== stampSize) throw new Error(`${file}: a ${stamp.size} px stamp in a folder of ${stampSize} px stamps`);
        yield { object: objectOf(row), status: "kept", stamp: stamp.bands, missingBand: row.missingBand, note: row.reason };
      }
    },
    close: () => undefined,
  };
}
