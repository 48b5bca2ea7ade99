// `starcluster evaluate`: trained runs on a test set -> the paper's mean +/- std confusion table (Tables 3-6).
import * as path from "node:path";
import { BACKENDS, initBackend, PRECISIONS } from "../../backend/select";
import { BANDS } from "../../catalog/record";
import { LABEL_SOURCES } from "../../dataset/curated";
import { DECISION_RULES } from "../../evaluate/decision";
import { EVAL_SPLITS, evaluateRuns, formatTable, tableCsv } from "../../evaluate/runs";
import { writeFileAtomic } from "../../util/atomic";
import { defineCommand } from "../command";

export const evaluateCommand = defineCommand({
  name: "evaluate",
  summary:
    "Evaluate trained runs on a test set: per-run confusion matrices and their mean +/- std over runs (Tables 3-6), as text, CSV and JSON.",
  options: {
    runs: { type: "string", required: true, multiple: true, help: "run directory (repeat for each seed)" },
    data: { type: "string", required: true, multiple: true, help: "curated folder(s) to evaluate on" },
    fields: { type: "string", help: "comma-separated fields (default: all in the data)" },
    split: {
      type: "string",
      choices: EVAL_SPLITS,
      default: "test",
      help: "the runs' test or train split, or all objects (another galaxy)",
    },
    "zero-band": { type: "string", choices: BANDS, help: "filter ablation: set this band to zero in every stamp" },
    labels: {
      type: "string",
      choices: LABEL_SOURCES,
      help: "score against the human class or the truth (default: what the runs learned)",
    },
    decision: {
      type: "string",
      choices: DECISION_RULES,
      default: "argmax",
      help: "classes from the network's argmax, or prior-matched: read with the training prior^s, s fitted on the run's training split",
    },
    out: { type: "string", help: "write table.csv and evaluation.json here" },
    backend: { type: "string", choices: ["auto", ...BACKENDS], help: "force a backend" },
    precision: {
      type: "string",
      choices: PRECISIONS,
      default: "fp32",
      help: "convolutions in fp32 or bf16 (onednn backend on a CPU with bf16)",
    },
  },
  async run({ options }) {
    await initBackend({ backend: options.backend, precision: options.precision });
    const e = evaluateRuns(options.runs, {
      data: options.data,
      fields: options.fields?.split(",").map((s) => s.trim()),
      split: options.split,
      zeroBand: options["zero-band"],
      labels: options.labels,
      decision: options.decision,
      log: (l) => process.stderr.write(l + "\n"),
    });
    process.stdout.write(formatTable(e) + "\n");
    if (options.out) {
      writeFileAtomic(path.join(options.out, "table.csv"), tableCsv(e));
      writeFileAtomic(path.join(options.out, "evaluation.json"), JSON.stringify(e, null, 1) + "\n");
      process.stdout.write(`wrote ${path.join(options.out, "table.csv")} and evaluation.json\n`);
    }
  },
});
