// The library's folders import downward only, in pipeline order (README, Layout): a folder may import its own files
// and any folder listed before it, never one listed after. Type-only imports count too: a type is part of a
// module's interface, and an upward one means the concept lives in the wrong folder.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "./helpers";

/** Lowest first. Folders on one line are peers: they may not import each other. */
const LAYERS: string[][] = [
  ["util"],
  ["io/fits"],
  ["io/wcs"],
  ["catalog"],
  ["simulate"],
  ["curate"],
  ["dataset"],
  ["backend"],
  ["models"],
  ["train"],
  ["evaluate"],
  ["experiments", "classify"],
  ["plot"],
  ["notebooks"],
  ["pipeline"],
  ["cli"],
  ["index.ts"],
];

const lib = path.join(repoRoot, "lib");
const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

/** The layer of a file under lib/: "io/fits" for lib/io/fits/read.ts, "train" for lib/train/train.ts. */
function layerOf(file: string): string {
  const parts = path.relative(lib, file).split(path.sep);
  if (parts.length === 1) return parts[0];
  return parts[0] === "io" ? `io/${parts[1]}` : parts[0];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Relative module specifiers of a file: import/export ... from "./x", import("./x"), require("./x"). */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(
    /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm,
  ))
    found.push(m[1]);
  return found;
}

test("every folder of lib/ has a layer", () => {
  const folders = new Set(sourceFiles(lib).map(layerOf));
  const missing = [...folders].filter((f) => !rank.has(f));
  assert.deepEqual(missing, [], `add these to LAYERS in ${path.relative(repoRoot, __filename)}: ${missing.join(", ")}`);
});

test("lib/ imports downward only (io -> catalog -> simulate/curate -> dataset -> models -> train -> evaluate -> experiments/classify -> plot -> cli)", () => {
  const upward: string[] = [];
  for (const file of sourceFiles(lib)) {
    const from = layerOf(file);
    for (const spec of relativeImports(file)) {
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(lib + path.sep)) continue;
      const to = layerOf(
        fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, "index.ts") : `${target}.ts`,
      );
      if (to === from) continue;
      assert.ok(rank.has(to), `${path.relative(repoRoot, file)} imports ${spec}: no layer for '${to}'`);
      if (rank.get(to)! >= rank.get(from)!)
        upward.push(`${path.relative(repoRoot, file)} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(upward, [], `imports against the layers:\n  ${upward.join("\n  ")}`);
});

test("the check sees imports: it finds the ones every layer has", () => {
  const edges = sourceFiles(path.join(lib, "train")).flatMap(relativeImports);
  assert.ok(edges.includes("../models/dual"), "lib/train imports ../models/dual");
  assert.ok(relativeImports(path.join(lib, "index.ts")).length >= 10);
});
