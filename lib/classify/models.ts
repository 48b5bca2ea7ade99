// Which trained models `classify --models PATH` means, and the checks that one stamp stream can feed them all.
//   PATH a model file         that model;
//   PATH a run directory      (config.json inside) its model.safetensors, if the run is complete (run.json);
//   PATH any other folder     every complete run and every loose model file below it, e.g. a train-seeds
//                             output (<out>/<arch>/seed-N) or a folder of *.safetensors model files.
// Incomplete runs, training checkpoints and safetensors files that are not trained models are skipped and listed.
// Only the headers are read here (the weights are loaded later), so bad input fails before any work.
import * as fs from "node:fs";
import * as path from "node:path";
import { BANDS } from "../catalog/record";
import { ArchName } from "../models/arch";
import { SafetensorsFile } from "../models/safetensors";
import { InputSpec, readInputSpec, readModelInfo } from "../models/saved";
import { RUN_FILES } from "../train/rundir";
import { sha256File } from "../util/provenance";

export interface EnsembleMember {
  /** Path relative to the --models argument (its base name when that is a file), for messages and provenance. */
  name: string;
  file: string;
  arch: ArchName;
  classes: number;
  input: InputSpec;
  /** File size: the weights' memory, near enough. */
  bytes: number;
  /** The training run the model is the result of, when it was found as a run directory. */
  run: string | null;
  /** Set by classify with --decision prior-matched: the model's probabilities are read with prior^exponent. */
  decision?: { exponent: number; prior: number[] };
}

export interface FoundModels {
  members: EnsembleMember[];
  /** Files and folders passed over, with why. */
  skipped: string[];
}

/** A model file's header, or why it is not a finished model. */
function inspect(file: string, name: string): EnsembleMember | string {
  let st: SafetensorsFile;
  try {
    st = SafetensorsFile.open(file);
  } catch (e) {
    return (e as Error).message;
  }
  let info: ReturnType<typeof readModelInfo>;
  try {
    info = readModelInfo(st);
  } catch (e) {
    return (e as Error).message;
  }
  if (info.metadata.checkpoint !== undefined) return `${file}: a training checkpoint, not a finished model`;
  const input = readInputSpec(info.metadata, file);
  if (!input) {
    return (
      `${file}: records no input spec (bands, stamp size, input size, rescaling): it was saved outside 'starcluster train' ` +
      "or before trained models recorded their input; retrain it"
    );
  }
  return {
    name,
    file,
    arch: info.config.arch,
    classes: info.config.classes,
    input,
    bytes: fs.statSync(file).size,
    run: null,
  };
}

const isRunDir = (dir: string) => fs.existsSync(path.join(dir, RUN_FILES.config));

/** Every model under `root` in path order (deterministic: the ensemble's order is the output's provenance order). */
export function findModels(root: string): FoundModels {
  if (!fs.existsSync(root)) throw new Error(`${root}: no such file or folder (--models)`);
  const members: EnsembleMember[] = [];
  const skipped: string[] = [];
  const rel = (file: string) => path.relative(root, file) || path.basename(file);
  if (fs.statSync(root).isFile()) {
    const m = inspect(root, path.basename(root));
    if (typeof m === "string") throw new Error(m);
    return { members: [m], skipped };
  }
  const walk = (dir: string) => {
    if (isRunDir(dir)) {
      const model = path.join(dir, RUN_FILES.model);
      if (!fs.existsSync(path.join(dir, RUN_FILES.done)) || !fs.existsSync(model)) {
        skipped.push(
          `${dir}: training not complete (no ${RUN_FILES.done}); finish it with the same 'starcluster train' command`,
        );
        return;
      }
      const m = inspect(model, rel(model));
      if (typeof m === "string") throw new Error(m); // a complete run with a bad model file is an error, not a skip
      members.push({ ...m, run: dir });
      return;
    }
    for (const name of fs.readdirSync(dir).sort()) {
      if (name.startsWith(".")) continue;
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory())
        walk(full); // stat, not the entry type: linked run folders count
      else if (name.endsWith(".safetensors")) {
        const m = inspect(full, rel(full));
        if (typeof m === "string") skipped.push(m);
        else members.push(m);
      }
    }
  };
  walk(root);
  if (members.length === 0) {
    throw new Error(
      `${root}: no trained model found (looked for complete run directories, with ${RUN_FILES.done} and ${RUN_FILES.model}, and *.safetensors model files)` +
        (skipped.length ? `; skipped:\n  ${skipped.join("\n  ")}` : ""),
    );
  }
  return { members, skipped };
}

const describeInput = (s: InputSpec) =>
  `${s.stampSize} px stamps of ${s.bands.join(", ")} at ${s.inputSize} px input, rescaled ${s.rescale}`;

/**
 * The one input spec every member shares; throws naming the models when one was trained on another band set
 * (classify feeds the five BANDS in order), or when two members would need different stamps or input sizes.
 */
export function ensembleInput(members: EnsembleMember[]): InputSpec {
  const [first] = members;
  for (const m of members) {
    if (m.input.bands.join(",") !== BANDS.join(",")) {
      throw new Error(
        `${m.file}: trained on the bands ${m.input.bands.join(", ")}; classify feeds ${BANDS.join(", ")} in that order, so it cannot use this model`,
      );
    }
    if (m.classes !== 4) throw new Error(`${m.file}: has ${m.classes} output classes, the classification has 4`);
    const [a, b] = [describeInput(first.input), describeInput(m.input)];
    if (a !== b) {
      throw new Error(
        `models disagree on their input: ${first.file} takes ${a}, ${m.file} takes ${b}; an ensemble needs one kind of stamp (pass a folder holding only one kind of model)`,
      );
    }
  }
  return first.input;
}

/** Identity lines of the ensemble for resuming: each model by name and content, and how it is read. */
export function modelFingerprint(members: EnsembleMember[]): string[] {
  return members.map(
    (m) => `model ${m.name} sha256 ${sha256File(m.file)}${m.decision ? ` prior-matched s ${m.decision.exponent}` : ""}`,
  );
}
