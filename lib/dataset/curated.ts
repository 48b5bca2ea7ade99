// A curated stamp set as the models see it: the objects of one or more curated folders (manifest.csv + MEF
// stamps, written by `starcluster curate`) that can be trained or tested on, and their pixels in memory at the
// stamp's native size (5 x 50 x 50 float32 = 50 kB per object; resizing to 299 happens per batch, never here).
import * as fs from "node:fs";
import * as path from "node:path";
import { Band, BANDS, ClusterClass } from "../catalog/record";
import { CURATION_FILE } from "../curate/curate";
import { readManifest, readStamp } from "../curate/manifest";

/** Which label the models learn and are scored against: the human class (the paper) or the simulator's truth. */
export const LABEL_SOURCES = ["class", "truth"] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

export interface StampItem {
  /** "FIELD/id": the key of splits and predictions. */
  key: string;
  field: string;
  id: string;
  x: number;
  y: number;
  /** 0-based class index of the chosen label (class c is index c - 1). */
  label: number;
  humanClass: ClusterClass;
  truth: ClusterClass | null;
  secondLabel: ClusterClass | null;
  missingBand: Band | null;
  stampFile: string;
}

export interface CuratedSet {
  dirs: string[];
  /** Stamp side in pixels (all folders must agree). */
  size: number;
  labels: LabelSource;
  items: StampItem[];
  /** Manifest rows left out, by reason, e.g. {"dropped by curation": 12, "no human class": 40}. */
  excluded: Record<string, number>;
}

export interface LoadOptions {
  /** Keep only these fields (default: every field in the manifests). */
  fields?: string[];
  /** The paper trains and tests on objects detected in at least four filters (Table 1, last row). */
  minDetectedBands?: number;
  labels?: LabelSource;
}

/** The stamp side of a curated folder, from its curation.json. */
export function curatedStampSize(dir: string): number {
  const file = path.join(dir, CURATION_FILE);
  const size = fs.existsSync(file) ? Number(JSON.parse(fs.readFileSync(file, "utf8")).size) : NaN;
  if (!Number.isInteger(size) || size <= 0)
    throw new Error(`${file}: missing or without a stamp size (is ${dir} a curated folder?)`);
  return size;
}

export function loadCurated(dirs: string[], options: LoadOptions = {}): CuratedSet {
  if (dirs.length === 0) throw new Error("no curated folder given");
  const labels = options.labels ?? "class";
  const minDetected = options.minDetectedBands ?? 4;
  const wanted = options.fields ? new Set(options.fields) : null;
  const items: StampItem[] = [];
  const excluded: Record<string, number> = {};
  const exclude = (reason: string) => (excluded[reason] = (excluded[reason] ?? 0) + 1);
  const seenFields = new Set<string>();
  let size: number | undefined;
  for (const dir of dirs) {
    const rows = readManifest(dir);
    const stampSize = curatedStampSize(dir);
    if (size !== undefined && stampSize !== size)
      throw new Error(`${dir}: stamps are ${stampSize} px, ${dirs[0]} has ${size} px`);
    size = stampSize;
    for (const row of rows) {
      seenFields.add(row.field);
      if (wanted && !wanted.has(row.field)) continue;
      if (row.status !== "kept") exclude("dropped by curation");
      else if (row.class === null) exclude("no human class");
      else if (row.detectedBands !== null && row.detectedBands < minDetected)
        exclude(`detected in fewer than ${minDetected} bands`);
      else if (labels === "truth" && row.truth === null) exclude("no truth label");
      else {
        const label = labels === "truth" ? (row.truth as ClusterClass) : row.class;
        items.push({
          // readManifest gives every kept object a position (only a dropped one may lack it).
          key: `${row.field}/${row.id}`,
          field: row.field,
          id: row.id,
          x: row.x!,
          y: row.y!,
          label: label - 1,
          humanClass: row.class,
          truth: row.truth,
          secondLabel: row.secondLabel,
          missingBand: row.missingBand,
          stampFile: path.join(dir, row.stamp as string),
        });
      }
    }
  }
  if (wanted) {
    const unknown = [...wanted].filter((f) => !seenFields.has(f));
    if (unknown.length)
      throw new Error(`field(s) ${unknown.join(", ")} not in ${dirs.join(", ")} (have ${[...seenFields].join(", ")})`);
  }
  const keys = new Set<string>();
  for (const it of items) {
    if (keys.has(it.key)) throw new Error(`object ${it.key} appears twice in ${dirs.join(", ")}`);
    keys.add(it.key);
  }
  return { dirs, size: size as number, labels, items, excluded };
}

/** Reads every item's stamp (band-major [band][row][col], BANDS order) into memory, checking the size. */
export function loadPixels(
  set: CuratedSet,
  items: StampItem[] = set.items,
  onProgress?: (done: number) => void,
): Float32Array[] {
  return items.map((it, i) => {
    const stamp = readStamp(it.stampFile);
    if (stamp.size !== set.size) throw new Error(`${it.stampFile}: ${stamp.size} px stamp in a ${set.size} px set`);
    if (stamp.bands.length !== BANDS.length * set.size * set.size)
      throw new Error(`${it.stampFile}: expected ${BANDS.length} bands`);
    onProgress?.(i + 1);
    return stamp.bands;
  });
}

/** Per class (0-based), how many items. */
export function classCounts(items: { label: number }[], classes = 4): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const it of items) counts[it.label]++;
  return counts;
}
