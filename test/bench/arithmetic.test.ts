// The operation count benchmarks read their times against: exact for a network whose count is known by hand.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { convolutionRate, flopsOf, kernelFlops } from "../../bench/arithmetic";
import { initBackend } from "../../lib/backend/select";
import { createDualModel, disposeDualModel, dualPredict } from "../../lib/models/dual";

before(async () => {
  await initBackend({ log: () => {} });
});

test("a dual ResNet18 at 224 px: twice torchvision's 1.81 G multiply-adds, plus the head", async () => {
  // By hand: conv1 118,013,952 multiply-adds; layer1 4 x 115,605,504; layers 2-4 each 57,802,752 (strided conv)
  // + 6,422,528 (1x1 downsample) + 3 x 115,605,504; in all 1,813,561,344 per backbone (torchvision: 1.81 GFLOPS,
  // counted as multiply-adds); each backbone's fc 512 x 1,000; the head 2 x 1,000 features x 4 classes.
  const model = createDualModel({ arch: "resnet18", inputSize: 224, seed: 0 });
  const x = tf.zeros([1, 224, 224, 6]) as tf.Tensor4D;
  const flops = await flopsOf(() => void dualPredict(model, x).dispose());
  tf.dispose(x);
  disposeDualModel(model);
  assert.equal(flops, 2 * (2 * (1_813_561_344 + 512 * 1000) + 2000 * 4));
});

test("kernelFlops counts a convolution's three passes alike, strided or not, and a transposed product as its plain one", () => {
  const x = [2, 8, 8, 3],
    w = [3, 3, 3, 5],
    y = [2, 8, 8, 5];
  const forward = kernelFlops("Conv2D", [x, w], [y]);
  assert.equal(forward, 2 * 2 * 8 * 8 * 5 * 27);
  assert.equal(kernelFlops("Conv2DBackpropInput", [y, w], [x]), forward);
  assert.equal(kernelFlops("Conv2DBackpropFilter", [x, y], [w]), forward);
  // Stride 2: a quarter of the output positions, so a quarter of the products, in every pass.
  const dy = [2, 4, 4, 5];
  const strided = kernelFlops("Conv2D", [x, w], [dy]);
  assert.equal(strided, forward / 4);
  assert.equal(kernelFlops("Conv2DBackpropInput", [dy, w], [x]), strided, "stride 2, backward data");
  assert.equal(kernelFlops("Conv2DBackpropFilter", [x, dy], [w]), strided, "stride 2, backward weights");
  assert.equal(
    kernelFlops(
      "BatchMatMul",
      [
        [1, 6, 4],
        [1, 4, 7],
      ],
      [[1, 6, 7]],
    ),
    2 * 6 * 4 * 7,
  );
  assert.equal(
    kernelFlops(
      "BatchMatMul",
      [
        [1, 4, 6],
        [1, 7, 4],
      ],
      [[1, 6, 7]],
    ),
    2 * 6 * 4 * 7,
    "a^T b^T",
  );
  assert.equal(kernelFlops("Relu", [y], [y]), 0);
});

test("convolutionRate is a finite positive rate", () => {
  const rate = convolutionRate(1);
  assert.ok(Number.isFinite(rate) && rate > 0, `rate ${rate}`);
});
