// The public surface (lib/index.ts): one namespace per folder of lib/, and every name the notebooks call exists
// (they run only under Jupyter; this catches a rename that forgot them in a second).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as sc from "../lib";
import { repoRoot } from "./helpers";

test("lib/index.ts has a namespace per folder of lib/ (io/fits as fits, the CLI aside)", () => {
  const lib = path.join(repoRoot, "lib");
  const folders = fs
    .readdirSync(lib, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => (e.name === "io" ? fs.readdirSync(path.join(lib, "io")) : [e.name]))
    .filter((f) => f !== "cli");
  const missing = folders.filter((f) => !(f in sc));
  assert.deepEqual(missing, []);
});

test("every sc.<namespace>.<name> the notebooks' code calls is in the library", () => {
  const dir = path.join(repoRoot, "notebooks");
  const missing: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as {
      cells: { cell_type: string; source: string | string[] }[];
    };
    for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
      const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
      for (const [, space, name] of source.matchAll(/\bsc\.(\w+)\.(\w+)/g)) {
        const ns = (sc as unknown as Record<string, Record<string, unknown> | undefined>)[space];
        // Capitalised names are types (sc.plot.Figure): the compiler, not this test, checks them.
        if (!ns || (!/^[A-Z][a-z]/.test(name) && ns[name] === undefined)) missing.push(`${file}: sc.${space}.${name}`);
      }
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});
