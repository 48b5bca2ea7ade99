// Every model of the ensemble on a chunk of stamps, through the training and evaluation batch pipeline
// (assembleBatch: rescale, six channels, resize; eval mode). Models stay loaded together when their weights fit
// the memory budget, and each batch is assembled once for all of them. Otherwise each model is loaded in turn for
// every chunk: a dual VGG19-BN is 1.1 GB, and ten of them do not fit the wasm backend's 4 GB heap at once.
import * as tf from "@tensorflow/tfjs";
import { assembleBatch, BatchOptions } from "../dataset/batch";
import { disposeDualModel, DualModel, foldForInference, probabilityRows } from "../models/dual";
import { InputSpec, loadDualModel } from "../models/saved";
import { priorWeighted } from "../evaluate/decision";
import type { EnsembleMember } from "./models";

/** Weights held at once by default: half the wasm heap, leaving the rest to activations and batches. */
export const DEFAULT_MODEL_MEMORY = 2 * 1024 ** 3;
/** Objects per chunk when models are loaded in turn: loading a model costs seconds, a chunk takes minutes. */
export const ROTATING_CHUNK = 2048;

function load(member: EnsembleMember, input: InputSpec): DualModel {
  const model = foldForInference(loadDualModel(member.file).model);
  if (model.config.inputSize !== input.inputSize) {
    disposeDualModel(model);
    throw new Error(
      `${member.file}: the model is built for ${model.config.inputSize} px input but records ${input.inputSize} px`,
    );
  }
  return model;
}

export class Ensemble {
  /** The loaded models when resident; null when they are loaded in turn. */
  private readonly models: DualModel[] | null;
  private readonly batch: BatchOptions;

  constructor(
    readonly members: EnsembleMember[],
    readonly input: InputSpec,
    modelMemory: number,
  ) {
    this.batch = { stampSize: input.stampSize, inputSize: input.inputSize, rescale: input.rescale };
    const resident = members.reduce((a, m) => a + m.bytes, 0) <= modelMemory;
    this.models = resident ? [] : null;
    try {
      if (this.models) for (const m of members) this.models.push(load(m, input));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  get resident(): boolean {
    return this.models !== null;
  }

  /** Probabilities [model][stamp][class] for `stamps`, in batches of `batchSize`; `progress` gets the fraction done. */
  predict(stamps: Float32Array[], batchSize: number, progress?: (fraction: number) => void): Float32Array[][] {
    const out = this.members.map(() => new Array<Float32Array>(stamps.length));
    if (stamps.length === 0) return out; // a chunk of dropped objects only: no model to load
    const starts = Array.from({ length: Math.ceil(stamps.length / batchSize) }, (_, b) => b * batchSize);
    const run = (model: DualModel, m: number, x: tf.Tensor4D, start: number) => {
      const d = this.members[m].decision;
      probabilityRows(model, x, this.members[m].file).forEach(
        (row, i) => (out[m][start + i] = d ? priorWeighted(row, d.prior, d.exponent) : row),
      );
    };
    const assemble = (start: number) => assembleBatch(stamps.slice(start, start + batchSize), this.batch);
    const units = starts.length * this.members.length;
    let done = 0;
    if (this.models) {
      for (const start of starts) {
        const x = assemble(start);
        try {
          this.models.forEach((model, m) => {
            run(model, m, x, start);
            progress?.(++done / units);
          });
        } finally {
          x.dispose();
        }
      }
      return out;
    }
    this.members.forEach((member, m) => {
      const model = load(member, this.input);
      try {
        for (const start of starts) {
          const x = assemble(start);
          try {
            run(model, m, x, start);
          } finally {
            x.dispose();
          }
          progress?.(++done / units);
        }
      } finally {
        disposeDualModel(model);
      }
    });
    return out;
  }

  dispose(): void {
    this.models?.forEach(disposeDualModel);
    this.models?.splice(0);
  }
}
