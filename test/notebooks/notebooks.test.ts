// Executes the notebooks headless through Jupyter + tslab, as `npm run notebooks` does, and checks what a reader
// would see: every cell ran without error, and each Plotly figure actually drew in the exported HTML.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import { initBackend } from "../../lib/backend/select";
import { reproduce } from "../../lib/pipeline/reproduce";
import { listNotebooks, runNotebooks } from "../../lib/notebooks/run";
import { screenshotPlots } from "../figure-check";
import { tempDir } from "../helpers";

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}

const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));

// The experiment notebooks show a reproduction's results: make the smoke one (simulated smoke fields, two seeds
// of each network, smoke training) into temporary folders, as `reproduce --profile smoke` does in a checkout.
const out = tempDir();
process.env.STARCLUSTER_RESULTS = out; // notebooks save figures under results/; keep the checkout clean
process.env.STARCLUSTER_DATA = path.join(out, "data");
process.env.STARCLUSTER_PROFILE = "smoke";
process.env.STARCLUSTER_SAVE_FIGURES = "1"; // as reproduce runs them: saveFigure writes (viewing alone writes nothing)

before(async () => {
  const backend = await initBackend({ log: () => undefined });
  await reproduce({ profile: "smoke", backend, notebooks: false, command: "test/notebooks", log: () => undefined });
});

test("the smoke reproduction wrote every result the notebooks show, with its provenance", () => {
  const perArch = ["ten-seed", "curves", "predictions", "generalization", "ablation", "uncertainty"];
  const names = [
    "dataset",
    "human-agreement",
    "baseline",
    "ceiling",
    "provenance",
    ...["resnet18", "vgg19_bn"].flatMap((a) => perArch.map((r) => `${r}-${a}`)),
  ];
  for (const name of names) assert.ok(fs.existsSync(path.join(out, "smoke", `${name}.json`)), name);
  const prov = JSON.parse(fs.readFileSync(path.join(out, "smoke", "provenance.json"), "utf8"));
  assert.deepEqual(Object.keys(prov.stages), [
    "synth",
    "curate",
    "train resnet18",
    "train vgg19_bn",
    "train resnet18 on the truth",
    "results",
  ]);
  assert.equal(prov.stages["train resnet18"].seedSeconds.length, 2);
  assert.ok(prov.stages["train resnet18"].seedSeconds.every((s: number) => s > 0));
  const tenSeed = JSON.parse(fs.readFileSync(path.join(out, "smoke", "ten-seed-resnet18.json"), "utf8"));
  assert.equal(tenSeed.evaluation.runs.length, 2);
  assert.deepEqual(tenSeed.paper.mean_percent[0], [76.0, 17.9, 1.7, 4.4]);
  // smoke reads the probabilities prior-matched (as cpu does): each seed's exponent, and the argmax table beside.
  assert.equal(tenSeed.decision.rule, "prior-matched");
  assert.equal(tenSeed.decision.exponents.length, 2);
  assert.ok(tenSeed.decision.exponents.every((s: number) => s >= 0 && s <= 1));
  assert.equal(tenSeed.argmaxEvaluation.runs.length, 2);
  assert.ok(
    tenSeed.evaluation.perRun.every(
      (r: { exponent: number }, i: number) => r.exponent === tenSeed.decision.exponents[i],
    ),
  );
  const predictions = JSON.parse(fs.readFileSync(path.join(out, "smoke", "predictions-resnet18.json"), "utf8"));
  assert.deepEqual(predictions.sets.test.decision.exponents, tenSeed.decision.exponents);
  const ceiling = JSON.parse(fs.readFileSync(path.join(out, "smoke", "ceiling.json"), "utf8"));
  assert.equal(ceiling.learnability[0].arch, "resnet18");
  assert.equal(ceiling.learnability[0].evaluation.labels, "truth");
  const binned = ceiling.learnability[0].breakdown.byV.reduce((n: number, b: { objects: number }) => n + b.objects, 0);
  assert.equal(
    binned,
    ceiling.learnability[0].evaluation.totals.reduce((a: number, b: number) => a + b, 0),
    "every test object in one V bin",
  );
  // The oracle by magnitude re-counts the oracle's matrix: per label class, objects and matches summed over bins.
  const { counts } = ceiling.oracle.test;
  ceiling.oracle.byV[0].perClass.forEach((_: unknown, c: number) => {
    const bins = ceiling.oracle.byV.map(
      (b: { perClass: { objects: number; recall: number | null }[] }) => b.perClass[c],
    );
    const objects = bins.reduce((n: number, b: { objects: number }) => n + b.objects, 0);
    const matches = bins.reduce(
      (n: number, b: { objects: number; recall: number | null }) => n + (b.objects * (b.recall ?? 0)) / 100,
      0,
    );
    assert.equal(
      objects,
      counts[c].reduce((a: number, b: number) => a + b, 0),
      `class ${c + 1}: objects over V bins`,
    );
    assert.ok(
      Math.abs(matches - counts[c][c]) < 1e-6,
      `class ${c + 1}: ${matches} matches over V bins, ${counts[c][c]} in all`,
    );
  });
});

for (const notebook of listNotebooks().map((f) => path.basename(f, ".ipynb"))) {
  test(`notebook ${notebook} executes without a cell error and every figure draws`, async () => {
    const [result] = await runNotebooks({
      only: [notebook],
      outDir: path.join(out, "notebooks"),
      log: () => undefined,
    });
    const nb = JSON.parse(fs.readFileSync(result.executed, "utf8")) as { cells: Cell[] };
    const code = nb.cells.filter((c) => c.cell_type === "code");
    assert.ok(code.length >= 2);
    for (const [i, cell] of code.entries()) {
      assert.equal(typeof cell.execution_count, "number", `code cell ${i} executed`);
      for (const o of cell.outputs ?? []) {
        assert.notEqual(o.output_type, "error", `code cell ${i} has an error output`);
        if (o.output_type === "stream" && o.name === "stderr")
          assert.doesNotMatch(text(o.text), /error/i, `code cell ${i} stderr`);
      }
    }
    const figures = code.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["application/vnd.plotly.v1+json"]);
    assert.ok(figures.length >= 1, "at least one Plotly figure");
    for (const f of figures) {
      assert.ok(f.data?.["text/html"], "HTML fallback for exported HTML");
      const html = String(f.data?.["text/html"]);
      assert.ok(!html.includes("var Plotly=") && html.length < 2_000_000, "no plotly.js in an output");
      const still = String(f.data?.["image/png"] ?? f.data?.["image/jpeg"]);
      assert.match(
        still,
        /^(iVBORw0KGgo|\/9j\/)/,
        "a static image (PNG; JPEG for noisy stamps) for untrusted notebooks, GitHub, nbviewer",
      );
    }
    const saved = [path.join(out, "figures"), path.join(out, "smoke", "figures")]
      .filter(fs.existsSync)
      .flatMap((d) => fs.readdirSync(d));
    assert.ok(
      saved.some((f) => f.startsWith(notebook.slice(0, 2))),
      "figures saved under results/",
    );

    const plots = await screenshotPlots(result.html);
    assert.equal(plots.length, figures.length, "every figure is in the exported HTML");
    for (const [i, p] of plots.entries()) {
      assert.ok(p.drawn, `figure ${i}: Plotly drew it, not only its static PNG`);
      // Traces in the SVG, and ink on the page: a few small markers (smoke data) colour few pixels.
      assert.ok(
        (p.traces ?? 0) > 0 && p.nonWhite > 0.01 && (p.colored > 0.0003 || p.nonWhite > 0.1),
        `figure ${i} drew (${JSON.stringify(p)})`,
      );
    }
  });
}
