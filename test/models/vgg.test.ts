// VGG19-BN against torchvision: parameter count, imported torchvision and timm state dicts, eval forward (2x2 map
// replicated to 7x7 by adaptive pooling, CHW flatten order), train-mode BN and running statistics; the weights CLI.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { parseCommandArgs } from "../../lib/cli/command";
import { weightsImportCommand } from "../../lib/cli/commands/weights";
import { countParameters, createParams, disposeParams } from "../../lib/models/init";
import { SafetensorsFile } from "../../lib/models/safetensors";
import { foldClassifier0, unfoldClassifier0, vgg19BnForward, vgg19BnSpecs } from "../../lib/models/vgg";
import { importTorchStateDict, loadWeights } from "../../lib/models/weights";
import { sha256File } from "../../lib/util/provenance";
import { tempDir } from "../helpers";
import { backendTest, initModelBackends } from "./backends";
import { golden, nhwc, relError } from "./helpers";

let dir: string;
initModelBackends();
before(() => {
  dir = golden("vgg19_bn");
});

test("vgg19_bn: 143,678,248 parameters for 1000 classes, as torchvision counts them", () => {
  assert.equal(countParameters(vgg19BnSpecs(1000)), 143_678_248);
  const io = SafetensorsFile.open(path.join(dir, "vgg19_bn_io.safetensors"));
  assert.equal(io.read("params").data[0], 143_678_248);
});

for (const [format, file] of [
  ["torchvision", "vgg19_bn_state.safetensors"],
  ["timm", "vgg19_bn_timm.safetensors"],
]) {
  backendTest(
    `vgg19_bn: imported ${format} weights give torchvision's outputs (eval, train-mode BN, running stats)`,
    (t) => {
      const weights = importTorchStateDict(path.join(dir, file), "vgg19_bn");
      const io = SafetensorsFile.open(path.join(dir, "vgg19_bn_io.safetensors"));
      const params = createParams(vgg19BnSpecs(1000), 0, weights.tensors);
      weights.tensors.clear();
      const x = nhwc(io, "x");
      const evalErr = tf.tidy(() =>
        relError(vgg19BnForward(params, x, { training: false }).dataSync(), io.read("eval_logits").data),
      );
      t.diagnostic(`eval logits relative error ${evalErr.toExponential(2)}`);
      assert.ok(evalErr < 1e-4, `eval logits: relative error ${evalErr}`);
      const trainErr = tf.tidy(() =>
        relError(vgg19BnForward(params, x, { training: true, dropout: 0 }).dataSync(), io.read("train_logits").data),
      );
      t.diagnostic(`train-mode logits relative error ${trainErr.toExponential(2)}`);
      assert.ok(trainErr < 1e-4, `train-mode logits: relative error ${trainErr}`);
      let worst = 0;
      for (const name of io.names().filter((n) => n.startsWith("after.") && !n.endsWith("num_batches_tracked"))) {
        worst = Math.max(worst, relError(params.get(name.slice("after.".length))!.dataSync(), io.read(name).data));
      }
      t.diagnostic(`BN running statistics: worst relative error ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-4, `running statistics: relative error ${worst}`);
      // 50 px: 1x1 features, classifier.0 on the summed weight rows; same logits and same weight gradient.
      const x50 = nhwc(io, "x50");
      const w0 = params.get("classifier.0.weight")!;
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(vgg19BnForward(params, x50, { training: false }))) as tf.Scalar,
        [w0],
      );
      const err50 = relError(
        tf.tidy(() => vgg19BnForward(params, x50, { training: false }).dataSync()),
        io.read("eval_logits50").data,
      );
      // The gradient is stored [in, out] here, [out, in] in torch: compare torch's [:8, :98] block.
      const g = tf.tidy(() => tf.transpose(tf.slice(grads[w0.name], [0, 0], [98, 8])).dataSync());
      const gradErr = relError(g, io.read("grad50").data);
      t.diagnostic(
        `50 px: eval logits relative error ${err50.toExponential(2)}, classifier.0 gradient ${gradErr.toExponential(2)}`,
      );
      assert.ok(err50 < 1e-4 && gradErr < 1e-4, `50 px: logits ${err50}, gradient ${gradErr}`);
      tf.dispose([value, ...Object.values(grads)]);
      // Folded (the 49 rows of each channel summed, how training holds it) and unfolded back: torchvision's logits.
      const logits50 = () => tf.tidy(() => vgg19BnForward(params, x50, { training: false }).dataSync());
      foldClassifier0(params);
      assert.deepEqual(params.get("classifier.0.weight")!.shape, [512, 4096]);
      const foldedErr = relError(logits50(), io.read("eval_logits50").data);
      unfoldClassifier0(params);
      assert.deepEqual(params.get("classifier.0.weight")!.shape, [25088, 4096]);
      const unfoldedErr = relError(logits50(), io.read("eval_logits50").data);
      t.diagnostic(`50 px folded ${foldedErr.toExponential(2)}, unfolded again ${unfoldedErr.toExponential(2)}`);
      assert.ok(foldedErr < 1e-4 && unfoldedErr < 1e-4, `folded ${foldedErr}, unfolded ${unfoldedErr}`);
      foldClassifier0(params);
      assert.throws(
        () => vgg19BnForward(params, x, { training: false }),
        /folded classifier.0 needs a 1x1 feature map/,
      );
      x50.dispose();
      x.dispose();
      disposeParams(params);
    },
  );
}

test("starcluster weights import: torchvision file -> project format with provenance; wrong arch rejected", async () => {
  const out = tempDir();
  const src = path.join(dir, "vgg19_bn_state.safetensors");
  await weightsImportCommand.run(parseCommandArgs(weightsImportCommand, [src, "--arch", "vgg19_bn", "--out", out]));
  const loaded = loadWeights(path.join(out, "vgg19_bn.safetensors"));
  assert.equal(loaded.arch, "vgg19_bn");
  assert.deepEqual(loaded.provenance, {
    init: "imagenet",
    file: "vgg19_bn_state.safetensors",
    sha256: sha256File(src),
  });
  // classifier.0 is stored [in, out] = [25088, 4096]: torch's weight transposed, rows in CHW order.
  const torchW = SafetensorsFile.open(src).read("classifier.0.weight").data;
  const ours = loaded.tensors.get("classifier.0.weight")!;
  assert.deepEqual(ours.shape, [25088, 4096]);
  for (const [i, o] of [
    [0, 0],
    [1, 0],
    [25087, 4095],
    [12345, 678],
  ])
    assert.equal(ours.data[i * 4096 + o], torchW[o * 25088 + i]);
  assert.throws(
    () => importTorchStateDict(src, "resnet18"),
    /not a torchvision\/timm resnet18 state dict|not a resnet18 state dict/,
  );
});
