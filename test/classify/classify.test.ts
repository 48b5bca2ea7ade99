// `starcluster classify` on a simulated field (the smoke NGC4656, its catalog cut to 71 objects including edge
// drops and a duplicate) with two tiny trained ResNet18 seeds: the table's columns and their ranges, agreement
// with `evaluate` on the same objects, on-the-fly curation equal to a `curate` folder, resume after kill -9,
// models loaded in turn, the FITS table, and the command's errors.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { before, test } from "node:test";
import { initBackend } from "../../lib/backend/select";
import { BANDS } from "../../lib/catalog/record";
import { classify, ClassifyOptions } from "../../lib/classify/classify";
import { partialFile } from "../../lib/classify/partial";
import { CatalogInput } from "../../lib/classify/source";
import { OUTPUT_COLUMNS, writeTable } from "../../lib/classify/table";
import { curate } from "../../lib/curate/curate";
import { readManifest } from "../../lib/curate/manifest";
import { argmax, mutualInformation } from "../../lib/evaluate/metrics";
import { DECISION_FILE } from "../../lib/evaluate/decision";
import { evaluateRuns, runPredictions } from "../../lib/evaluate/runs";
import { sha256File } from "../../lib/util/provenance";
import { writeFits } from "../../lib/io/fits";
import { synthesize } from "../../lib/simulate/synth";
import { loadProfile, Profile } from "../../lib/train/profile";
import { train } from "../../lib/train/train";
import { parseCsv } from "../../lib/util/csv";
import { killWhen, repoRoot, runReference, tempDir } from "../helpers";
import { writeCuratedFixture } from "../dataset/fixture";

const work = tempDir();
const runs = path.join(work, "runs");
const seed0 = path.join(runs, "resnet18", "seed-0");
const curated = path.join(work, "curated");
const catalog = path.join(work, "ngc4656_cut.tab");
let mosaics: CatalogInput["mosaics"] = [];
const quiet = () => {};
const LN4 = Math.log(4);

before(async () => {
  const backend = await initBackend({ backend: "wasm", log: quiet });
  const synth = path.join(work, "synth");
  const manifest = synthesize({
    out: synth,
    scale: "smoke",
    seed: 0,
    fields: ["NGC4656"],
    writeImage: (file, image) => writeFits(file, [image]),
  });
  const field = manifest.fields[0];
  const dir = path.join(synth, field.field);
  mosaics = field.images.map((image, b) => ({ filter: BANDS[b], path: path.join(dir, image) }));
  // The first 60 objects, a duplicate of the first, and the last 10 (near the top edge: dropped).
  const lines = fs.readFileSync(path.join(dir, field.catalog), "utf8").trim().split("\n");
  fs.writeFileSync(catalog, [...lines.slice(0, 60), lines[0], ...lines.slice(-10)].join("\n") + "\n");
  curate({
    out: curated,
    size: 32,
    pad: false,
    command: "test",
    jobs: [{ field: "NGC4656", catalog, mosaics, truth: path.join(dir, field.truth) }],
    warn: quiet,
  });
  // Two tiny seeds trained on 32 px stamps: they take 32 px stamps at 32 px input.
  const data = writeCuratedFixture(tempDir(), { size: 32, perClass: 5 }).dir;
  const tiny: Profile = {
    ...loadProfile("smoke"),
    name: "tiny",
    batchSize: { resnet18: 4, vgg19_bn: 2 },
    batches: { resnet18: 3, vgg19_bn: 2 },
    checkpointEvery: 3,
    logEvery: 1,
  };
  for (const seed of [0, 1])
    await train({
      data: [data],
      arch: "resnet18",
      seed,
      profile: tiny,
      out: path.join(runs, "resnet18", `seed-${seed}`),
      backend,
      log: quiet,
    });
});

type Row = Record<string, string>;
function readTable(file: string): Row[] {
  const [header, ...records] = parseCsv(fs.readFileSync(file, "utf8"), file);
  assert.deepEqual(header.cells, OUTPUT_COLUMNS);
  return records.map((r) => Object.fromEntries(header.cells.map((c, i) => [c, r.cells[i]])));
}
const run = (out: string, extra: Partial<ClassifyOptions> = {}) =>
  classify({
    models: runs,
    source: { stamps: curated },
    out: path.join(work, out),
    format: "csv",
    batchSize: 16,
    log: quiet,
    ...extra,
  });
/** Classified rows by FIELD/id (a duplicate id's later rows are dropped ones). */
const classifiedByKey = (rows: Row[]) =>
  new Map(rows.filter((r) => r.status === "classified").map((r) => [`${r.field}/${r.id}`, r]));
const p = (r: Row) => [1, 2, 3, 4].map((c) => Number(r[`p${c}_mean`]));
const cli = (args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, "bin", "starcluster.js"), "classify", ...args], {
    encoding: "utf8",
  });

test("one model on a curated folder: every object in catalog order, sane columns, evaluate's predictions and accuracy", () => {
  const result = run("one.csv", { models: seed0 });
  const rows = readTable(path.join(work, "one.csv"));
  const manifest = readManifest(curated);
  assert.deepEqual(
    rows.map((r) => r.id),
    manifest.map((m) => m.id),
  );
  assert.equal(result.rows.length, 71);
  for (const [i, r] of rows.entries()) {
    const m = manifest[i];
    assert.equal(r.status, m.status === "kept" ? "classified" : "dropped");
    assert.equal(r.reason, m.reason);
    assert.deepEqual([Number(r.x), Number(r.y)], [m.x, m.y]);
    if (r.status === "dropped") {
      assert.ok(
        OUTPUT_COLUMNS.slice(7).every((c) => r[c] === ""),
        `dropped ${r.id} has no values`,
      );
      continue;
    }
    assert.ok(Math.abs(p(r).reduce((a, b) => a + b, 0) - 1) < 1e-5, `${r.id}: probabilities sum to 1`);
    assert.ok(
      [1, 2, 3, 4].every((c) => Number(r[`p${c}_std`]) === 0),
      "one model: no spread",
    );
    assert.deepEqual([r.class_mode, r.mode_votes, r.n_models, Number(r.mutual_info)], [r.class_mean, "1", "1", 0]);
    assert.ok(Number(r.entropy) >= 0 && Number(r.entropy) <= LN4 + 1e-6);
  }
  const reasons = rows.filter((r) => r.status === "dropped").map((r) => r.reason);
  assert.ok(
    reasons.includes("stamp crosses the mosaic edge") &&
      reasons.some((s) => /^duplicate id \(first at line 1\)$/.test(s)),
    reasons.join("; "),
  );

  const options = { data: [curated], split: "all" as const };
  const e = evaluateRuns([seed0], options);
  const preds = runPredictions(seed0, options);
  const byKey = classifiedByKey(rows);
  assert.ok(preds.keys.length >= 10, `${preds.keys.length} labelled objects`);
  preds.keys.forEach((key, i) => {
    const r = byKey.get(key)!;
    assert.equal(Number(r.class_mean) - 1, preds.predicted[i], `${key}: same class as evaluate`);
    p(r).forEach((v, c) =>
      assert.ok(Math.abs(v - preds.probs[i][c]) < 1e-5, `${key} p${c + 1}: ${v} vs ${preds.probs[i][c]}`),
    );
  });
  const accuracy =
    preds.keys.filter((key, i) => Number(byKey.get(key)!.class_mean) - 1 === preds.labels[i]).length /
    preds.keys.length;
  assert.equal(accuracy, e.accuracy.mean);
});

test("two seeds: argmax of the mean as evaluate's per-run probabilities give it, the vote, spread and disagreement", () => {
  const result = run("ensemble.csv");
  assert.deepEqual(
    result.members.map((m) => m.name),
    ["resnet18/seed-0/model.safetensors", "resnet18/seed-1/model.safetensors"],
  );
  const kept = readManifest(curated).filter((m) => m.status === "kept").length;
  assert.deepEqual([result.resident, result.resumed, result.classified], [true, 0, kept]);
  const rows = readTable(path.join(work, "ensemble.csv"));
  const options = { data: [curated], split: "all" as const };
  const perRun = [seed0, path.join(runs, "resnet18", "seed-1")].map((r) => runPredictions(r, options));
  const byKey = classifiedByKey(rows);
  let agree = 0;
  perRun[0].keys.forEach((key, i) => {
    const r = byKey.get(key)!;
    const models = perRun.map((pr) => pr.probs[i]);
    const mean = [0, 1, 2, 3].map((c) => (models[0][c] + models[1][c]) / 2);
    assert.equal(Number(r.class_mean) - 1, argmax(mean), `${key}: argmax of the mean`);
    const votes = models.map((m) => argmax(m));
    const mode = votes[0] === votes[1] ? votes[0] : mean[votes[0]] >= mean[votes[1]] ? votes[0] : votes[1];
    assert.equal(Number(r.class_mode) - 1, mode, `${key}: mode`);
    assert.equal(Number(r.mode_votes), votes[0] === votes[1] ? 2 : 1);
    assert.ok(Math.abs(Number(r.mutual_info) - mutualInformation(models)) < 1e-5);
    assert.ok(
      Math.abs(Number(r.p1_std) - Math.abs(models[0][0] - models[1][0]) / 2) < 1e-5,
      "population std of two values",
    );
    if (Number(r.class_mean) - 1 === perRun[0].labels[i]) agree++;
  });
  const ensembleAccuracy = agree / perRun[0].keys.length;
  const meanArgmax =
    perRun[0].keys.filter(
      (_, i) => argmax([0, 1, 2, 3].map((c) => perRun[0].probs[i][c] + perRun[1].probs[i][c])) === perRun[0].labels[i],
    ).length / perRun[0].keys.length;
  assert.equal(ensembleAccuracy, meanArgmax);
  for (const r of rows.filter((x) => x.status === "classified")) {
    assert.ok(Math.abs(p(r).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok([1, 2, 3, 4].every((c) => Number(r[`p${c}_std`]) >= 0));
    assert.ok(
      Number(r.entropy) >= 0 &&
        Number(r.entropy) <= LN4 + 1e-6 &&
        Number(r.mutual_info) >= 0 &&
        Number(r.mutual_info) <= Number(r.entropy) + 1e-6,
    );
    assert.ok(["1", "2"].includes(r.mode_votes) && r.n_models === "2");
  }
  assert.ok(
    rows.some((r) => r.class_mode !== "" && Number(r.p1_std) > 0),
    "the seeds differ",
  );
});

test("--decision prior-matched: each model read with its run's fitted prior^s, as evaluate reads it", () => {
  // The fixture's classes are equally common (any s reads them alike): give each run an uneven prior's decision.
  const seedDirs = [seed0, path.join(runs, "resnet18", "seed-1")];
  for (const [i, dir] of seedDirs.entries()) {
    const decision = {
      rule: "prior-matched",
      exponent: 0.5 + 0.25 * i,
      prior: [0.05, 0.1, 0.15, 0.7],
      model_sha256: sha256File(path.join(dir, "model.safetensors")),
      fittedOn: {},
    };
    fs.writeFileSync(path.join(dir, DECISION_FILE), JSON.stringify(decision));
  }
  const result = run("prior-matched.csv", { decision: "prior-matched" });
  assert.deepEqual(
    result.members.map((m) => m.decision!.exponent),
    [0.5, 0.75],
  );
  const options = { data: [curated], split: "all" as const, decision: "prior-matched" as const };
  const perRun = seedDirs.map((r) => runPredictions(r, options));
  const plain = seedDirs.map((r) => runPredictions(r, { ...options, decision: "argmax" }));
  const byKey = classifiedByKey(readTable(path.join(work, "prior-matched.csv")));
  let moved = 0;
  perRun[0].keys.forEach((key, i) => {
    const mean = [0, 1, 2, 3].map((c) => (perRun[0].probs[i][c] + perRun[1].probs[i][c]) / 2);
    const r = byKey.get(key)!;
    mean.forEach((v, c) => assert.ok(Math.abs(Number(r[`p${c + 1}_mean`]) - v) < 1e-5, `${key} p${c + 1}`));
    const plainMean = (plain[0].probs[i][3] + plain[1].probs[i][3]) / 2;
    if (Math.abs(Number(r.p4_mean) - plainMean) > 1e-3) moved++;
  });
  assert.ok(moved > 0, "the prior moved the means");
  for (const dir of seedDirs) fs.rmSync(path.join(dir, DECISION_FILE));
  // A loose model file has no training split to fit on.
  const loose = path.join(work, "loose");
  fs.mkdirSync(loose, { recursive: true });
  fs.copyFileSync(path.join(seed0, "model.safetensors"), path.join(loose, "seed-0.safetensors"));
  assert.throws(
    () => run("loose.csv", { models: loose, decision: "prior-matched" }),
    /seed-0\.safetensors: a model file without its run directory has no training split/,
  );
});

test("curating on the fly from the catalog and mosaics gives the same table as classifying the curate folder", () => {
  run("fly.csv", { source: { catalog: { catalog, field: "NGC4656", mosaics, pad: false } } });
  assert.equal(
    fs.readFileSync(path.join(work, "fly.csv"), "utf8"),
    fs.readFileSync(path.join(work, "ensemble.csv"), "utf8"),
  );
});

test("an RA/Dec-only catalog (LEGUS --sky 4,5) on gzipped mosaics classifies as the pixel catalog on plain ones", () => {
  // Columns 4, 5 hold astropy's all_pix2world of columns 2, 3 through the F275W mosaic's WCS; the pixel columns
  // are zeroed, which would make every row a bad one if they were read.
  const lines = fs
    .readFileSync(catalog, "utf8")
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/));
  const pixels = lines.map((c) => [Number(c[1]), Number(c[2])]);
  const [ref] = JSON.parse(
    runReference("wcs_check.py", [], Buffer.from(JSON.stringify([{ file: mosaics[0].path, hdu: 0, pixels }]))),
  );
  const skyTab = path.join(work, "ngc4656_sky.tab");
  fs.writeFileSync(
    skyTab,
    lines
      .map((c, i) => [c[0], "0", "0", String(ref.world[i][0]), String(ref.world[i][1]), ...c.slice(5)].join(" "))
      .join("\n") + "\n",
  );
  const gz = mosaics.map((m) => {
    const file = path.join(work, `${path.basename(m.path)}.gz`);
    fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(m.path)));
    return { ...m, path: file };
  });
  const out = path.join(work, "sky.csv");
  const r = cli([
    "--models",
    runs,
    "--catalog",
    skyTab,
    "--sky",
    "4,5",
    "--field",
    "NGC4656",
    ...gz.flatMap((m) => ["--mosaic", `${m.filter}=${m.path}`]),
    "--out",
    out,
    "--batch",
    "16",
    "--backend",
    "wasm",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /ngc4656_sky\.tab: RA\/Dec from columns 4, 5 \(--sky\); converted to pixels through each band's mosaic WCS \(F275W: TAN, /,
  );
  assert.match(
    r.stderr,
    /the bands agree within 0\.0e\+0 px \(tolerance 0\.1 px\); 0 of 71 object\(s\) off the mosaics/,
  );
  // The same table as the pixel catalog on plain mosaics (fly.csv), but for x, y: converted back, to 1e-6 px.
  const [sky, pixel] = [readTable(out), readTable(path.join(work, "fly.csv"))];
  assert.equal(sky.length, 71);
  sky.forEach((s, i) => {
    const { x: sx, y: sy, ...sRest } = s;
    const { x: px, y: py, ...pRest } = pixel[i];
    assert.deepEqual(sRest, pRest, `row ${i}`);
    assert.ok(
      Math.abs(Number(sx) - Number(px)) < 1e-6 && Math.abs(Number(sy) - Number(py)) < 1e-6,
      `${s.id}: (${sx}, ${sy}) vs (${px}, ${py})`,
    );
  });
  assert.ok(sky.filter((s) => s.status === "classified").length > 50);
});

test("without coverage: one band missing is zero-filled and named; two drop every object with the curation reason", () => {
  const short = path.join(work, "short.tab");
  fs.writeFileSync(short, fs.readFileSync(catalog, "utf8").split("\n").slice(0, 5).join("\n") + "\n");
  const four = run("four.csv", {
    source: { catalog: { catalog: short, field: "NGC4656", mosaics: mosaics.slice(1), pad: false } },
  });
  // Objects near the crop's edge are dropped whatever the bands; the others show the coverage rule.
  const inside = (rows: typeof four.rows) => rows.filter((r) => r.reason !== "stamp crosses the mosaic edge");
  assert.ok(
    inside(four.rows).length >= 2 &&
      inside(four.rows).every(
        (r) =>
          r.status === "classified" && r.missingBand === "F275W" && r.reason === "F275W without coverage: zero-filled",
      ),
    JSON.stringify(four.rows.map((r) => [r.status, r.reason])),
  );
  // Nothing classified is an error naming the causes; the table still says why each object was dropped.
  const source = { catalog: { catalog: short, field: "NGC4656", mosaics: mosaics.slice(2), pad: false } };
  assert.throws(
    () => run("three.csv", { source }),
    /three\.csv: nothing classified: all \d+ object\(s\) dropped \(\d+ x 2 bands without coverage: F275W, F336W/,
  );
  const three = readTable(path.join(work, "three.csv"));
  assert.ok(
    three.every((r) => r.status === "dropped" && r.class_mean === ""),
    JSON.stringify(three[0]),
  );
  const insideThree = three.filter((r) => r.reason !== "stamp crosses the mosaic edge");
  assert.ok(insideThree.length >= 2 && insideThree.every((r) => r.reason === "2 bands without coverage: F275W, F336W"));
  assert.ok(!fs.readdirSync(work).some((n) => n.startsWith(".three.csv")), "no partial or lock file left");
});

test("models loaded in turn (over the memory budget) give the same table; as FITS, astropy reads the CSV's values", () => {
  const rotating = run("rotating.csv", { modelMemory: 1 });
  assert.equal(rotating.resident, false);
  assert.equal(
    fs.readFileSync(path.join(work, "rotating.csv"), "utf8"),
    fs.readFileSync(path.join(work, "ensemble.csv"), "utf8"),
  );
  const rows = rotating.rows;
  const file = path.join(work, "ensemble.fits");
  writeTable(file, "fits", rows, 2, [{ key: "NMODELS", value: 2 }]);
  const ref = JSON.parse(runReference("fits_table_read.py", [file]));
  assert.equal(ref.extname, "CLASSIFY");
  assert.deepEqual(Object.keys(ref.columns), OUTPUT_COLUMNS);
  const csv = readTable(path.join(work, "ensemble.csv"));
  const col = (name: string) => ref.columns[name].values as (number | string | null)[];
  csv.forEach((r, i) => {
    assert.equal(col("id")[i], r.id);
    assert.equal(col("x")[i], Number(r.x));
    assert.equal(col("status")[i], r.status);
    for (const name of ["class_mean", "class_mode", "mode_votes", "n_models"])
      assert.equal(col(name)[i], r[name] === "" ? null : Number(r[name]), `${name} row ${i}`);
    for (const name of ["p1_mean", "p4_std", "entropy", "mutual_info"]) {
      const v = col(name)[i];
      if (r[name] === "") assert.equal(v, null);
      else
        assert.ok(
          Math.abs((v as number) - Number(r[name])) <= 1e-6 * Math.max(1e-3, Math.abs(Number(r[name]))),
          `${name} row ${i}: ${v} vs ${r[name]}`,
        );
    }
  });
  assert.equal(ref.columns.class_mean.dtype, "int16");
  assert.equal(ref.columns.x.unit, "pix");
});

test("kill -9 mid-run, then the same command: the same table as an uninterrupted run; other inputs are refused", async () => {
  const out = path.join(work, "killed.csv");
  const args = ["--models", runs, "--stamps", curated, "--out", out, "--batch", "16", "--backend", "wasm"];
  const child = spawn(process.execPath, [path.join(repoRoot, "bin", "starcluster.js"), "classify", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  // Killed once the partial table holds the header line and one finished chunk.
  await killWhen(
    child,
    () => fs.existsSync(partialFile(out)) && fs.readFileSync(partialFile(out), "utf8").split("\n").length >= 3,
    "classify",
  );
  assert.ok(!fs.existsSync(out), "killed before the table was written");

  const other = cli(["--models", seed0, "--stamps", curated, "--out", out]);
  assert.equal(other.status, 1);
  assert.match(
    other.stderr,
    /killed\.csv\.partial\.jsonl: progress of a classification with other inputs \(no longer given: model resnet18\/seed-0\/model\.safetensors sha256 [0-9a-f]{64}.*; new: model model\.safetensors sha256/,
  );

  const again = cli(args);
  assert.equal(again.status, 0, again.stderr);
  const resumed = Number(/classify: resuming after (\d+) of 71 objects/.exec(again.stderr)?.[1]);
  assert.ok(resumed >= 16 && resumed < 71, again.stderr);
  const manifest = readManifest(curated);
  const edge = manifest.filter((m) => m.reason === "stamp crosses the mosaic edge").length;
  assert.ok(edge > 0);
  assert.ok(
    again.stdout.startsWith(
      `${out}: 71 objects, ${71 - edge - 1} classified by 2 resnet18 model(s), ${edge + 1} not classified (${edge} stamp crosses the mosaic edge; 1 duplicate id (first at line 1))\n`,
    ),
    again.stdout,
  );
  assert.equal(fs.readFileSync(out, "utf8"), fs.readFileSync(path.join(work, "ensemble.csv"), "utf8"));
  assert.ok(!fs.existsSync(partialFile(out)), "the progress file is removed at the end");
});

test("the command: usage errors exit 2, bad input exits 1 naming the problem, --format from the extension", () => {
  const both = cli(["--models", runs, "--stamps", curated, "--catalog", catalog, "--out", path.join(work, "x.csv")]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--stamps classifies a curated folder as it was curated; drop --catalog/);
  const none = cli(["--models", runs, "--out", path.join(work, "x.csv")]);
  assert.equal(none.status, 2);
  assert.match(
    none.stderr,
    /give --stamps DIR, or --catalog, --field and one --mosaic BAND=PATH per band \(missing: --catalog, --field, --mosaic\)/,
  );
  const bands = cli([
    "--models",
    runs,
    "--catalog",
    catalog,
    "--field",
    "NGC4656",
    "--mosaic",
    `F275W=${mosaics[0].path}`,
    "--out",
    path.join(work, "x.csv"),
  ]);
  assert.equal(bands.status, 2);
  assert.match(bands.stderr, /1 band\(s\) given \(F275W\)/);
  const missing = cli([
    "--models",
    path.join(work, "no-models"),
    "--stamps",
    curated,
    "--out",
    path.join(work, "x.csv"),
  ]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no-models: no such file or folder \(--models\)/);
  const dirOut = cli(["--models", runs, "--stamps", curated, "--out", work]);
  assert.equal(dirOut.status, 1);
  assert.match(dirOut.stderr, /: is a directory; --out names the table file to write \(e\.g\. .*classes\.csv\)/);
  const fits = cli([
    "--models",
    seed0,
    "--catalog",
    catalog,
    "--field",
    "NGC4656",
    ...mosaics.flatMap((m) => ["--mosaic", `${m.filter}=${m.path}`]),
    "--out",
    path.join(work, "t.fits"),
  ]);
  assert.equal(fits.status, 0, fits.stderr);
  assert.equal(fs.readFileSync(path.join(work, "t.fits")).subarray(0, 30).toString(), "SIMPLE  =                    T");
});
