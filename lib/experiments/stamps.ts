// Stamps of chosen objects ("FIELD/id", as predictions name them) for a gallery, from one of two sources:
//   rendered  the object drawn again from the simulator's field plan (same scene, neighbours and physics; another
//             noise draw, like notebook 01's gallery): needs only the committed results and gives the same pixels
//             on every machine, so committed notebook outputs can be executed again identically;
//   curated   the stamp the networks classified, when the reproduction's stamps are on this machine (else rendered).
import * as fs from "node:fs";
import * as path from "node:path";
import { BANDS } from "../catalog/record";
import { MANIFEST_FILE, readManifest, readStamp } from "../curate/manifest";
import { loadSimulationConfig, Scale, SimulationConfig } from "../simulate/config";
import { FieldPlan, planField } from "../simulate/field";
import { GalleryStamp, renderSourceStamp } from "../simulate/gallery";
import { loadReproduceSpec, reproducePaths, ReproduceProfile, shownProfile } from "./results";

export interface ObjectStamp extends GalleryStamp {
  key: string;
  /** "curated": the stamp the networks classified; "rendered": drawn again by the simulator. */
  source: "curated" | "rendered";
}

/** Splits a band-major stamp into one array per band. */
function perBand(bands: Float32Array, size: number): Float32Array[] {
  return BANDS.map((_, b) => bands.subarray(b * size * size, (b + 1) * size * size));
}

/** The curated stamps of `keys` in `dir`, or undefined when the folder is not on this machine. */
function curatedStamps(dir: string, keys: string[]): Map<string, { size: number; bands: Float32Array[] }> | undefined {
  if (!fs.existsSync(path.join(dir, MANIFEST_FILE))) return undefined;
  const wanted = new Set(keys);
  const found = new Map<string, { size: number; bands: Float32Array[] }>();
  for (const row of readManifest(dir)) {
    const key = `${row.field}/${row.id}`;
    if (!wanted.has(key) || row.status !== "kept" || !row.stamp) continue;
    const stamp = readStamp(path.join(dir, row.stamp));
    found.set(key, { size: stamp.size, bands: perBand(stamp.bands, stamp.size) });
  }
  return found;
}

/** The object rendered again from its field's plan (seed 0, as `reproduce` synthesises). */
function renderedStamp(plan: FieldPlan, config: SimulationConfig, id: string, size: number): Float32Array[] {
  const source = plan.sources.find((s) => s.record.id === id);
  if (!source) throw new Error(`${plan.name}: no object '${id}' in the simulated catalog`);
  return renderSourceStamp(plan, source, config, size, 0).bands;
}

export type StampSource = ObjectStamp["source"];

/** Stamps of the objects `keys` with gallery titles from `title(key)`, in the order given (sources: see the header). */
export function objectStamps(
  keys: string[],
  title: (key: string) => string,
  profile: ReproduceProfile = shownProfile(),
  source: StampSource = "rendered",
  size = 50,
): ObjectStamp[] {
  const spec = loadReproduceSpec(profile);
  const curated = source === "curated" ? curatedStamps(reproducePaths(spec).stamps, keys) : undefined;
  const config = loadSimulationConfig();
  const plans = new Map<string, FieldPlan>();
  const planOf = (field: string) => {
    if (!plans.has(field)) plans.set(field, planField(field, config, config.scales[spec.synthScale as Scale], 0));
    return plans.get(field)!;
  };
  return keys.map((key) => {
    const have = curated?.get(key);
    if (have) return { key, title: title(key), size: have.size, bands: have.bands, source: "curated" as const };
    const [field, id] = key.split("/");
    return {
      key,
      title: title(key),
      size,
      bands: renderedStamp(planOf(field), config, id, size),
      source: "rendered" as const,
    };
  });
}
