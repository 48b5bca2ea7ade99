// The paper's published numbers (data/paper-results.json, each with its table or figure), to show beside ours.
import * as fs from "node:fs";
import { ArchName } from "../models/arch";
import { dataPath } from "../util/paths";

export interface PaperTable {
  table: string;
  network: ArchName;
  test_data: string;
  mean_percent: number[][];
  std_percent: number[][];
  true_class_totals: number[];
  seeds: number;
}

export interface PaperResults {
  source: string;
  human_agreement_diagonal_percent: number[];
  /** Figure 2's total match fractions: over classes 1+2+3 and over classes 1+2 (the associations left out). */
  human_agreement_match_percent: { note: string; classes_1_2_3: number; classes_1_2: number };
  table1: { fields: Record<string, number[]>; total: number[]; n_filters_at_least_4: number[] };
  table2: { fields: Record<string, number[]> };
  table3: PaperTable;
  table4: PaperTable;
  table5: PaperTable;
  table6: PaperTable;
  figure4: { experiment: string; finding: string };
  figure5: { experiment: string; max_entropy: string };
}

let cache: PaperResults | undefined;

export function paperResults(): PaperResults {
  cache ??= JSON.parse(fs.readFileSync(dataPath("paper-results.json"), "utf8")) as PaperResults;
  return cache;
}

/** Tables 3-4 (test split of the Table 1 fields) and 5-6 (NGC 1559) by experiment and network. */
export function paperTable(experiment: "ten-seed" | "generalization", arch: ArchName): PaperTable {
  const p = paperResults();
  const t =
    experiment === "ten-seed" ? (arch === "resnet18" ? p.table3 : p.table4) : arch === "resnet18" ? p.table5 : p.table6;
  if (t.network !== arch) throw new Error(`data/paper-results.json: ${t.table} is for ${t.network}, not ${arch}`);
  return t;
}
