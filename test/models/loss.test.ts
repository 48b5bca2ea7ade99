// The training loss: torch's cross-entropy, its class weights, the logit adjustment (Menon et al. 2021) and the
// generalized cross-entropy (Zhang & Sabuncu 2018).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { crossEntropy, generalizedCrossEntropy } from "../../lib/models/loss";
import { logitAdjustmentOffsets } from "../../lib/train/train";

const prior = [0.1, 0.2, 0.3, 0.4];

test("cross-entropy of equal logits is ln 4; logit adjustment makes it -ln(prior of the label)", () => {
  const logits = tf.zeros([4, 4]) as tf.Tensor2D;
  const labels = tf.tensor1d([0, 1, 2, 3], "int32");
  assert.ok(Math.abs(crossEntropy(logits, labels).dataSync()[0] - Math.log(4)) < 1e-6);
  const offsets = tf.tensor1d(prior.map(Math.log));
  for (let k = 0; k < 4; k++) {
    const one = tf.tensor1d([k], "int32");
    const loss = crossEntropy(tf.zeros([1, 4]) as tf.Tensor2D, one, undefined, offsets).dataSync()[0];
    assert.ok(Math.abs(loss + Math.log(prior[k])) < 1e-6, `class ${k + 1}: ${loss} vs ${-Math.log(prior[k])}`);
  }
});

test("under logit adjustment, logits equal to the class-balanced log-odds minimise the loss on prior-distributed labels", () => {
  // Labels drawn in proportion to the prior from one ambiguous input: the unadjusted optimum is z = log prior, the
  // adjusted one z = 0 (every class equally likely once the prior is taken out), so z = 0 must score lower adjusted.
  const labels = tf.tensor1d([0, 1, 1, 2, 2, 2, 3, 3, 3, 3], "int32");
  const offsets = tf.tensor1d(prior.map(Math.log));
  const zero = tf.zeros([10, 4]) as tf.Tensor2D;
  const logPrior = tf.tile(tf.tensor2d([prior.map(Math.log)]), [10, 1]) as tf.Tensor2D;
  const adjusted = (z: tf.Tensor2D) => crossEntropy(z, labels, undefined, offsets).dataSync()[0];
  const plain = (z: tf.Tensor2D) => crossEntropy(z, labels).dataSync()[0];
  assert.ok(
    adjusted(zero) < adjusted(logPrior),
    `adjusted: ${adjusted(zero)} at 0, ${adjusted(logPrior)} at log prior`,
  );
  assert.ok(plain(logPrior) < plain(zero), `plain: ${plain(logPrior)} at log prior, ${plain(zero)} at 0`);
});

test("the generalized cross-entropy is (1 - p_y^q) / q and tends to the cross-entropy as q -> 0", () => {
  const logits = tf.tensor2d([
    [2, 0, -1, 0.5],
    [0, 1, 0, -2],
  ]);
  const labels = tf.tensor1d([0, 3], "int32");
  const p = tf.softmax(logits).arraySync() as number[][];
  const q = 0.7;
  const expected = ((1 - p[0][0] ** q) / q + (1 - p[1][3] ** q) / q) / 2;
  const gce = generalizedCrossEntropy(logits, labels, q).dataSync()[0];
  assert.ok(Math.abs(gce - expected) < 1e-6, `${gce} vs ${expected}`);
  const ce = crossEntropy(logits, labels).dataSync()[0];
  const nearZero = generalizedCrossEntropy(logits, labels, 1e-4).dataSync()[0];
  assert.ok(Math.abs(nearZero - ce) < 1e-3 * ce, `q = 1e-4: ${nearZero} vs cross-entropy ${ce}`);
  assert.throws(() => generalizedCrossEntropy(logits, labels, 1), /q must be in \(0, 1\) \(got 1\)/);
});

test("the generalized cross-entropy's gradient is the cross-entropy's times p_y^q: unlikely labels pull less", () => {
  const logits = tf.tensor2d([[3, 0, 0, 0]]);
  const q = 0.7;
  const gradient = (loss: (z: tf.Tensor2D) => tf.Scalar) =>
    tf
      .grad((z: tf.Tensor) => loss(z as tf.Tensor2D))(logits)
      .dataSync();
  for (const label of [0, 2]) {
    const y = tf.tensor1d([label], "int32");
    const pY = (tf.softmax(logits).dataSync() as Float32Array)[label];
    const g = gradient((z) => generalizedCrossEntropy(z, y, q));
    const c = gradient((z) => crossEntropy(z, y));
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(g[k] - pY ** q * c[k]) < 1e-6, `label ${label}, logit ${k}`);
  }
});

test("logit adjustment under the generalized cross-entropy needs offsets / (1 - q) to keep the balanced decision", () => {
  // Labels drawn in proportion to the prior from one ambiguous input: the class-balanced answer is z = 0 (no class
  // favoured once the prior is taken out), so the loss must be stationary at z = 0 with the scaled offsets only.
  const counts = [1, 2, 3, 4];
  const q = 0.7;
  const labels = tf.tensor1d([0, 1, 1, 2, 2, 2, 3, 3, 3, 3], "int32");
  const slope = (offsets: number[]) =>
    tf
      .grad((z: tf.Tensor) => {
        const shared = tf.tile(z, [10, 1]) as tf.Tensor2D;
        return generalizedCrossEntropy(shared, labels, q, undefined, tf.tensor1d(offsets));
      })(tf.zeros([1, 4]))
      .abs()
      .max()
      .dataSync()[0];
  const scaled = slope(logitAdjustmentOffsets(counts, q));
  const unscaled = slope(logitAdjustmentOffsets(counts));
  assert.ok(scaled < 1e-6, `gradient at z = 0 with offsets / (1 - q): ${scaled}`);
  assert.ok(unscaled > 1e-3, `gradient at z = 0 with plain offsets: ${unscaled}`);
});
