// The notebook runner (lib/notebooks/run.ts) on small notebooks written here: failures name the cell and tslab's
// message, notebooks run two at a time, listNotebooks finds them by name.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { listNotebooks, runNotebooks } from "../../lib/notebooks/run";
import { tempDir } from "../helpers";

interface Cell {
  execution_count?: number | null;
  outputs?: { text?: string | string[] }[];
}

const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));

function writeNotebook(file: string, sources: string[]): void {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript (tslab)", language: "typescript" } },
    cells: sources.map((source, i) => ({
      id: `c${i}`,
      cell_type: "code",
      source,
      metadata: {},
      outputs: [],
      execution_count: null,
    })),
  };
  fs.writeFileSync(file, JSON.stringify(nb));
}

test("a failing cell stops the run and reports the cell and tslab's real message", async () => {
  const dir = tempDir();
  writeNotebook(path.join(dir, "bad.ipynb"), [
    "const a: number = 1;",
    'throw new Error("boom-" + a);',
    'console.log("after");',
  ]);
  writeNotebook(path.join(dir, "typo.ipynb"), ['const x: number = "text";']);
  const out = path.join(dir, "out");
  await assert.rejects(runNotebooks({ dir, only: ["bad"], outDir: out, log: () => undefined }), (e: Error) => {
    assert.match(e.message, /bad\.ipynb failed/);
    assert.match(e.message, /cell 1 failed/);
    assert.match(e.message, /boom-1/);
    return true;
  });
  const executed = JSON.parse(fs.readFileSync(path.join(out, "bad.ipynb"), "utf8")) as { cells: Cell[] };
  assert.equal(executed.cells[2].execution_count, null, "cells after the failure are not run");
  await assert.rejects(
    runNotebooks({ dir, only: ["typo"], outDir: out, log: () => undefined }),
    /Type 'string' is not assignable to type 'number'/,
  );
});

test("notebooks run two at a time: results, and the first failure, in the order asked for", async () => {
  const dir = tempDir();
  writeNotebook(path.join(dir, "one.ipynb"), ['console.log("one: " + (40 + 1));']);
  writeNotebook(path.join(dir, "two.ipynb"), ['console.log("two: " + (40 + 2));']);
  writeNotebook(path.join(dir, "bad.ipynb"), ['throw new Error("boom");']);
  writeNotebook(path.join(dir, "typo.ipynb"), ['const x: number = "text";']);
  const out = path.join(dir, "out");
  const results = await runNotebooks({ dir, only: ["two", "one"], outDir: out, jobs: 2, log: () => undefined });
  assert.deepEqual(
    results.map((r) => path.basename(r.executed)),
    ["two.ipynb", "one.ipynb"],
  );
  for (const [name, value] of [
    ["one", 41],
    ["two", 42],
  ] as const) {
    const nb = JSON.parse(fs.readFileSync(path.join(out, `${name}.ipynb`), "utf8")) as { cells: Cell[] };
    assert.match(text(nb.cells[0].outputs?.[0]?.text), new RegExp(`${name}: ${value}`));
  }
  await assert.rejects(
    runNotebooks({ dir, only: ["typo", "bad"], outDir: out, jobs: 2, log: () => undefined }),
    /typo\.ipynb failed[\s\S]*not assignable/,
  );
});

test("listNotebooks orders notebooks by name and rejects unknown names", () => {
  const all = listNotebooks().map((f) => path.basename(f));
  assert.deepEqual(all, [...all].sort());
  assert.ok(all.includes("00-environment.ipynb"));
  assert.throws(() => listNotebooks(undefined, ["no-such-notebook"]), /no notebook 'no-such-notebook'/);
});
