// The paper's fields (Tables 1-2) as data: distance, and the real LEGUS catalog with its class column.
import * as fs from "node:fs";
import { dataPath } from "../util/paths";

export interface FieldInfo {
  distance_mpc: number;
  table: 1 | 2;
  legus_catalog?: string;
  class_column?: number;
}

// data/fields.json, read once per process (one value; a shipped file).
let cache: Record<string, FieldInfo> | undefined;

export function paperFields(): Record<string, FieldInfo> {
  cache ??= (JSON.parse(fs.readFileSync(dataPath("fields.json"), "utf8")) as { fields: Record<string, FieldInfo> })
    .fields;
  return cache;
}

/** Path of the real LEGUS catalog shipped in data/catalogs/legus for a field, if there is one. */
export function legusCatalogPath(field: string): string | undefined {
  const file = paperFields()[field]?.legus_catalog;
  return file ? dataPath("catalogs", "legus", file) : undefined;
}
