// Training is reproducible on each backend: the same seed and data give bit-identical weights (and BN statistics)
// after a few trainStep calls (which did move them).
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createDualModel, disposeDualModel, dualStateDict } from "../../lib/models/dual";
import { trainStep } from "../../lib/train/step";
import { Adam } from "../../lib/train/adam";
import { backendTest, initModelBackends } from "./backends";

initModelBackends();

type State = Map<string, Buffer>;

function snapshot(model: ReturnType<typeof createDualModel>): State {
  return new Map(
    [...dualStateDict(model)].map(([name, v]) => {
      const data = v.dataSync();
      return [name, Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))];
    }),
  );
}

/** The state dict's bytes before and after `steps` Adam steps from `seed` on fixed data, and the losses. */
function train(seed: number, steps: number): { initial: State; state: State; losses: number[] } {
  const model = createDualModel({ arch: "resnet18", inputSize: 32, seed });
  const initial = snapshot(model);
  const x = tf.randomUniform([2, 32, 32, 6], 0, 1, "float32", 9) as tf.Tensor4D;
  const labels = tf.tensor1d([0, 3], "int32");
  const adam = new Adam({ lr: 1e-3 });
  const losses = Array.from({ length: steps }, () => trainStep(model, x, labels, adam));
  const state = snapshot(model);
  tf.dispose([x, labels]);
  adam.dispose();
  disposeDualModel(model);
  return { initial, state, losses };
}

backendTest("dual resnet18: two training steps from one seed give bit-identical weights and BN statistics", () => {
  const a = train(1, 2),
    b = train(1, 2);
  assert.deepEqual(a.losses, b.losses);
  let moved = 0;
  for (const [name, bytes] of a.state) {
    assert.ok(bytes.equals(b.state.get(name)!), `${name} differs between two identical runs`);
    if (!bytes.equals(a.initial.get(name)!)) moved++;
  }
  // Training moved (nearly) every tensor, so the comparison is not of untouched initial values.
  assert.ok(moved > 0.9 * a.state.size, `only ${moved} of ${a.state.size} tensors changed in training`);
});
