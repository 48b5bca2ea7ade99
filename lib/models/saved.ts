// Trained dual classifiers on disk: one safetensors file holding every variable under its dualStateDict name
// (tfjs layout) and, in its metadata, the model's configuration and where its backbone weights came from,
// so a file alone rebuilds the model exactly. Training checkpoints use the same file with extra tensors.
import * as tf from "@tensorflow/tfjs";
import { SafetensorsError, SafetensorsFile, TensorToWrite, writeSafetensors } from "./safetensors";
import { DualConfig, DualModel, dualModelFromState, dualStateDict } from "./dual";
import { Provenance } from "./init";
import type { RescaleRule } from "../dataset/transforms";
import { parseJson } from "../util/json";

export const MODEL_FORMAT = "starcluster-dual-model-1";

/** How a trained model's input was made: bands in channel order, stamp side, model input side, pixel rescaling. */
export interface InputSpec {
  bands: string[];
  stampSize: number;
  inputSize: number;
  rescale: RescaleRule;
}

/** The input spec a trained model file records (absent in models saved outside training). */
export function readInputSpec(metadata: Record<string, string>, file = "model file"): InputSpec | undefined {
  return metadata.input ? parseJson<InputSpec>(metadata.input, `${file}: metadata 'input'`) : undefined;
}

/** Current values of variables, for writing. */
export function variableTensors(variables: Map<string, tf.Variable>, prefix = ""): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, v] of variables) {
    const data = v.dataSync();
    out.set(prefix + name, {
      shape: v.shape,
      data: v.dtype === "int32" ? Int32Array.from(data) : Float32Array.from(data),
    });
  }
  return out;
}

/** Assigns every variable from `file`'s tensor `prefix + name`; all must be present with the right shape. */
export function assignVariables(st: SafetensorsFile, variables: Map<string, tf.Variable>, prefix = ""): void {
  for (const [name, v] of variables) {
    const key = prefix + name;
    if (!st.has(key)) throw new Error(`${st.file}: missing tensor '${key}'`);
    const t = st.read(key);
    if (t.shape.join(",") !== v.shape.join(","))
      throw new Error(`${st.file}: '${key}' has shape [${t.shape}], the model needs [${v.shape}]`);
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, v.dtype)));
  }
}

export function modelMetadata(model: DualModel, extra: Record<string, string> = {}): Record<string, string> {
  return {
    format: MODEL_FORMAT,
    config: JSON.stringify(model.config),
    provenance: JSON.stringify(model.provenance),
    ...extra,
  };
}

export function saveDualModel(file: string, model: DualModel, extra: Record<string, string> = {}): void {
  writeSafetensors(file, variableTensors(dualStateDict(model)), modelMetadata(model, extra));
}

/** The configuration and provenance stored in a model file (or checkpoint), checked to be ours. */
export function readModelInfo(st: SafetensorsFile): {
  config: DualConfig;
  provenance: Provenance;
  metadata: Record<string, string>;
} {
  if (st.metadata.format !== MODEL_FORMAT)
    throw new Error(`${st.file}: not a starcluster model (format '${st.metadata.format ?? "none"}')`);
  const config = parseJson<DualConfig>(st.metadata.config, `${st.file}: metadata 'config'`);
  return {
    config,
    provenance: parseJson<Provenance>(st.metadata.provenance, `${st.file}: metadata 'provenance'`),
    metadata: st.metadata,
  };
}

/** Rebuilds a trained model from its file. */
export function loadDualModel(file: string): { model: DualModel; metadata: Record<string, string> } {
  const st = SafetensorsFile.open(file);
  const { config, provenance, metadata } = readModelInfo(st);
  try {
    return {
      model: dualModelFromState(config, provenance, (name) => (st.has(name) ? st.read(name) : undefined)),
      metadata,
    };
  } catch (e) {
    if (e instanceof SafetensorsError) throw e; // names the file already
    throw new Error(`${st.file}: ${(e as Error).message}`);
  }
}
