// The onednn backend's fused kernels against the composed ops they replace, run on the cpu backend: Adam bit for
// bit (same float32 arithmetic in the same order), training-mode batch norm forward and backward to 1e-4.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { FUSED, hasFusedKernel } from "../../lib/backend/fused";
import { initBackend } from "../../lib/backend/select";
import { createParams } from "../../lib/models/init";
import { batchNorm2d, batchNorm2dSpecs } from "../../lib/models/layers";
import { Adam } from "../../lib/train/adam";
import { onednnSkip, randomValues, relativeError, size, TOLERANCE } from "./kernel-check";

const skip = onednnSkip();

/** Three Adam steps on fixed parameters and gradients on the named backend; the parameters after each step. */
async function adamSteps(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const p = tf.variable(tf.tensor(randomValues(1000, 1), [10, 100]));
  const adam = new Adam({ lr: 1e-2 });
  const out: Float32Array[] = [];
  for (let t = 0; t < 3; t++) {
    const g = tf.tensor(randomValues(1000, 10 + t, -3, 3), [10, 100]);
    adam.step(new Map([["p", p]]), new Map([["p", g]]));
    out.push(p.dataSync() as Float32Array);
    g.dispose();
  }
  adam.dispose();
  p.dispose();
  return out;
}

/** Training-mode batch norm: output, gradients of x, weight and bias under a fixed dy, running statistics. */
async function batchNormRun(backend: string, shape: number[]) {
  await tf.setBackend(backend);
  const c = shape[3];
  const params = createParams(batchNorm2dSpecs("bn", c), 0);
  params.get("bn.weight")!.assign(tf.tensor(randomValues(c, 3, 0.5, 1.5)));
  params.get("bn.bias")!.assign(tf.tensor(randomValues(c, 4)));
  const x = tf.tensor4d(randomValues(size(shape), 5, -2, 3), shape as [number, number, number, number]);
  const dy = tf.tensor(randomValues(size(shape), 6), shape);
  const f = (input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
    params.get("bn.weight")!.assign(w as tf.Tensor1D);
    params.get("bn.bias")!.assign(b as tf.Tensor1D);
    return tf.sum(tf.mul(batchNorm2d(params, "bn", input as tf.Tensor4D, true), dy));
  };
  const y = tf.tidy(() => batchNorm2d(params, "bn", x, true).dataSync() as Float32Array);
  const grads = tf
    .grads(f)([x, params.get("bn.weight")!, params.get("bn.bias")!])
    .map((g) => g.dataSync() as Float32Array);
  const running = ["running_mean", "running_var"].map((n) => params.get(`bn.${n}`)!.dataSync() as Float32Array);
  tf.dispose([x, dy, ...params.values()]);
  return { y, grads, running, fused: hasFusedKernel(FUSED.batchNormTrain) };
}

describe("onednn fused kernels match the composed ops on cpu", { skip }, () => {
  before(async () => {
    await initBackend({ backend: "onednn", threads: 2 });
  });

  test("Adam: three steps bit-identical to the composed update", async () => {
    const ref = await adamSteps("cpu");
    const got = await adamSteps("onednn");
    assert.ok(hasFusedKernel(FUSED.adam), "the fused kernel is registered on onednn");
    for (let t = 0; t < 3; t++) assert.deepEqual(got[t], ref[t], `step ${t + 1}`);
  });

  test("Adam updates a variable in place only when nothing else shares its data", async () => {
    await tf.setBackend("onednn");
    const p = tf.variable(tf.tensor(randomValues(64, 2), [8, 8]));
    const g = tf.tensor(randomValues(64, 3), [8, 8]);
    const adam = new Adam({ lr: 0.1 });
    const params = new Map([["p", p]]);
    adam.step(params, new Map([["p", g]])); // creates m and v
    const before = tf.memory().numTensors;
    const dataId = p.dataId;
    adam.step(params, new Map([["p", g]]));
    assert.equal(p.dataId, dataId, "unshared: updated in place");
    assert.equal(tf.memory().numTensors, before, "no tensors leaked");
    const read = p.dataSync(); // a copy: it must not change when p is updated in place
    const kept = read.slice();
    adam.step(params, new Map([["p", g]]));
    assert.equal(p.dataId, dataId);
    assert.deepEqual(read, kept, "an array read earlier did not change");
    const snapshot = p.clone(); // shares p's data
    const cloned = snapshot.dataSync();
    adam.step(params, new Map([["p", g]]));
    assert.notEqual(p.dataId, dataId, "shared: a new array");
    assert.deepEqual(snapshot.dataSync(), cloned, "the clone did not change");
    assert.notDeepEqual(p.dataSync(), cloned, "the variable did");
    tf.dispose([p, g, snapshot]);
    adam.dispose();
  });

  test("Relu's gradient: fused on onednn, bit-identical to mul(dy, step(x)) on cpu (zeros, negatives, NaN)", async () => {
    const xs = randomValues(3 * 5 * 7, 8);
    xs[0] = 0;
    xs[1] = NaN;
    const dys = randomValues(3 * 5 * 7, 9, -2, 2);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(
        () =>
          tf
            .grad((x: tf.Tensor) => tf.relu(x))(tf.tensor(xs, [3, 5, 7]), tf.tensor(dys, [3, 5, 7]))
            .dataSync() as Float32Array,
      );
    };
    const ref = await run("cpu");
    const got = await run("onednn");
    assert.ok(hasFusedKernel(FUSED.reluGrad));
    assert.ok(Number.isNaN(got[1]) && Number.isNaN(ref[1]));
    assert.deepEqual(
      Array.from(got).map((v) => (Object.is(v, -0) ? "-0" : v)),
      Array.from(ref).map((v) => (Object.is(v, -0) ? "-0" : v)),
    );
  });

  for (const shape of [
    [2, 5, 4, 7],
    [1, 3, 3, 1],
    [16, 8, 8, 64],
  ]) {
    test(`batch norm (training) forward, gradients and running statistics: [${shape}]`, async () => {
      const ref = await batchNormRun("cpu", shape);
      const got = await batchNormRun("onednn", shape);
      assert.deepEqual([ref.fused, got.fused], [false, true], "composed on cpu, fused on onednn");
      assert.ok(relativeError(got.y, ref.y) <= TOLERANCE, `y: ${relativeError(got.y, ref.y)}`);
      ["dx", "dWeight", "dBias"].forEach((name, i) => {
        const err = relativeError(got.grads[i], ref.grads[i]);
        assert.ok(err <= TOLERANCE, `${name}: relative error ${err}`);
      });
      got.running.forEach((r, i) => assert.ok(relativeError(r, ref.running[i]) <= TOLERANCE, `running statistic ${i}`));
    });
  }
});
