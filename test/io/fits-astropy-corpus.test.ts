// Issue 19's last "done when": every FITS file astropy ships as its own test data (io/fits/tests/data and
// wcs/tests/data, subfolders too) is read like astropy, or refused by an error naming the file and the unsupported
// feature. astropy decides what is in the corpus: whatever its fits.open opens. For those files, our info() table
// equals astropy's, and every image (tile-compressed too) and every BINTABLE column equals astropy's .data bit for
// bit (sha256 in astropy's dtype), or that file/HDU is refused by name. Files astropy refuses we must refuse too.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { FitsFile, formatInfo, openFits, PixelArray, TableColumn } from "../../lib/io/fits";
import { NUMPY_DTYPES, numpyDtype, repoRoot, runReference } from "../helpers";

interface RefColumn {
  dtype: string;
  sha256?: string;
  values?: unknown[];
  object?: boolean;
  zeroWidth?: boolean;
}
interface RefHdu {
  index: number;
  class: string;
  kind: "image" | "groups" | "table" | "nonstandard" | "none";
  dtype?: string;
  shape?: number[];
  sha256?: string;
  dataError?: string;
  columns?: Record<string, RefColumn>;
}
interface RefFile {
  file: string;
  opened: boolean;
  error?: string;
  warnings: string[];
  info?: string;
  hdus?: RefHdu[];
}

const data: { fits: string; wcs: string } = JSON.parse(runReference("astropy_data.py"));
const { astropy, files: corpus }: { astropy: string; files: RefFile[] } = JSON.parse(runReference("fits_corpus.py"));
/** A file's name from astropy's package folder on, e.g. wcs/tests/data/maps/1904-66_TAN.hdr. */
const short = (file: string) => path.relative(path.resolve(data.fits, "..", "..", "..", ".."), file);

/**
 * Everything the reader refuses on purpose, by the words of its error. A refusal must name the file and match one of
 * these; any other error is a failure (a bug, or a refusal that does not say what is unsupported).
 */
const FEATURES: { feature: string; says: RegExp }[] = [
  {
    feature: "data missing (header-only or truncated file)",
    says: /: data need \d+ bytes .* the file is truncated or NAXISn is wrong/,
  },
  { feature: "non-standard files (SIMPLE = F)", says: /: SIMPLE = F: .*non-standard files are not supported/ },
  { feature: "random-groups data", says: /: random-groups data are not supported/ },
  { feature: "ASCII tables", says: /: ASCII tables are not supported/ },
  { feature: "variable-length columns (P, Q)", says: /: variable-length columns \([PQ]\) are not supported/ },
  { feature: "complex columns (C, M)", says: /: complex columns \([CM]\) are not supported/ },
  { feature: "bzip2 and zip files", says: /: (bzip2-compressed files|zip archives) are not supported/ },
  {
    feature: "tile compression other than GZIP_1/2, RICE_1, PLIO_1, HCOMPRESS_1",
    says: /ZCMPTYPE = '.*' is not (supported|a known compression type)/,
  },
  { feature: "HCOMPRESS_1 smoothing (SMOOTH != 0)", says: /HCOMPRESS_1 with SMOOTH != 0 .* is not supported/ },
];

const sha256 = (a: PixelArray) =>
  createHash("sha256")
    .update(Buffer.from(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex");

/** One file's result: refused features (file, or HDU by HDU), and problems (each one a failure). */
interface Outcome {
  refused: string[];
  problems: string[];
  infoEqual: boolean;
  images: number;
  tables: number;
}

/** The feature a refusal names, or a problem when it names neither the file nor a known feature. */
function refusal(message: string, file: string, outcome: Outcome, what: string): void {
  const named = FEATURES.find((f) => f.says.test(message));
  if (!message.includes(file)) outcome.problems.push(`${what}: refused without naming the file: ${message}`);
  else if (!named) outcome.problems.push(`${what}: refused without naming an unsupported feature: ${message}`);
  else outcome.refused.push(named.feature);
}

/** Runs `read`, turning an error into a refusal (checked by `refusal`); undefined when refused. */
function attempt<T>(read: () => T, file: string, outcome: Outcome, what: string): T | undefined {
  try {
    return read();
  } catch (e) {
    refusal((e as Error).message, file, outcome, what);
    return undefined;
  }
}

/** An image HDU: values, dtype and shape equal astropy's, or a refusal by name; astropy's own failure stays a failure for us. */
function compareImage(fits: FitsFile, r: RefHdu, outcome: Outcome): void {
  const what = `HDU ${r.index} (${r.class})`;
  const image = attempt(() => fits.hdus[r.index].readImage(), fits.path, outcome, what);
  if (!image) return;
  if (r.dataError !== undefined) {
    outcome.problems.push(`${what}: read, where astropy fails (${r.dataError})`);
  } else if (r.sha256 === undefined) {
    if (image.data.length !== 0) outcome.problems.push(`${what}: ${image.data.length} values, astropy has no data`);
  } else {
    if (numpyDtype(image.data) !== r.dtype)
      outcome.problems.push(`${what}: dtype ${numpyDtype(image.data)}, astropy ${r.dtype}`);
    if (JSON.stringify([...image.shape].reverse()) !== JSON.stringify(r.shape)) {
      outcome.problems.push(`${what}: shape ${image.shape.join(" x ")}, astropy (numpy order) ${r.shape!.join(", ")}`);
    }
    if (sha256(image.data) !== r.sha256) outcome.problems.push(`${what}: values differ from astropy's`);
    outcome.images++;
  }
}

/** A BINTABLE: column names in order, then each column's values as astropy's .data (hashed, or listed for strings and logicals). */
function compareTable(fits: FitsFile, r: RefHdu, outcome: Outcome): void {
  const what = `HDU ${r.index} (${r.class})`;
  const table = attempt(() => fits.hdus[r.index].readTable(), fits.path, outcome, what);
  if (!table) return;
  if (r.dataError !== undefined) {
    outcome.problems.push(`${what}: read, where astropy fails (${r.dataError})`);
    return;
  }
  const names = Object.keys(r.columns!);
  if (JSON.stringify(table.columns.map((c) => c.name)) !== JSON.stringify(names)) {
    outcome.problems.push(
      `${what}: columns ${table.columns.map((c) => c.name).join(", ")}, astropy ${names.join(", ")}`,
    );
    return;
  }
  table.columns.forEach((c, k) =>
    outcome.problems.push(...compareColumn(c, r.columns![names[k]], `${what} column '${c.name}'`)),
  );
  outcome.tables++;
}

function compareColumn(c: TableColumn, r: RefColumn, what: string): string[] {
  if (r.object) return [`${what}: read, astropy reads it as an object array (variable-length) that is not compared`];
  if (r.zeroWidth) return c.values.length === 0 ? [] : [`${what}: zero-width column with ${c.values.length} values`];
  if (r.values)
    return JSON.stringify(c.values) === JSON.stringify(r.values) ? [] : [`${what}: values differ from astropy's`];
  const values = c.values as PixelArray;
  if (!ArrayBuffer.isView(values) || numpyDtype(values) !== r.dtype) return [`${what}: not astropy's dtype ${r.dtype}`];
  return sha256(values) === r.sha256 ? [] : [`${what}: values differ from astropy's`];
}

/** A file astropy opens: open it, compare info(), then every HDU's data by kind. */
function compareFile(r: RefFile): Outcome {
  const outcome: Outcome = { refused: [], problems: [], infoEqual: false, images: 0, tables: 0 };
  const fits = attempt(() => openFits(r.file), r.file, outcome, "open");
  if (!fits) return outcome;
  try {
    outcome.infoEqual = formatInfo(fits) === r.info;
    if (!outcome.infoEqual)
      outcome.problems.push(`info() differs:\n--- ours\n${formatInfo(fits)}--- astropy\n${r.info}`);
    for (const hdu of r.hdus!) {
      if (hdu.kind === "image" || hdu.kind === "groups") compareImage(fits, hdu, outcome);
      else if (hdu.kind === "table") compareTable(fits, hdu, outcome);
      else
        outcome.problems.push(
          `HDU ${hdu.index}: astropy's ${hdu.class} is not compared (a new kind of HDU for this test)`,
        );
    }
  } finally {
    fits.close();
  }
  return outcome;
}

const outcomes = new Map<string, Outcome>();

test("astropy's test data are where astropy_data.py says, and the corpus is not empty", () => {
  assert.ok(corpus.some((r) => r.file.startsWith(data.fits)) && corpus.some((r) => r.file.startsWith(data.wcs)));
  assert.ok(
    corpus.filter((r) => r.opened).length >= 30,
    `astropy opened only ${corpus.filter((r) => r.opened).length} files`,
  );
});

for (const r of corpus.filter((f) => f.opened)) {
  test(`${short(r.file)}: read like astropy (info, images, tables) or refused by name`, () => {
    const outcome = compareFile(r);
    outcomes.set(r.file, outcome);
    assert.deepEqual(outcome.problems, [], `${r.file}:\n${outcome.problems.join("\n")}`);
  });
}

test("files astropy itself refuses are refused too, naming the file", () => {
  for (const r of corpus.filter((f) => !f.opened)) {
    assert.throws(
      () => openFits(r.file).close(),
      (e: Error) => e.message.startsWith(r.file),
      `${r.file} (astropy: ${r.error})`,
    );
  }
});

test("tally", (t) => {
  const opened = corpus.filter((r) => r.opened);
  assert.equal(outcomes.size, opened.length, "every file astropy opens was compared");
  const read = [...outcomes.values()].filter((o) => o.refused.length === 0 && o.problems.length === 0);
  const refused = [...outcomes.values()].filter((o) => o.refused.length > 0);
  const partly = refused.filter((o) => o.infoEqual).length;
  const counts = new Map<string, number>();
  for (const o of refused) for (const f of new Set(o.refused)) counts.set(f, (counts.get(f) ?? 0) + 1);
  const features = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${f} ${n}`)
    .join(", ");
  const images = read.reduce((n, o) => n + o.images, 0);
  const tables = read.reduce((n, o) => n + o.tables, 0);
  t.diagnostic(
    `astropy ${astropy}'s test data, ${corpus.length} files: ${read.length} read like astropy ` +
      `(info, ${images} images and ${tables} tables bit for bit), ${refused.length} refused by name (${features}; ${partly} of them ` +
      `with info() as astropy's, only data refused), ${corpus.length - opened.length} that astropy itself refuses`,
  );
  assert.equal(read.length + refused.length, opened.length);
});

/**
 * fitsjs decoding every image astropy reads, each reported as "same" (values and type as astropy's), "values differ",
 * "type differs" (the same bytes in another type: fitsjs's Int16Array for uint16) or its error. It runs in a child
 * process: fitsjs throws some errors outside any promise (BITPIX 64) and never returns on gzip bytes (left out).
 */
const FITSJS_CHILD = `
const crypto = require("node:crypto");
const { readImageWithFitsjs } = require(process.argv[1]);
const jobs = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
(async () => {
  for (const job of jobs) {
    const outcome = await new Promise((resolve) => {
      process.removeAllListeners("unhandledRejection");
      process.once("unhandledRejection", (e) => resolve("error: " + String((e && e.message) || e)));
      readImageWithFitsjs(job.file, job.index).then((js) => {
        const d = js.data;
        const same = crypto.createHash("sha256").update(Buffer.from(d.buffer, d.byteOffset, d.byteLength)).digest("hex") === job.sha256;
        resolve(!same ? "values differ" : d.constructor.name === job.type ? "same" : "type differs");
      }, (e) => resolve("error: " + String((e && e.message) || e)));
    });
    process.stdout.write(JSON.stringify(outcome) + "\\n");
  }
})();
`;

const ARRAY_OF: Record<string, string> = Object.fromEntries(Object.entries(NUMPY_DTYPES).map(([k, v]) => [v, k]));

test("fitsjs on the same images (a record for environment.md; fitsjs is not the reader)", (t) => {
  const gzip = (file: string) =>
    fs
      .readFileSync(file)
      .subarray(0, 2)
      .equals(Buffer.from([0x1f, 0x8b]));
  const images = corpus
    .filter((r) => r.opened)
    .flatMap((r) => r.hdus!.filter((h) => h.sha256 !== undefined).map((h) => ({ r, h })));
  const jobs = images
    .filter(({ r }) => !gzip(r.file))
    .map(({ r, h }) => ({ file: r.file, index: h.index, sha256: h.sha256, type: ARRAY_OF[h.dtype!] }));
  const child = spawnSync(
    process.execPath,
    ["-e", FITSJS_CHILD, path.join(repoRoot, "dist", "lib", "io", "fits", "fitsjs.js")],
    { input: JSON.stringify(jobs), encoding: "utf8", timeout: 120_000 },
  );
  const results = child.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string);
  assert.equal(results.length, jobs.length, `fitsjs child: ${child.stderr || child.signal}`);
  const count = (what: (o: string) => boolean) => results.filter(what).length;
  const errors = [...new Set(results.filter((o) => o.startsWith("error: ")).map((o) => o.slice(7)))];
  const ours = [...outcomes.values()].reduce((n, o) => n + o.images, 0);
  t.diagnostic(
    `fitsjs on the ${images.length} images astropy reads (ours: ${ours} equal): ${jobs.length} tried, ` +
      `${images.length - jobs.length} gzipped left out; ${count((o) => o === "same")} equal to astropy's, ` +
      `${count((o) => o === "type differs")} the same bytes in another type, ${count((o) => o === "values differ")} other values, ` +
      `${count((o) => o.startsWith("error: "))} refused (${errors.join("; ")})`,
  );
});
