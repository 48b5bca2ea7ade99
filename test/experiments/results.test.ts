import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import {
  checkReproduceSpec,
  loadReproduceSpec,
  REPRODUCE_PROFILES,
  ReproduceSpec,
  writeResult,
} from "../../lib/experiments/results";
import { repoRoot, tempDir } from "../helpers";

test("writeResult records paths inside the checkout relative to it and leaves other values alone", () => {
  const dir = tempDir();
  const data = {
    runs: [path.join(repoRoot, "data", "generated", "runs", "cpu", "resnet18", "seed-0")],
    outside: path.join(dir, "stamps"),
    root: repoRoot,
    title: `seed-0 at ${repoRoot}`,
    values: new Float32Array([0.5, 0.25]),
  };
  const file = writeResult(dir, "example", data);
  assert.equal(file, path.join(dir, "example.json"));
  assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), {
    runs: ["data/generated/runs/cpu/resnet18/seed-0"],
    outside: path.join(dir, "stamps"),
    root: repoRoot,
    title: `seed-0 at ${repoRoot}`,
    values: [0.5, 0.25],
  });
});

test("every built-in reproduction spec loads; a bad decision or precision is refused naming the file", () => {
  const specs = REPRODUCE_PROFILES.map(loadReproduceSpec);
  assert.deepEqual(
    specs.map((s) => s.name),
    [...REPRODUCE_PROFILES],
  );
  assert.equal(loadReproduceSpec("quick").evaluationPrecision, "bf16", "quick evaluates as it trains");
  assert.equal(loadReproduceSpec("cpu").evaluationPrecision, undefined, "cpu evaluates in fp32");
  const quick = loadReproduceSpec("quick");
  const bad = (change: Partial<ReproduceSpec>) =>
    checkReproduceSpec({ ...quick, ...change } as ReproduceSpec, "x.json");
  assert.throws(
    () => bad({ decision: "vote" as "argmax" }),
    /x\.json: decision 'vote' \(choose argmax, prior-matched\)/,
  );
  assert.throws(
    () => bad({ evaluationPrecision: "fp16" as "fp32" }),
    /x\.json: evaluationPrecision 'fp16' \(choose fp32, bf16\)/,
  );
  assert.throws(() => bad({ seeds: 0 }), /x\.json: bad archs or seeds/);
  assert.throws(() => loadReproduceSpec("fast"), /unknown reproduction profile 'fast'/);
});
