// The notebooks as committed (`npm run notebooks:commit`): with their outputs, small, every figure as Plotly JSON
// and a static image (no live HTML, no plotly.js, no run-specific metadata), and executing them again from the
// committed results gives the same outputs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { PNG } from "pngjs";
import { listNotebooks, runNotebooks } from "../../lib/notebooks/run";
import { repoRoot, tempDir } from "../helpers";

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: object;
}
interface Cell {
  id?: string;
  cell_type: string;
  metadata: Record<string, unknown>;
  execution_count?: number | null;
  outputs?: Output[];
}
interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
}

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const python = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";
const noJupyter =
  spawnSync(python, ["-c", "import nbclient, nbconvert"]).status === 0
    ? false
    : `nbclient/nbconvert not installed for ${python} (scripts/setup-system.sh installs them)`;

const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
const stillOf = (o: Output) => (o.data?.["image/png"] ?? o.data?.["image/jpeg"]) as string | undefined;

/** Width and height of a base64 PNG or JPEG (JPEG: the first start-of-frame marker). */
function imageSize(base64: string): [number, number] {
  const bytes = Buffer.from(base64, "base64");
  if (bytes[0] === 0x89) {
    const png = PNG.sync.read(bytes);
    return [png.width, png.height];
  }
  for (let i = 2; i < bytes.length - 8; ) {
    const marker = bytes[i + 1];
    if (marker >= 0xc0 && marker <= 0xc2) return [bytes.readUInt16BE(i + 7), bytes.readUInt16BE(i + 5)];
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  throw new Error("no JPEG frame header");
}

for (const file of listNotebooks()) {
  const name = path.basename(file, ".ipynb");
  test(`committed ${name}: every cell ran, figures as Plotly JSON and a static image, well under 1 MB`, () => {
    const size = fs.statSync(file).size;
    assert.ok(size < 600_000, `${size} bytes`);
    const text = fs.readFileSync(file, "utf8");
    assert.ok(!text.includes("var Plotly="), "plotly.js is never committed");
    const nb = read(file);
    const code = nb.cells.filter((c) => c.cell_type === "code");
    for (const [i, cell] of nb.cells.entries()) {
      assert.match(cell.id ?? "", /^c\d\d-\d\d$/, `cell ${i} has a fixed id`);
      assert.equal(cell.metadata.execution, undefined, `cell ${i}: no timing metadata`);
    }
    for (const [i, cell] of code.entries()) {
      assert.equal(cell.execution_count, i + 1, `code cell ${i} executed in order`);
      for (const o of cell.outputs ?? []) {
        assert.notEqual(o.output_type, "error");
        const text = Array.isArray(o.text) ? o.text.join("") : (o.text ?? "");
        if (o.name === "stderr") assert.doesNotMatch(text, /error|warn/i, `code cell ${i} stderr`);
        assert.ok(!text.includes(repoRoot), `code cell ${i} names this machine's checkout`);
      }
    }
    const outputs = code.flatMap((c) => c.outputs ?? []);
    const figures = outputs.filter((o) => o.data?.[PLOTLY_MIME] || o.data?.["image/png"] || o.data?.["image/jpeg"]);
    assert.ok(figures.length >= 1, "at least one figure");
    for (const f of figures) {
      assert.ok(stillOf(f), "a static image GitHub and nbviewer show");
      assert.equal(
        f.data?.["text/html"],
        undefined,
        "no live HTML (script, second copy of the image) in a committed figure",
      );
      assert.match(String(f.data?.["text/plain"]), /^<Plotly figure/);
    }
  });
}

// 03 renders stamps and shows a JPEG gallery; 05 computes Figure 4 inline: between them, every kind of output.
test("executing committed notebooks again from the committed results gives the same outputs", {
  skip: noJupyter,
  timeout: 300_000,
}, async () => {
  const dir = tempDir();
  const figures = path.join(repoRoot, "results", "quick", "figures");
  const stamp = () =>
    fs
      .readdirSync(figures)
      .map((f) => `${f} ${fs.statSync(path.join(figures, f)).mtimeMs}`)
      .join("\n");
  const before = stamp();
  const saved = { ...process.env };
  Object.assign(process.env, { STARCLUSTER_PROFILE: "quick" });
  delete process.env.STARCLUSTER_SAVE_FIGURES;
  delete process.env.STARCLUSTER_RESULTS;
  try {
    await runNotebooks({
      only: ["03-ten-seed", "05-ablation"],
      jobs: 2,
      outDir: path.join(dir, "executed"),
      commitDir: dir,
      log: () => undefined,
    });
  } finally {
    process.env = saved;
  }
  for (const name of ["03-ten-seed", "05-ablation"]) {
    const committed = read(path.join(repoRoot, "notebooks", `${name}.ipynb`));
    const again = read(path.join(dir, `${name}.ipynb`));
    // Chromium's version and fonts decide an image's bytes: compare its size, and everything else exactly.
    const masked = (nb: Notebook) =>
      JSON.stringify(nb, (k, v) => (k === "image/png" || k === "image/jpeg" ? imageSize(v) : v));
    assert.equal(
      masked(again),
      masked(committed),
      `${name}: run 'npm run notebooks:commit' after changing what it shows`,
    );
  }
  assert.equal(stamp(), before, "viewing the notebooks wrote no committed figure");
});
