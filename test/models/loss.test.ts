// The training loss: torch's cross-entropy, its class weights, and the logit adjustment (Menon et al. 2021).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { crossEntropy } from "../../lib/models/loss";

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
