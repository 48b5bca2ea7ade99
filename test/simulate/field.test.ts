import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readLegusCatalog } from "../../lib/catalog/legus";
import { pixelRecords } from "../../lib/catalog/record";
import { legusCatalogPath } from "../../lib/catalog/fields";
import { loadSimulationConfig } from "../../lib/simulate/config";
import { covered } from "../../lib/simulate/footprint";
import { paperClassCounts, planField } from "../../lib/simulate/field";
import { synthesize } from "../../lib/simulate/synth";
import { tempDir } from "../helpers";

const config = loadSimulationConfig();
const scale = config.scales.default;

test("a real-catalog field keeps real magnitudes, coverage and human classes, with positions shifted consistently", () => {
  const plan = planField("NGC45", config, scale, 0);
  const real = readLegusCatalog(legusCatalogPath("NGC45")!).records;
  const byId = new Map(real.map((r) => [r.id, r]));
  const classified = plan.sources.filter((s) => s.label !== null);
  assert.equal(
    classified.length,
    real.filter((r) => r.class !== null).length,
    "every classified source is on the mosaic",
  );
  for (const s of plan.sources) {
    const r = byId.get(s.record.id)!;
    assert.deepEqual(s.record.mag, r.mag);
    assert.deepEqual(s.record.coverage, r.coverage);
    assert.equal(s.label, r.class);
    assert.equal(s.origX, r.x);
  }
  // Pairs closer than the margin keep their exact separation on the compacted mosaic.
  let pairs = 0;
  for (const a of classified)
    for (const s of plan.sources) {
      if (s === a || Math.abs(s.origX - a.origX) > 30 || Math.abs(s.origY - a.origY) > 30) continue;
      assert.ok(
        Math.abs(s.record.x - a.record.x - (s.origX - a.origX)) < 1e-9 &&
          Math.abs(s.record.y - a.record.y - (s.origY - a.origY)) < 1e-9,
      );
      pairs++;
    }
  assert.ok(pairs > 10, `only ${pairs} close pairs checked`);
});

test("fields without a real catalog have exactly the class counts of Tables 1 and 2", () => {
  for (const field of ["NGC3627", "NGC6744N", "NGC1559"]) {
    const plan = planField(field, config, scale, 0);
    const counts = [1, 2, 3, 4].map((c) => plan.sources.filter((s) => s.label === c).length);
    assert.deepEqual(counts, paperClassCounts(field), field);
  }
});

test("NGC1559 at 19 Mpc has more parsecs per pixel and denser sources than the LEGUS fields", () => {
  const far = planField("NGC1559", config, scale, 0);
  const near = planField("NGC4656", config, scale, 0);
  assert.ok(far.pcPerPx > 3 * near.pcPerPx);
  const density = (p: typeof far) => p.sources.filter((s) => s.label !== null).length / (p.width * p.height);
  assert.ok(density(far) > 3 * density(near));
});

test("sources flagged outside a band lie outside that band's footprint, and observed ones inside", () => {
  const plan = planField("NGC4449", config, scale, 0);
  let outside = 0;
  for (const s of plan.sources) {
    for (let b = 0; b < 5; b++) {
      const inside = covered(plan.footprints[b], s.origX, s.origY);
      assert.equal(inside, s.record.coverage[b] !== "outside", `source ${s.record.id} band ${b}`);
      if (!inside) outside++;
    }
  }
  assert.ok(outside > 100, `expected the real NGC4449 sources outside the UV footprint, found ${outside}`);
});

test("the written catalog reads back with the LEGUS reader: same positions, labels and counts", () => {
  const out = tempDir();
  const tiny = {
    ...config,
    scales: {
      ...config.scales,
      smoke: { fields: ["NGC45", "NGC6744N"], crop_px: 200, compact: true, bitpix: 16 as const },
    },
  };
  const m = synthesize({ out, scale: "smoke", seed: 2, config: tiny, writeImage: () => undefined });
  for (const f of m.fields) {
    const catalog = readLegusCatalog(path.join(out, f.field, f.catalog), { classColumn: f.class_column });
    const [records, badRows] = [pixelRecords(catalog), catalog.badRows];
    assert.equal(badRows.length, 0);
    assert.equal(records.length, f.sources);
    assert.deepEqual(
      [1, 2, 3, 4].map((c) => records.filter((r) => r.class === c).length),
      f.label_counts,
    );
    assert.ok(records.every((r) => r.x >= 0.5 && r.x <= f.width + 0.5 && r.y >= 0.5 && r.y <= f.height + 0.5));
    const truth = fs
      .readFileSync(path.join(out, f.field, "truth.csv"), "utf8")
      .trim()
      .split("\n");
    assert.equal(truth.length - 1, f.sources);
  }
});

test("crop_px per field crops each field to its own side; a crop for a field the scale does not render is refused", () => {
  const perField = {
    fields: ["NGC4656", "NGC1559"],
    crop_px: { NGC4656: 300, NGC1559: 200 },
    compact: true,
    bitpix: 16 as const,
  };
  for (const [field, index] of [
    ["NGC4656", 0],
    ["NGC1559", 1],
  ] as const) {
    const plan = planField(field, config, perField, index);
    assert.deepEqual([plan.width, plan.height], [perField.crop_px[field], perField.crop_px[field]], field);
  }
  const file = path.join(tempDir(), "simulation.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      ...config,
      scales: { ...config.scales, smoke: { ...perField, crop_px: { NGC4656: 300, NGC1599: 200 } } },
    }),
  );
  assert.throws(
    () => loadSimulationConfig(file),
    /scale smoke: crop_px names NGC1599, which this scale does not render/,
  );
});
