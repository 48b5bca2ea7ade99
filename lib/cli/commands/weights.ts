// `starcluster weights import`: converts a torchvision/timm ImageNet state dict (safetensors) to the project's format.
import { UsageError } from "../args";
import { defineCommand } from "../command";
import { ARCHITECTURES } from "../../models/arch";
import { describeProvenance } from "../../models/init";
import { importTorchStateDict, saveWeights } from "../../models/weights";
import * as fs from "node:fs";

export const weightsImportCommand = defineCommand({
  name: "weights import",
  summary:
    "Convert a torchvision or timm state dict (e.g. timm's resnet18.tv_in1k model.safetensors) into DIR/<arch>.safetensors (tfjs layout).",
  args: "FILE.safetensors",
  positionals: [1, 1],
  options: {
    arch: { type: "string", choices: ARCHITECTURES, required: true, help: "architecture of the state dict" },
    out: { type: "string", required: true, help: "output folder" },
  },
  async run({ options, positionals }) {
    const [file] = positionals;
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const weights = importTorchStateDict(file, options.arch);
    const out = saveWeights(options.out, weights);
    console.log(
      `${out}: ${weights.arch}, ${weights.tensors.size} tensors, init ${describeProvenance(weights.provenance)}`,
    );
  },
});
