// Adam's per-parameter learning-rate factors (torch's parameter groups): a factor scales that parameter's step alone.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Adam } from "../../lib/train/adam";

test("Adam: a parameter's lrScale multiplies its step; the others take the full step", () => {
  const params = new Map([
    ["a", tf.variable(tf.tensor1d([1, 1]))],
    ["b", tf.variable(tf.tensor1d([1, 1]))],
  ]);
  const grads = new Map([
    ["a", tf.tensor1d([2, -3])],
    ["b", tf.tensor1d([2, -3])],
  ]);
  const adam = new Adam({ lr: 0.1 });
  adam.lrScale.set("b", 0.25);
  adam.step(params, grads);
  // torch's first step: lr * g / (|g| + eps), i.e. lr against the sign of g.
  const moved = (name: string) => Array.from(params.get(name)!.dataSync()).map((v) => 1 - v);
  moved("a").forEach((d, i) => assert.ok(Math.abs(d - [0.1, -0.1][i]) < 1e-6, `a[${i}] moved ${d}`));
  moved("b").forEach((d, i) => assert.ok(Math.abs(d - [0.025, -0.025][i]) < 1e-6, `b[${i}] moved ${d}`));
  adam.dispose();
});
