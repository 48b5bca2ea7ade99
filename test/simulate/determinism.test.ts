import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSimulationConfig, SimulationConfig } from "../../lib/simulate/config";
import { planField } from "../../lib/simulate/field";
import { MosaicImage } from "../../lib/simulate/mosaic";
import { planMorphologies, renderBand } from "../../lib/simulate/render";
import { synthesize, synthesizeInWorkers, writeMosaicFits } from "../../lib/simulate/synth";
import { tempDir } from "../helpers";

const config = loadSimulationConfig();
/** A smaller smoke scale for tests: one real and one synthetic field, 256 px crops. */
const tiny: SimulationConfig = {
  ...config,
  scales: { ...config.scales, smoke: { fields: ["NGC4656", "NGC1559"], crop_px: 256, compact: true, bitpix: 16 } },
};

function run(out: string, seed: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  synthesize({
    out,
    scale: "smoke",
    seed,
    config: tiny,
    force: true,
    writeImage: (file: string, image: MosaicImage) =>
      files.set(
        path.relative(out, file),
        Buffer.concat([Buffer.from(JSON.stringify(image.cards)), Buffer.from(image.data.buffer)]),
      ),
  });
  for (const f of ["manifest.json", "NGC4656/truth.csv", "NGC1559/hlsp_legus_hst_sim_ngc1559_multiband_sim.tab"])
    files.set(f, fs.readFileSync(path.join(out, f)));
  return files;
}

test("same seed gives identical files; another seed gives different pixels", () => {
  const a = run(tempDir(), 3);
  const b = run(tempDir(), 3);
  const c = run(tempDir(), 4);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, v] of a) assert.ok(v.equals(b.get(k)!), `${k} differs between identical runs`);
  const image = "NGC4656/hlsp_legus_hst_sim_ngc4656_f555w_drc.fits";
  assert.ok(!a.get(image)!.equals(c.get(image)!), "a different seed should change the pixels");
});

test("the rendered band does not depend on the strip height", () => {
  const plan = planField("NGC4656", config, { crop_px: 200, compact: true, bitpix: 16 }, 1);
  const morphs = planMorphologies(plan, config, 1);
  const a = renderBand(plan, 2, morphs, config, { seed: 1, stripRows: 7 }).data;
  const b = renderBand(plan, 2, morphs, config, { seed: 1, stripRows: 200 }).data;
  assert.ok(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)));
});

test("refuses to write into a non-empty folder without force", () => {
  const out = tempDir();
  fs.writeFileSync(path.join(out, "keep.txt"), "x");
  assert.throws(
    () => synthesize({ out, scale: "smoke", seed: 0, config: tiny, writeImage: () => undefined }),
    /not empty; pass --force/,
  );
  assert.equal(fs.readFileSync(path.join(out, "keep.txt"), "utf8"), "x");
});

test("fields rendered in worker threads are byte-identical to fields rendered in order", async () => {
  const inOrder = tempDir();
  const inWorkers = tempDir();
  synthesize({ out: inOrder, scale: "smoke", seed: 5, config: tiny, force: true, writeImage: writeMosaicFits });
  const rows: number[] = [];
  const manifest = await synthesizeInWorkers({
    out: inWorkers,
    scale: "smoke",
    seed: 5,
    config: tiny,
    force: true,
    jobs: 2,
    progress: (total) => ({ update: (done) => rows.push(done / total), finish: () => undefined }),
  });
  assert.deepEqual(
    manifest.fields.map((f) => f.field),
    ["NGC4656", "NGC1559"],
    "manifest in the scale's order",
  );
  const files = (dir: string) =>
    fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .sort();
  assert.deepEqual(files(inWorkers), files(inOrder));
  assert.equal(files(inOrder).length, 1 + 2 * 7, "manifest, and per field five mosaics, a catalog, truth.csv");
  for (const f of files(inOrder))
    assert.ok(fs.readFileSync(path.join(inWorkers, f)).equals(fs.readFileSync(path.join(inOrder, f))), `${f} differs`);
  assert.ok(rows.length > 0 && Math.max(...rows) === 1, "progress reaches every row of both fields");
});

test("a field that fails in a worker fails the synth with the worker's message", async () => {
  const broken = { ...tiny, scales: { ...tiny.scales, smoke: { ...tiny.scales.smoke, crop_px: 64, bitpix: 99 } } };
  await assert.rejects(
    synthesizeInWorkers({ out: tempDir(), scale: "smoke", seed: 0, config: broken as SimulationConfig, jobs: 2 }),
    /hlsp_legus_hst_sim_ngc\d+_f275w_drc\.fits HDU 0: BITPIX 99 is not a FITS image type/,
  );
});
