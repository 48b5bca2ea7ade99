// `starcluster curate` as users meet it: usage mistakes exit 2 with the usage, bad inputs exit 1 naming the file
// and the problem, and `--synth` curates a simulated field (ACS F606W in the F555W slot) joining its truth table.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { readCsvTable } from "../../lib/catalog/csv";
import { main } from "../../lib/cli/main";
import { readManifest, readStamp } from "../../lib/curate/manifest";
import { writeFits } from "../../lib/io/fits";
import { loadSimulationConfig } from "../../lib/simulate/config";
import { synthesize } from "../../lib/simulate/synth";
import { repoRoot, tempDir } from "../helpers";
import { makeField, tag } from "./fixture";

const cli = path.join(repoRoot, "bin", "starcluster.js");
const dir = tempDir();
const field = makeField(path.join(dir, "in"), 60, 40, tag, ["1,30,20,1"], "T");
const mosaicArgs = (f = field) => f.job.mosaics.flatMap((m) => ["--mosaic", `${m.filter}=${m.path}`]);
const base = ["--catalog", field.job.catalog, "--pixels", "fits", "--field", "T"];
/** A LEGUS-format catalog of a field the project does not know (one object, class in column 34). */
const legusTab = path.join(dir, "t.tab");
fs.writeFileSync(legusTab, ["1", "30", "20", ...Array(30).fill("0"), "1"].join(" ") + "\n");

/** The CLI's main() in this process (as bin/starcluster.js runs it), with its exit code and output. */
async function curate(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
  try {
    return { status: await main(["curate", ...args]), stdout: out.join(""), stderr: err.join("") };
  } finally {
    [process.stdout.write, process.stderr.write] = [stdout, stderr];
  }
}

test("usage mistakes exit 2 and say what is wrong", async () => {
  const out = ["--out", path.join(dir, "never")];
  const cases: [string[], RegExp][] = [
    [[...base, ...out, "--mosaic", "F275W"], /--mosaic F275W: expected BAND=PATH/],
    [
      [...base, ...out, ...mosaicArgs(), "--mosaic", "F999W=x.fits"],
      /unknown band 'F999W'; bands are F275W, F336W, F438W, F555W, F814W/,
    ],
    [
      [...base, ...out, ...mosaicArgs(), "--mosaic", `F435W=${field.job.mosaics[2].path}`],
      /two --mosaic options for F438W/,
    ],
    [
      [...base, ...out, ...mosaicArgs().slice(0, 6)],
      /3 band\(s\) given \(F275W, F336W, F438W\): one missing band is zero-filled, two or more drop every object/,
    ],
    [
      [...out, "--synth", dir, "--catalog", "c.tab"],
      /--synth takes catalogs and mosaics from the synth manifest; drop --catalog/,
    ],
    [[...out, "--catalog", "c.tab"], /missing: --field, --mosaic/],
    [[...base, ...mosaicArgs()], /missing required option --out/],
    [[...base.slice(0, -1), "a/b", ...out, ...mosaicArgs()], /field name 'a\/b' must be letters, digits and _\+\.-/],
    // Settings only the user can choose: named as the option to pass.
    [
      ["--catalog", field.job.catalog, "--field", "T", ...out, ...mosaicArgs()],
      /plain CSV catalogs need the pixel convention of x, y: fits \(1-based\) or zero \(0-based\); pass --pixels/,
    ],
    [
      ["--catalog", legusTab, "--field", "T", ...out, ...mosaicArgs()],
      /t\.tab: field T has no default class column and its content does not tell .*column 34 would give classes 1\/2\/3\/4 = 1\/0\/0\/0.*; the class column is 34 or 35; pass --class-column\n/,
    ],
    [["--catalog", legusTab, "--field", "T", "--class-column", "3", ...out, ...mosaicArgs()], /--class-column/],
  ];
  for (const [args, message] of cases) {
    const r = await curate(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage: starcluster curate/);
  }
  assert.ok(!fs.existsSync(path.join(dir, "never")));
});

test("bad inputs exit 1 naming the file and the problem", async () => {
  const small = path.join(dir, "small.fits");
  writeFits(small, [{ bitpix: -32, width: 50, height: 40, data: new Float32Array(2000) }]);
  const cube = path.join(dir, "cube.fits");
  fs.writeFileSync(
    cube,
    Buffer.concat([
      Buffer.from(
        [
          "SIMPLE  =                    T",
          "BITPIX  =                  -32",
          "NAXIS   =                    3",
          "NAXIS1  =                    2",
          "NAXIS2  =                    2",
          "NAXIS3  =                    2",
          "END",
        ]
          .map((c) => c.padEnd(80))
          .join("")
          .padEnd(2880),
      ),
      Buffer.alloc(2880),
    ]),
  );
  const text = path.join(dir, "notfits.fits");
  fs.writeFileSync(text, "hello".repeat(1000));
  const swap = (band: number, file: string) =>
    mosaicArgs().map((a, i) => (i === 2 * band + 1 ? `${field.job.mosaics[band].filter}=${file}` : a));
  const cases: [string[], RegExp][] = [
    [swap(1, path.join(dir, "nofile.fits")), /nofile\.fits: no such file \(the F336W mosaic of T\)/],
    [
      swap(1, small),
      /small\.fits HDU 0: the F336W mosaic is 50 x 40 pixels but the F275W mosaic .*t_f275w_drc\.fits is 60 x 40: the mosaics of a field must share one pixel grid/,
    ],
    [swap(2, cube), /cube\.fits HDU 0: a mosaic must be a 2-D image, this one is 2 x 2 x 2 \(NAXIS = 3\)/],
    [swap(4, text), /notfits\.fits: not a FITS file/],
  ];
  for (const [i, [mosaics, message]] of cases.entries()) {
    const r = await curate([...base, "--out", path.join(dir, `fail${i}`), ...mosaics]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.ok(!fs.existsSync(path.join(dir, `fail${i}`)), "bad input leaves nothing behind");
  }
  const r = await curate([
    "--catalog",
    path.join(dir, "none.tab"),
    "--field",
    "T",
    "--out",
    path.join(dir, "failc"),
    ...mosaicArgs(),
  ]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /none\.tab: no such file \(the catalog of T\)/);
});

test("--synth curates every field of a synth output, joining truth and second_label", () => {
  const config = loadSimulationConfig();
  const sim = path.join(dir, "sim");
  synthesize({
    out: sim,
    scale: "smoke",
    seed: 3,
    writeImage: (f, image) => writeFits(f, [image]),
    config: {
      ...config,
      scales: { ...config.scales, smoke: { ...config.scales.smoke, fields: ["NGC5474"], crop_px: 200 } },
    },
  });
  const out = path.join(dir, "curated");
  const r = spawnSync(process.execPath, [cli, "curate", "--synth", sim, "--out", out, "--size", "32"], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const rows = readManifest(out);
  const truth = readCsvTable(path.join(sim, "NGC5474", "truth.csv"));
  const col = (name: string) => truth.header.indexOf(name);
  assert.equal(rows.length, truth.rows.length);
  assert.ok(rows.some((row) => row.status === "kept"));
  rows.forEach((row, i) => {
    const cells = truth.rows[i].cells;
    assert.equal(row.id, cells[col("id")]);
    assert.equal(row.truth ?? 0, Number(cells[col("truth")]), `truth of ${row.id}`);
    assert.equal(row.secondLabel ?? 0, Number(cells[col("second_label")]));
    assert.equal(row.class ?? 0, Number(cells[col("label")]), "class is the catalog's human label");
  });
  const kept = rows.find((row) => row.status === "kept" && row.missingBand === null)!;
  const stamp = readStamp(path.join(out, kept.stamp!));
  assert.equal(stamp.size, 32);
  const curation = JSON.parse(fs.readFileSync(path.join(out, "curation.json"), "utf8"));
  assert.equal(curation.fields[0].mosaics.F555W.filter, "F606W", "ACS F606W fills the F555W slot");
  assert.match(curation.command, /^starcluster curate --synth \S+ --out \S+ --size 32$/);
});
