// forEachAtMost: every item once, never more than `jobs` at a time, started in order, no new item after stop().
import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachAtMost } from "../../lib/util/pool";

const tick = () => new Promise((r) => setTimeout(r, 1));

test("every item once, at most `jobs` at a time, started in the list's order", async () => {
  const started: number[] = [];
  let running = 0;
  let most = 0;
  await forEachAtMost([10, 11, 12, 13, 14, 15, 16], 3, async (item, i) => {
    assert.equal(item, 10 + i);
    started.push(i);
    most = Math.max(most, ++running);
    for (let k = 0; k < 7 - i; k++) await tick(); // early items take longer
    running--;
  });
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(most, 3);
  await forEachAtMost([], 4, async () => assert.fail("no items, no work"));
});

test("after stop() says so no further item starts; the running ones finish", async () => {
  const done: number[] = [];
  let failed = false;
  await forEachAtMost(
    [0, 1, 2, 3, 4, 5],
    2,
    async (i) => {
      for (let k = 0; k < (i === 0 ? 5 : 1); k++) await tick(); // item 1 fails while item 0 still runs
      if (i === 1) failed = true;
      done.push(i);
    },
    () => failed,
  );
  assert.deepEqual(
    done.sort((a, b) => a - b),
    [0, 1],
  );
});
