// The objects to classify, one at a time in catalog order, each with its stamp or the reason it has none:
//   from a catalog and its mosaics, curated on the fly through curate's own rules (placement, cutStamp, duplicate
//   ids; an RA/Dec catalog through each band's WCS), or
//   from a `starcluster curate` folder (manifest.csv + stamps). Stamps are read or cut only when asked for, so
//   a field of any size streams through in batches.
import * as fs from "node:fs";
import * as path from "node:path";
import { CatalogFormat } from "../catalog/read";
import { Band, Catalog, CatalogRecord } from "../catalog/record";
import type { PixelConvention } from "../catalog/csv";
import type { SkyColumns } from "../catalog/sky";
import { DuplicateIds, readFieldCatalog } from "../curate/curate";
import { MANIFEST_FILE, ManifestRow, readManifest, readStamp } from "../curate/manifest";
import { bandOf, MosaicSet, MosaicSpec, openMosaics } from "../curate/mosaics";
import { describePlacement, PlacedCatalog, placeCatalog } from "../curate/placement";
import { cutStamp } from "../curate/stamp";
import { curatedStampSize } from "../dataset/curated";
import { sha256File } from "../util/provenance";

export interface SourceObject {
  field: string;
  id: string;
  /** The catalog's position, 1-based FITS pixels (for RA/Dec, the first band's; null as in the manifest: manifest.ts). */
  x: number | null;
  y: number | null;
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
  /** RA and Dec columns to place objects from, through each band's WCS (curate --sky). */
  sky?: SkyColumns;
  /** RA/Dec catalogs: largest distance in pixels between the bands' positions of one object (curate --sky-tolerance). */
  skyTolerance?: number;
  mosaics: MosaicSpec[];
  /** Keep stamps crossing the mosaic edge or holding pixels without data, zero-padded (curate --pad). */
  pad: boolean;
}

const fileLine = (what: string, file: string) => `${what} ${path.basename(file)} (${fs.statSync(file).size} bytes)`;
const objectOf = (r: CatalogRecord | ManifestRow, at: { x: number | null; y: number | null }): SourceObject => ({
  field: r.field,
  id: r.id,
  x: at.x,
  y: at.y,
});

/** The mosaics of a catalog and every record's place on them (placement.ts); the mosaics are closed on a refusal. */
function openPlaced(
  input: CatalogInput,
  catalog: Catalog,
  warn: (message: string) => void,
): { mosaics: MosaicSet; placed: PlacedCatalog } {
  const mosaics = openMosaics(input.mosaics, warn);
  try {
    return { mosaics, placed: placeCatalog(catalog, input.catalog, mosaics, input.skyTolerance) };
  } catch (e) {
    mosaics.close();
    throw e;
  }
}

/** Catalog + mosaics: every record is cut as `curate` would cut it at the models' stamp size. */
export function catalogSource(
  input: CatalogInput,
  stampSize: number,
  warn: (message: string) => void,
  log: (message: string) => void = () => undefined,
): ObjectSource {
  const catalog = readFieldCatalog(input, warn);
  const { mosaics, placed } = openPlaced(input, catalog, warn);
  const line = describePlacement(input.catalog, catalog, placed);
  if (line) log(line);
  const records = catalog.records;
  const fingerprint = [
    fileLine("catalog", input.catalog),
    `field ${input.field}`,
    `catalog format ${input.format ?? "from the file"}, class column ${input.classColumn ?? "default"}, pixels ${input.pixels ?? "default"}`,
    ...(input.sky ? [`sky columns ${input.sky.join(",")}`] : []),
    ...input.mosaics.map((m) => fileLine(`${bandOf(m.filter)} mosaic`, m.path)),
    `stamp size ${stampSize}`,
    `pad ${input.pad}`,
  ];
  return {
    objects: records.map((r, i) => objectOf(r, placed.placements[i])),
    fingerprint,
    *items(from) {
      // Duplicates are decided over the whole catalog, so skipped records are still registered.
      const duplicates = DuplicateIds.forCatalog(input.catalog);
      for (let i = 0; i < records.length; i++) {
        const rec = records[i];
        const duplicate = duplicates.check(rec);
        if (i < from) continue;
        const place = placed.placements[i];
        const object = objectOf(rec, place);
        const cut =
          duplicate ?? (place.status === "placed" ? cutStamp(mosaics, place.bands, stampSize, input.pad) : place);
        if (cut.status === "dropped") {
          yield { object, status: "dropped", reason: cut.reason };
          continue;
        }
        const stamp = new Float32Array(cut.bands.length * stampSize * stampSize);
        cut.bands.forEach((b, k) => stamp.set(b, k * stampSize * stampSize));
        yield { object, status: "kept", stamp, missingBand: cut.missingBand, note: cut.reason };
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
    throw new Error(
      `${dir}: stamps are ${size} px but the models take ${stampSize} px stamps; curate at --size ${stampSize}, or classify from the catalog and mosaics (--catalog, --mosaic), which cuts stamps at the models' size`,
    );
  }
  return {
    objects: rows.map((r) => objectOf(r, r)),
    fingerprint: [
      `curated folder ${path.basename(path.resolve(dir))}, ${MANIFEST_FILE} sha256 ${sha256File(path.join(dir, MANIFEST_FILE))}`,
      `stamp size ${stampSize}`,
    ],
    *items(from) {
      for (const row of rows.slice(from)) {
        if (row.status === "dropped") {
          yield { object: objectOf(row, row), status: "dropped", reason: row.reason };
          continue;
        }
        const file = path.join(dir, row.stamp as string);
        const stamp = readStamp(file);
        if (stamp.size !== stampSize)
          throw new Error(`${file}: a ${stamp.size} px stamp in a folder of ${stampSize} px stamps`);
        yield {
          object: objectOf(row, row),
          status: "kept",
          stamp: stamp.bands,
          missingBand: row.missingBand,
          note: row.reason,
        };
      }
    },
    close: () => undefined,
  };
}
