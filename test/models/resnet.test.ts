// ResNet18 against torchvision: imported state dict, eval forward, train-mode forward and BN running statistics;
// parameter count and initialisation; safetensors validation; the 1024-feature dual classifier against PyTorch.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { createDualModel, disposeDualModel, dualForward, dualPredict, dualStateDict } from "../../lib/models/dual";
import { countParameters, createParams, disposeParams } from "../../lib/models/init";
import { maxPool2d } from "../../lib/models/layers";
import { forward, resnet18, resnet18Forward, resnet18Specs } from "../../lib/models/resnet";
import {
  loadTorchvisionResnet18,
  readSafetensors,
  SafetensorsError,
  SafetensorsFile,
  writeSafetensors,
} from "../../lib/models/safetensors";
import { importTorchStateDict, loadTorchStateDictInto } from "../../lib/models/weights";
import { tempDir } from "../helpers";
import { backendTest, initModelBackends } from "./backends";
import { golden, nhwc, relError } from "./helpers";

let dir: string;
initModelBackends();
before(() => {
  dir = golden("resnet18");
});

backendTest(
  "resnet18: imported torchvision weights give torchvision's outputs (eval, train-mode BN, running stats)",
  (t) => {
    const weights = importTorchStateDict(path.join(dir, "resnet18_state.safetensors"), "resnet18");
    const io = SafetensorsFile.open(path.join(dir, "resnet18_io.safetensors"));
    const params = createParams(resnet18Specs(1000), 0, weights.tensors);
    const x = nhwc(io, "x");

    const evalOut = resnet18Forward(params, x, { training: false });
    const evalErr = relError(evalOut.dataSync(), io.read("eval_logits").data);
    t.diagnostic(`eval logits relative error ${evalErr.toExponential(2)}`);
    assert.ok(evalErr < 1e-4, `eval logits: relative error ${evalErr}`);

    const trainOut = resnet18Forward(params, x, { training: true });
    const trainErr = relError(trainOut.dataSync(), io.read("train_logits").data);
    t.diagnostic(`train-mode logits relative error ${trainErr.toExponential(2)}`);
    assert.ok(trainErr < 1e-4, `train-mode logits: relative error ${trainErr}`);

    let checked = 0,
      worst = 0;
    for (const name of io.names().filter((n) => n.startsWith("after."))) {
      const ours = params.get(name.slice("after.".length))!.dataSync();
      const err = relError(ours, io.read(name).data);
      assert.ok(err < 1e-4, `${name}: relative error ${err}`);
      worst = Math.max(worst, err);
      checked++;
    }
    t.diagnostic(`BN running statistics after the train-mode pass: worst relative error ${worst.toExponential(2)}`);
    assert.equal(checked, 20 * 3, "running_mean, running_var and num_batches_tracked of all 20 BN layers");
    tf.dispose([x, evalOut, trainOut]);
    disposeParams(params);
  },
);

backendTest("resnet18: loadTorchvisionResnet18 into resnet18() gives torchvision's eval logits", () => {
  const io = SafetensorsFile.open(path.join(dir, "resnet18_io.safetensors"));
  const params = resnet18(1000, 1);
  loadTorchvisionResnet18(params, readSafetensors(path.join(dir, "resnet18_state.safetensors")));
  const err = tf.tidy(() =>
    relError(forward(params, nhwc(io, "x"), { training: false }).dataSync(), io.read("eval_logits").data),
  );
  assert.ok(err < 1e-4, `eval logits: relative error ${err}`);
  // A state dict for another head does not load silently.
  const headless = resnet18(null, 1);
  assert.throws(
    () => loadTorchvisionResnet18(headless, readSafetensors(path.join(dir, "resnet18_state.safetensors"))),
    /unexpected tensors fc\.weight, fc\.bias/,
  );
  disposeParams(params);
  disposeParams(headless);
});

test("resnet18: 11,689,512 parameters for 1000 classes; running statistics not trainable; torchvision's init", () => {
  assert.equal(countParameters(resnet18Specs(1000)), 11_689_512);
  const params = resnet18(1000, 7);
  const trainable = [...params.values()].filter((v) => v.trainable).reduce((n, v) => n + v.size, 0);
  assert.equal(trainable, 11_689_512);
  for (const [name, v] of params) assert.equal(v.trainable, !/running_|num_batches/.test(name), name);
  assert.deepEqual(params.get("conv1.weight")!.shape, [7, 7, 3, 64], "conv HWIO");
  assert.deepEqual(params.get("fc.weight")!.shape, [512, 1000], "linear [in, out]");
  // kaiming_normal_(fan_out, relu): std sqrt(2 / (3*3*512)); fc: uniform +-1/sqrt(512); BN weight 1, bias 0.
  const std = (t: tf.Tensor) => tf.tidy(() => Math.sqrt(tf.moments(t).variance.dataSync()[0]));
  const convStd = std(params.get("layer4.1.conv2.weight")!),
    expected = Math.sqrt(2 / (9 * 512));
  assert.ok(Math.abs(convStd / expected - 1) < 0.01, `conv std ${convStd}, expected ${expected}`);
  const bound = 1 / Math.sqrt(512);
  for (const name of ["fc.weight", "fc.bias"]) {
    const a = params.get(name)!.dataSync();
    assert.ok(
      a.every((v) => Math.abs(v) <= bound),
      `${name} within +-${bound}`,
    );
  }
  assert.ok(Math.abs(std(params.get("fc.weight")!) / (bound / Math.sqrt(3)) - 1) < 0.01, "fc.weight uniform");
  assert.ok(
    params
      .get("bn1.weight")!
      .dataSync()
      .every((v) => v === 1) &&
      params
        .get("bn1.bias")!
        .dataSync()
        .every((v) => v === 0),
  );
  // Seeded: the same seed gives the same weights, another seed different ones.
  const again = resnet18(1000, 7),
    other = resnet18(1000, 8);
  assert.deepEqual(again.get("layer1.0.conv1.weight")!.dataSync(), params.get("layer1.0.conv1.weight")!.dataSync());
  assert.notDeepEqual(other.get("layer1.0.conv1.weight")!.dataSync(), params.get("layer1.0.conv1.weight")!.dataSync());
  [params, again, other].forEach(disposeParams);
});

test("safetensors: round trip, and bad files rejected with the file named (truncated, header too long, overlapping)", () => {
  const tmp = tempDir();
  const good = path.join(tmp, "good.safetensors");
  const tensors = new Map([
    ["a", { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }],
    ["b", { shape: [3], data: Int32Array.from([5, -6, 7]), dtype: "I64" as const }],
  ]);
  writeSafetensors(good, tensors, { note: "test" });
  const back = readSafetensors(good);
  assert.deepEqual([...back.get("a")!.data], [1, 2, 3, 4]);
  assert.deepEqual([...back.get("b")!.data], [5, -6, 7]);
  assert.equal(SafetensorsFile.open(good).metadata.note, "test");

  const bytes = fs.readFileSync(good);
  const bad = (name: string, content: Buffer, pattern: RegExp) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, content);
    assert.throws(
      () => SafetensorsFile.open(file),
      (e: Error) => e instanceof SafetensorsError && e.message.includes(file) && pattern.test(e.message),
      name,
    );
  };
  bad("truncated.safetensors", bytes.subarray(0, bytes.length - 4), /truncated/);
  bad("short.safetensors", bytes.subarray(0, 5), /shorter than the 8-byte header length/);
  const huge = Buffer.from(bytes);
  huge.writeBigUInt64LE(BigInt(bytes.length), 0);
  bad("header-length.safetensors", huge, /header length \d+ exceeds/);
  const header = Buffer.from(
    JSON.stringify({
      x: { dtype: "F32", shape: [4], data_offsets: [0, 16] },
      y: { dtype: "F32", shape: [4], data_offsets: [8, 24] },
    }),
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length), 0);
  bad("overlap.safetensors", Buffer.concat([len, header, Buffer.alloc(24)]), /overlaps/);
  const wrongSize = Buffer.from(JSON.stringify({ x: { dtype: "F32", shape: [5], data_offsets: [0, 16] } }));
  len.writeBigUInt64LE(BigInt(wrongSize.length), 0);
  bad("size.safetensors", Buffer.concat([len, wrongSize, Buffer.alloc(16)]), /needs 20 bytes/);
});

backendTest(
  "dual resnet18 on pooled features (2 x 512 -> Linear(1024, 4)) matches PyTorch: eval logits, softmax, train mode",
  () => {
    const fdir = golden("dual_features");
    const io = SafetensorsFile.open(path.join(fdir, "dual_features_io.safetensors"));
    const model = createDualModel({ arch: "resnet18", backboneOutputs: null, inputSize: 64 });
    assert.deepEqual(model.head.get("head.weight")!.shape, [1024, 4]);
    loadTorchStateDictInto(path.join(fdir, "dual_features_state.safetensors"), dualStateDict(model));
    const x = nhwc(io, "x");
    const check = (what: string, ours: tf.Tensor, ref: string) => {
      const err = relError(ours.dataSync(), io.read(ref).data);
      ours.dispose();
      assert.ok(err < 1e-4, `${what}: relative error ${err}`);
    };
    check("eval logits", dualForward(model, x, { training: false }), "eval_logits");
    check("probabilities", dualPredict(model, x), "eval_probs");
    check("train-mode logits", dualForward(model, x, { training: true }), "train_logits");
    x.dispose();
    disposeDualModel(model);
  },
);

backendTest(
  "dual resnet18: paper (299 px) and smallest (32 px) inputs give probabilities; 6 channels required; no tensors leak",
  () => {
    for (const size of [32, 299]) {
      const model = createDualModel({ arch: "resnet18", backboneOutputs: null, inputSize: size, seed: 3 });
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        // Batch 2: at 32 px layer4's map is 1x1, and training-mode BN needs more than one value per channel (as in PyTorch).
        const x = tf.randomUniform([2, size, size, 6], 0, 1, "float32", 1) as tf.Tensor4D;
        const p = dualPredict(model, x);
        assert.deepEqual(p.shape, [2, 4]);
        for (const row of tf.sum(p, 1).dataSync()) assert.ok(Math.abs(row - 1) < 1e-5);
        assert.deepEqual(dualForward(model, x, { training: true }).shape, [2, 4]);
        assert.throws(
          () => dualForward(model, tf.zeros([1, size, size, 5]) as tf.Tensor4D, { training: false }),
          /expected input/,
        );
      });
      assert.equal(tf.memory().numTensors, before, `${size} px: tensors leaked`);
      disposeDualModel(model);
    }
  },
);

backendTest(
  "max pool 3x3 / 2 / pad 1 on ReLU-range input: PyTorch's output size and gradient to each window's maximum",
  () => {
    // The backend's MaxPoolGrad is checked on non-negative input only, the range ResNet pools (see maxPool2d).
    const [n, h, w, c] = [2, 25, 24, 5];
    const x = tf.randomUniform([n, h, w, c], 0.01, 1, "float32", 11) as tf.Tensor4D;
    const [ho, wo] = [Math.floor((h + 2 - 3) / 2) + 1, Math.floor((w + 2 - 3) / 2) + 1];
    const dy = tf.randomNormal([n, ho, wo, c], 0, 1, "float32", 12);
    const y = maxPool2d(x, 3, 2, 1);
    assert.deepEqual(y.shape, [n, ho, wo, c]);
    const dx = tf
      .grad((t) => tf.sum(tf.mul(maxPool2d(t as tf.Tensor4D, 3, 2, 1), dy)))(x)
      .dataSync();
    const xs = x.dataSync(),
      dys = dy.dataSync(),
      ys = y.dataSync();
    const expected = new Float32Array(xs.length);
    const at = (b: number, i: number, j: number, k: number, width: number, height: number) =>
      ((b * height + i) * width + j) * c + k;
    for (let b = 0; b < n; b++)
      for (let i = 0; i < ho; i++)
        for (let j = 0; j < wo; j++)
          for (let k = 0; k < c; k++) {
            let best = -Infinity,
              arg = -1;
            for (let di = 0; di < 3; di++)
              for (let dj = 0; dj < 3; dj++) {
                const r = 2 * i - 1 + di,
                  s = 2 * j - 1 + dj;
                if (r < 0 || r >= h || s < 0 || s >= w) continue; // padding never wins
                const v = xs[at(b, r, s, k, w, h)];
                if (v > best) [best, arg] = [v, at(b, r, s, k, w, h)];
              }
            assert.equal(ys[at(b, i, j, k, wo, ho)], best);
            expected[arg] += dys[at(b, i, j, k, wo, ho)];
          }
    const err = relError(dx, expected);
    assert.ok(err < 1e-6, `gradient: relative error ${err}`);
    tf.dispose([x, dy, y]);
  },
);
