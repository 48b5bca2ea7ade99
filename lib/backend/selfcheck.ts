// A backend self-check that exercises training end to end: a tiny conv net learns to tell round blobs from
// elongated ones (the symmetric-vs-asymmetric distinction of the paper, in miniature). Every op a CNN
// training step needs runs: conv forward and both gradients, relu, pooling, dense, softmax cross-entropy, Adam.
import * as tf from "@tensorflow/tfjs";
import { mulberry32, Random } from "../util/random";

export interface SelfCheckResult {
  backend: string;
  steps: number;
  losses: number[];
  accuracy: number;
  msPerStep: number;
}

/** n images (size x size, 1 channel) of Gaussian blobs: label 0 round, label 1 elongated at a random angle. */
export function blobBatch(n: number, size: number, random: Random): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const pixels = new Float32Array(n * size * size);
  const labels = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const elongated = random() < 0.5;
    const angle = random() * Math.PI;
    const sMajor = elongated ? 3.2 : 1.8;
    const sMinor = 1.8;
    const cx = size / 2 + (random() - 0.5) * 2;
    const cy = size / 2 + (random() - 0.5) * 2;
    const c = Math.cos(angle),
      s = Math.sin(angle);
    for (let yy = 0; yy < size; yy++) {
      for (let xx = 0; xx < size; xx++) {
        const dx = xx - cx,
          dy = yy - cy;
        const u = (dx * c + dy * s) / sMajor,
          v = (-dx * s + dy * c) / sMinor;
        pixels[i * size * size + yy * size + xx] = Math.exp(-0.5 * (u * u + v * v)) + 0.05 * (random() - 0.5);
      }
    }
    labels[i * 2 + (elongated ? 1 : 0)] = 1;
  }
  return { x: tf.tensor4d(pixels, [n, size, size, 1]), y: tf.tensor2d(labels, [n, 2]) };
}

/** Trains the tiny net for `steps` Adam steps on the current backend and reports the loss curve. */
export function trainTinyConvNet(options: { steps?: number; batch?: number; seed?: number } = {}): SelfCheckResult {
  const steps = options.steps ?? 40;
  const batch = options.batch ?? 16;
  const seed = options.seed ?? 1;
  const random = mulberry32(seed);
  const size = 16;
  // He-normal initialisation; seeded so the loss curve is reproducible.
  const init = <R extends tf.Rank>(shape: number[], fanIn: number, offset: number) =>
    tf.variable(
      tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", seed * 100 + offset),
    ) as unknown as tf.Variable<R>;
  const params = {
    conv1: init<tf.Rank.R4>([3, 3, 1, 8], 9, 1),
    conv2: init<tf.Rank.R4>([3, 3, 8, 16], 72, 2),
    dense: init<tf.Rank.R2>([16, 2], 16, 3),
    bias: tf.variable(tf.zeros([2])) as tf.Variable<tf.Rank.R1>,
  };
  const model = (x: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      let h = tf.relu(tf.conv2d(x, params.conv1, 1, "same"));
      h = tf.maxPool(h, 2, 2, "valid");
      h = tf.relu(
        tf.conv2d(h, params.conv2, 2, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]),
      );
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      return tf.add(tf.matMul(pooled, params.dense), params.bias);
    });
  const optimizer = tf.train.adam(1e-2);
  const losses: number[] = [];
  const start = Date.now();
  for (let i = 0; i < steps; i++) {
    const { x, y } = blobBatch(batch, size, random);
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model(x)) as tf.Scalar, true) as tf.Scalar;
    losses.push(loss.dataSync()[0]);
    tf.dispose([x, y, loss]);
  }
  const msPerStep = (Date.now() - start) / steps;
  const test = blobBatch(256, size, random);
  const accuracy = tf.tidy(
    () => tf.mean(tf.cast(tf.equal(tf.argMax(model(test.x), 1), tf.argMax(test.y, 1)), "float32")).dataSync()[0],
  );
  tf.dispose([test.x, test.y, ...Object.values(params)]);
  optimizer.dispose();
  return { backend: tf.getBackend(), steps, losses, accuracy, msPerStep };
}
