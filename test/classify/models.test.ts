// Which models `classify --models` finds, and the refusals that keep one ensemble on one kind of stamp. Only
// headers matter here, so the model files are header-only stand-ins written in the trained-model format.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { BANDS } from "../../lib/catalog/record";
import { ensembleInput, findModels } from "../../lib/classify/models";
import { stampsSource } from "../../lib/classify/source";
import { writeSafetensors } from "../../lib/models/safetensors";
import { InputSpec, MODEL_FORMAT } from "../../lib/models/saved";
import { tempDir } from "../helpers";
import { writeCuratedFixture } from "../dataset/fixture";

const spec: InputSpec = { bands: [...BANDS], stampSize: 32, inputSize: 32, rescale: "stamp-absmax" };

function modelFile(file: string, input: InputSpec | null, extra: Record<string, string> = {}): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const metadata: Record<string, string> = {
    format: MODEL_FORMAT,
    config: JSON.stringify({
      arch: "resnet18",
      classes: 4,
      backboneOutputs: 1000,
      inputSize: input?.inputSize ?? 32,
      seed: 0,
    }),
    provenance: JSON.stringify({ init: "torchvision-default", seed: 0 }),
    ...extra,
  };
  if (input) metadata.input = JSON.stringify(input);
  writeSafetensors(file, new Map([["head.bias", { shape: [4], data: new Float32Array(4) }]]), metadata);
  return file;
}

function runDir(dir: string, complete: boolean, input: InputSpec | null = spec): string {
  modelFile(path.join(dir, "model.safetensors"), input);
  fs.writeFileSync(path.join(dir, "config.json"), "{}");
  if (complete) fs.writeFileSync(path.join(dir, "run.json"), "{}");
  return dir;
}

test("a train-seeds folder with loose model files: complete runs and models in path order; the rest skipped with why", () => {
  const root = tempDir();
  runDir(path.join(root, "resnet18", "seed-0"), true);
  runDir(path.join(root, "resnet18", "seed-10"), true);
  runDir(path.join(root, "resnet18", "seed-2"), false);
  modelFile(path.join(root, "loose", "a.safetensors"), spec);
  modelFile(path.join(root, "loose", "checkpoint.safetensors"), spec, { checkpoint: "{}" });
  writeSafetensors(
    path.join(root, "loose", "imagenet.safetensors"),
    new Map([["w", { shape: [1], data: new Float32Array(1) }]]),
    { format: "other" },
  );
  fs.symlinkSync(path.join(root, "resnet18", "seed-0"), path.join(root, "linked"));
  const found = findModels(root);
  assert.deepEqual(
    found.members.map((m) => m.name),
    [
      "linked/model.safetensors",
      "loose/a.safetensors",
      "resnet18/seed-0/model.safetensors",
      "resnet18/seed-10/model.safetensors",
    ],
  );
  assert.equal(found.skipped.length, 3);
  assert.match(found.skipped.join("\n"), /seed-2: training not complete \(no run\.json\)/);
  assert.match(found.skipped.join("\n"), /checkpoint\.safetensors: a training checkpoint, not a finished model/);
  assert.match(found.skipped.join("\n"), /imagenet\.safetensors: not a starcluster model \(format 'other'\)/);
  assert.deepEqual(ensembleInput(found.members), spec);

  assert.deepEqual(
    findModels(path.join(root, "resnet18", "seed-0")).members.map((m) => m.name),
    ["model.safetensors"],
    "a run directory",
  );
  assert.deepEqual(
    findModels(path.join(root, "loose", "a.safetensors")).members.map((m) => m.name),
    ["a.safetensors"],
    "a model file",
  );
  assert.throws(
    () => findModels(path.join(root, "resnet18", "seed-2")),
    /no trained model found .*skipped:\n {2}.*seed-2: training not complete/s,
  );
  assert.throws(
    () => findModels(path.join(root, "loose", "checkpoint.safetensors")),
    /a training checkpoint, not a finished model/,
  );
  assert.throws(
    () => findModels(path.join(root, "nothing")),
    (e: Error) => e.message === `${path.join(root, "nothing")}: no such file or folder (--models)`,
  );
});

test("refused: models trained on another band set, models that disagree on stamp or input size, models without an input spec", () => {
  const root = tempDir();
  const a = modelFile(path.join(root, "a.safetensors"), spec);
  const bigger = modelFile(path.join(root, "b.safetensors"), { ...spec, inputSize: 40 });
  const reordered = modelFile(path.join(root, "c.safetensors"), {
    ...spec,
    bands: ["F336W", "F275W", "F438W", "F555W", "F814W"],
  });
  const stamp50 = modelFile(path.join(root, "d.safetensors"), { ...spec, stampSize: 50, rescale: "stamp-minmax" });
  const member = (file: string) => findModels(file).members[0];
  assert.throws(
    () => ensembleInput([member(a), member(bigger)]),
    (e: Error) =>
      e.message ===
      `models disagree on their input: ${a} takes 32 px stamps of ${BANDS.join(", ")} at 32 px input, rescaled stamp-absmax, ` +
        `${bigger} takes 32 px stamps of ${BANDS.join(", ")} at 40 px input, rescaled stamp-absmax; an ensemble needs one kind of stamp (pass a folder holding only one kind of model)`,
  );
  assert.throws(
    () => ensembleInput([member(a), member(stamp50)]),
    /models disagree on their input: .* takes 50 px stamps .* rescaled stamp-minmax/,
  );
  assert.throws(
    () => ensembleInput([member(reordered)]),
    (e: Error) =>
      e.message ===
      `${reordered}: trained on the bands F336W, F275W, F438W, F555W, F814W; classify feeds ${BANDS.join(", ")} in that order, so it cannot use this model`,
  );
  const bare = modelFile(path.join(root, "bare", "e.safetensors"), null);
  assert.throws(
    () => findModels(bare),
    /e\.safetensors: records no input spec \(bands, stamp size, input size, rescaling\)/,
  );
  assert.throws(() => findModels(path.dirname(bare)), /no trained model found .*records no input spec/s);
});

test("a curated folder of other stamps than the models take is refused, naming both sizes", () => {
  const data = writeCuratedFixture(tempDir(), { size: 32, perClass: 1 }).dir;
  assert.throws(
    () => stampsSource(data, 50),
    (e: Error) =>
      e.message.startsWith(`${data}: stamps are 32 px but the models take 50 px stamps; curate at --size 50`),
  );
  assert.equal(stampsSource(data, 32).objects.length, 4);
});
