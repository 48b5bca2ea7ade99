// The onednn backend's array pool: native kernel outputs are recycled once their tensor is gone, and never while
// anything can still see them (a view made by the cpu backend's contiguous Slice, a second data entry, an array a
// caller handed to tfjs).
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ArrayPool } from "../../lib/backend/onednn/pool";
import { initBackend } from "../../lib/backend/select";
import { Adam } from "../../lib/train/adam";
import { onednnSkip, randomValues } from "./kernel-check";

describe("ArrayPool", () => {
  test("an array released by its only holder is taken again; the byte cap sends the rest to the GC", () => {
    const pool = new ArrayPool(64);
    const a = pool.take(8);
    pool.held(a);
    pool.released(a);
    assert.equal(pool.bytes, 32);
    assert.equal(pool.take(8), a, "same length: recycled");
    assert.equal(pool.bytes, 0);
    assert.notEqual(pool.take(4), a, "another length: a new array");
    const [b, c, d] = [pool.take(8), pool.take(8), pool.take(8)];
    for (const x of [b, c, d]) pool.held(x), pool.released(x);
    assert.equal(pool.bytes, 64, "two kept, the third over the cap");
  });

  test("memory a view or a second entry held is never recycled; nor is an array the pool did not make", () => {
    const pool = new ArrayPool(1 << 20);
    const a = pool.take(8);
    pool.held(a);
    const view = a.subarray(2, 6);
    pool.held(view);
    assert.ok(pool.shared(a));
    pool.released(view);
    pool.released(a);
    assert.equal(pool.bytes, 0, "a view was made of it");
    const b = pool.take(8);
    pool.held(b);
    pool.held(b); // a second data entry with the same array
    pool.released(b);
    pool.released(b);
    assert.equal(pool.bytes, 0, "two entries held it");
    const users = new Float32Array(8);
    pool.held(users);
    assert.ok(!pool.shared(users));
    pool.released(users);
    assert.equal(pool.bytes, 0, "not the pool's own");
    assert.notEqual(pool.take(8), users);
  });
});

describe("onednn backend with the pool", { skip: onednnSkip() }, () => {
  before(async () => {
    await initBackend({ backend: "onednn", threads: 2 });
  });

  test("kernel outputs are recycled after dispose, and a contiguous slice of one keeps its values", async () => {
    await tf.setBackend("onednn");
    const x = tf.tensor(randomValues(4096, 1), [64, 64]);
    const y = tf.relu(x);
    const yValues = y.dataSync();
    const row = tf.slice(y, [3, 0], [1, 64]); // contiguous: the cpu kernel returns a view of y's array
    const rowValues = row.dataSync().slice();
    const pooled = () => (tf.backend() as unknown as { pool: ArrayPool }).pool.bytes;
    y.dispose();
    const z = tf.relu(x);
    z.dispose();
    const before = pooled();
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.neg(tf.relu(x)));
    assert.deepEqual(row.dataSync(), rowValues, "the view's values survived the recycling around it");
    assert.deepEqual(Array.from(row.dataSync()), Array.from(yValues.slice(3 * 64, 4 * 64)));
    assert.ok(before >= 4096 * 4, `z's array was kept for reuse (${before} bytes pooled)`);
    tf.dispose([x, row]);
  });

  test("a caller's array given to tfjs is never recycled or written", async () => {
    await tf.setBackend("onednn");
    const mine = randomValues(256, 2);
    const kept = mine.slice();
    const t = tf.tensor(mine, [16, 16]);
    t.dispose();
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.relu(tf.neg(tf.tensor(randomValues(256, 3 + i), [16, 16]))));
    assert.deepEqual(mine, kept);
  });

  test("Adam does not update in place an array a view was made of", async () => {
    await tf.setBackend("onednn");
    const p = tf.variable(tf.tensor(randomValues(64, 4), [8, 8]));
    const g = tf.tensor(randomValues(64, 5), [8, 8]);
    const adam = new Adam({ lr: 0.1 });
    const params = new Map([["p", p]]);
    adam.step(params, new Map([["p", g]]));
    adam.step(params, new Map([["p", g]])); // p now holds an array of the pool's, updated in place from here on
    const row = tf.slice(p, [0, 0], [1, 8]); // a view of it
    const rowValues = row.dataSync().slice();
    adam.step(params, new Map([["p", g]]));
    assert.deepEqual(row.dataSync(), rowValues, "the view did not change");
    assert.notDeepEqual(tf.slice(p, [0, 0], [1, 8]).dataSync(), rowValues, "the variable did");
    tf.dispose([p, g, row]);
    adam.dispose();
  });
});
