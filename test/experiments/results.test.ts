import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { writeResult } from "../../lib/experiments/results";
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
