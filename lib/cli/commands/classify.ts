// `starcluster classify`: a field's candidates (catalog + mosaics, curated on the fly, or a curated folder) through
// an ensemble of trained models, into a table of classes with their uncertainty (lib/classify/).
import { BACKENDS, BackendChoice, BackendInfo, initBackend, Precision, PRECISIONS } from "../../backend/select";
import { classify, ClassifyResult, ClassifySource } from "../../classify/classify";
import { DEFAULT_MODEL_MEMORY } from "../../classify/ensemble";
import { DECISION_RULES } from "../../evaluate/decision";
import { OUTPUT_FORMATS, OutputFormat } from "../../classify/table";
import { progressBar } from "../../util/progress";
import { UsageError } from "../args";
import { defineCommand } from "../command";
import { CATALOG_READ_OPTIONS, parseMosaics, parseSkyColumns, SKY_OPTIONS } from "./curate";

const CATALOG_OPTIONS = ["catalog", "field", "class-column", "catalog-format", "pixels", "sky"] as const;

/** What a finished classification says on stdout: the table's objects, why some were not classified, speed, backend. */
function describeRun(r: ClassifyResult, backend: BackendInfo): string {
  const dropped = r.rows.filter((row) => row.status === "dropped");
  const reasons = new Map<string, number>();
  for (const row of dropped) reasons.set(row.reason, (reasons.get(row.reason) ?? 0) + 1);
  const top = [...reasons]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([reason, n]) => `${n} ${reason}`)
    .join("; ");
  const arch = [...new Set(r.members.map((m) => m.arch))].join(" + ");
  const rate =
    r.inferenceSeconds > 0 ? `, ${(r.classified / r.inferenceSeconds).toFixed(1)} objects/s in inference` : "";
  return (
    `${r.out}: ${r.rows.length} objects, ${r.rows.length - dropped.length} classified by ${r.members.length} ${arch} model(s)` +
    `${dropped.length ? `, ${dropped.length} not classified (${top}${reasons.size > 3 ? "; ..." : ""})` : ""}\n` +
    `${r.classified} classified in this run${r.resumed ? ` (${r.resumed} objects done by an earlier run)` : ""} in ${r.seconds.toFixed(1)} s${rate}; ` +
    `backend ${backend.backend}, ${backend.threads} thread(s)${r.resident ? "" : "; models loaded in turn per chunk (over --model-memory)"}\n`
  );
}

export const classifyCommand = defineCommand({
  name: "classify",
  summary:
    "Classify a field's candidates with an ensemble of trained models (e.g. the seeds of train-seeds): per object the mean class probabilities, their spread, the argmax and mode classes, entropy and mutual information. Reruns resume.",
  options: {
    models: {
      type: "string",
      required: true,
      help: "a model file, a run directory, or a folder of runs or model files (every complete run below it)",
    },
    catalog: {
      type: "string",
      help: "candidate catalog (LEGUS .tab, PHANGS FITS/CSV, plain CSV); with --field and --mosaic",
    },
    mosaic: { type: "string", multiple: true, help: "BAND=PATH, once per band (F275W, F336W, F438W, F555W, F814W)" },
    field: { type: "string", help: "field name (the table's field column)" },
    "class-column": {
      type: "integer",
      min: 34,
      help: "LEGUS: 1-based column of the visual class, 34 or later (default: known per field)",
    },
    ...CATALOG_READ_OPTIONS,
    ...SKY_OPTIONS,
    pad: {
      type: "boolean",
      help: "as curate --pad: keep stamps crossing the mosaic edge or holding pixels without data, zero-padded",
    },
    stamps: { type: "string", help: "a 'starcluster curate' folder to classify instead of a catalog and mosaics" },
    out: {
      type: "string",
      required: true,
      help: "output table; OUT.partial.jsonl holds the progress of an unfinished run",
    },
    format: {
      type: "string",
      choices: OUTPUT_FORMATS,
      help: "csv or fits (a BINTABLE); default from the extension of --out (.fits, .fit: fits)",
    },
    batch: { type: "integer", default: 64, min: 1, max: 4096, help: "stamps per inference batch" },
    "model-memory": {
      type: "integer",
      default: DEFAULT_MODEL_MEMORY / 1024 ** 2,
      min: 1,
      help: "MB of model weights held at once; larger ensembles load each model in turn per chunk of objects",
    },
    backend: { type: "string", choices: ["auto", ...BACKENDS], help: "force a backend" },
    decision: {
      type: "string",
      choices: DECISION_RULES,
      default: "argmax",
      help: "each model's probabilities as given, or prior-matched: x training prior^s, s fitted on its run's training split (run directories only)",
    },
    precision: {
      type: "string",
      choices: PRECISIONS,
      default: "fp32",
      help: "convolutions in fp32 or bf16 (onednn backend on a CPU with bf16)",
    },
  },
  async run({ options }) {
    let source: ClassifySource;
    if (options.stamps !== undefined) {
      const clash = CATALOG_OPTIONS.filter((k) => options[k] !== undefined).map((k) => `--${k}`);
      if (options.mosaic.length) clash.push("--mosaic");
      if (options.pad) clash.push("--pad");
      if (clash.length)
        throw new UsageError(`--stamps classifies a curated folder as it was curated; drop ${clash.join(", ")}`);
      source = { stamps: options.stamps };
    } else {
      const missing = (["catalog", "field"] as const).filter((k) => options[k] === undefined).map((k) => `--${k}`);
      if (options.mosaic.length === 0) missing.push("--mosaic");
      if (missing.length)
        throw new UsageError(
          `give --stamps DIR, or --catalog, --field and one --mosaic BAND=PATH per band (missing: ${missing.join(", ")})`,
        );
      source = {
        catalog: {
          catalog: options.catalog!,
          field: options.field!,
          format: options["catalog-format"],
          classColumn: options["class-column"],
          pixels: options.pixels as "fits" | "zero" | undefined,
          sky: parseSkyColumns(options.sky),
          skyTolerance: options["sky-tolerance"],
          mosaics: parseMosaics(options.mosaic),
          pad: options.pad,
        },
      };
    }
    const format = (options.format ?? (/\.fits?$/i.test(options.out) ? "fits" : "csv")) as OutputFormat;
    const backend = await initBackend({
      backend: options.backend as BackendChoice | undefined,
      precision: options.precision as Precision,
    });
    const r = classify({
      models: options.models,
      source,
      out: options.out,
      format,
      batchSize: options.batch,
      modelMemory: options["model-memory"] * 1024 ** 2,
      decision: options.decision,
      progress: (n) => progressBar(n),
    });
    process.stdout.write(describeRun(r, backend));
  },
});
