// Training profiles: the recipe as data (data/profiles/<name>.json), so the published settings, the CPU-sized
// ones and the CI ones sit side by side and every run records the exact profile it used.
import * as fs from "node:fs";
import * as path from "node:path";
import { Precision, PRECISIONS } from "../backend/select";
import { RESCALE_RULES, RescaleRule, ROTATIONS, Rotation } from "../dataset/transforms";
import { ARCHITECTURES, ArchName } from "../models/arch";
import { dataPath } from "../util/paths";

export const PROFILES = ["paper", "cpu", "quick", "smoke"] as const;
export const SAMPLING = ["shuffle", "balanced"] as const;
export const CLASS_WEIGHTS = ["none", "inverse-frequency"] as const;
export const SCHEDULES = ["constant", "cosine"] as const;
export const VGG_CLASSIFIER_STEPS = ["uniform", "fan-in"] as const;
export type VggClassifierStep = (typeof VGG_CLASSIFIER_STEPS)[number];
export type Schedule = (typeof SCHEDULES)[number];

export interface Profile {
  name: string;
  about: string;
  /**
   * Model input side in pixels: 299 in the paper, the stamp size (50) for native resolution; one for both networks
   * or one per network, as batchSize (inputSizeFor).
   */
  inputSize: number | Record<ArchName, number>;
  learningRate: number;
  /** VGG19-BN's classifier dropout: torchvision's 0.5 (the paper; the default), or less for training from scratch. */
  vggDropout?: number;
  /**
   * Adam's step on VGG19-BN's classifier layers: "uniform" (torch's one learning rate; the default) or "fan-in"
   * (lr x 512 / fan-in: 1/49 on classifier.0, 1/8 on classifier.3 and .6). Adam moves every weight by about lr,
   * so a unit's input shifts by lr x the sum of its non-negative inputs: ~1 per step on classifier.0's 25,088, as
   * much as its spread, and without a batch norm after it the shift kills its ReLU (results/README.md).
   */
  vggClassifierStep?: VggClassifierStep;
  /** Convolutions in "fp32" (the default) or "bf16" (onednn on a CPU with AVX512_BF16 or AMX; backend/select.ts). */
  precision?: Precision;
  /** "constant" (the paper; the default) or "cosine": decays to 0 over the run, so its last weights settle. */
  schedule?: Schedule;
  batchSize: Record<ArchName, number>;
  batches: Record<ArchName, number>;
  /** Random flips and a rotation uniform in [0, 2pi) per training stamp. */
  augment: boolean;
  /** Training rotations: "any" angle (the paper; the default) or "right-angle" (no interpolation; transforms.ts). */
  rotation?: Rotation;
  rescale: RescaleRule;
  /** shuffle: every object once per epoch (the paper); balanced: classes drawn equally often, with replacement. */
  sampling: (typeof SAMPLING)[number];
  /** none (the paper) or inverse-frequency weights in the cross-entropy. */
  classWeights: (typeof CLASS_WEIGHTS)[number];
  /**
   * Train on logits plus the log training-class frequencies (logit adjustment; models/loss.ts), so the trained model's
   * argmax is the class-balanced decision. Default false (the paper).
   */
  logitAdjustment?: boolean;
  /**
   * Train with the generalized cross-entropy of this q in (0, 1) (models/loss.ts), which memorises fewer wrong
   * labels; absent: the cross-entropy (the paper).
   */
  gceQ?: number;
  evalBatchSize: number;
  checkpointEvery: number;
  logEvery: number;
}

/** A profile by name (data/profiles/NAME.json) or by path to a JSON file, validated field by field. */
export function loadProfile(nameOrFile: string): Profile {
  const file = nameOrFile.endsWith(".json") ? nameOrFile : dataPath("profiles", `${nameOrFile}.json`);
  if (!fs.existsSync(file))
    throw new Error(
      `unknown training profile '${nameOrFile}' (built in: ${PROFILES.join(", ")}; or a path to a .json file)`,
    );
  let p: Profile;
  try {
    p = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  const positiveInt = (v: unknown, name: string) =>
    Number.isInteger(v) && (v as number) > 0 ? v : bad(`${name} must be a positive integer (got ${JSON.stringify(v)})`);
  if (typeof p.name !== "string") bad("needs a name");
  if (p.name !== path.basename(file, ".json") && !nameOrFile.endsWith(".json"))
    bad(`name '${p.name}' differs from the file name`);
  if (typeof p.inputSize === "object" && p.inputSize !== null)
    for (const arch of ARCHITECTURES) positiveInt(p.inputSize[arch], `inputSize.${arch}`);
  else positiveInt(p.inputSize, "inputSize");
  if (!(p.learningRate > 0)) bad(`learningRate must be positive (got ${p.learningRate})`);
  for (const arch of ARCHITECTURES) {
    positiveInt(p.batchSize?.[arch], `batchSize.${arch}`);
    positiveInt(p.batches?.[arch], `batches.${arch}`);
  }
  if (typeof p.augment !== "boolean") bad("augment must be true or false");
  if (p.rotation !== undefined && !ROTATIONS.includes(p.rotation))
    bad(`rotation must be one of ${ROTATIONS.join(", ")}`);
  if (!RESCALE_RULES.includes(p.rescale)) bad(`rescale must be one of ${RESCALE_RULES.join(", ")}`);
  if (!SAMPLING.includes(p.sampling)) bad(`sampling must be one of ${SAMPLING.join(", ")}`);
  if (!CLASS_WEIGHTS.includes(p.classWeights)) bad(`classWeights must be one of ${CLASS_WEIGHTS.join(", ")}`);
  if (p.logitAdjustment !== undefined && typeof p.logitAdjustment !== "boolean")
    bad("logitAdjustment must be true or false");
  if (p.gceQ !== undefined && !(p.gceQ > 0 && p.gceQ < 1)) bad(`gceQ must be in (0, 1) (got ${p.gceQ})`);
  if (p.schedule !== undefined && !SCHEDULES.includes(p.schedule))
    bad(`schedule must be one of ${SCHEDULES.join(", ")}`);
  if (p.vggDropout !== undefined && !(p.vggDropout >= 0 && p.vggDropout < 1))
    bad(`vggDropout must be in [0, 1) (got ${p.vggDropout})`);
  if (p.vggClassifierStep !== undefined && !VGG_CLASSIFIER_STEPS.includes(p.vggClassifierStep))
    bad(`vggClassifierStep must be one of ${VGG_CLASSIFIER_STEPS.join(", ")}`);
  if (p.precision !== undefined && !PRECISIONS.includes(p.precision))
    bad(`precision must be one of ${PRECISIONS.join(", ")}`);
  for (const k of ["evalBatchSize", "checkpointEvery", "logEvery"] as const) positiveInt(p[k], k);
  // A resumed run starts a metrics window at its checkpoint, so checkpoints must fall on window ends.
  if (p.checkpointEvery % p.logEvery !== 0)
    bad(`checkpointEvery (${p.checkpointEvery}) must be a multiple of logEvery (${p.logEvery})`);
  return p;
}

/** The input side `arch` trains at under `profile`. */
export function inputSizeFor(profile: Profile, arch: ArchName): number {
  return typeof profile.inputSize === "number" ? profile.inputSize : profile.inputSize[arch];
}

/** The learning rate of batch `b` (0-based) of a run of `batches`: a function of the batch alone, so resuming is exact. */
export function learningRateAt(profile: Profile, b: number, batches: number): number {
  if ((profile.schedule ?? "constant") === "constant") return profile.learningRate;
  return (profile.learningRate * (1 + Math.cos((Math.PI * b) / batches))) / 2;
}

/** The profile as it runs on `precision`: the key is present only for bf16, so fp32 runs keep their old identity. */
export function withPrecision(profile: Profile, precision: Precision): Profile {
  const { precision: _asked, ...rest } = profile;
  return precision === "bf16" ? { ...rest, precision } : rest;
}
