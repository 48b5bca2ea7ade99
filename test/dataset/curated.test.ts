// Curated folders into training items and batches: exclusion rules, labels, the six-channel layout, ablation,
// deterministic augmentation, and the resize to the model input checked against PyTorch's F.interpolate.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { BANDS } from "../../lib/catalog/record";
import { readManifest } from "../../lib/curate/manifest";
import { assembleBatch, prepareStamp } from "../../lib/dataset/batch";
import { classCounts, loadCurated, loadPixels } from "../../lib/dataset/curated";
import { rescale } from "../../lib/dataset/transforms";
import { runReferenceBytes, tempDir } from "../helpers";
import { relError } from "../models/helpers";
import { writeCuratedFixture } from "./fixture";

const fixture = writeCuratedFixture(tempDir(), { size: 32, perClass: 5, withExcluded: true });

test("loadCurated keeps classified, kept objects detected in >= 4 bands, and says what it left out", () => {
  const set = loadCurated([fixture.dir]);
  assert.equal(set.size, 32);
  assert.equal(set.items.length, 20);
  assert.deepEqual(set.excluded, {
    "dropped by curation": 1,
    "no human class": 1,
    "detected in fewer than 4 bands": 1,
  });
  assert.deepEqual(classCounts(set.items), [5, 5, 5, 5]);
  assert.equal(set.items[0].key, "TESTFIELD/1");
  assert.equal(loadCurated([fixture.dir], { minDetectedBands: 3 }).items.length, 21);
  // Truth labels: the fixture's first object of each class has a different truth.
  const truth = loadCurated([fixture.dir], { labels: "truth" });
  assert.equal(truth.items.filter((it, i) => it.label !== set.items[i].label).length, 4);
  assert.throws(() => loadCurated([fixture.dir], { fields: ["NGC0000"] }), /field\(s\) NGC0000 not in/);
  const pixels = loadPixels(set, set.items.slice(0, 2));
  assert.equal(pixels[0].length, BANDS.length * 32 * 32);
});

test("a broken manifest is refused with the file and line", () => {
  const dir = tempDir();
  fs.cpSync(fixture.dir, dir, { recursive: true });
  const file = path.join(dir, "manifest.csv");
  fs.writeFileSync(
    file,
    fs.readFileSync(file, "utf8").replace("TESTFIELD,3,103,203,1,5,kept", "TESTFIELD,3,103,203,1,5,maybe"),
  );
  assert.throws(() => readManifest(dir), /manifest\.csv: line 4: status 'maybe'/);
  assert.throws(() => readManifest(tempDir()), /is .* a curation folder/);
});

test("batches: bands in channels 0-4, channel 5 zero, a zeroed band stays zero, augmentation deterministic per seed", () => {
  const set = loadCurated([fixture.dir]);
  const stamps = loadPixels(set, set.items.slice(0, 4));
  const options = { stampSize: 32, inputSize: 32, rescale: "stamp-absmax" as const };
  const x = assembleBatch(stamps, options);
  assert.deepEqual(x.shape, [4, 32, 32, 6]);
  const v = x.arraySync() as number[][][][];
  const r = rescale(stamps[2], BANDS.length);
  for (const [row, col, b] of [
    [16, 16, 3],
    [3, 30, 0],
    [31, 0, 4],
  ])
    assert.equal(v[2][row][col][b], r[b * 1024 + row * 32 + col]);
  assert.ok(v.every((img) => img.every((row) => row.every((px) => px[5] === 0))));
  const ablated = prepareStamp(stamps[0], { ...options, zeroBand: "F555W" });
  for (let i = 0; i < 1024; i++) assert.equal(ablated[i * 6 + 3], 0);
  assert.ok(
    ablated.some((px, i) => i % 6 === 4 && px > 0),
    "other bands remain",
  );
  const a1 = assembleBatch(stamps, { ...options, augmentSeeds: [1, 2, 3, 4] }).dataSync();
  const a2 = assembleBatch(stamps, { ...options, augmentSeeds: [1, 2, 3, 4] }).dataSync();
  const a3 = assembleBatch(stamps, { ...options, augmentSeeds: [5, 6, 7, 8] }).dataSync();
  assert.deepEqual(a1, a2);
  assert.notDeepEqual(a1, a3);
  assert.notDeepEqual(a1, x.dataSync());
  tf.dispose(x);
});

test("resize 50 -> 299 px equals PyTorch's bilinear F.interpolate(align_corners=False)", () => {
  const n = 2,
    size = 50,
    out = 299;
  const stamps = Array.from({ length: n }, (_, k) =>
    Float32Array.from({ length: 5 * size * size }, (_, i) => Math.sin(i * 0.37 + k) ** 2),
  );
  const x = assembleBatch(stamps, { stampSize: size, inputSize: out, rescale: "none" });
  assert.deepEqual(x.shape, [n, out, out, 6]);
  const nchw = tf.tidy(() => tf.transpose(x, [0, 3, 1, 2]).dataSync() as Float32Array);
  const input = new Float32Array(n * 6 * size * size);
  stamps.forEach((s, k) => input.set(s, k * 6 * size * size));
  const bytes = runReferenceBytes("resize_torch.py", [n, 6, size, size, out].map(String), Buffer.from(input.buffer));
  const ref = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  assert.equal(ref.length, nchw.length);
  const err = relError(nchw, ref);
  assert.ok(err < 1e-5, `relative error ${err}`);
  x.dispose();
});
