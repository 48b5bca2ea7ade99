// Weights: importing a torchvision or timm state dict (safetensors) into this project's format, and loading it.
//
// Project format: one safetensors file `<arch>.safetensors` holding every tensor under its torchvision
// state-dict name, in tfjs layout (conv weights HWIO, linear weights [in, out]; VGG's classifier.0 rows stay in
// torchvision's CHW flatten order, see vgg.ts), float32, num_batches_tracked int32; its __metadata__ says
// format, arch, layout, the initialisation ("imagenet") and the source file with its sha256.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ArchName, architecture } from "./arch";
import { Params, Provenance } from "./init";
import { SafetensorsFile, TensorData, writeSafetensors } from "./safetensors";
import { sha256File } from "../util/provenance";

export const WEIGHTS_FORMAT = "starcluster-weights-1";
const LAYOUT = "tfjs: conv HWIO, linear [in,out], NHWC activations; VGG classifier.0 rows in torch CHW order";

export interface Weights {
  arch: ArchName;
  provenance: Provenance;
  /** Tensors by torchvision state-dict name, tfjs layout. */
  tensors: Map<string, TensorData>;
}

/** timm names VGG's classifier differently (and stores its first two Linears as 7x7 and 1x1 convs). */
const TIMM_VGG_NAMES: [string, string][] = [
  ["pre_logits.fc1.", "classifier.0."],
  ["pre_logits.fc2.", "classifier.3."],
  ["head.fc.", "classifier.6."],
];

function torchvisionName(arch: ArchName, name: string): string {
  if (arch === "vgg19_bn")
    for (const [timm, tv] of TIMM_VGG_NAMES) if (name.startsWith(timm)) return tv + name.slice(timm.length);
  return name;
}

/** torch OIHW -> tfjs HWIO. */
function convToHwio(src: Float32Array, [o, i, kh, kw]: number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = src[((a * i + b) * kh + y) * kw + x];
  return out;
}

/** torch Linear [out, in] -> tfjs [in, out]. */
function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

/**
 * Reads a torchvision (or timm) state dict for `arch` from a safetensors file and converts it to tfjs layout.
 * Every parameter and BN buffer must be present with torchvision's shape (num_batches_tracked may be missing,
 * as in torchvision's original VGG checkpoints); the final layer may have any number of classes.
 */
export function importTorchStateDict(file: string, arch: ArchName): Weights {
  const st = SafetensorsFile.open(file);
  const byName = new Map(st.names().map((n) => [torchvisionName(arch, n), n]));
  const net = architecture(arch);
  const classifierWeight = byName.get(`${net.classifier}.weight`);
  if (!classifierWeight)
    throw new Error(`${file}: no '${net.classifier}.weight': not a torchvision/timm ${arch} state dict?`);
  const numClasses = st.entry(classifierWeight).shape[0];
  const specs = net.specs(numClasses);
  const expected = new Set(specs.map((s) => s.name));
  const unexpected = [...byName.keys()].filter((n) => !expected.has(n));
  const missing = specs
    .filter((s) => !byName.has(s.name) && !s.name.endsWith("num_batches_tracked"))
    .map((s) => s.name);
  if (missing.length || unexpected.length) {
    const list = (names: string[]) =>
      names.slice(0, 5).join(", ") + (names.length > 5 ? `, ... (${names.length})` : "");
    throw new Error(
      `${file}: not a ${arch} state dict:${missing.length ? ` missing ${list(missing)};` : ""}${unexpected.length ? ` unexpected ${list(unexpected)}` : ""}`,
    );
  }
  const tensors = new Map<string, TensorData>();
  for (const spec of specs) {
    const stored = byName.get(spec.name);
    if (!stored) {
      tensors.set(spec.name, { shape: [], data: new Int32Array(1) });
      continue;
    }
    const { shape, data } = st.read(stored);
    // The torch shape this tensor should have: conv OIHW, linear [out, in]; timm's VGG convs-for-linears flatten to it.
    const s = spec.shape;
    const torchShape = s.length === 4 ? [s[3], s[2], s[0], s[1]] : s.length === 2 ? [s[1], s[0]] : s;
    const count = shape.reduce((a, b) => a * b, 1);
    const matches =
      shape.join(",") === torchShape.join(",") ||
      (s.length === 2 && shape[0] === torchShape[0] && count === s[0] * s[1]);
    if (!matches) throw new Error(`${file}: '${stored}' has shape [${shape}], expected [${torchShape}] for ${arch}`);
    const values =
      spec.dtype === "int32" ? Int32Array.from(data) : data instanceof Float32Array ? data : Float32Array.from(data);
    const converted =
      s.length === 4
        ? convToHwio(values as Float32Array, torchShape)
        : s.length === 2
          ? transpose2d(values as Float32Array, s[1], s[0])
          : values;
    tensors.set(spec.name, { shape: s, data: converted });
  }
  return { arch, provenance: { init: "imagenet", file: path.basename(file), sha256: sha256File(file) }, tensors };
}

/**
 * Loads a PyTorch state dict (safetensors, torch layout) into existing variables of the same names, converting each
 * by its tfjs shape (rank 4: OIHW -> HWIO, rank 2: [out, in] -> [in, out]). For models built in PyTorch with the
 * same structure, e.g. a dual classifier; every variable must be in the file.
 */
export function loadTorchStateDictInto(file: string, variables: Map<string, tf.Variable>): void {
  const st = SafetensorsFile.open(file);
  for (const [name, v] of variables) {
    if (!st.has(name)) throw new Error(`${file}: missing '${name}'`);
    const { shape, data } = st.read(name);
    const s = v.shape;
    const torchShape = s.length === 4 ? [s[3], s[2], s[0], s[1]] : s.length === 2 ? [s[1], s[0]] : s;
    if (shape.join(",") !== torchShape.join(","))
      throw new Error(`${file}: '${name}' has shape [${shape}], expected [${torchShape}]`);
    const converted =
      s.length === 4
        ? convToHwio(data as Float32Array, torchShape)
        : s.length === 2
          ? transpose2d(data as Float32Array, s[1], s[0])
          : data;
    tf.tidy(() => v.assign(tf.tensor(converted, s, v.dtype)));
  }
}

/** Writes weights in the project format as DIR/<arch>.safetensors; returns the path. */
export function saveWeights(dir: string, weights: Weights): string {
  const file = path.join(dir, `${weights.arch}.safetensors`);
  const p = weights.provenance;
  const metadata: Record<string, string> = { format: WEIGHTS_FORMAT, arch: weights.arch, layout: LAYOUT, init: p.init };
  if (p.init === "imagenet") Object.assign(metadata, { source: p.file, source_sha256: p.sha256 });
  else metadata.seed = String(p.seed);
  writeSafetensors(file, weights.tensors, metadata);
  return file;
}

/** Reads a project-format weights file, checking its format and tensor names against the architecture. */
export function loadWeights(file: string): Weights {
  const st = SafetensorsFile.open(file);
  const m = st.metadata;
  if (m.format !== WEIGHTS_FORMAT)
    throw new Error(
      `${file}: not a starcluster weights file (format '${m.format ?? "none"}'; import torchvision files with 'starcluster weights import')`,
    );
  const net = architecture(m.arch);
  const provenance: Provenance =
    m.init === "imagenet"
      ? { init: "imagenet", file: m.source, sha256: m.source_sha256 }
      : { init: "torchvision-default", seed: Number(m.seed) };
  const tensors = new Map<string, TensorData>();
  for (const spec of net.specs(null)) {
    if (!st.has(spec.name)) throw new Error(`${file}: missing '${spec.name}' for ${net.name}`);
    tensors.set(spec.name, st.read(spec.name));
  }
  for (const name of st.names()) if (name.startsWith(`${net.classifier}.`)) tensors.set(name, st.read(name));
  return { arch: net.name, provenance, tensors };
}

/** The current values of a network's variables, for saving in the project format. */
export async function paramsToTensors(params: Params): Promise<Map<string, TensorData>> {
  const out = new Map<string, TensorData>();
  for (const [name, v] of params) {
    const data = await v.data();
    out.set(name, { shape: v.shape, data: v.dtype === "int32" ? Int32Array.from(data) : Float32Array.from(data) });
  }
  return out;
}
