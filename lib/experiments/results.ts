// Where a reproduction's outputs live, and reading and writing them:
//   data/generated/<synth scale>/synth   simulated mosaics and catalogs (starcluster synth)
//   data/generated/<synth scale>/stamps  curated stamps (starcluster curate --synth)
//   data/generated/runs/<profile>/<arch>/seed-N   trained runs (large; never committed)
//   results/<profile>/                   tables (JSON, CSV), figures, provenance: small, committed for cpu
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import { dataPath, projectRoot, resultsPath } from "../util/paths";
import { ARCHITECTURES, ArchName } from "../models/arch";
import { settings } from "../util/settings";
import type { BackendInfo } from "../backend/select";
import type { GitState } from "../util/provenance";
import { DECISION_RULES, DecisionRule } from "../evaluate/decision";
import { Precision, PRECISIONS } from "../backend/select";

export const REPRODUCE_PROFILES = ["smoke", "quick", "cpu", "paper"] as const;
export type ReproduceProfile = (typeof REPRODUCE_PROFILES)[number];

/** A reproduction profile (data/reproduce/<name>.json): which data, which training profile, how many seeds. */
export interface ReproduceSpec {
  name: ReproduceProfile;
  about: string;
  synthScale: "smoke" | "default" | "full";
  trainingProfile: string;
  seeds: number;
  archs: ArchName[];
  /** Seeds per network trained on the simulator's truth instead of the labels: the learnability measure of
   *  results/<profile>/ceiling.json (none when absent). */
  truthSeeds?: Partial<Record<ArchName, number>>;
  /** The network whose single-model entropies make Figure 5 (the paper: VGG19-BN). */
  entropyArch: ArchName;
  /** How the networks' probabilities become classes in the results (lib/evaluate/decision.ts; default argmax). */
  decision?: DecisionRule;
  /** Convolutions of the results stage (default fp32); bf16 falls back to fp32, saying so, where the CPU lacks it. */
  evaluationPrecision?: Precision;
}

export function loadReproduceSpec(name: string): ReproduceSpec {
  if (!(REPRODUCE_PROFILES as readonly string[]).includes(name))
    throw new Error(`unknown reproduction profile '${name}' (choose ${REPRODUCE_PROFILES.join(", ")})`);
  const file = dataPath("reproduce", `${name}.json`);
  return checkReproduceSpec(JSON.parse(fs.readFileSync(file, "utf8")), `data/reproduce/${name}.json`);
}

/** The spec if its networks, seeds, decision and precision are ones the pipeline knows; else an error naming `source`. */
export function checkReproduceSpec(spec: ReproduceSpec, source: string): ReproduceSpec {
  const bad = spec.archs.filter((a) => !(ARCHITECTURES as readonly string[]).includes(a));
  if (bad.length || !Number.isInteger(spec.seeds) || spec.seeds < 1) throw new Error(`${source}: bad archs or seeds`);
  if (spec.decision !== undefined && !(DECISION_RULES as readonly string[]).includes(spec.decision))
    throw new Error(`${source}: decision '${spec.decision}' (choose ${DECISION_RULES.join(", ")})`);
  const precision = spec.evaluationPrecision;
  if (precision !== undefined && !(PRECISIONS as readonly string[]).includes(precision))
    throw new Error(`${source}: evaluationPrecision '${precision}' (choose ${PRECISIONS.join(", ")})`);
  return spec;
}

export interface ReproducePaths {
  synth: string;
  stamps: string;
  runs: string;
  results: string;
}

export function reproducePaths(
  spec: ReproduceSpec,
  dataRoot = settings().data ?? dataPath("generated"),
): ReproducePaths {
  return {
    synth: path.join(dataRoot, spec.synthScale, "synth"),
    stamps: path.join(dataRoot, spec.synthScale, "stamps"),
    runs: path.join(dataRoot, "runs", spec.name),
    results: resultsPath(spec.name),
  };
}

/** The profile whose results notebooks show: STARCLUSTER_PROFILE, else the committed quick reproduction (the
 *  README's main command). */
export function shownProfile(): ReproduceProfile {
  const p = settings().profile ?? "quick";
  if (!(REPRODUCE_PROFILES as readonly string[]).includes(p))
    throw new Error(`STARCLUSTER_PROFILE: unknown profile '${p}'`);
  return p as ReproduceProfile;
}

/** A stage of a reproduction: its wall time, and whether it ran now or had been done before. */
export interface StageTiming {
  seconds: number;
  done: "now" | "before";
  /** Training stages: each complete seed's own training time (run.json), also when it was trained before. */
  seedSeconds?: number[];
}

/** results/<profile>/provenance.json: what made a reproduction's results (written by `reproduce`). */
export interface ReproductionProvenance {
  profile: ReproduceProfile;
  /** The command line that ran it. */
  command: string;
  /** Seeds per network the results were computed from. */
  seeds: Partial<Record<ArchName, number>>;
  /** ISO times. */
  started: string;
  finished: string;
  git: GitState;
  backend: BackendInfo;
  machine: Record<string, string | number>;
  stages: Record<string, StageTiming>;
  /** Where its data are, relative to the checkout when inside it. */
  data: ReproducePaths;
}

/** Writes results/<profile>/<name>.json. Paths inside the checkout are recorded relative to it, so committed
 *  results name data/generated/... rather than the machine that computed them. `indent` 0 writes one line (long
 *  arrays of numbers, one per line, would triple the file). */
export function writeResult(dir: string, name: string, data: unknown, indent = 1): string {
  const file = path.join(dir, `${name}.json`);
  const replacer = (_: string, v: unknown) => (v instanceof Float32Array ? Array.from(v) : relativeToProject(v));
  writeFileAtomic(file, JSON.stringify(data, replacer, indent || undefined) + "\n");
  return file;
}

function relativeToProject(value: unknown): unknown {
  if (typeof value !== "string" || !value.startsWith(projectRoot + path.sep)) return value;
  return path.relative(projectRoot, value).split(path.sep).join("/");
}

/** A result of a reproduction (results/<profile>/<name>.json), with a clear error when it was not computed. */
export function readResult<T>(name: string, profile: ReproduceProfile = shownProfile()): T {
  const file = resultsPath(profile, `${name}.json`);
  if (!fs.existsSync(file))
    throw new Error(`${file}: not computed yet; run 'npx starcluster reproduce --profile ${profile}'`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

export function hasResult(name: string, profile: ReproduceProfile = shownProfile()): boolean {
  return fs.existsSync(resultsPath(profile, `${name}.json`));
}
