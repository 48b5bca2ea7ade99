// The dual ResNet18 classifier against the same model built in PyTorch: loss, gradients and one Adam step
// (lr 1e-4, cross-entropy, training mode) change the weights and BN statistics as PyTorch's do.
// Also: adaptive average pooling and three Adam steps against PyTorch.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  createDualModel,
  disposeDualModel,
  dualForward,
  dualPredict,
  dualStateDict,
  foldForInference,
  probabilityRows,
} from "../../lib/models/dual";
import { adaptiveAvgPool2d } from "../../lib/models/layers";
import { SafetensorsFile, TensorData } from "../../lib/models/safetensors";
import { lossAndGradients } from "../../lib/models/loss";
import { loadTorchStateDictInto } from "../../lib/models/weights";
import { Adam } from "../../lib/train/adam";
import { backendTest, initModelBackends } from "./backends";
import { golden, nhwc, relError } from "./helpers";

const LR = 1e-4;

initModelBackends();

/** A torch-layout tensor in tfjs layout (conv OIHW -> HWIO, linear [out, in] -> [in, out]), written out independently of the importer. */
function tfjsLayout(t: TensorData, shape: number[]): Float32Array {
  const src = t.data,
    out = new Float32Array(src.length);
  if (shape.length === 4) {
    const [kh, kw, ci, co] = shape;
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < ci; i++)
          for (let o = 0; o < co; o++) out[((y * kw + x) * ci + i) * co + o] = src[((o * ci + i) * kh + y) * kw + x];
  } else if (shape.length === 2) {
    const [fin, fout] = shape;
    for (let i = 0; i < fin; i++) for (let o = 0; o < fout; o++) out[i * fout + o] = src[o * fin + i];
  } else out.set(src);
  return out;
}

backendTest("dual resnet18: loss, gradients and one Adam step match PyTorch", (t) => {
  const dir = golden("dual_adam");
  const io = SafetensorsFile.open(path.join(dir, "dual_adam_io.safetensors"));
  const model = createDualModel({ arch: "resnet18", inputSize: 64 });
  const state = dualStateDict(model);
  loadTorchStateDictInto(path.join(dir, "dual_adam_state.safetensors"), state);
  const x = nhwc(io, "x");
  const labels = tf.tensor1d(io.read("labels").data as Int32Array, "int32");

  const { loss, grads } = lossAndGradients(model, x, labels);
  const lossErr = relError(loss.dataSync(), io.read("loss").data);
  t.diagnostic(`loss ${loss.dataSync()[0]}, relative error ${lossErr.toExponential(2)}`);
  assert.ok(lossErr < 1e-4, `loss: relative error ${lossErr}`);

  let worstGrad = 0;
  for (const [name, g] of grads) {
    const err = relError(g.dataSync(), tfjsLayout(io.read(`grad.${name}`), g.shape));
    worstGrad = Math.max(worstGrad, err);
    assert.ok(err < 2e-4, `gradient of ${name}: error ${err} relative to its largest element`);
  }
  t.diagnostic(
    `gradients (${grads.size} tensors): worst error relative to each tensor's largest element ${worstGrad.toExponential(2)}`,
  );

  const adam = new Adam({ lr: LR });
  adam.step(state, grads);
  // Adam's first step moves each weight by lr * g / (|g| + eps), about lr (1e-4) whatever the gradient's size, so
  // the change is what is compared: |ours - torch| / lr per element. Where |g| is below ~1e-4 of the tensor's
  // largest gradient, float32 noise in g (measured above) decides the sign of the step, in PyTorch as here; those
  // elements are counted, not bounded.
  let worstStep = 0,
    noisy = 0,
    total = 0,
    worstBuffer = 0;
  for (const [name, v] of state) {
    const after = tfjsLayout(io.read(`after.${name}`), v.shape);
    const ours = v.dataSync();
    if (!v.trainable) {
      const err = relError(ours, after);
      worstBuffer = Math.max(worstBuffer, err);
      assert.ok(err < 1e-4, `${name} after the step: relative error ${err}`);
      continue;
    }
    const g = tfjsLayout(io.read(`grad.${name}`), v.shape);
    const gMax = g.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    for (let i = 0; i < ours.length; i++) {
      total++;
      const err = Math.abs(ours[i] - after[i]) / LR;
      if (Math.abs(g[i]) < 1e-3 * gMax) {
        if (err > 1e-2) noisy++;
        continue;
      }
      worstStep = Math.max(worstStep, err);
    }
  }
  t.diagnostic(
    `Adam step: worst |ours - torch| / lr ${worstStep.toExponential(2)} over elements with |g| >= 1e-3 max|g|; ` +
      `${noisy} of ${total} near-zero-gradient elements differ by > 1% of lr; BN buffers worst relative error ${worstBuffer.toExponential(2)}`,
  );
  assert.ok(worstStep < 1e-3, `weights after one Adam step differ by ${worstStep} * lr`);
  assert.ok(noisy < total * 1e-4, `${noisy} of ${total} weights moved differently`);

  tf.dispose([x, labels, loss, ...grads.values()]);
  adam.dispose();
  disposeDualModel(model);
});

backendTest("Adam: three steps on fixed gradients match torch.optim.Adam", () => {
  const io = SafetensorsFile.open(path.join(golden("adam"), "adam_io.safetensors"));
  const p = tf.variable(tf.tensor(io.read("p0").data));
  const params = new Map([["p", p]]);
  const adam = new Adam({ lr: 1e-3 });
  for (let t = 1; t <= 3; t++) adam.step(params, new Map([["p", tf.tensor(io.read(`g${t}`).data)]]));
  const expected = io.read("p3").data,
    p0 = io.read("p0").data;
  const moved = expected.map((v, i) => v - p0[i]);
  const err = relError(
    p.dataSync().map((v, i) => v - p0[i]),
    moved,
  );
  assert.ok(err < 1e-4, `change after three steps: relative error ${err}`);
  adam.dispose();
  p.dispose();
});

backendTest(
  "adaptive average pooling matches torch (overlapping 9 -> 7, replicating 2 -> 7 and 1 -> 7, uneven, identity)",
  () => {
    const io = SafetensorsFile.open(path.join(golden("pool"), "pool_io.safetensors"));
    for (let i = 0; io.has(`x${i}`); i++) {
      const y = tf.tidy(() => tf.transpose(adaptiveAvgPool2d(nhwc(io, `x${i}`), 7, 7), [0, 3, 1, 2]).dataSync());
      const err = relError(y, io.read(`y${i}`).data);
      assert.ok(err < 1e-6, `case ${i}: relative error ${err}`);
    }
  },
);

backendTest("dual model: 6-channel input checked, softmax outputs, native 50 px input", () => {
  const model = createDualModel({ arch: "resnet18", inputSize: 50, seed: 5 });
  assert.equal(model.provenance.init, "torchvision-default");
  assert.throws(
    () => dualForward(model, tf.zeros([1, 50, 50, 5]) as tf.Tensor4D, { training: false }),
    /expected input \[batch, 50, 50, 6\]/,
  );
  const p = dualPredict(model, tf.randomUniform([2, 50, 50, 6]) as tf.Tensor4D);
  assert.deepEqual(p.shape, [2, 4]);
  const rows = p.sum(1).dataSync();
  for (const r of rows) assert.ok(Math.abs(r - 1) < 1e-5);
  // The two backbones are independent copies, as two torchvision models would be.
  const state = dualStateDict(model);
  assert.notDeepEqual(
    state.get("backbones.0.conv1.weight")!.dataSync().slice(0, 8),
    state.get("backbones.1.conv1.weight")!.dataSync().slice(0, 8),
  );
  disposeDualModel(model);
});

backendTest(
  "dual model: weights that overflow (a bit-flipped 3e38) stop prediction naming the model, never a class",
  () => {
    const model = createDualModel({ arch: "resnet18", inputSize: 32, seed: 5 });
    const x = tf.randomUniform([2, 32, 32, 6], 0, 1, "float32", 1) as tf.Tensor4D;
    assert.equal(probabilityRows(model, x, "good.safetensors").length, 2);
    const weight = dualStateDict(model).get("head.weight") as tf.Variable;
    weight.assign(tf.fill(weight.shape, 3e38));
    assert.throws(
      () => probabilityRows(model, x, "flipped.safetensors"),
      /^Error: flipped\.safetensors: the model gives a non-finite class probability \(NaN\); its weights overflow/,
    );
    x.dispose();
    disposeDualModel(model);
  },
);

// One backend (the last the tests above set): a dual VGG19-BN takes ~20 s to initialise.
test("foldForInference: VGG19-BN at 32 px holds classifier.0 folded, with the same probabilities", () => {
  const model = createDualModel({ arch: "vgg19_bn", inputSize: 32, seed: 3 });
  const x = tf.randomUniform([2, 32, 32, 6], 0, 1, "float32", 5) as tf.Tensor4D;
  try {
    const before = probabilityRows(model, x, "vgg 32 px");
    assert.equal(foldForInference(model), model);
    for (const i of [0, 1])
      assert.deepEqual(dualStateDict(model).get(`backbones.${i}.classifier.0.weight`)!.shape, [512, 4096]);
    assert.deepEqual(probabilityRows(model, x, "vgg 32 px folded"), before, "the sum the forward pass made, made once");
    foldForInference(model); // already folded: left as it is
    assert.deepEqual(dualStateDict(model).get("backbones.0.classifier.0.weight")!.shape, [512, 4096]);
  } finally {
    x.dispose();
    disposeDualModel(model);
  }
  const resnet = createDualModel({ arch: "resnet18", inputSize: 32, seed: 3 });
  const names = [...dualStateDict(resnet).keys()];
  foldForInference(resnet);
  assert.deepEqual([...dualStateDict(resnet).keys()], names, "ResNet18 untouched");
  disposeDualModel(resnet);
});
