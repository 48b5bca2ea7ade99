// One writer per output: a second writer is refused at once naming the holder, across processes too; a lock
// left by a killed process is taken over; refused or failed work leaves no folder behind.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { curate } from "../../lib/curate/curate";
import { FOLDER_LOCK, isEmptyFolder, lockFileFor, withOutputLock } from "../../lib/util/lock";
import { tempDir } from "../helpers";

const dir = tempDir();
const lockModule = path.resolve(__dirname, "..", "..", "lib", "util", "lock.js");

/** A node process that prints "held" and holds the lock on `folder` until its stdin closes, or prints "refused: <message>". */
function holder(folder: string) {
  const script = `
    const { withOutputLock } = require(${JSON.stringify(lockModule)});
    try {
      withOutputLock(${JSON.stringify(folder)}, "folder", "test-holder", () => {
        console.log("held");
        require("node:fs").readSync(0, Buffer.alloc(1));
      });
    } catch (e) { console.log("refused: " + e.message); }`;
  const child = spawn(process.execPath, ["-e", script]);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const exited = new Promise<string>((resolve) => child.on("exit", () => resolve(out.trim())));
  return { child, exited, output: () => out };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 3000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), "condition not reached in 30 s");
};

test("a second writer in the same process is refused, naming the command and pid; the lock goes with the work", () => {
  const out = path.join(dir, "nested");
  withOutputLock(out, "folder", "first", () => {
    assert.ok(fs.existsSync(path.join(out, FOLDER_LOCK)));
    assert.throws(
      () => withOutputLock(out, "folder", "second", () => 0),
      new RegExp(
        `^Error: ${out.replace(/[/.]/g, "\\$&")}: another writer is using this output \\('first', pid ${process.pid} on .*\\); wait for it to finish$`,
      ),
    );
    fs.writeFileSync(path.join(out, "result"), "x");
  });
  assert.deepEqual(fs.readdirSync(out), ["result"], "lock removed, output kept");
});

test("refused or failed work leaves no folder it created", () => {
  const out = path.join(dir, "failed");
  assert.throws(
    () =>
      withOutputLock(out, "folder", "fails", () => {
        throw new Error("bad input");
      }),
    /bad input/,
  );
  assert.equal(fs.existsSync(out), false);
  const table = path.join(dir, "tables", "objects.csv");
  assert.equal(
    withOutputLock(table, "file", "classify", () => fs.existsSync(lockFileFor(table, "file"))),
    true,
  );
  assert.equal(fs.existsSync(path.join(dir, "tables")), false);
});

test("six processes at once: exactly one holds the folder, the others are refused naming it", async () => {
  const out = path.join(dir, "race");
  const holders = Array.from({ length: 6 }, () => holder(out));
  await until(() => holders.every((h) => h.output() !== ""));
  for (const h of holders) h.child.stdin.end();
  const results = (await Promise.all(holders.map((h) => h.exited))).sort();
  assert.equal(results[0], "held");
  const refused = new RegExp(
    `^refused: ${out.replace(/[/.]/g, "\\$&")}: another writer is using this output \\('test-holder', pid \\d+`,
  );
  for (const r of results.slice(1)) assert.match(r, refused);
  // Which process created the folder is a race of its own, so it may stay; empty, without lock or draft files.
  assert.deepEqual(fs.existsSync(out) ? fs.readdirSync(out) : [], []);
});

test("a lock file that is not one of ours (empty, foreign) is taken over; no draft or stale file is left", () => {
  const out = path.join(dir, "foreign");
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, FOLDER_LOCK), "");
  withOutputLock(out, "folder", "taker", () => {
    assert.match(fs.readFileSync(path.join(out, FOLDER_LOCK), "utf8"), /"command":"taker"/);
    assert.deepEqual(fs.readdirSync(out), [FOLDER_LOCK]);
  });
  assert.deepEqual(fs.readdirSync(out), []);
});

test("curate refuses a folder another process writes; after that process is killed (-9) its stale lock is taken over", async () => {
  const out = path.join(dir, "curation");
  const h = holder(out);
  await until(() => h.output().includes("held"));
  assert.throws(
    () => curate({ out, size: 20, pad: false, jobs: [], command: "test" }),
    /another writer is using this output \('test-holder'/,
  );
  h.child.kill("SIGKILL");
  await h.exited;
  assert.ok(fs.existsSync(path.join(out, FOLDER_LOCK)), "the killed holder left its lock");
  // The lock is taken over, so curate reaches its own input checks.
  assert.throws(() => curate({ out, size: 20, pad: false, jobs: [], command: "test" }), /nothing to curate: no field/);
  assert.equal(fs.existsSync(path.join(out, FOLDER_LOCK)), false);
});

test("a folder holding only the lock, a contending writer's draft of it or a stale one set aside is empty", () => {
  const out = path.join(dir, "emptiness");
  assert.ok(isEmptyFolder(out), "a missing folder");
  fs.mkdirSync(out);
  for (const name of [FOLDER_LOCK, `${FOLDER_LOCK}.4242.k3j9x`, `${FOLDER_LOCK}.stale.4242`])
    fs.writeFileSync(path.join(out, name), "");
  assert.ok(isEmptyFolder(out));
  fs.writeFileSync(path.join(out, ".starcluster.locked-notes"), "");
  assert.equal(isEmptyFolder(out), false, "a file named like the lock but not of it");
});
