// Adam's per-parameter step multipliers (torch's parameter groups with their own lr), and the VGG head rule that
// uses them: one gradient stream, two parameters, the scaled one moves by exactly its share of the other's step.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { VGG_REPLICATED_COPIES, vggFeatureSide } from "../../lib/models/vgg";
import { Adam } from "../../lib/train/adam";

test("Adam: stepScale multiplies one parameter's step and leaves the others as torch's", () => {
  const start = [0.5, -1, 2, 0];
  const params = new Map([
    ["a", tf.variable(tf.tensor1d(start))],
    ["b", tf.variable(tf.tensor1d(start))],
  ]);
  const adam = new Adam({ lr: 1e-2, stepScale: new Map([["b", 0.25]]) });
  for (const g of [
    [1, -2, 0.5, 3],
    [0.2, 0.1, -1, 2],
    [-3, 1, 1, 1],
  ]) {
    tf.tidy(() =>
      adam.step(
        params,
        new Map([
          ["a", tf.tensor1d(g)],
          ["b", tf.tensor1d(g)],
        ]),
      ),
    );
  }
  const moved = (name: string) => (params.get(name)!.dataSync() as Float32Array).map((v, i) => v - start[i]);
  const a = moved("a"),
    b = moved("b");
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i]) > 1e-3, `parameter a[${i}] moved (${a[i]})`);
    // float32 positions near 2 hold ~2e-7: compare within a few of their units.
    assert.ok(Math.abs(b[i] - 0.25 * a[i]) <= 1e-6, `b[${i}] moved ${b[i]}, a quarter of ${a[i]}`);
  }
  params.forEach((v) => v.dispose());
  adam.dispose();
});

test("VGG: the feature map is 1x1 (49 copies in classifier.0) exactly for inputs of 32-63 px", () => {
  assert.equal(VGG_REPLICATED_COPIES, 49);
  assert.deepEqual([31, 32, 50, 63, 64, 224, 299].map(vggFeatureSide), [0, 1, 1, 1, 2, 7, 9]);
});
