// Curation: every object of each field's catalog becomes a five-band stamp (or a dropped row saying why), listed in
// OUT/manifest.csv, with OUT/curation.json recording the inputs, the settings and the counts. The rules are in
// README.md, the format in manifest.ts. Reruns resume: stamps already in OUT are not written again (every file is
// written atomically, so an existing stamp is complete), the rest is recomputed, the manifest is rewritten.
import * as fs from "node:fs";
import * as path from "node:path";
import { CatalogFormat, readCatalog } from "../catalog/read";
import { Band, BadRow, BANDS, Catalog, CatalogRecord, describeBadRow, isUnrecognisedClass } from "../catalog/record";
import type { PixelConvention } from "../catalog/csv";
import type { SkyColumns } from "../catalog/sky";
import { writeFileAtomic } from "../util/atomic";
import { percentEscape } from "../util/escape";
import { Progress } from "../util/progress";
import { softwareVersion } from "../util/version";
import { formatManifest, MANIFEST_FILE, ManifestRow, stampIsIntact } from "./manifest";
import { bandOf, MosaicSet, MosaicSpec, openMosaics } from "./mosaics";
import { describePlacement, DEFAULT_SKY_TOLERANCE, PlacedCatalog, Placement, placeCatalog } from "./placement";
import { cutStamp, DroppedStamp, KeptStamp } from "./stamp";
import { stampDate, StampWriter } from "./stampfile";
import { addRow, CurationCounts, emptyCounts } from "./summary";
import { readTruth, TruthLabels } from "./synth";
import { isEmptyFolder, processExists, withOutputLock } from "../util/lock";
import { shorten } from "../util/escape";

export const CURATION_FILE = "curation.json";

export interface FieldJob {
  field: string;
  catalog: string;
  format?: CatalogFormat;
  classColumn?: number;
  pixels?: PixelConvention;
  /** RA and Dec columns to place objects from, through each band's WCS (--sky). */
  sky?: SkyColumns;
  mosaics: MosaicSpec[];
  /** A synth truth table to join (truth, second_label). */
  truth?: string;
}

export interface CurateOptions {
  out: string;
  size: number;
  pad: boolean;
  jobs: FieldJob[];
  /** The command line as typed, for curation.json. */
  command: string;
  /** RA/Dec catalogs: largest distance in pixels between the bands' positions of one object (default 0.1). */
  skyTolerance?: number;
  progress?: (total: number) => Progress;
  warn?: (message: string) => void;
  /** What was done, for stderr (e.g. which columns gave RA/Dec). */
  log?: (message: string) => void;
}

export interface CurationResult {
  rows: ManifestRow[];
  fields: Record<string, CurationCounts>;
  total: CurationCounts;
  written: number;
  skipped: number;
  badRows: BadRow[];
  seconds: number;
}

/** Field names become folder names: letters, digits and _+.-, not starting with a dot. */
export function isFieldName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_+.-]*$/.test(name);
}

export const FIELD_NAME_RULE = "must be letters, digits and _+.- (it names a folder)";

/** An id as a file name: characters outside [A-Za-z0-9_+.-] and a leading '.' are %-escaped (unique and safe). */
export function stampFileName(id: string): string {
  return percentEscape(id, /[^A-Za-z0-9_+.-]/gu).replace(/^\./, "%2E") + ".fits";
}

interface FileInfo {
  path: string;
  bytes: number;
}

function fileInfo(file: string, what: string): FileInfo {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file (${what})`);
  return { path: file, bytes: fs.statSync(file).size };
}

interface FieldSettings {
  field: string;
  catalog: FileInfo & { format: string | null; class_column: number | null; sky: string | null };
  mosaics: Partial<Record<Band, FileInfo & { filter: string }>>;
  truth: FileInfo | null;
}

interface Settings {
  size: number;
  pad: boolean;
  bands: readonly Band[];
  sky_tolerance_px: number;
  fields: FieldSettings[];
}

function settingsOf(options: CurateOptions): Settings {
  const fields = options.jobs.map((job): FieldSettings => {
    const mosaics: FieldSettings["mosaics"] = {};
    for (const m of job.mosaics) {
      const band = bandOf(m.filter);
      if (band)
        mosaics[band] = { ...fileInfo(m.path, `the ${band} mosaic of ${job.field}`), filter: m.filter.toUpperCase() };
    }
    return {
      field: job.field,
      catalog: {
        ...fileInfo(job.catalog, `the catalog of ${job.field}`),
        format: job.format ?? null,
        class_column: job.classColumn ?? null,
        sky: job.sky?.join(",") ?? null,
      },
      mosaics,
      truth: job.truth ? fileInfo(job.truth, `the truth table of ${job.field}`) : null,
    };
  });
  return {
    size: options.size,
    pad: options.pad,
    bands: BANDS,
    sky_tolerance_px: options.skyTolerance ?? DEFAULT_SKY_TOLERANCE,
    fields,
  };
}

/** What must match for a rerun to resume: settings and input files by name and size (not by path: cwd may differ). */
function fingerprint(s: Settings): string[] {
  const file = (f: FileInfo | null) => (f ? `${path.basename(f.path)} (${f.bytes} bytes)` : "none");
  return [
    `size ${s.size}`,
    `pad ${s.pad}`,
    `fields ${s.fields.map((f) => f.field).join(", ")}`,
    ...s.fields.flatMap((f) => [
      `${f.field} catalog ${file(f.catalog)}, class column ${f.catalog.class_column ?? "default"}`,
      // Only when given, so that curations from before --sky existed still resume.
      ...(f.catalog.sky ? [`${f.field} sky columns ${f.catalog.sky}`] : []),
      ...BANDS.map((b) => `${f.field} ${b} mosaic ${file(f.mosaics[b] ?? null)}`),
      `${f.field} truth ${file(f.truth)}`,
    ]),
  ];
}

/**
 * Refuses a folder holding anything but a curation with the same settings (its stamps would be mixed with ours);
 * returns the date of the curation being resumed, if any.
 */
function checkOutput(out: string, settings: Settings): string | undefined {
  if (isEmptyFolder(out)) return undefined;
  const file = path.join(out, CURATION_FILE);
  if (!fs.existsSync(file))
    throw new Error(
      `${out}: not empty and not a curation folder (no ${CURATION_FILE}); curate into a new or empty folder`,
    );
  const earlier = JSON.parse(fs.readFileSync(file, "utf8")) as Settings & { date: string };
  const before = fingerprint(earlier);
  const now = fingerprint(settings);
  const i = now.findIndex((line, k) => line !== before[k]);
  if (i >= 0 || before.length !== now.length) {
    throw new Error(
      `${out}: holds a curation with other settings or inputs (was: ${before[i] ?? "nothing"}; now: ${now[i] ?? "nothing"}); ` +
        "curate into a new folder, or delete this one",
    );
  }
  return earlier.date;
}

/** Removes temporary files of atomic writes whose process died (a killed run); a live writer's are left alone. */
function removeStaleTemps(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const m = /^\..+?\.(\d+)(?:\.\d+)?\.tmp$/.exec(name); // lazy: the pid, not the timestamp after it
    if (m && Number(m[1]) !== process.pid && !processExists(Number(m[1])))
      fs.rmSync(path.join(dir, name), { force: true });
  }
}

function writeCurationJson(out: string, body: object): void {
  writeFileAtomic(path.join(out, CURATION_FILE), JSON.stringify(body, null, 1) + "\n");
}

/** Reads a field's catalog, reporting its bad rows; all records must belong to the field. */
export function readFieldCatalog(job: FieldJob, warn: (message: string) => void): Catalog {
  const cat = readCatalog(job.catalog, {
    format: job.format,
    field: job.field,
    classColumn: job.classColumn,
    pixels: job.pixels,
    sky: job.sky,
  });
  const other = cat.records.find((r) => r.field !== job.field);
  if (other)
    throw new Error(
      `${job.catalog}: line ${other.source.line} is in field ${other.field}, not ${job.field}; curate one field per catalog`,
    );
  if (cat.badRows.length) {
    const shown = cat.badRows
      .slice(0, 10)
      .map((b) => `\n  ${describeBadRow(b)}`)
      .join("");
    warn(
      `${job.catalog}: ${cat.badRows.length} bad row(s), not curated (no manifest row):${shown}${cat.badRows.length > 10 ? "\n  ..." : ""}`,
    );
  }
  const odd = cat.records.filter((r) => isUnrecognisedClass(r.rawClass));
  if (odd.length) {
    const examples = odd
      .slice(0, 3)
      .map((r) => `line ${r.source.line}: '${shorten(r.rawClass!)}'`)
      .join(", ");
    warn(
      `${job.catalog}: ${odd.length} class value(s) that are not 0-4 (${examples}${odd.length > 3 ? ", ..." : ""}); curated as unclassified`,
    );
  }
  return cat;
}

/**
 * The duplicate-id rule: the first object with an id is curated, later ones are dropped naming where the first
 * was. Ids are compared as stamp file names (an injective escaping), so two ids never share a stamp file.
 */
export class DuplicateIds {
  private readonly first = new Map<string, string>();
  /** "line" for text catalogs, "row" for FITS tables, as bad rows are reported. */
  constructor(private readonly unit: "line" | "row") {}

  static forCatalog(file: string): DuplicateIds {
    return new DuplicateIds(/\.fits?$/i.test(file) ? "row" : "line");
  }

  /** Registers the record; a dropped stamp if its id was seen before. */
  check(rec: CatalogRecord): DroppedStamp | undefined {
    const name = stampFileName(rec.id);
    const first = this.first.get(name);
    if (first !== undefined)
      return { status: "dropped", cause: "duplicate", reason: `duplicate id (first at ${first})` };
    this.first.set(name, `${this.unit} ${rec.source.line}`);
    return undefined;
  }
}

interface FieldInput {
  job: FieldJob;
  catalog: Catalog;
  truth?: Map<string, TruthLabels>;
  mosaics: MosaicSet;
  /** Each record's place on the mosaics, in catalog order. */
  placed: PlacedCatalog;
}

interface FieldOutput {
  rows: ManifestRow[];
  counts: CurationCounts;
  written: number;
  skipped: number;
  /** Stamps found damaged (truncated, empty, another size) and written again. */
  repaired: string[];
}

/** Every catalog object of one field: a row each, a stamp for each kept one that is not in OUT yet. */
function curateField(
  input: FieldInput,
  options: CurateOptions,
  date: string,
  total: CurationCounts,
  tick: (label: string) => void,
): FieldOutput {
  const { job, catalog, truth, mosaics, placed } = input;
  const { out, size, pad } = options;
  const dir = path.join(out, "stamps", job.field);
  fs.mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir);
  const existing = new Set(fs.readdirSync(dir));
  const writer = new StampWriter({ field: job.field, size, catalog: job.catalog, mosaics, date });
  const result: FieldOutput = { rows: [], counts: emptyCounts(), written: 0, skipped: 0, repaired: [] };
  const duplicates = DuplicateIds.forCatalog(job.catalog);
  for (const [i, rec] of catalog.records.entries()) {
    const name = stampFileName(rec.id);
    const labels = truth?.get(rec.id);
    if (truth && !labels) throw new Error(`${job.truth}: no row for id ${rec.id} of ${job.catalog}`);
    const place = placed.placements[i];
    const cut: KeptStamp | DroppedStamp =
      duplicates.check(rec) ?? (place.status === "placed" ? cutStamp(mosaics, place.bands, size, pad) : place);
    const stamp = cut.status === "kept" ? `stamps/${job.field}/${name}` : null;
    if (cut.status === "kept" && existing.has(name) && stampIsIntact(path.join(out, stamp!), size)) result.skipped++;
    else if (cut.status === "kept") {
      if (existing.has(name)) result.repaired.push(stamp!);
      writer.write(path.join(out, stamp!), rec, cut, place as Extract<Placement, { status: "placed" }>);
      result.written++;
    }
    const row: ManifestRow = {
      field: job.field,
      id: rec.id,
      x: place.x,
      y: place.y,
      class: rec.class,
      detectedBands: rec.detectedBands,
      status: cut.status,
      reason: cut.reason,
      missingBand: cut.status === "kept" ? cut.missingBand : null,
      stamp,
      truth: labels?.truth ?? null,
      secondLabel: labels?.secondLabel ?? null,
    };
    result.rows.push(row);
    addRow(
      row,
      cut.status === "kept" ? { padded: cut.zeroed.some((n) => n > 0) } : { cause: cut.cause },
      result.counts,
      total,
    );
    tick(`${job.field}: ${result.counts.kept.all} kept, ${result.counts.dropped.all} dropped`);
  }
  return result;
}

/** The error for a curation that kept nothing: it is not marked complete, and says why objects were dropped. */
function nothingKept(out: string, objects: number, total: CurationCounts, catalogs: string[]): Error {
  const causes = Object.entries(total.droppedBy)
    .filter(([, n]) => n > 0)
    .map(([cause, n]) => `${cause} ${n}`);
  const why =
    objects === 0
      ? `no usable row in ${catalogs.join(", ")}`
      : `all ${objects} object(s) dropped: ${causes.join(", ")}; each one's reason is in ${MANIFEST_FILE}`;
  return new Error(`${out}: nothing curated (${why}); the curation is not marked complete`);
}

/** Curates into `options.out`, refusing a second writer on that folder. */
export function curate(options: CurateOptions): CurationResult {
  return withOutputLock(options.out, "folder", "curate", () => curateUnlocked(options));
}

/** At least one field, each named by the rule and given once. */
function checkJobs(jobs: FieldJob[]): void {
  if (jobs.length === 0) throw new Error("nothing to curate: no field");
  for (const job of jobs) {
    if (!isFieldName(job.field)) throw new Error(`field name '${job.field}' ${FIELD_NAME_RULE}`);
    if (jobs.filter((j) => j.field === job.field).length > 1) throw new Error(`field ${job.field} given twice`);
  }
}

/**
 * Every input read or opened before anything is written, so that bad input leaves OUT untouched. Positions too are
 * settled here: an RA/Dec catalog needs every band's WCS, and mosaics that disagree on where the objects lie are
 * refused. Each mosaic set goes into `opened` as it opens, for the caller to close whatever happens.
 */
function openInputs(
  options: CurateOptions,
  skyTolerance: number,
  log: (line: string) => void,
  warn: (message: string) => void,
  opened: MosaicSet[],
): FieldInput[] {
  const { jobs } = options;
  const catalogs = jobs.map((job) => readFieldCatalog(job, warn));
  const truths = jobs.map((job) => (job.truth ? readTruth(job.truth) : undefined));
  for (const job of jobs) opened.push(openMosaics(job.mosaics, warn));
  const placed = jobs.map((job, j) => placeCatalog(catalogs[j], job.catalog, opened[j], skyTolerance));
  jobs.forEach((job, j) => {
    const line = describePlacement(job.catalog, catalogs[j], placed[j]);
    if (line) log(line);
  });
  return jobs.map((job, j) => ({ job, catalog: catalogs[j], truth: truths[j], mosaics: opened[j], placed: placed[j] }));
}

/** curation.json's fields once complete: each field's settings, with what its catalog and mosaics turned out to be. */
function completedFields(settings: Settings, inputs: FieldInput[], results: FieldOutput[]): object[] {
  return settings.fields.map((f, j) => {
    const { catalog, placed, mosaics } = inputs[j];
    return {
      ...f,
      catalog: { ...f.catalog, records: catalog.records.length, bad_rows: catalog.badRows },
      positions: {
        ...catalog.position,
        ...(placed.sky ? { wcs: placed.sky.wcs, max_band_offset_px: placed.sky.maxBandOffset } : {}),
      },
      mosaics: Object.fromEntries(
        mosaics.bands.flatMap((m) =>
          m
            ? [
                [
                  m.band,
                  {
                    ...f.mosaics[m.band],
                    hdu: m.hdu.index,
                    width: mosaics.width,
                    height: mosaics.height,
                    bitpix: m.hdu.bitpix,
                  },
                ],
              ]
            : [],
        ),
      ),
      counts: results[j].counts,
    };
  });
}

const warnOf = (options: CurateOptions) => options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));

/** Writes the manifest, then curation.json marked complete, unless nothing was kept (an error saying why). */
function finishCuration(
  options: CurateOptions,
  head: object,
  settings: Settings,
  inputs: FieldInput[],
  results: FieldOutput[],
  total: CurationCounts,
  start: number,
): { rows: ManifestRow[]; written: number; skipped: number; seconds: number } {
  const { out, jobs } = options;
  const rows = results.flatMap((r) => r.rows);
  const [written, skipped] = [results.reduce((a, r) => a + r.written, 0), results.reduce((a, r) => a + r.skipped, 0)];
  writeFileAtomic(path.join(out, MANIFEST_FILE), formatManifest(rows));
  const repaired = results.flatMap((r) => r.repaired);
  if (repaired.length)
    warnOf(options)(
      `${out}: ${repaired.length} damaged stamp(s) (truncated, empty or of another size) written again, e.g. ${repaired[0]}`,
    );
  if (total.kept.all === 0)
    throw nothingKept(
      out,
      rows.length,
      total,
      jobs.map((job) => job.catalog),
    );
  const seconds = (Date.now() - start) / 1000;
  writeCurationJson(out, {
    ...head,
    complete: true,
    fields: completedFields(settings, inputs, results),
    counts: total,
    stamps: { written, already_there: skipped },
    wall_seconds: seconds,
  });
  return { rows, written, skipped, seconds };
}

/** Checks the jobs and OUT, opens every input, curates field by field, then writes the manifest and curation.json. */
function curateUnlocked(options: CurateOptions): CurationResult {
  const start = Date.now();
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const { out, size, jobs } = options;
  checkJobs(jobs);
  const settings = settingsOf(options);
  const resumed = checkOutput(out, settings);
  const mosaicSets: MosaicSet[] = [];
  try {
    const inputs = openInputs(options, settings.sky_tolerance_px, log, warnOf(options), mosaicSets);
    fs.mkdirSync(out, { recursive: true });
    removeStaleTemps(out);
    const date = stampDate(resumed);
    const head = {
      software: softwareVersion(),
      command: options.command,
      complete: false,
      date,
      ...settings,
      centre_pixel: `0-based stamp index ${Math.floor(size / 2)} in x and y holds the mosaic pixel containing the catalog position`,
    };
    writeCurationJson(out, head);
    const progress = options.progress?.(inputs.reduce((a, input) => a + input.catalog.records.length, 0));
    let done = 0;
    const total = emptyCounts();
    const results = inputs.map((input) => {
      const r = curateField(input, options, date, total, (label) => progress?.update(++done, label));
      input.mosaics.close();
      return r;
    });
    const { rows, written, skipped, seconds } = finishCuration(options, head, settings, inputs, results, total, start);
    progress?.finish(
      `curated ${rows.length} object(s): ${total.kept.all} kept (${written} written, ${skipped} already there), ${total.dropped.all} dropped`,
    );
    const fields = Object.fromEntries(jobs.map((job, j) => [job.field, results[j].counts]));
    const badRows = inputs.flatMap((input) => input.catalog.badRows);
    return { rows, fields, total, written, skipped, badRows, seconds };
  } finally {
    mosaicSets.forEach((m) => m.close());
  }
}
