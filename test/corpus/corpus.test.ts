// The bad-input corpus of issue 21: each case runs `starcluster` on one broken input (made by make.ts) and checks
// the exit code README states (0 success, 1 a failure of the data or the machine, 2 a usage mistake), that stderr
// names the file (or option) and the cause in words, never a stack trace, and what is or is not left on disk: no
// temporary or lock file, no output folder from refused input, no half-written output marked complete. Then two
// writers started at once on one output: exactly one proceeds.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { BANDS } from "../../lib/catalog/record";
import { readManifest, readStamp } from "../../lib/curate/manifest";
import { parseCsv } from "../../lib/util/csv";
import { repoRoot, tempDir } from "../helpers";
import { Corpus, FIELD, INF_TENSOR, makeCorpus, makeModels, NAN_TENSOR } from "./make";

const cli = path.join(repoRoot, "bin", "starcluster.js");
const env = { ...process.env, STARCLUSTER_THREADS: "1", STARCLUSTER_DEBUG: "" };
const root = tempDir("starcluster-corpus-");
let c: Corpus;
let models: Record<string, string>;
/** A complete training run (smoke profile, 2 batches) on c.data: the model the model cases break. */
let run: string;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  pid?: number;
}

/** Runs the command line as a user would (as user `uid` when given). */
function starcluster(args: string[], uid?: number): Result {
  const as = uid !== undefined ? { uid, gid: uid } : {};
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env, maxBuffer: 64 << 20, ...as });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the command line without waiting; resolves with its exit code and output. */
function started(args: string[]): Promise<Result> {
  const child = spawn(process.execPath, [cli, ...args], { env });
  const out: Buffer[] = [],
    err: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => err.push(d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), pid: child.pid });
    });
  });
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A pattern for a path as messages print it. */
const named = (file: string) => new RegExp(esc(file));
/** A pattern for `text` as it is. */
const lit = (text: string) => new RegExp(esc(text));

/** Temporary files of atomic writes and lock files anywhere below `dir`. */
function strays(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        try {
          walk(full);
        } catch {
          // a folder this case made unreadable on purpose
        }
      } else if (/\.tmp$|\.lock$/.test(e.name)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

const curationJson = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "curation.json"), "utf8"));

/** A run directory whose model file is `model` (linked), otherwise the good run's. */
function runWith(dir: string, model: string | null, complete = true): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(run, "config.json"), path.join(dir, "config.json"));
  if (complete) fs.copyFileSync(path.join(run, "run.json"), path.join(dir, "run.json"));
  if (model) fs.symlinkSync(model, path.join(dir, "model.safetensors"));
  return dir;
}

/** The manifest rows of a curation folder, by id. */
const rowsById = (dir: string) => new Map(readManifest(dir).map((r) => [r.id, r]));

/**
 * Who runs a case that needs permissions to apply: this user ({}), or as root (to whom they do not apply) the
 * user 'nobody'; undefined when running as root and there is no such user.
 */
function unprivileged(): { uid?: number } | undefined {
  if (process.getuid?.() !== 0) return {};
  const r = spawnSync("id", ["-u", "nobody"], { encoding: "utf8" });
  return r.status === 0 ? { uid: Number(r.stdout.trim()) } : undefined;
}

interface Case {
  name: string;
  /** Prepares the case's own folder `w` (an earlier output, a lock); runs before the command. */
  setup?: (w: string) => void;
  args: (w: string) => string[];
  exit: 0 | 1 | 2;
  /** What stderr must say: the file or option, and the cause. */
  says: (w: string) => RegExp[];
  /** Paths that must exist afterwards, and paths that must not (absolute, or relative to `w`). */
  left?: (w: string) => string[];
  gone?: (w: string) => string[];
  /** Further checks of what is on disk. */
  check?: (w: string, r: Result) => void;
  /** Lock or temporary files the case leaves on purpose (another writer's lock), relative to `w`. */
  keeps?: string[];
  /** Run as a user without write permission where a read-only folder is made (see unprivileged()). */
  asUser?: boolean;
}

const mosaicArgs = (swap: Partial<Record<string, string>> = {}) =>
  BANDS.flatMap((b) => ["--mosaic", `${b}=${swap[b] ?? c.mosaics[b]}`]);

interface CurateArgs {
  catalog?: string;
  swap?: Partial<Record<string, string>>;
  out?: string;
  extra?: string[];
  pixels?: boolean;
}

const curateArgs = (w: string, o: CurateArgs = {}) => [
  "curate",
  "--catalog",
  o.catalog ?? c.catalog,
  ...(o.pixels === false ? [] : ["--pixels", "fits"]),
  "--field",
  FIELD,
  ...mosaicArgs(o.swap),
  "--size",
  "16",
  "--out",
  o.out ?? path.join(w, "out"),
  ...(o.extra ?? []),
];

/** classify of a catalog and mosaics at the models' stamp size (32 px). */
const classifyArgs = (w: string, o: CurateArgs & { models?: string } = {}) => [
  "classify",
  "--models",
  o.models ?? run,
  "--catalog",
  o.catalog ?? c.catalog,
  "--pixels",
  "fits",
  "--field",
  FIELD,
  ...mosaicArgs(o.swap),
  "--out",
  o.out ?? path.join(w, "c.csv"),
  ...(o.extra ?? []),
];

const classifyStamps = (w: string, models: string, data = c.data) => [
  "classify",
  "--models",
  models,
  "--stamps",
  data,
  "--out",
  path.join(w, "c.csv"),
];
const evaluateArgs = (runDir: string, data = c.data) => [
  "evaluate",
  "--runs",
  runDir,
  "--data",
  data,
  "--split",
  "all",
];
const trainArgs = (w: string, extra: string[] = [], data = c.data) => [
  "train",
  "--data",
  data,
  "--arch",
  "resnet18",
  "--profile",
  "smoke",
  "--batches",
  "2",
  "--out",
  path.join(w, "run"),
  ...extra,
];

/** A table's rows as objects (the classify CSV). */
function readTable(file: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(fs.readFileSync(file, "utf8"), file);
  return rows.map(({ cells }) => Object.fromEntries(head.cells.map((h, i) => [h, cells[i]])));
}

/** Every classified row has finite probabilities summing to 1 and a class; dropped rows have none. */
function assertHonestTable(file: string): Record<string, string>[] {
  const rows = readTable(file);
  for (const r of rows) {
    const p = [1, 2, 3, 4].map((k) => Number(r[`p${k}_mean`]));
    if (r.status === "classified") {
      assert.ok(p.every(Number.isFinite) && Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-4, `${r.id}: ${p}`);
      assert.match(r.class_mean, /^[1-4]$/);
    } else assert.equal(r.class_mean, "", `${r.id}: a dropped object has no class`);
  }
  return rows;
}

/** A lock file's content naming a holder. */
const holder = (pid: number, host = os.hostname()) =>
  JSON.stringify({ pid, host, command: "curate", since: "2026-01-01T00:00:00.000Z" }) + "\n";

// ---------------------------------------------------------------------------------------------------------------
// The cases, by what is broken.

/** One band's mosaic replaced by a broken FITS file: curate refuses before writing anything. */
const FITS_CASES: [string, string, (f: string) => RegExp][] = [
  [
    "truncated data",
    "truncated",
    (f) =>
      new RegExp(
        `${esc(f)} HDU 0: data need 32000 bytes from byte 2880 .* but the file ends at byte 6880: the file is truncated`,
      ),
  ],
  [
    "shorter than one header block",
    "short",
    (f) => lit(`${f}: not a FITS file (1000 bytes, less than one 2880-byte header block)`),
  ],
  ["no END card", "no-end", (f) => new RegExp(`${esc(f)} HDU 0: header starting at byte 0 has no END card`)],
  ["BITPIX 12", "bitpix-12", (f) => new RegExp(`${esc(f)} HDU 0: invalid BITPIX 12 \\(must be one of`)],
  [
    "BSCALE a string",
    "bscale-string",
    (f) => new RegExp(`${esc(f)} HDU 0: card BSCALE = 'abc' is not a non-zero finite number`),
  ],
  ["BSCALE 0", "bscale-zero", (f) => new RegExp(`${esc(f)} HDU 0: card BSCALE = 0 is not a non-zero finite number`)],
  [
    "BSCALE 1E400 (infinite)",
    "bscale-inf",
    (f) => new RegExp(`${esc(f)} HDU 0: card BSCALE = Infinity is not a non-zero finite number`),
  ],
  [
    "BZERO -1E400 (infinite)",
    "bzero-inf",
    (f) => new RegExp(`${esc(f)} HDU 0: card BZERO = -Infinity is not a finite number`),
  ],
  [
    "non-integer BLANK on integer data",
    "blank-float",
    (f) => new RegExp(`${esc(f)} HDU 0: card BLANK = 1\\.5 is not an integer`),
  ],
  ["NAXIS1 a string", "naxis1-string", (f) => new RegExp(`${esc(f)} HDU 0: card NAXIS1 = '100' is not an integer`)],
  ["NAXIS2 negative", "naxis2-negative", (f) => new RegExp(`${esc(f)} HDU 0: NAXIS2 = -80 is negative`)],
  ["a 0-byte file", "empty", (f) => new RegExp(`${esc(f)}: not a FITS file \\(0 bytes`)],
  ["a text file", "text", (f) => new RegExp(`${esc(f)}: not a FITS file \\(it does not start with 'SIMPLE`)],
  ["trailing garbage", "trailing-garbage", (f) => new RegExp(`${esc(f)}: unexpected bytes at byte 37440 after HDU 0`)],
  [
    "another pixel grid",
    "other-grid",
    (f) => lit(`${f} HDU 0: the F336W mosaic is 60 x 40 pixels but the F275W mosaic ${c.mosaics.F275W} is 100 x 80`),
  ],
  ["a 3-D cube", "cube", (f) => new RegExp(`${esc(f)} HDU 0: a mosaic must be a 2-D image, this one is 2 x 2 x 2`)],
  ["a folder", "folder", (f) => new RegExp(`${esc(f)}: is a folder; a FITS file was expected`)],
  ["a missing file", "missing", (f) => new RegExp(`${esc(f)}: no such file \\(the F336W mosaic of T\\)`)],
];

const fitsCases: Case[] = FITS_CASES.map(([name, key, message]) => ({
  name: `curate, F336W mosaic ${name}`,
  args: (w) => curateArgs(w, { swap: { F336W: c.fits[key] } }),
  exit: 1,
  says: () => [message(c.fits[key])],
  gone: () => ["out"],
}));

const fitsCommandCases: Case[] = [
  ...(["truncated", "no-end", "folder", "empty"] as const).map(
    (key): Case => ({
      name: `fits info, ${key} file`,
      args: () => ["fits", "info", c.fits[key]],
      exit: 1,
      says: () => [named(c.fits[key]), /truncated|no END card|is a folder|not a FITS file/],
    }),
  ),
  {
    name: "fits cutout --size 100000",
    args: (w) => [
      "fits",
      "cutout",
      c.mosaics.F275W,
      "--x",
      "50",
      "--y",
      "40",
      "--size",
      "100000",
      "--out",
      path.join(w, "cut.fits"),
    ],
    exit: 1,
    says: () => [
      lit(
        `${c.mosaics.F275W} HDU 0: a 100000 x 100000 cutout is far larger than the 100 x 80 image; a side of at most 200`,
      ),
    ],
    gone: () => ["cut.fits"],
  },
  {
    name: "fits cutout of a truncated file",
    args: (w) => [
      "fits",
      "cutout",
      c.fits.truncated,
      "--x",
      "50",
      "--y",
      "40",
      "--size",
      "10",
      "--out",
      path.join(w, "cut.fits"),
    ],
    exit: 1,
    says: () => [named(c.fits.truncated), /the file is truncated/],
    gone: () => ["cut.fits"],
  },
  {
    name: "fits cutout --out the input file",
    args: () => ["fits", "cutout", c.mosaics.F275W, "--x", "50", "--y", "40", "--out", c.mosaics.F275W],
    exit: 2,
    says: () => [/--out must differ from the input file/],
  },
];

/** Nothing kept: exit 1, the manifest says why per object, and the curation is not marked complete. */
const notComplete = (w: string) => assert.equal(curationJson(path.join(w, "out")).complete, false);

const catalogCases: Case[] = [
  {
    name: "curate, an empty LEGUS .tab",
    args: (w) => curateArgs(w, { catalog: c.catalogs["empty.tab"], extra: ["--class-column", "34"] }),
    exit: 1,
    says: () => [named(c.catalogs["empty.tab"]), /nothing curated \(.*no usable row/],
    left: () => ["out/manifest.csv"],
    check: notComplete,
  },
  {
    name: "curate, a header-only CSV",
    args: (w) => curateArgs(w, { catalog: c.catalogs["header-only.csv"] }),
    exit: 1,
    says: () => [named(c.catalogs["header-only.csv"]), /nothing curated \(.*no usable row/],
    left: () => ["out/manifest.csv"],
    check: notComplete,
  },
  {
    name: "curate, a binary file as a LEGUS catalog",
    args: (w) => curateArgs(w, { catalog: c.catalogs["binary.tab"], extra: ["--class-column", "34"] }),
    exit: 1,
    says: () => [
      new RegExp(`${esc(c.catalogs["binary.tab"])}: \\d+ bad row\\(s\\), not curated`),
      /columns, expected at least 34/,
      /nothing curated/,
    ],
    left: () => ["out/manifest.csv"],
    check: notComplete,
  },
  {
    name: "curate, a binary file as a CSV catalog",
    args: (w) => curateArgs(w, { catalog: c.catalogs["binary.csv"] }),
    exit: 1,
    says: () => [
      new RegExp(
        `${esc(c.catalogs["binary.csv"])}: CSV header lacks column\\(s\\) id, class, and a position \\(x, y, or RA/Dec`,
      ),
      // The binary header's bytes are escaped, not echoed raw.
      /\(have: [\x20-\x7e]*\)\n/,
    ],
    gone: () => ["out"],
  },
  {
    name: "curate, --class-column 999",
    args: (w) => curateArgs(w, { catalog: c.catalogs["legus.tab"], extra: ["--class-column", "999"] }),
    exit: 1,
    says: () => [
      lit(`${c.catalogs["legus.tab"]}: 6 bad row(s)`),
      lit("34 columns, expected at least 999 (class in column 999)"),
      /nothing curated/,
    ],
    left: () => ["out/manifest.csv"],
    check: notComplete,
  },
  {
    name: "curate, --class-column 3",
    args: (w) => curateArgs(w, { catalog: c.catalogs["legus.tab"], extra: ["--class-column", "3"] }),
    exit: 2,
    says: () => [/--class-column/],
    gone: () => ["out"],
  },
  {
    name: "curate, a LEGUS catalog of an unknown field whose content does not tell the class column",
    args: (w) => curateArgs(w, { catalog: c.catalogs["legus-ambiguous.tab"] }),
    exit: 2,
    says: () => [
      lit(`${c.catalogs["legus-ambiguous.tab"]}: field T has no default class column and its content does not tell`),
      /the class column is 34 or 35; pass --class-column/,
    ],
    gone: () => ["out"],
  },
  {
    name: "curate, a plain CSV without --pixels",
    args: (w) => curateArgs(w, { pixels: false }),
    exit: 2,
    says: () => [
      new RegExp(`${esc(c.catalog)}: plain CSV catalogs need the pixel convention of x, y.*; pass --pixels`),
    ],
    gone: () => ["out"],
  },
  {
    name: "curate, a catalog whose format the extension does not tell",
    args: (w) => curateArgs(w, { catalog: c.catalogs["catalog.xyz"] }),
    exit: 2,
    says: () => [
      lit(`${c.catalogs["catalog.xyz"]}: cannot tell the catalog format from the extension '.xyz'`),
      /; pass --catalog-format/,
    ],
    gone: () => ["out"],
  },
  {
    name: "curate, a 2 MB catalog value is cut short in messages and curation.json",
    args: (w) => curateArgs(w, { catalog: c.catalogs["huge-value.csv"] }),
    exit: 0,
    says: () => [
      lit(`${c.catalogs["huge-value.csv"]}: 1 bad row(s)`),
      lit(`line 3: position (${"9".repeat(40)}... (2000000 characters), 30) is not a pair of finite numbers`),
    ],
    check: (w, r) => {
      assert.ok(r.stderr.length < 4000, `stderr holds ${r.stderr.length} characters`);
      assert.ok(
        fs.statSync(path.join(w, "out", "curation.json")).size < 20000,
        "curation.json holds the value in full",
      );
      assert.equal(curationJson(path.join(w, "out")).complete, true);
    },
  },
  {
    name: "curate, class values 7, -1 and 2.5 are warned about and curated as unclassified",
    args: (w) => curateArgs(w, { catalog: c.catalogs["odd-classes.csv"] }),
    exit: 0,
    says: () => [
      lit(
        `${c.catalogs["odd-classes.csv"]}: 3 class value(s) that are not 0-4 (line 2: '7', line 3: '-1', line 4: '2.5'); ` +
          "curated as unclassified",
      ),
    ],
    check: (w) =>
      assert.deepEqual(
        readManifest(path.join(w, "out")).map((r) => r.class),
        [null, null, null, 1],
      ),
  },
  {
    name: "curate, every object outside the mosaics",
    args: (w) => curateArgs(w, { catalog: c.catalogs["outside.csv"] }),
    exit: 1,
    says: (w) => [
      lit(
        `${path.join(w, "out")}: nothing curated (all 2 object(s) dropped: outside 2; each one's reason is in manifest.csv); ` +
          "the curation is not marked complete",
      ),
    ],
    check: (w) => {
      notComplete(w);
      assert.deepEqual(
        readManifest(path.join(w, "out")).map((r) => r.reason),
        Array(2).fill("position outside the 100 x 80 mosaic"),
      );
    },
  },
  {
    name: "curate, a catalog row of another field",
    args: (w) => curateArgs(w, { catalog: c.catalogs["other-field.csv"] }),
    exit: 1,
    says: () => [
      new RegExp(`${esc(c.catalogs["other-field.csv"])}: line 3 is in field U, not T; curate one field per catalog`),
    ],
    gone: () => ["out"],
  },
  {
    name: "curate, a class that is not a number",
    args: (w) => curateArgs(w, { catalog: c.catalogs["class-text.csv"] }),
    exit: 0,
    says: () => [
      lit(
        `${c.catalogs["class-text.csv"]}: 1 bad row(s), not curated (no manifest row):\n  line 2: class 'abc' is not a number`,
      ),
    ],
    check: (w) =>
      assert.deepEqual(
        readManifest(path.join(w, "out")).map((r) => r.id),
        ["2"],
      ),
  },
  {
    name: "curate, a CSV without a class column",
    args: (w) => curateArgs(w, { catalog: c.catalogs["no-class-column.csv"] }),
    exit: 1,
    says: () => [
      new RegExp(
        `${esc(c.catalogs["no-class-column.csv"])}: CSV header lacks column\\(s\\) class \\(have: id, x, y\\)`,
      ),
    ],
    gone: () => ["out"],
  },
  {
    name: "curate, a folder as the catalog",
    args: (w) => curateArgs(w, { catalog: c.catalogs["folder.tab"], extra: ["--class-column", "34"] }),
    exit: 1,
    says: () => [new RegExp(`${esc(c.catalogs["folder.tab"])}: is a folder; a catalog file was expected`)],
    gone: () => ["out"],
  },
  {
    name: "curate, a missing catalog",
    args: (w) => curateArgs(w, { catalog: c.catalogs["missing.tab"], extra: ["--class-column", "34"] }),
    exit: 1,
    says: () => [new RegExp(`${esc(c.catalogs["missing.tab"])}: no such file \\(the catalog of T\\)`)],
    gone: () => ["out"],
  },
  {
    name: "catalog summary, a catalog whose format the extension does not tell",
    args: () => ["catalog", "summary", c.catalogs["catalog.xyz"]],
    exit: 2,
    says: () => [named(c.catalogs["catalog.xyz"]), /pass --catalog-format/],
  },
];

/** The good field curated once into w/out (16 px stamps). */
const curateGood = (w: string, extra: string[] = []) => {
  const r = starcluster(curateArgs(w, { extra }));
  assert.equal(r.status, 0, r.stderr);
};

const outputCases: Case[] = [
  {
    name: "curate into a folder holding other files",
    setup: (w) => {
      fs.mkdirSync(path.join(w, "out"));
      fs.writeFileSync(path.join(w, "out", "notes.txt"), "mine\n");
    },
    args: (w) => curateArgs(w),
    exit: 1,
    says: (w) => [
      new RegExp(`${esc(path.join(w, "out"))}: not empty and not a curation folder \\(no curation\\.json\\)`),
    ],
    check: (w) => assert.deepEqual(fs.readdirSync(path.join(w, "out")), ["notes.txt"]),
  },
  {
    name: "curate resumed with another --size",
    setup: (w) => curateGood(w),
    args: (w) => curateArgs(w, { extra: ["--size", "20"] }),
    exit: 1,
    says: (w) => [
      lit(`${path.join(w, "out")}: holds a curation with other settings or inputs (was: size 16; now: size 20)`),
    ],
    check: (w) => {
      const out = path.join(w, "out");
      assert.equal(curationJson(out).complete, true);
      assert.equal(curationJson(out).size, 16);
      for (const r of readManifest(out)) assert.equal(readStamp(path.join(out, r.stamp!)).size, 16);
    },
  },
  ...(
    [
      ["truncated", 3000],
      ["0-byte", 0],
    ] as const
  ).map(
    ([what, bytes]): Case => ({
      name: `curate resumed over a ${what} stamp writes it again`,
      setup: (w) => {
        curateGood(w);
        fs.truncateSync(path.join(w, "out", "stamps", FIELD, "2.fits"), bytes);
      },
      args: (w) => curateArgs(w),
      exit: 0,
      says: (w) => [
        lit(
          `${path.join(w, "out")}: 1 damaged stamp(s) (truncated, empty or of another size) written again, e.g. stamps/T/2.fits`,
        ),
      ],
      check: (w, r) => {
        assert.match(r.stdout, /5 already there/);
        assert.equal(readStamp(path.join(w, "out", "stamps", FIELD, "2.fits")).size, 16);
      },
    }),
  ),
  {
    name: "curate resumed after a killed writer removes its temporary file",
    setup: (w) => {
      curateGood(w);
      fs.writeFileSync(path.join(w, "out", `.manifest.csv.99999999.${Date.now()}.tmp`), "half");
      fs.writeFileSync(path.join(w, "out", "stamps", FIELD, ".3.fits.99999999.tmp"), "half");
    },
    args: (w) => curateArgs(w),
    exit: 0,
    says: () => [],
    check: (w) => assert.deepEqual(strays(path.join(w, "out")), []),
  },
  {
    name: "curate --out naming a file",
    setup: (w) => fs.writeFileSync(path.join(w, "out"), "a file\n"),
    args: (w) => curateArgs(w),
    exit: 1,
    says: (w) => [new RegExp(`error: ${esc(path.join(w, "out"))}: is a file; this output is a folder`)],
    check: (w) => assert.equal(fs.readFileSync(path.join(w, "out"), "utf8"), "a file\n"),
  },
  {
    name: "curate --out under a read-only folder",
    asUser: true,
    setup: (w) => fs.mkdirSync(path.join(w, "ro"), { mode: 0o555 }),
    args: (w) => curateArgs(w, { out: path.join(w, "ro", "out") }),
    exit: 1,
    says: (w) => [named(path.join(w, "ro", "out")), /permission denied/],
    gone: () => ["ro/out"],
  },
  {
    name: "curate into a folder another live writer holds",
    setup: (w) => {
      fs.mkdirSync(path.join(w, "out"));
      fs.writeFileSync(path.join(w, "out", ".starcluster.lock"), holder(process.pid));
    },
    args: (w) => curateArgs(w),
    exit: 1,
    says: (w) => [
      lit(
        `${path.join(w, "out")}: another writer is using this output ('curate', pid ${process.pid} on ${os.hostname()}`,
      ),
      /; wait for it to finish$/m,
    ],
    keeps: ["out/.starcluster.lock"],
    check: (w) => assert.deepEqual(fs.readdirSync(path.join(w, "out")), [".starcluster.lock"]),
  },
  {
    name: "curate into a folder locked from another host",
    setup: (w) => {
      fs.mkdirSync(path.join(w, "out"));
      fs.writeFileSync(path.join(w, "out", ".starcluster.lock"), holder(1, "elsewhere.example.org"));
    },
    args: (w) => curateArgs(w),
    exit: 1,
    says: (w) => [
      lit("another writer is using this output ('curate', pid 1 on elsewhere.example.org"),
      lit(`wait for it to finish, or remove ${path.join(w, "out", ".starcluster.lock")} if that job is gone`),
    ],
    keeps: ["out/.starcluster.lock"],
  },
  {
    name: "curate takes over the lock of a writer that died",
    setup: (w) => {
      const dead = spawnSync(process.execPath, ["-e", ""]).pid;
      fs.mkdirSync(path.join(w, "out"));
      fs.writeFileSync(path.join(w, "out", ".starcluster.lock"), holder(dead));
    },
    args: (w) => curateArgs(w),
    exit: 0,
    says: () => [],
    check: (w) => assert.equal(curationJson(path.join(w, "out")).complete, true),
  },
];

const pixelCases: Case[] = [
  {
    name: "curate, a +Inf pixel in one band drops that object only",
    args: (w) => curateArgs(w, { swap: { F336W: c.fits["inf-pixel"] } }),
    exit: 0,
    says: () => [],
    check: (w) => {
      const rows = rowsById(path.join(w, "out"));
      assert.equal(rows.get("2")!.status, "dropped");
      assert.equal(
        rows.get("2")!.reason,
        "pixels without data in the stamp (NaN, infinite or beyond a footprint edge): F336W 1",
      );
      assert.equal([...rows.values()].filter((r) => r.status === "kept").length, 5);
    },
  },
  {
    name: "curate, a NaN pixel in one band drops that object only",
    args: (w) => curateArgs(w, { swap: { F336W: c.fits["nan-pixel"] } }),
    exit: 0,
    says: () => [],
    check: (w) =>
      assert.equal(
        rowsById(path.join(w, "out")).get("3")!.reason,
        "pixels without data in the stamp (NaN, infinite or beyond a footprint edge): F336W 1",
      ),
  },
  {
    name: "curate --pad, a -Inf pixel is zero-padded, never kept as -Inf",
    args: (w) => curateArgs(w, { swap: { F336W: c.fits["minus-inf-pixel"] }, extra: ["--pad"] }),
    exit: 0,
    says: () => [],
    check: (w) => {
      const out = path.join(w, "out");
      const row = rowsById(out).get("1")!;
      assert.equal(row.status, "kept");
      assert.equal(row.reason, "zero-padded pixels without data: F336W 1");
      assert.ok(readStamp(path.join(out, row.stamp!)).bands.every(Number.isFinite));
    },
  },
  {
    name: "curate, an all-Inf band is a band without coverage: zero-filled and said so",
    args: (w) => curateArgs(w, { swap: { F275W: c.fits["all-inf"] } }),
    exit: 0,
    says: () => [],
    check: (w) => {
      const out = path.join(w, "out");
      for (const row of readManifest(out)) {
        assert.equal(row.missingBand, "F275W");
        assert.equal(row.reason, "F275W without coverage: zero-filled");
        const stamp = readStamp(path.join(out, row.stamp!));
        assert.ok(stamp.bands.subarray(0, 256).every((v) => v === 0) && stamp.bands.every(Number.isFinite));
      }
    },
  },
  {
    name: "classify, a +Inf pixel drops that object with the reason; the others get finite probabilities",
    args: (w) => classifyArgs(w, { swap: { F336W: c.fits["inf-pixel"] } }),
    exit: 0,
    says: () => [],
    check: (w) => {
      const rows = assertHonestTable(path.join(w, "c.csv"));
      assert.deepEqual(
        rows.map((r) => r.status),
        ["classified", "dropped", "classified", "classified", "classified", "classified"],
      );
      assert.match(rows[1].reason, /NaN, infinite/);
    },
  },
  {
    name: "classify, an all-Inf band is zero-filled and named in missing_band",
    args: (w) => classifyArgs(w, { swap: { F275W: c.fits["all-inf"] } }),
    exit: 0,
    says: () => [],
    check: (w) =>
      assert.ok(
        assertHonestTable(path.join(w, "c.csv")).every((r) => r.status === "classified" && r.missing_band === "F275W"),
      ),
  },
  {
    name: "classify, a mosaic whose BSCALE is infinite",
    args: (w) => classifyArgs(w, { swap: { F438W: c.fits["bscale-inf"] } }),
    exit: 1,
    says: () => [
      new RegExp(`${esc(c.fits["bscale-inf"])} HDU 0: card BSCALE = Infinity is not a non-zero finite number`),
    ],
    gone: () => ["c.csv", "c.csv.partial.jsonl"],
  },
  {
    name: "classify, a mosaic with a non-integer BLANK",
    args: (w) => classifyArgs(w, { swap: { F555W: c.fits["blank-float"] } }),
    exit: 1,
    says: () => [new RegExp(`${esc(c.fits["blank-float"])} HDU 0: card BLANK = 1\\.5 is not an integer`)],
    gone: () => ["c.csv", "c.csv.partial.jsonl"],
  },
  {
    name: "train, a curated stamp holding NaN",
    args: (w) => trainArgs(w, [], c.nanStamp),
    exit: 1,
    says: () => [new RegExp(`${esc(path.join(c.nanStamp, "stamps", "TESTFIELD", "5.fits"))}.*NaN`)],
    gone: () => ["run"],
  },
  {
    name: "evaluate, a curated stamp holding NaN",
    args: () => evaluateArgs(run, c.nanStamp),
    exit: 1,
    says: () => [new RegExp(`${esc(path.join(c.nanStamp, "stamps", "TESTFIELD", "5.fits"))}.*NaN`)],
  },
  {
    name: "train, a curated stamp whose BSCALE is 0",
    args: (w) => trainArgs(w, [], c.badHeader),
    exit: 1,
    says: () => [
      lit(
        `${path.join(c.badHeader, "stamps", "TESTFIELD", "7.fits")} HDU 1 (F275W): card BSCALE = 0 is not a non-zero finite`,
      ),
    ],
    gone: () => ["run"],
  },
  {
    name: "evaluate, a curated stamp whose BSCALE is 0",
    args: () => evaluateArgs(run, c.badHeader),
    exit: 1,
    says: () => [
      new RegExp(
        `${esc(path.join(c.badHeader, "stamps", "TESTFIELD", "7.fits"))} HDU 1 \\(F275W\\): card BSCALE = 0 is not`,
      ),
    ],
  },
  {
    name: "classify, a curated stamp whose BSCALE is 0",
    args: (w) => classifyStamps(w, run, c.badHeader),
    exit: 1,
    says: () => [
      new RegExp(
        `${esc(path.join(c.badHeader, "stamps", "TESTFIELD", "7.fits"))} HDU 1 \\(F275W\\): card BSCALE = 0 is not`,
      ),
    ],
    gone: () => ["c.csv", "c.csv.partial.jsonl"],
  },
  {
    name: "classify, a curated stamp holding NaN",
    args: (w) => classifyStamps(w, run, c.nanStamp),
    exit: 1,
    says: () => [new RegExp(`${esc(path.join(c.nanStamp, "stamps", "TESTFIELD", "5.fits"))}.*NaN`)],
    gone: () => ["c.csv"],
  },
];

/** Model files that must be refused, the file named with the cause. */
const MODEL_CASES: [string, string, (f: string) => RegExp][] = [
  [
    "a NaN weight",
    "nan-weight",
    (f) => lit(`error: ${f}: tensor '${NAN_TENSOR}' holds NaN at index 0: weights must be finite numbers`),
  ],
  [
    "an infinite weight",
    "inf-weight",
    (f) => lit(`error: ${f}: tensor '${INF_TENSOR}' holds Infinity at index 0: weights must be finite`),
  ],
  [
    "weights that overflow (3e38)",
    "huge-weight",
    (f) => lit(`${f}: the model gives a non-finite class probability (NaN); its weights overflow`),
  ],
  ["a corrupted header", "bad-json", (f) => new RegExp(`${esc(f)}: not a valid safetensors file: header is not JSON`)],
  [
    "a truncated file",
    "truncated",
    (f) =>
      new RegExp(
        `${esc(f)}: not a valid safetensors file: tensors need \\d+ data bytes but the file has \\d+ \\(truncated\\?\\)`,
      ),
  ],
];

const modelCases: Case[] = [
  ...MODEL_CASES.map(
    ([what, key, message]): Case => ({
      name: `classify, a model with ${what}`,
      args: (w) => classifyStamps(w, models[key]),
      exit: 1,
      says: () => [message(models[key])],
      gone: () => ["c.csv", "c.csv.partial.jsonl"],
    }),
  ),
  ...MODEL_CASES.map(
    ([what, key, message]): Case => ({
      name: `evaluate, a run whose model has ${what}`,
      setup: (w) => runWith(path.join(w, "run"), models[key]),
      args: (w) => evaluateArgs(path.join(w, "run")),
      exit: 1,
      says: (w) => [message(path.join(w, "run", "model.safetensors"))],
      gone: () => ["run/predictions"],
    }),
  ),
  ...(
    [
      ["a 0-byte file", "empty", /not a valid safetensors file: 0 bytes, shorter than the 8-byte header length/],
      ["a text file", "text", /not a valid safetensors file: header length \d+ exceeds the \d+ bytes after it/],
      ["a training checkpoint", "checkpoint", /a training checkpoint, not a finished model/],
      ["a safetensors file of another program", "foreign", /not a starcluster model \(format 'pytorch'\)/],
      [
        "a model without its input spec",
        "no-input-spec",
        /records no input spec \(bands, stamp size, input size, rescaling\)/,
      ],
    ] as const
  ).map(
    ([what, key, cause]): Case => ({
      name: `classify, ${what} as the model`,
      args: (w) => classifyStamps(w, models[key]),
      exit: 1,
      says: () => [new RegExp(`${esc(models[key])}: ${cause.source}`)],
      gone: () => ["c.csv", "c.csv.partial.jsonl"],
    }),
  ),
  {
    name: "classify, --models naming nothing",
    args: (w) => classifyStamps(w, path.join(w, "nothing")),
    exit: 1,
    says: (w) => [new RegExp(`${esc(path.join(w, "nothing"))}: no such file or folder \\(--models\\)`)],
    gone: () => ["c.csv"],
  },
  {
    name: "classify, a run that did not finish",
    setup: (w) => runWith(path.join(w, "run"), run + "/model.safetensors", false),
    args: (w) => classifyStamps(w, path.join(w, "run")),
    exit: 1,
    says: (w) => [
      lit(`${path.join(w, "run")}: no trained model found`),
      lit(`${path.join(w, "run")}: training not complete (no run.json)`),
    ],
    gone: () => ["c.csv"],
  },
  {
    name: "evaluate, a run that did not finish",
    setup: (w) => runWith(path.join(w, "run"), null, false),
    args: (w) => evaluateArgs(path.join(w, "run")),
    exit: 1,
    says: (w) => [
      new RegExp(`${esc(path.join(w, "run"))}: not a complete training run \\(no run\\.json; train it first\\)`),
    ],
  },
];

const trainCases: Case[] = [
  {
    name: "train, a curation that kept nothing",
    args: (w) => trainArgs(w, [], c.empty),
    exit: 1,
    says: () => [named(c.empty), /no training objects .*nothing to train/],
    gone: () => ["run", path.join(c.empty, "split.json")],
  },
  {
    name: "train, a folder that is not a curation",
    args: (w) => trainArgs(w, [], path.dirname(c.catalog)),
    exit: 1,
    says: () => [
      new RegExp(
        `${esc(path.join(path.dirname(c.catalog), "manifest.csv"))}: no such file \\(is .* a curation folder\\?\\)`,
      ),
    ],
    gone: () => ["run"],
  },
  {
    name: "train, an unknown --profile",
    args: (w) => [...trainArgs(w).filter((a) => a !== "smoke" && a !== "--profile"), "--profile", "nonexistent"],
    exit: 2,
    says: () => [
      /--profile: unknown training profile 'nonexistent' \(built in: paper, cpu, quick, smoke; or a path to a \.json file\)/,
    ],
    gone: () => ["run"],
  },
  {
    name: "train, a profile file that is not JSON",
    setup: (w) => fs.writeFileSync(path.join(w, "mine.json"), "{ inputSize: 32"),
    args: (w) => [
      "train",
      "--data",
      c.data,
      "--arch",
      "resnet18",
      "--profile",
      path.join(w, "mine.json"),
      "--out",
      path.join(w, "run"),
    ],
    exit: 1,
    says: (w) => [new RegExp(`${esc(path.join(w, "mine.json"))}: not valid JSON`)],
    gone: () => ["run"],
  },
  {
    name: "train, --weights with a NaN weight",
    args: (w) => trainArgs(w, ["--weights", models["weights-nan"]]),
    exit: 1,
    says: () => [new RegExp(`${esc(models["weights-nan"])}: tensor 'conv1\\.weight' holds NaN at index 0`)],
    gone: () => ["run"],
  },
  {
    name: "train, resuming from a checkpoint with a NaN weight",
    setup: (w) => {
      runWith(path.join(w, "run"), null, false);
      fs.copyFileSync(models["checkpoint-nan"], path.join(w, "run", "checkpoint.safetensors"));
    },
    args: (w) => trainArgs(w),
    exit: 1,
    says: (w) => [
      new RegExp(
        `${esc(path.join(w, "run", "checkpoint.safetensors"))}: tensor 'model\\.${esc(NAN_TENSOR)}' holds NaN`,
      ),
    ],
    gone: () => ["run/model.safetensors", "run/run.json"],
  },
  {
    name: "train into a run of other settings",
    setup: (w) => runWith(path.join(w, "run"), null, false),
    args: (w) => trainArgs(w, ["--seed", "1"]),
    exit: 1,
    says: (w) => [
      new RegExp(
        `${esc(path.join(w, "run"))}: holds a run with different settings \\(seed: 0 -> 1, .*; use another --out`,
      ),
    ],
    check: (w) => {
      const config = (dir: string) => fs.readFileSync(path.join(dir, "config.json"), "utf8");
      assert.equal(config(path.join(w, "run")), config(run), "config.json untouched");
    },
    gone: () => ["run/model.safetensors", "run/metrics.jsonl"],
  },
  {
    name: "train into a finished run of other settings",
    setup: (w) => {
      runWith(path.join(w, "run"), path.join(run, "model.safetensors"));
    },
    args: (w) => trainArgs(w, ["--seed", "1"]),
    exit: 1,
    says: (w) => [
      new RegExp(`${esc(path.join(w, "run"))}: holds a finished run with different settings \\(seed: 0 -> 1`),
    ],
    check: (w) =>
      assert.ok(
        fs.lstatSync(path.join(w, "run", "model.safetensors")).isSymbolicLink(),
        "the finished run is left as it was",
      ),
  },
];

const classifyCases: Case[] = [
  {
    name: "classify --out naming a folder",
    setup: (w) => fs.mkdirSync(path.join(w, "c.csv")),
    args: (w) => classifyStamps(w, run),
    exit: 1,
    says: (w) => [new RegExp(`${esc(path.join(w, "c.csv"))}: is a directory; --out names the table file to write`)],
    gone: () => ["c.csv.partial.jsonl"],
    check: (w) => assert.deepEqual(fs.readdirSync(path.join(w, "c.csv")), []),
  },
  {
    name: "classify --out under a read-only folder",
    asUser: true,
    setup: (w) => fs.mkdirSync(path.join(w, "ro"), { mode: 0o555 }),
    args: (w) => ["classify", "--models", run, "--stamps", c.data, "--out", path.join(w, "ro", "c.csv")],
    exit: 1,
    says: (w) => [
      new RegExp(
        `${esc(path.join(w, "ro", "c.csv"))}: cannot write there \\(${esc(path.join(w, "ro"))} is not writable`,
      ),
    ],
    gone: () => ["ro/c.csv", "ro/c.csv.partial.jsonl"],
  },
  {
    name: "classify --out under folders that do not exist yet",
    args: (w) => ["classify", "--models", run, "--stamps", c.data, "--out", path.join(w, "new", "deeper", "c.csv")],
    exit: 0,
    says: () => [],
    check: (w) => assert.equal(assertHonestTable(path.join(w, "new", "deeper", "c.csv")).length, 12),
    gone: () => ["new/deeper/c.csv.partial.jsonl"],
  },
  {
    name: "classify, every object outside the mosaics",
    args: (w) => classifyArgs(w, { catalog: c.catalogs["outside.csv"] }),
    exit: 1,
    says: (w) => [
      lit(
        `${path.join(w, "c.csv")}: nothing classified: all 2 object(s) dropped (2 x position outside the 100 x 80 mosaic)`,
      ),
    ],
    left: () => ["c.csv"],
    check: (w) =>
      assert.deepEqual(
        assertHonestTable(path.join(w, "c.csv")).map((r) => r.status),
        ["dropped", "dropped"],
      ),
    gone: () => ["c.csv.partial.jsonl"],
  },
  {
    name: "classify, a header-only catalog",
    args: (w) => classifyArgs(w, { catalog: c.catalogs["header-only.csv"] }),
    exit: 1,
    says: (w) => [new RegExp(`${esc(path.join(w, "c.csv"))}: nothing classified: the input holds no object`)],
    gone: () => ["c.csv.partial.jsonl"],
  },
  {
    name: "classify, a catalog whose format the extension does not tell",
    args: (w) => classifyArgs(w, { catalog: c.catalogs["catalog.xyz"] }),
    exit: 2,
    says: () => [named(c.catalogs["catalog.xyz"]), /pass --catalog-format/],
    gone: () => ["c.csv", "c.csv.partial.jsonl"],
  },
  {
    name: "classify resumed with other inputs than its progress file",
    setup: (w) =>
      fs.writeFileSync(
        path.join(w, "c.csv.partial.jsonl"),
        JSON.stringify({
          format: "starcluster-classify-partial-1",
          fingerprint: ["model other.safetensors sha256 0"],
        }) + "\n",
      ),
    args: (w) => classifyStamps(w, run),
    exit: 1,
    says: (w) => [
      lit(
        `${path.join(w, "c.csv.partial.jsonl")}: progress of a classification with other inputs ` +
          "(no longer given: model other.safetensors sha256 0; new: model model.safetensors sha256 ",
      ),
    ],
    gone: () => ["c.csv"],
    check: (w) => assert.match(fs.readFileSync(path.join(w, "c.csv.partial.jsonl"), "utf8"), /other\.safetensors/),
  },
  {
    name: "classify, a curated folder of other stamps than the model takes",
    setup: (w) => curateGood(w),
    args: (w) => ["classify", "--models", run, "--stamps", path.join(w, "out"), "--out", path.join(w, "c.csv")],
    exit: 1,
    says: (w) => [
      new RegExp(`${esc(path.join(w, "out"))}: stamps are 16 px but the models take 32 px stamps; curate at --size 32`),
    ],
    gone: () => ["c.csv", "c.csv.partial.jsonl"],
  },
  {
    name: "classify into a table another live writer holds",
    setup: (w) => fs.writeFileSync(path.join(w, ".c.csv.lock"), holder(process.pid)),
    args: (w) => classifyStamps(w, run),
    exit: 1,
    says: (w) => [
      lit(`error: ${path.join(w, "c.csv")}: another writer is using this output ('curate', pid ${process.pid} `),
      /; wait for it to finish$/m,
    ],
    keeps: [".c.csv.lock"],
    gone: () => ["c.csv", "c.csv.partial.jsonl"],
  },
];

const usageCases: Case[] = [
  { name: "an unknown command", args: () => ["frobnicate"], exit: 2, says: () => [/unknown command 'frobnicate'/] },
  {
    name: "an unknown option",
    args: (w) => [...curateArgs(w), "--colour", "red"],
    exit: 2,
    says: () => [/--colour/],
    gone: () => ["out"],
  },
  {
    name: "curate --size 0",
    args: (w) => [...curateArgs(w), "--size", "0"],
    exit: 2,
    says: () => [/--size/],
    gone: () => ["out"],
  },
  {
    name: "curate --size not a number",
    args: (w) => [...curateArgs(w), "--size", "big"],
    exit: 2,
    says: () => [/--size/],
    gone: () => ["out"],
  },
  {
    name: "train --arch unknown",
    args: (w) => trainArgs(w, ["--arch", "alexnet"]),
    exit: 2,
    says: () => [/--arch/, /alexnet/],
    gone: () => ["run"],
  },
  {
    name: "evaluate --split unknown",
    args: () => [...evaluateArgs(run), "--split", "half"],
    exit: 2,
    says: () => [/--split/, /half/],
  },
  {
    name: "reproduce --profile unknown",
    args: () => ["reproduce", "--profile", "nonexistent"],
    exit: 2,
    says: () => [/--profile/, /nonexistent/],
  },
  {
    name: "synth, an unknown field",
    args: (w) => ["synth", "--scale", "smoke", "--fields", "NGC9999", "--out", path.join(w, "sim")],
    exit: 2,
    says: () => [/unknown field\(s\) NGC9999/],
    gone: () => ["sim"],
  },
  {
    name: "classify without --out",
    args: () => ["classify", "--models", run, "--stamps", c.data],
    exit: 2,
    says: () => [/--out/],
  },
  {
    name: "classify, both --stamps and a catalog",
    args: (w) => [...classifyStamps(w, run), "--catalog", c.catalog],
    exit: 2,
    says: () => [/--stamps classifies a curated folder as it was curated; drop --catalog/],
    gone: () => ["c.csv"],
  },
];

const CASES: [string, Case[]][] = [
  ["FITS", fitsCases],
  ["fits commands", fitsCommandCases],
  ["catalogs", catalogCases],
  ["curation outputs", outputCases],
  ["non-finite pixels and headers", pixelCases],
  ["models", modelCases],
  ["train", trainCases],
  ["classify outputs", classifyCases],
  ["usage", usageCases],
];

before(() => {
  // Other users must reach the corpus when a case runs as one (see unprivileged()).
  fs.chmodSync(root, 0o755);
  c = makeCorpus(path.join(root, "corpus"));
  run = path.join(root, "run");
  const r = starcluster([
    "train",
    "--data",
    c.data,
    "--arch",
    "resnet18",
    "--profile",
    "smoke",
    "--batches",
    "2",
    "--out",
    run,
  ]);
  assert.equal(r.status, 0, r.stderr);
  models = makeModels(path.join(run, "model.safetensors"), path.join(root, "models"));
});

let n = 0;
for (const [group, cases] of CASES) {
  for (const k of cases) {
    const id = ++n;
    test(`${group}: ${k.name}`, (t) => {
      const w = path.join(root, "work", String(id));
      fs.mkdirSync(w, { recursive: true });
      let uid: number | undefined;
      if (k.asUser) {
        const user = unprivileged();
        if (!user)
          return t.skip("running as root and no unprivileged user ('nobody') to run as: permissions would not apply");
        uid = user.uid;
        fs.chmodSync(w, 0o755);
      }
      k.setup?.(w);
      const r = starcluster(k.args(w), uid);
      const where = `\n--- stderr:\n${r.stderr}\n--- stdout:\n${r.stdout}`;
      // CORPUS_SHOW=1 lists each case's message with the spec reporter, for reading them all at once.
      const lines = r.stderr
        .trim()
        .split("\n")
        .filter((l) => !/^\[|using backend/.test(l));
      if (process.env.CORPUS_SHOW) t.diagnostic(`exit ${r.status}: ${lines.join(" | ")}`);
      try {
        assert.equal(r.status, k.exit, `exit code${where}`);
        for (const pattern of k.says(w)) assert.match(r.stderr, pattern, `stderr${where}`);
        assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, "a message, not a stack trace");
        if (k.exit === 2) assert.match(r.stderr, /usage: starcluster|--help/, "a usage mistake shows the usage");
        if (k.exit === 1) assert.match(r.stderr, /error: /);
        for (const p of k.left?.(w) ?? []) assert.ok(fs.existsSync(abs(p)), `${p} should be there`);
        for (const p of k.gone?.(w) ?? []) assert.ok(!fs.existsSync(abs(p)), `${p} should not be there`);
        const allowed = new Set((k.keeps ?? []).map(abs));
        const left = [w, c.root, run].flatMap(strays).filter((f) => !allowed.has(f));
        assert.deepEqual(left, [], "temporary or lock files left behind");
        k.check?.(w, r);
      } finally {
        for (const p of k.keeps ?? []) fs.rmSync(abs(p), { force: true });
        if (k.asUser && fs.existsSync(path.join(w, "ro"))) fs.chmodSync(path.join(w, "ro"), 0o755); // removable again
      }
      function abs(p: string) {
        return path.isAbsolute(p) ? p : path.join(w, p);
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Two writers started at once on one output: exactly one proceeds, the other is refused naming it.

/** Asserts one of two results is a success and the other a refusal naming the winner; returns [winner, loser]. */
function oneProceeds(a: Result, b: Result, command: string, refusal?: RegExp): [Result, Result] {
  const statuses = [a.status, b.status].sort();
  assert.deepEqual(statuses, [0, 1], `exit codes ${a.status} and ${b.status}:\n${a.stderr}\n---\n${b.stderr}`);
  const [winner, loser] = a.status === 0 ? [a, b] : [b, a];
  assert.match(
    loser.stderr,
    refusal ?? new RegExp(`another writer is using this output \\('${command}', pid ${winner.pid} on `),
  );
  return [winner, loser];
}

const bigArgs = (out: string, size: string) => [
  "curate",
  "--catalog",
  c.big.catalog,
  "--pixels",
  "fits",
  "--field",
  "BIG",
  ...BANDS.flatMap((b) => ["--mosaic", `${b}=${c.big.mosaics[b]}`]),
  "--size",
  size,
  "--out",
  out,
];

test("concurrency: two identical curates into one folder: one curates, the other is refused naming it", async () => {
  const out = path.join(root, "work", "two-curates");
  const [a, b] = await Promise.all([started(bigArgs(out, "16")), started(bigArgs(out, "16"))]);
  oneProceeds(a, b, "curate");
  assert.equal(curationJson(out).complete, true);
  const rows = readManifest(out);
  assert.equal(rows.filter((r) => r.status === "kept").length, 600);
  for (const r of rows) assert.equal(readStamp(path.join(out, r.stamp!)).size, 16);
  assert.deepEqual(strays(out), []);
});

test("concurrency: two curates of different --size into one folder: stamps of one size, never mixed", async () => {
  const out = path.join(root, "work", "two-sizes");
  const [a, b] = await Promise.all([started(bigArgs(out, "16")), started(bigArgs(out, "20"))]);
  // The loser either met the winner's lock or, had the winner already finished, its other settings.
  const refused = /another writer is using this output \('curate', pid \d+|holds a curation with other settings/;
  const [winner] = oneProceeds(a, b, "curate", refused);
  const size = winner === a ? 16 : 20;
  assert.equal(curationJson(out).complete, true);
  assert.equal(curationJson(out).size, size);
  for (const r of readManifest(out)) assert.equal(readStamp(path.join(out, r.stamp!)).size, size);
  assert.deepEqual(strays(out), []);
});

test("concurrency: two trains into one run directory: one trains, the other is refused naming it", async () => {
  const out = path.join(root, "work", "two-trains");
  const args = [
    "train",
    "--data",
    c.data,
    "--arch",
    "resnet18",
    "--profile",
    "smoke",
    "--batches",
    "2",
    "--seed",
    "3",
    "--out",
    out,
  ];
  const [a, b] = await Promise.all([started(args), started(args)]);
  oneProceeds(a, b, "train");
  assert.ok(fs.existsSync(path.join(out, "run.json")));
  const metrics = fs.readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n");
  assert.deepEqual(
    metrics.map((l) => JSON.parse(l).batch),
    [1, 2],
    "one writer's metrics, not two interleaved",
  );
  assert.deepEqual(strays(out), []);
});
