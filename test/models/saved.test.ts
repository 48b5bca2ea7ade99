// Trained model files load back exactly, without drawing an initialisation first; incomplete files are refused.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { initBackend } from "../../lib/backend/select";
import { createDualModel, disposeDualModel, dualStateDict } from "../../lib/models/dual";
import { readSafetensors, writeSafetensors } from "../../lib/models/safetensors";
import { loadDualModel, modelMetadata, saveDualModel, variableTensors } from "../../lib/models/saved";
import { tempDir } from "../helpers";

test("save then load: every variable bit for bit, config, provenance and metadata; a missing or misshapen tensor is named", async () => {
  await initBackend({ backend: "wasm", log: () => undefined });
  const dir = tempDir();
  const model = createDualModel({ arch: "resnet18", inputSize: 32, seed: 5 });
  const file = path.join(dir, "model.safetensors");
  saveDualModel(file, model, { input: "{}" });
  const { model: loaded, metadata } = loadDualModel(file);
  assert.deepEqual(loaded.config, model.config);
  assert.deepEqual(loaded.provenance, model.provenance);
  assert.equal(metadata.input, "{}");
  const [a, b] = [variableTensors(dualStateDict(model)), variableTensors(dualStateDict(loaded))];
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [name, t] of a) {
    assert.equal(b.get(name)!.data.constructor, t.data.constructor, name);
    assert.ok(Buffer.from(b.get(name)!.data.buffer).equals(Buffer.from(t.data.buffer)), `${name} differs`);
  }
  const tensors = readSafetensors(file);
  const without = new Map(tensors);
  without.delete("backbones.1.layer2.0.bn1.running_var");
  writeSafetensors(path.join(dir, "missing.safetensors"), without, modelMetadata(model));
  assert.throws(
    () => loadDualModel(path.join(dir, "missing.safetensors")),
    (e: Error) =>
      e.message === `${path.join(dir, "missing.safetensors")}: missing tensor 'backbones.1.layer2.0.bn1.running_var'`,
  );
  const misshapen = new Map(tensors).set("head.bias", { shape: [5], data: new Float32Array(5) });
  writeSafetensors(path.join(dir, "misshapen.safetensors"), misshapen, modelMetadata(model));
  assert.throws(
    () => loadDualModel(path.join(dir, "misshapen.safetensors")),
    /misshapen\.safetensors: 'head\.bias' has shape \[5\], the model needs \[4\]/,
  );
  for (const [name, bad] of [
    ["nan", NaN],
    ["inf", -Infinity],
  ] as const) {
    const weight = tensors.get("backbones.0.conv1.weight")!;
    const data = Float32Array.from(weight.data as Float32Array);
    data[7] = bad;
    const broken = path.join(dir, `${name}.safetensors`);
    writeSafetensors(
      broken,
      new Map(tensors).set("backbones.0.conv1.weight", { shape: weight.shape, data }),
      modelMetadata(model),
    );
    const want = new RegExp(
      `${name}\\.safetensors: tensor 'backbones\\.0\\.conv1\\.weight' holds ${bad} at index 7: weights must be finite`,
    );
    assert.throws(() => loadDualModel(broken), want);
  }
  disposeDualModel(model);
  disposeDualModel(loaded);
});
