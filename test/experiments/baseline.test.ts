import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend } from "../../lib/backend/select";
import { fitLogistic, predictedClasses, predictLogistic } from "../../lib/experiments/baseline";
import { mulberry32 } from "../../lib/util/random";
import { runReference } from "../helpers";

// 400 objects of four overlapping classes in five features on different scales, and one constant feature (as a
// band that is never missing): the baseline's kind of problem, small enough for an exact reference.
function problem(): { features: number[][]; labels: number[] } {
  const random = mulberry32(17);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = [
    [0, 0, 1, 2, 0],
    [1, 0, 0, 2, 1],
    [0, 1, 0, 1, 0],
    [1, 1, 1, 0, 2],
  ];
  const scales = [1, 0.01, 10, 3, 0.5];
  const labels = Array.from({ length: 400 }, (_, i) => i % 4);
  const features = labels.map((c) => [...centres[c].map((m, j) => (m + 0.8 * normal()) * scales[j]), 0]);
  return { features, labels };
}

test("fitLogistic reaches PyTorch's L-BFGS optimum of the same objective, and fits the same weights every time", async () => {
  await initBackend({ backend: "wasm", log: () => {} });
  const { features, labels } = problem();
  const l2 = 1e-3;
  const a = fitLogistic(features, labels, { l2 });
  const b = fitLogistic(features, labels, { l2 });
  assert.deepEqual(a, b, "two fits of the same data differ");

  const ref = JSON.parse(runReference("logistic_torch.py", [], JSON.stringify({ features, labels, classes: 4, l2 })));
  // 600 Adam steps come within 1e-5 of the optimum's objective; along its flattest directions the weights may
  // still differ by a percent of the largest.
  const probs = predictLogistic(a, features);
  const loss =
    -labels.reduce((sum, c, i) => sum + Math.log(probs[i][c]), 0) / labels.length +
    l2 * a.weights.flat().reduce((sum, v) => sum + v * v, 0);
  assert.ok(Math.abs(loss - ref.loss) < 1e-5, `objective ${loss}, L-BFGS's optimum ${ref.loss}`);
  const largest = Math.max(...ref.weights.flat().map(Math.abs));
  const gap = Math.max(...a.weights.flatMap((row, j) => row.map((v, c) => Math.abs(v - ref.weights[j][c]))));
  assert.ok(gap < 0.02 * largest, `largest weight difference from the optimum ${gap} (largest weight ${largest})`);
  assert.deepEqual(a.weights[5], [0, 0, 0, 0], "the constant feature carries no weight");
  // The classes are learnable: most objects are put back in their class.
  const hits = predictedClasses(probs).filter((p, i) => p === labels[i]).length;
  assert.ok(hits > 300, `${hits} of 400 objects in their class`);
});
