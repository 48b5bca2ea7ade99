// Curation jobs for every field of a `starcluster synth` output, from its manifest.json, with the truth table
// (truth.csv: the rendered class and a second classifier's label per source) to join into the manifest.
import * as fs from "node:fs";
import * as path from "node:path";
import { readCsvTable } from "../catalog/csv";
import { ClusterClass } from "../catalog/record";
import type { SynthManifest } from "../simulate/synth";
import type { FieldJob } from "./curate";

export interface TruthLabels {
  truth: ClusterClass | null;
  secondLabel: ClusterClass | null;
}

export function synthJobs(dir: string): FieldJob[] {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file (is ${dir} the output of 'starcluster synth'?)`);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as SynthManifest;
  if (manifest.generator !== "starcluster synth" || !Array.isArray(manifest.fields))
    throw new Error(`${file}: not a 'starcluster synth' manifest`);
  return manifest.fields.map((f) => ({
    field: f.field,
    catalog: path.join(dir, f.field, f.catalog),
    format: "legus",
    classColumn: f.class_column,
    mosaics: f.images.map((image, b) => ({
      filter: f.filters[b].split("/").pop()!,
      path: path.join(dir, f.field, image),
    })),
    truth: path.join(dir, f.field, f.truth),
  }));
}

/** id -> labels from a synth truth table; 0 means none (the simulator's code for an unlabelled source). */
export function readTruth(file: string): Map<string, TruthLabels> {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file (the truth table)`);
  const { header, rows } = readCsvTable(file);
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column '${name}' (have: ${header.join(", ")})`);
    return i;
  };
  const [id, truth, second] = [col("id"), col("truth"), col("second_label")];
  const labels = new Map<string, TruthLabels>();
  for (const { line, cells } of rows) {
    const label = (i: number): ClusterClass | null => {
      const v = (cells[i] ?? "").trim();
      if (!/^[0-4]$/.test(v)) throw new Error(`${file}: line ${line}: ${header[i]} '${v}' is not 0-4`);
      return v === "0" ? null : (Number(v) as ClusterClass);
    };
    labels.set(cells[id].trim(), { truth: label(truth), secondLabel: label(second) });
  }
  return labels;
}
