// Executes the notebooks headless through Jupyter + tslab, as `npm run notebooks` does, and checks what a reader
// would see: every cell ran without error, and each Plotly figure actually drew in the exported HTML.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { listNotebooks, runNotebooks } from "../../lib/notebooks/run";
import { screenshotPlots } from "../figure-check";
import { tempDir } from "../helpers";

interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }
interface Cell { cell_type: string; source: string | string[]; execution_count?: number | null; outputs?: Output[] }

const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));

function writeNotebook(file: string, sources: string[]): void {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript (tslab)", language: "typescript" } },
    cells: sources.map((source, i) => ({ id: `c${i}`, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null })),
  };
  fs.writeFileSync(file, JSON.stringify(nb));
}

for (const notebook of listNotebooks().map((f) => path.basename(f, ".ipynb"))) {
  test(`notebook ${notebook} executes without a cell error and every figure draws`, async () => {
    const out = tempDir();
    process.env.STARCLUSTER_RESULTS = out; // notebooks save figures under results/; keep the checkout clean
    const [result] = runNotebooks({ only: [notebook], outDir: path.join(out, "notebooks"), log: () => undefined });
    const nb = JSON.parse(fs.readFileSync(result.executed, "utf8")) as { cells: Cell[] };
    const code = nb.cells.filter((c) => c.cell_type === "code");
    assert.ok(code.length >= 2);
    for (const [i, cell] of code.entries()) {
      assert.equal(typeof cell.execution_count, "number", `code cell ${i} executed`);
      for (const o of cell.outputs ?? []) {
        assert.notEqual(o.output_type, "error", `code cell ${i} has an error output`);
        if (o.output_type === "stream" && o.name === "stderr") assert.doesNotMatch(text(o.text), /error/i, `code cell ${i} stderr`);
      }
    }
    const figures = code.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["application/vnd.plotly.v1+json"]);
    assert.ok(figures.length >= 1, "at least one Plotly figure");
    for (const f of figures) assert.ok(f.data?.["text/html"], "HTML fallback for exported HTML");
    assert.ok(fs.readdirSync(path.join(out, "figures")).length >= 1, "figures saved under results/figures");

    const plots = await screenshotPlots(result.html);
    assert.equal(plots.length, figures.length, "every figure is in the exported HTML");
    for (const [i, p] of plots.entries()) assert.ok(p.nonWhite > 0.01 && (p.colored > 0.002 || p.nonWhite > 0.1), `figure ${i} drew (${JSON.stringify(p)})`);
  });
}

test("a failing cell stops the run and reports the cell and tslab's real message", () => {
  const dir = tempDir();
  writeNotebook(path.join(dir, "bad.ipynb"), ["const a: number = 1;", 'throw new Error("boom-" + a);', 'console.log("after");']);
  writeNotebook(path.join(dir, "typo.ipynb"), ['const x: number = "text";']);
  const out = path.join(dir, "out");
  assert.throws(() => runNotebooks({ dir, only: ["bad"], outDir: out, log: () => undefined }), (e: Error) => {
    assert.match(e.message, /bad\.ipynb failed/);
    assert.match(e.message, /cell 1 failed/);
    assert.match(e.message, /boom-1/);
    return true;
  });
  const executed = JSON.parse(fs.readFileSync(path.join(out, "bad.ipynb"), "utf8")) as { cells: Cell[] };
  assert.equal(executed.cells[2].execution_count, null, "cells after the failure are not run");
  assert.throws(() => runNotebooks({ dir, only: ["typo"], outDir: out, log: () => undefined }), /Type 'string' is not assignable to type 'number'/);
});

test("listNotebooks orders notebooks by name and rejects unknown names", () => {
  const all = listNotebooks().map((f) => path.basename(f));
  assert.deepEqual(all, [...all].sort());
  assert.ok(all.includes("00-environment.ipynb"));
  assert.throws(() => listNotebooks(undefined, ["no-such-notebook"]), /no notebook 'no-such-notebook'/);
});
