// Interrupted curation: a `starcluster curate` child process killed with SIGKILL part-way, then rerun, leaves the
// same bytes (every stamp, the manifest) as an uninterrupted run, and no temporary files.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { killWhen, repoRoot, tempDir } from "../helpers";
import { makeField, tag } from "./fixture";

const cli = path.join(repoRoot, "bin", "starcluster.js");
const env = { ...process.env, SOURCE_DATE_EPOCH: "1700000000" };

test("kill -9 during curation, rerun: the same bytes as an uninterrupted run", async () => {
  const dir = tempDir();
  let seed = 7;
  const rand = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const rows = Array.from(
    { length: 400 },
    (_, i) => `${i + 1},${(30 + rand() * 340).toFixed(2)},${(30 + rand() * 340).toFixed(2)},${1 + (i % 4)}`,
  );
  const field = makeField(path.join(dir, "in"), 400, 400, tag, rows, "KILL");
  const args = (out: string) => [
    "curate",
    "--catalog",
    field.job.catalog,
    "--pixels",
    "fits",
    "--field",
    "KILL",
    "--out",
    out,
    ...field.job.mosaics.flatMap((m) => ["--mosaic", `${m.filter}=${m.path}`]),
  ];

  const whole = path.join(dir, "whole");
  const a = spawnSync(process.execPath, [cli, ...args(whole)], { encoding: "utf8", env });
  assert.equal(a.status, 0, a.stderr);

  const resumed = path.join(dir, "resumed");
  const stamps = path.join(resumed, "stamps", "KILL");
  const child = spawn(process.execPath, [cli, ...args(resumed)], { env, stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  const countStamps = () =>
    fs.existsSync(stamps) ? fs.readdirSync(stamps).filter((n) => n.endsWith(".fits")).length : 0;
  await killWhen(child, () => countStamps() >= 60, "curate", 5);
  assert.equal(await exited, "SIGKILL", "the child was killed before it finished");
  const before = countStamps();
  assert.ok(before >= 60 && before < 400, `killed part-way (${before} stamps)`);
  assert.ok(!fs.existsSync(path.join(resumed, "manifest.csv")), "no manifest yet");
  assert.equal(JSON.parse(fs.readFileSync(path.join(resumed, "curation.json"), "utf8")).complete, false);

  const b = spawnSync(process.execPath, [cli, ...args(resumed)], { encoding: "utf8", env });
  assert.equal(b.status, 0, b.stderr);
  const done = /(\d+) stamp\(s\) written, (\d+) already there/.exec(b.stdout);
  assert.ok(done && Number(done[2]) >= before && Number(done[1]) + Number(done[2]) === 400, b.stdout);

  const files = (root: string) => fs.readdirSync(path.join(root, "stamps", "KILL")).sort();
  assert.deepEqual(files(resumed), files(whole), "same stamp files, no temporary files left");
  for (const name of files(whole)) {
    assert.ok(
      fs.readFileSync(path.join(whole, "stamps", "KILL", name)).equals(fs.readFileSync(path.join(stamps, name))),
      `${name} differs`,
    );
  }
  assert.ok(
    fs.readFileSync(path.join(whole, "manifest.csv")).equals(fs.readFileSync(path.join(resumed, "manifest.csv"))),
    "manifests differ",
  );
  assert.ok(fs.readdirSync(resumed).every((n) => !n.endsWith(".tmp")));
  assert.equal(JSON.parse(fs.readFileSync(path.join(resumed, "curation.json"), "utf8")).complete, true);
});
