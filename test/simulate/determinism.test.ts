import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSimulationConfig, SimulationConfig } from "../../lib/simulate/config";
import { planField } from "../../lib/simulate/field";
import { MosaicImage } from "../../lib/simulate/mosaic";
import { planMorphologies, renderBand } from "../../lib/simulate/render";
import { synthesize } from "../../lib/simulate/synth";
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
