// The bad-input corpus of issue 21, made by script at test time (no committed binaries): a small good field and,
// beside it, broken FITS mosaics, catalogs, curated folders and model files, each differing from a good file in
// one way. corpus.test.ts runs the command line on each; models are made from a real trained run (makeModels).
import * as fs from "node:fs";
import * as path from "node:path";
import { BANDS } from "../../lib/catalog/record";
import { writeFits } from "../../lib/io/fits";
import { writeSafetensors } from "../../lib/models/safetensors";
import { WEIGHTS_FORMAT } from "../../lib/models/weights";
import { mulberry32 } from "../../lib/util/random";
import { makeField, tag } from "../curate/fixture";
import { writeCuratedFixture } from "../dataset/fixture";

/** The good field: 100 x 80 pixels, six objects whose 16 and 32 px stamps lie inside the mosaics. */
export const FIELD = "T";
export const WIDTH = 100;
export const HEIGHT = 80;
export const OBJECTS: [x: number, y: number, cls: number][] = [
  [30, 30, 1],
  [50, 30, 2],
  [70, 30, 3],
  [30, 50, 4],
  [50, 50, 1],
  [70, 50, 2],
];

export interface Corpus {
  root: string;
  /** Good mosaics by band, and the good plain CSV catalog (1-based pixels). */
  mosaics: Record<string, string>;
  catalog: string;
  /** Broken replacements for one band's mosaic, by name (fits/<name>.fits unless the name says otherwise). */
  fits: Record<string, string>;
  /** Broken or odd catalogs by name. */
  catalogs: Record<string, string>;
  /** A field of 600 objects: its curation takes seconds, long enough for two writers started at once to meet. */
  big: { mosaics: Record<string, string>; catalog: string };
  /** A curated folder in curate's format (32 px stamps, 3 objects per class) for train, evaluate and classify. */
  data: string;
  /** A curated folder whose objects were all dropped (nothing to train on). */
  empty: string;
  /** Curated folders like `data` with one stamp damaged: a NaN pixel, a BSCALE = 0 card. */
  nanStamp: string;
  badHeader: string;
}

/** The 80-character card `KEY = value`, value right-aligned to column 30 as FITS writers do. */
export function card(key: string, value: string): string {
  return `${key.padEnd(8)}= ${value.padStart(20)}`.padEnd(80);
}

/** Byte offset of the first card `key` in the first header of a FITS file. */
function cardOffset(bytes: Buffer, key: string): number {
  for (let at = 0; at + 80 <= bytes.length; at += 80) {
    const k = bytes.toString("latin1", at, at + 8).trimEnd();
    if (k === key) return at;
    if (k === "END") break;
  }
  throw new Error(`corpus: no card ${key}`);
}

/** `bytes` with the first card `key` replaced by `text` (a whole 80-character card). */
export function patchCard(bytes: Buffer, key: string, text: string): Buffer {
  const out = Buffer.from(bytes);
  out.write(text.padEnd(80), cardOffset(bytes, key), "latin1");
  return out;
}

/** `bytes` with the card `text` added at the end of the header starting at byte `start` (room permitting). */
function insertCard(bytes: Buffer, start: number, text: string): Buffer {
  const out = Buffer.from(bytes);
  const end = start + cardOffset(bytes.subarray(start), "END");
  if ((end + 80) % 2880 === 0) throw new Error("corpus: no room for another card");
  out.write(text.padEnd(80), end, "latin1");
  out.write("END".padEnd(80), end + 80, "latin1");
  return out;
}

/** One band's pixels of the good field with `edit` applied (physical values; row-major, row 0 = FITS y 1). */
function pixels(band: number, edit?: (data: Float32Array) => void): Float32Array {
  const data = new Float32Array(WIDTH * HEIGHT);
  for (let y = 1; y <= HEIGHT; y++) for (let x = 1; x <= WIDTH; x++) data[(y - 1) * WIDTH + (x - 1)] = tag(band, x, y);
  edit?.(data);
  return data;
}

const at = (x: number, y: number) => (y - 1) * WIDTH + (x - 1);

/** A float32 mosaic of the field's grid carrying BSCALE/BZERO (identity) so that their cards can be patched. */
function mosaicBytes(file: string, data: Float32Array, width = WIDTH, height = HEIGHT): Buffer {
  writeFits(file, [
    {
      bitpix: -32,
      width,
      height,
      data,
      cards: [
        { key: "BSCALE", value: 1 },
        { key: "BZERO", value: 0 },
      ],
    },
  ]);
  return fs.readFileSync(file);
}

function makeFits(dir: string): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const put = (name: string, bytes: Buffer | string) => {
    files[name] = path.join(dir, `${name}.fits`);
    fs.writeFileSync(files[name], bytes);
  };
  const scratch = path.join(dir, ".scratch.fits");
  const good = mosaicBytes(scratch, pixels(1));
  const dataStart = 2880;
  put("truncated", good.subarray(0, dataStart + 4000));
  put("short", good.subarray(0, 1000));
  put("no-end", patchCard(good, "END", " ".repeat(80)));
  put("bitpix-12", patchCard(good, "BITPIX", card("BITPIX", "12")));
  put("bscale-string", patchCard(good, "BSCALE", card("BSCALE", "'abc     '")));
  put("bscale-zero", patchCard(good, "BSCALE", card("BSCALE", "0.0")));
  put("bscale-inf", patchCard(good, "BSCALE", card("BSCALE", "1.0E400")));
  put("bzero-inf", patchCard(good, "BZERO", card("BZERO", "-1.0E400")));
  put("naxis1-string", patchCard(good, "NAXIS1", card("NAXIS1", "'100     '")));
  put("naxis2-negative", patchCard(good, "NAXIS2", card("NAXIS2", "-80")));
  put("empty", "");
  put("text", "SIMPLE? no: this is a text file that was given where a FITS mosaic was expected.\n".repeat(60));
  put("trailing-garbage", Buffer.concat([good, Buffer.from("garbage after the last HDU".padEnd(2880, "!"))]));
  // Integer data with a non-integer BLANK: which stored value means "no data" is undefined.
  const ints = Int16Array.from(pixels(1), (v) => Math.round(v / 10));
  writeFits(scratch, [
    { bitpix: 16, width: WIDTH, height: HEIGHT, data: ints, cards: [{ key: "BLANK", value: -32768 }] },
  ]);
  put("blank-float", patchCard(fs.readFileSync(scratch), "BLANK", card("BLANK", "1.5")));
  put("other-grid", mosaicBytes(scratch, new Float32Array(60 * 40).fill(1), 60, 40));
  const cards = [
    ["SIMPLE", "T"],
    ["BITPIX", "-32"],
    ["NAXIS", "3"],
    ["NAXIS1", "2"],
    ["NAXIS2", "2"],
    ["NAXIS3", "2"],
  ];
  const cube = [...cards.map(([k, v]) => card(k, v)), "END".padEnd(80)].join("").padEnd(2880);
  put("cube", Buffer.concat([Buffer.from(cube, "latin1"), Buffer.alloc(2880)]));
  // Non-finite pixels, which the curation rules treat as "no data".
  put(
    "inf-pixel",
    mosaicBytes(
      scratch,
      pixels(1, (d) => (d[at(OBJECTS[1][0], OBJECTS[1][1])] = Infinity)),
    ),
  );
  put(
    "nan-pixel",
    mosaicBytes(
      scratch,
      pixels(1, (d) => (d[at(OBJECTS[2][0] + 3, OBJECTS[2][1] - 2)] = NaN)),
    ),
  );
  put(
    "minus-inf-pixel",
    mosaicBytes(
      scratch,
      pixels(1, (d) => (d[at(OBJECTS[0][0] + 1, OBJECTS[0][1] + 1)] = -Infinity)),
    ),
  );
  put(
    "all-inf",
    mosaicBytes(
      scratch,
      pixels(0, (d) => d.fill(Infinity)),
    ),
  );
  fs.rmSync(scratch);
  files.folder = path.join(dir, "folder.fits");
  fs.mkdirSync(files.folder);
  files.missing = path.join(dir, "missing.fits");
  return files;
}

/** `n` deterministic pseudo-random bytes (a binary file where text was expected). */
function noise(n: number, seed: number): Buffer {
  const r = mulberry32(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
}

/** A LEGUS .tab line: id, x, y, 30 photometry columns, then the class in column 34. */
const legusLine = (id: number, x: number, y: number, cls: number) => [id, x, y, ...Array(30).fill("0"), cls].join(" ");

function makeCatalogs(dir: string): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const put = (name: string, content: string | Buffer) => {
    files[name] = path.join(dir, name);
    fs.writeFileSync(files[name], content);
  };
  const csv = (rows: string[], header = "id,x,y,class") => [header, ...rows].join("\n") + "\n";
  put("empty.tab", "");
  put("header-only.csv", csv([]));
  put("binary.tab", noise(4096, 1));
  put("binary.csv", noise(4096, 2));
  put("legus.tab", OBJECTS.map(([x, y, c], i) => legusLine(i + 1, x, y, c)).join("\n") + "\n");
  // Classes in both column 34 and 35: the content cannot tell which is the class column.
  put("legus-ambiguous.tab", OBJECTS.map(([x, y, c], i) => `${legusLine(i + 1, x, y, c)} ${c}`).join("\n") + "\n");
  put("huge-value.csv", csv(["1,30,30,1", `2,${"9".repeat(2_000_000)},30,2`, "3,50,50,3"]));
  put("odd-classes.csv", csv(["1,30,30,7", "2,50,30,-1", "3,70,30,2.5", "4,30,50,1"]));
  put("outside.csv", csv(["1,500,500,1", "2,-100,30,2"]));
  put("other-field.csv", csv(["1,30,30,1,T", "2,50,30,2,U"], "id,x,y,class,field"));
  put("class-text.csv", csv(["1,30,30,abc", "2,50,30,2"]));
  put("no-class-column.csv", "id,x,y\n1,30,30\n");
  put("catalog.xyz", csv(["1,30,30,1"]));
  files["folder.tab"] = path.join(dir, "folder.tab");
  fs.mkdirSync(files["folder.tab"]);
  files["missing.tab"] = path.join(dir, "missing.tab");
  return files;
}

/** Writes the whole corpus (but the models) under `root`. */
export function makeCorpus(root: string): Corpus {
  const rows = OBJECTS.map(([x, y, c], i) => `${i + 1},${x},${y},${c}`);
  const field = makeField(path.join(root, "good"), WIDTH, HEIGHT, tag, rows, FIELD);
  const mosaics = Object.fromEntries(field.job.mosaics.map((m) => [m.filter, m.path]));
  const bigRows = Array.from(
    { length: 600 },
    (_, i) => `${i + 1},${12 + (i % 25) * 7},${12 + Math.floor(i / 25) * 7},${(i % 4) + 1}`,
  );
  const bigField = makeField(path.join(root, "big"), 190, 190, tag, bigRows, "BIG");
  const data = writeCuratedFixture(path.join(root, "data"), { size: 32, perClass: 3 }).dir;
  // Every object dropped by curation: a manifest that holds nothing to train on.
  const empty = path.join(root, "empty");
  fs.mkdirSync(empty);
  const header = "field,id,x,y,class,detected_bands,status,reason,missing_band,stamp,truth,second_label";
  fs.writeFileSync(
    path.join(empty, "manifest.csv"),
    `${header}\nT,1,500,500,1,,dropped,position outside the 100 x 80 mosaic,,,,\n`,
  );
  fs.writeFileSync(path.join(empty, "curation.json"), JSON.stringify({ size: 32, bands: BANDS }) + "\n");
  const nanStamp = writeCuratedFixture(path.join(root, "nan-stamp"), { size: 32, perClass: 3 }).dir;
  const stamp = path.join(nanStamp, "stamps", "TESTFIELD", "5.fits");
  const bytes = fs.readFileSync(stamp);
  bytes.writeFloatBE(NaN, 2 * 2880 + 4 * 100); // after the primary and first extension headers: F275W pixel 100
  fs.writeFileSync(stamp, bytes);
  const badHeader = writeCuratedFixture(path.join(root, "bscale-stamp"), { size: 32, perClass: 3 }).dir;
  const other = path.join(badHeader, "stamps", "TESTFIELD", "7.fits");
  fs.writeFileSync(other, insertCard(fs.readFileSync(other), 2880, card("BSCALE", "0.0")));
  return {
    root,
    mosaics,
    catalog: field.job.catalog,
    fits: makeFits(path.join(root, "fits")),
    catalogs: makeCatalogs(path.join(root, "catalogs")),
    big: {
      mosaics: Object.fromEntries(bigField.job.mosaics.map((m) => [m.filter, m.path])),
      catalog: bigField.job.catalog,
    },
    data,
    empty,
    nanStamp,
    badHeader,
  };
}

interface Header {
  json: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  dataStart: number;
}

/** The JSON header of a safetensors file and where its data area begins. */
export function safetensorsHeader(bytes: Buffer): Header {
  const n = Number(bytes.readBigUInt64LE(0));
  return { json: JSON.parse(bytes.toString("utf8", 8, 8 + n)), dataStart: 8 + n };
}

/** A safetensors file with a new header and the data area of `bytes` (tensor offsets unchanged). */
function withHeader(bytes: Buffer, json: object): Buffer {
  const { dataStart } = safetensorsHeader(bytes);
  let text = Buffer.from(JSON.stringify(json));
  text = Buffer.concat([text, Buffer.alloc((8 - (text.length % 8)) % 8, 0x20)]);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([head, text, bytes.subarray(dataStart)]);
}

/** A safetensors file holding some tensors of `bytes` under new names ([new, old] pairs), with `metadata`. */
function subset(bytes: Buffer, names: [string, string][], metadata: Record<string, string>): Buffer {
  const { json, dataStart } = safetensorsHeader(bytes);
  const header: Record<string, unknown> = { __metadata__: metadata };
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, old] of names) {
    const e = json[old] as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const part = bytes.subarray(dataStart + e.data_offsets[0], dataStart + e.data_offsets[1]);
    header[name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + part.length] };
    parts.push(part);
    offset += part.length;
  }
  return Buffer.concat([withHeader(bytes.subarray(0, dataStart), header), ...parts]);
}

/** `bytes` with float32 values of tensor `name` set: `value` at index 0, or everywhere with `all`. */
function setWeight(bytes: Buffer, name: string, value: number, all = false): Buffer {
  const out = Buffer.from(bytes);
  const { json, dataStart } = safetensorsHeader(out);
  const [begin, end] = (json[name] as { data_offsets: [number, number] }).data_offsets;
  for (let i = begin; i < (all ? end : begin + 4); i += 4) out.writeFloatLE(value, dataStart + i);
  return out;
}

export const NAN_TENSOR = "backbones.0.conv1.weight";
export const INF_TENSOR = "head.weight";

/** Broken model files made from a trained run's model.safetensors, in `dir`. */
export function makeModels(model: string, dir: string): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const good = fs.readFileSync(model);
  const files: Record<string, string> = {};
  const put = (name: string, bytes: Buffer | string) => {
    files[name] = path.join(dir, `${name}.safetensors`);
    fs.writeFileSync(files[name], bytes);
  };
  put("nan-weight", setWeight(good, NAN_TENSOR, NaN));
  put("inf-weight", setWeight(good, INF_TENSOR, Infinity));
  // Finite but huge (a flipped exponent bit): the activations overflow, so the probabilities are not finite.
  put("huge-weight", setWeight(good, NAN_TENSOR, 3e38, true));
  // A header whose JSON is broken by one character: the same length, so only the parse fails.
  const { dataStart } = safetensorsHeader(good);
  const broken = Buffer.from(good.subarray(0, 64 * 1024));
  const comma = broken.indexOf(",", 8);
  broken[comma] = ";".charCodeAt(0);
  put("bad-json", Buffer.concat([broken.subarray(0, dataStart), good.subarray(dataStart, dataStart + 1024)]));
  put("truncated", good.subarray(0, Math.floor(good.length / 2)));
  put("empty", "");
  put("text", "this is not a model\n".repeat(10));
  // Header-only stand-ins: these are refused before any weight is read.
  const tiny = (metadata: Record<string, string>) => {
    const file = path.join(dir, ".tiny.safetensors");
    writeSafetensors(file, new Map([["head.bias", { shape: [4], data: new Float32Array(4) }]]), metadata);
    const bytes = fs.readFileSync(file);
    fs.rmSync(file);
    return bytes;
  };
  const meta = safetensorsHeader(good).json.__metadata__ as Record<string, string>;
  put("checkpoint", tiny({ ...meta, checkpoint: JSON.stringify({ batches: 1, adamSteps: 1, seconds: 1 }) }));
  put("foreign", tiny({ format: "pytorch" }));
  const { input: _input, ...noInput } = meta;
  void _input;
  put("no-input-spec", tiny(noInput));
  // A training checkpoint of the run with a NaN weight, and ImageNet-style weights with a NaN weight.
  const json = safetensorsHeader(good).json;
  const renamed = Object.fromEntries(
    Object.entries(json).map(([k, v]) => [k === "__metadata__" ? k : `model.${k}`, v]),
  );
  renamed.__metadata__ = { ...meta, checkpoint: JSON.stringify({ batches: 1, adamSteps: 1, seconds: 1 }) };
  put("checkpoint-nan", setWeight(withHeader(good, renamed), `model.${NAN_TENSOR}`, NaN));
  const prefix = "backbones.0.";
  const backbone = Object.keys(json)
    .filter((k) => k.startsWith(prefix))
    .map((k): [string, string] => [k.slice(prefix.length), k]);
  const weights = subset(good, backbone, {
    format: WEIGHTS_FORMAT,
    arch: "resnet18",
    init: "torchvision-default",
    seed: "0",
  });
  put("weights-nan", setWeight(weights, "conv1.weight", NaN));
  return files;
}

// `node dist/test/corpus/make.js DIR` writes the corpus (without the model files, which need a trained run) to DIR.
if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: node dist/test/corpus/make.js DIR");
  const corpus = makeCorpus(path.resolve(dir));
  process.stdout.write(
    `${corpus.root}: ${Object.keys(corpus.fits).length} FITS files, ${Object.keys(corpus.catalogs).length} catalogs\n`,
  );
}
