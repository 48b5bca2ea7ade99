// train-seeds: seed lists, and two seeds trained in parallel child processes with a finished one skipped.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { loadProfile } from "../../lib/train/profile";
import { parseSeeds } from "../../lib/train/seeds";
import { repoRoot, tempDir } from "../helpers";
import { writeCuratedFixture } from "../dataset/fixture";

test("seed lists: ranges, lists, mixtures; mistakes are refused", () => {
  assert.deepEqual(parseSeeds("0-9"), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(parseSeeds("3,1,1"), [1, 3]);
  assert.deepEqual(parseSeeds("0-2,7"), [0, 1, 2, 7]);
  assert.throws(() => parseSeeds("5-2"), /runs backwards/);
  assert.throws(() => parseSeeds("a"), /'a' is not a seed/);
});

test("train-seeds --parallel 2 trains the missing seeds in child processes and skips finished ones", () => {
  const data = writeCuratedFixture(tempDir(), { size: 32, perClass: 5 }).dir;
  const work = tempDir();
  const profile = path.join(work, "tiny.json");
  fs.writeFileSync(
    profile,
    JSON.stringify({
      ...loadProfile("smoke"),
      name: "tiny",
      batchSize: { resnet18: 4, vgg19_bn: 2 },
      batches: { resnet18: 1, vgg19_bn: 1 },
    }),
  );
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(repoRoot, "bin", "starcluster.js"), ...args], {
      encoding: "utf8",
      env: { ...process.env, STARCLUSTER_BACKEND: "wasm" },
    });
  const out = path.join(work, "runs");
  const first = cli(
    "train-seeds",
    "--data",
    data,
    "--arch",
    "resnet18",
    "--profile",
    profile,
    "--seeds",
    "0",
    "--out",
    out,
  );
  assert.equal(first.status, 0, first.stderr);
  const r = cli(
    "train-seeds",
    "--data",
    data,
    "--arch",
    "resnet18",
    "--profile",
    profile,
    "--seeds",
    "0-2",
    "--parallel",
    "2",
    "--out",
    out,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /skipping 1 finished seed/);
  assert.match(r.stdout, /3 of 3 seed\(s\) complete/);
  for (const s of [0, 1, 2])
    assert.ok(fs.existsSync(path.join(out, "resnet18", `seed-${s}`, "model.safetensors")), `seed ${s}`);
  assert.match(fs.readFileSync(path.join(out, "resnet18", "seed-1", "train.log"), "utf8"), /complete, 1 batches/);
  const bad = cli("train-seeds", "--data", data, "--arch", "resnet18", "--seeds", "9-1", "--out", out);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /runs backwards/);
});
