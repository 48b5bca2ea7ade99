// System errors in words, naming the path: what the command line prints instead of Node's terse codes.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { describeError } from "../../lib/util/errors";
import { tempDir } from "../helpers";

const dir = tempDir();

const caught = (fn: () => void): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
};

test("system errors name the path and the cause in words; other errors pass through", () => {
  assert.equal(
    describeError(caught(() => fs.readFileSync(path.join(dir, "none.csv")))),
    `${path.join(dir, "none.csv")}: no such file or folder (ENOENT)`,
  );
  assert.equal(
    describeError(caught(() => fs.mkdirSync(path.join(dir, "a", "b")))),
    `${path.join(dir, "a", "b")}: no such file or folder (ENOENT)`,
  );
  fs.writeFileSync(path.join(dir, "file"), "x");
  assert.equal(
    describeError(caught(() => fs.mkdirSync(path.join(dir, "file", "sub")))),
    `${path.join(dir, "file", "sub")}: a part of the path is a file, not a folder (ENOTDIR)`,
  );
  const rename = caught(() => fs.renameSync(path.join(dir, "file"), path.join(dir, "missing", "to")));
  assert.equal(
    describeError(rename),
    `${path.join(dir, "missing", "to")}: no such file or folder (ENOENT)`,
    "a rename names its target",
  );
  assert.equal(describeError(new Error("plain")), "plain");
});
