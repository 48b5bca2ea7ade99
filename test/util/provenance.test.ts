// sha256File: the hash of the bytes, remembered for large files until the file is replaced or changed.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { writeFileAtomic } from "../../lib/util/atomic";
import { sha256File } from "../../lib/util/provenance";
import { tempDir } from "../helpers";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test("a large file's hash follows its bytes through an atomic rewrite and an in-place one", () => {
  const file = path.join(tempDir(), "model.safetensors");
  const bytes = Buffer.alloc(64 << 20, 1); // at the size from which hashes are remembered
  writeFileAtomic(file, bytes);
  assert.equal(sha256File(file), sha(bytes));
  assert.equal(sha256File(file), sha(bytes), "asked again");
  bytes[12345] = 2;
  writeFileAtomic(file, bytes); // a new inode, the same size
  assert.equal(sha256File(file), sha(bytes));
  bytes.fill(3, 0, 10);
  fs.writeFileSync(file, bytes); // the same inode: its change time moves
  assert.equal(sha256File(file), sha(bytes));
});

test("a small file is hashed each time", () => {
  const file = path.join(tempDir(), "split.json");
  fs.writeFileSync(file, "a");
  assert.equal(sha256File(file), sha(Buffer.from("a")));
  fs.writeFileSync(file, "b");
  assert.equal(sha256File(file), sha(Buffer.from("b")));
});
