// What the experiment notebooks display: tables (danfo DataFrames rendered as HTML) and Plotly figures built
// from a reproduction's results, ours beside the paper's with the difference. Notebooks call these and show them.
import * as fs from "node:fs";
import * as path from "node:path";
import { DataFrame } from "danfojs-node";
import { Evaluation } from "../evaluate/runs";
import { ArchName } from "../models/arch";
import * as figures from "../plot/experiments";
import { Figure, figureHtml, savePng } from "../plot/plotly";
import { frameHtml } from "../plot/tables";
import { writeFileAtomic } from "../util/atomic";
import { resultsPath } from "../util/paths";
import type { AblationFile, AgreementResult, BaselineResult, CurvesResult, DatasetResult, GeneralizationResult, TenSeedResult, UncertaintyResult } from "./compute";
import type { CeilingResult } from "./ceiling";
import { PaperTable } from "./paper";
import { hasResult, loadReproduceSpec, readResult, ReproduceProfile, shownProfile } from "./results";

const ARCH_TITLE: Record<ArchName, string> = { resnet18: "ResNet18", vgg19_bn: "VGG19-BN" };

/** Which reproduction the notebooks show, and what it is. */
export function describeProfile(profile: ReproduceProfile = shownProfile()): string {
  const spec = loadReproduceSpec(profile);
  const file = resultsPath(profile, "provenance.json");
  const prov = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
  const when = prov ? ` Computed ${prov.finished} at commit ${String(prov.git?.commit).slice(0, 10)}${prov.git?.dirty ? " (with uncommitted changes)" : ""} on the ${prov.backend?.backend} backend.` : "";
  const trained = prov?.seeds ? Object.entries(prov.seeds as Record<string, number>).map(([a, n]) => `${n} ${ARCH_TITLE[a as ArchName] ?? a}`).join(", ") : `${spec.seeds} per network`;
  return `Profile '${profile}': ${spec.about} Seeds in these results: ${trained} (the profile asks for ${spec.seeds}); training profile '${spec.trainingProfile}'.${when}`;
}

/** Saves a figure under results/<profile>/figures as PNG and light HTML (plotly.js referenced from node_modules, not inlined). */
export function saveFigure(fig: Figure, name: string, profile: ReproduceProfile = shownProfile()): void {
  const dir = resultsPath(profile, "figures");
  const plotly = path.relative(dir, require.resolve("plotly.js-dist-min")).split(path.sep).join("/");
  writeFileAtomic(path.join(dir, `${name}.html`), `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${name}</title><script src="${plotly}"></script></head>\n<body style="margin:0">\n${figureHtml(fig)}\n</body></html>\n`);
  savePng(fig, path.join(dir, `${name}.png`), { width: typeof fig.layout?.width === "number" ? fig.layout.width : 1000, height: typeof fig.layout?.height === "number" ? fig.layout.height : 450 });
}

const pm = (m: number, s: number) => `${m.toFixed(1)} ± ${s.toFixed(1)}`;

/** Ours beside the paper's, cell by cell: "ours (paper, difference)". */
function comparisonFrame(e: Evaluation, paper: PaperTable): DataFrame {
  const rows = e.mean.map((row, i) => [
    `class ${i + 1}`,
    ...row.map((m, j) => `${pm(m, e.std[i][j])}  (${pm(paper.mean_percent[i][j], paper.std_percent[i][j])}; ${m - paper.mean_percent[i][j] >= 0 ? "+" : ""}${(m - paper.mean_percent[i][j]).toFixed(1)})`),
    `${e.totals[i]} (${paper.true_class_totals[i]})`,
  ]);
  return new DataFrame(rows, { columns: ["true class", "pred 1 [%]", "pred 2 [%]", "pred 3 [%]", "pred 4 [%]", "objects (paper)"] });
}

export function datasetTables(profile = shownProfile()): { table1: string; table2: string } {
  const r = readResult<DatasetResult>("dataset", profile);
  const html = (table: number, caption: string) => {
    const rows = r.fields.filter((f) => f.table === table).map((f) => [f.field, f.distance_mpc ?? "", ...f.usable.map((n, c) => `${n} / ${f.catalog[c]} (${f.paper?.[c + 1] ?? "?"})`), f.dropped.map(([why, n]) => `${n} ${why}`).join("; ") || "none"]);
    return frameHtml(new DataFrame(rows.length ? rows : [["(none)", "", "", "", "", "", ""]], { columns: ["field", "D [Mpc]", "class 1", "class 2", "class 3", "class 4", "dropped by curation"] }), caption);
  };
  return {
    table1: html(1, "Table 1 fields: usable stamps (curated, detected in >= 4 bands) / catalog objects (paper's count)"),
    table2: html(2, "Table 2: NGC 1559, usable / catalog (paper)"),
  };
}

export function humanAgreementReport(profile = shownProfile()): { figure: Figure; table: string; summary: string } {
  const r = readResult<AgreementResult>("human-agreement", profile);
  const a = r.NGC4656 ?? r.all;
  if (!a) throw new Error("no object has a second label in this data set");
  const which = r.NGC4656 ? "NGC 4656" : "all fields";
  const rows = a.diagonal.map((d, i) => [`class ${i + 1}`, d, r.paperDiagonal[i], d - r.paperDiagonal[i], a.counts[i].reduce((x, y) => x + y, 0)]);
  return {
    figure: figures.agreementFigure(a.percent, a.counts, { a: "catalog", b: "second annotator" }, `Figure 2: human-vs-human agreement, ${which} (${a.n} objects)`),
    table: frameHtml(new DataFrame(rows, { columns: ["class", "agreement [%]", "paper [%]", "difference", "objects"] }), `Agreement per class, ${which}`),
    summary: `${which}: total match over classes 1+2+3 ${a.match123.toFixed(0)}% (paper 76%), over classes 1+2 ${a.match12.toFixed(0)}% (paper 67%).`,
  };
}

export function tenSeedReport(arch: ArchName, profile = shownProfile()) {
  const r = readResult<TenSeedResult>(`ten-seed-${arch}`, profile);
  const curves = readResult<CurvesResult>(`curves-${arch}`, profile);
  const e = r.evaluation;
  return {
    figure: figures.confusionFigure([
      { title: `ours: ${e.runs.length} seed(s)`, mean: e.mean, std: e.std, totals: e.totals },
      { title: `paper (${r.paper.table})`, mean: r.paper.mean_percent, std: r.paper.std_percent, totals: r.paper.true_class_totals },
    ], `${ARCH_TITLE[arch]} on the test split of the Table 1 fields`),
    table: frameHtml(comparisonFrame(e, r.paper), `${ARCH_TITLE[arch]}: ours ± std (paper ${r.paper.table} ± std; difference)`),
    curves: figures.curvesFigure(curves.runs, `${ARCH_TITLE[arch]}: training curves of every seed`),
    summary: `${ARCH_TITLE[arch]}: accuracy ${pm(100 * e.accuracy.mean, 100 * e.accuracy.std)}% against the human class, ${pm(100 * r.againstTruth.accuracy.mean, 100 * r.againstTruth.accuracy.std)}% against the simulator's truth; diagonal ${e.mean.map((row, i) => row[i].toFixed(0)).join(" : ")} (paper ${r.paper.mean_percent.map((row, i) => row[i].toFixed(0)).join(" : ")}; human agreement 66 : 37 : 40 : 61).`,
    trainingMinutes: curves.runs.map((c) => c.seconds / 60),
  };
}

export function generalizationReport(archs: ArchName[], profile = shownProfile()) {
  const results = archs.filter((a) => hasResult(`generalization-${a}`, profile)).map((a) => readResult<GeneralizationResult>(`generalization-${a}`, profile));
  return {
    perArch: results.map((r) => ({
      arch: r.arch,
      figure: figures.confusionFigure([
        { title: "ours", mean: r.evaluation.mean, std: r.evaluation.std, totals: r.evaluation.totals },
        { title: `paper (${r.paper.table})`, mean: r.paper.mean_percent, std: r.paper.std_percent, totals: r.paper.true_class_totals },
      ], `${ARCH_TITLE[r.arch]} on NGC 1559 (19 Mpc)`),
      table: frameHtml(comparisonFrame(r.evaluation, r.paper), `${ARCH_TITLE[r.arch]} on NGC 1559: ours ± std (paper ${r.paper.table}; difference)`),
    })),
    distance: figures.distanceFigure(results.map((r) => ({ name: ARCH_TITLE[r.arch], points: r.byDistance })), "Accuracy per field against distance (test split; NGC 1559 all objects)"),
  };
}

export function ablationReport(archs: ArchName[], profile = shownProfile()) {
  const results = archs.filter((a) => hasResult(`ablation-${a}`, profile)).map((a) => readResult<AblationFile>(`ablation-${a}`, profile));
  const rows = results.flatMap((r) => r.bands.map((b) => [ARCH_TITLE[r.arch], b.band, ...b.drop, 100 * (r.baseline.accuracy.mean - b.accuracy.mean)]));
  const worst = results.map((r) => {
    const b = r.bands.reduce((best, x) => (r.baseline.accuracy.mean - x.accuracy.mean > r.baseline.accuracy.mean - best.accuracy.mean ? x : best));
    return `${ARCH_TITLE[r.arch]}: removing ${b.band} costs the most (${(100 * (r.baseline.accuracy.mean - b.accuracy.mean)).toFixed(1)} points of accuracy)`;
  });
  return {
    figure: figures.ablationFigure(results.map((r) => ({ ...r, arch: ARCH_TITLE[r.arch] })), "Figure 4: NGC 1559 with one band set to zero"),
    table: frameHtml(new DataFrame(rows, { columns: ["network", "zeroed band", "drop class 1", "drop class 2", "drop class 3", "drop class 4", "drop overall"] }), "Recall drop in percentage points when a band is zeroed"),
    summary: `${worst.join("; ")}. The paper: ${results[0]?.paper.finding ?? ""}.`,
  };
}

export function uncertaintyReport(archs: ArchName[], singleArch: ArchName, profile = shownProfile()) {
  const results = archs.filter((a) => hasResult(`uncertainty-${a}`, profile)).map((a) => readResult<UncertaintyResult>(`uncertainty-${a}`, profile));
  const single = results.find((r) => r.arch === singleArch) ?? results[0];
  const ens = (r: UncertaintyResult) => r.ensemble;
  return {
    entropy: figures.entropyFigure(single.entropy, `Figure 5: entropy of one ${ARCH_TITLE[single.arch]} model (${single.singleRun}) on NGC 1559`),
    mutualInformation: results.map((r) => figures.mutualInformationFigure(ens(r).mutualInformation, ens(r).predicted.map((p, i) => p === ens(r).labels[i]), `${ARCH_TITLE[r.arch]}: disagreement between seeds on NGC 1559`)),
    reliability: figures.reliabilityFigure(results.flatMap((r) => [
      { name: `${ARCH_TITLE[r.arch]} ensemble`, calibration: ens(r).ensembleCalibration },
      { name: `${ARCH_TITLE[r.arch]} one model`, calibration: ens(r).singleCalibration },
    ]), "Reliability on NGC 1559"),
    table: frameHtml(new DataFrame(results.map((r) => [ARCH_TITLE[r.arch], 100 * ens(r).ensembleCalibration.ece, 100 * ens(r).singleCalibration.ece,
      ens(r).entropy.reduce((a, b) => a + b, 0) / ens(r).entropy.length, ens(r).mutualInformation.reduce((a, b) => a + b, 0) / ens(r).mutualInformation.length]),
    { columns: ["network", "ECE ensemble [%]", "ECE one model [%]", "mean entropy [nats]", "mean mutual information [nats]"] }), "Calibration and uncertainty on NGC 1559", 3),
  };
}

export function baselineReport(archs: ArchName[], profile = shownProfile()) {
  const b = readResult<BaselineResult>("baseline", profile);
  const rows: (string | number)[][] = [["baseline (CI, asymmetry, colours)", 100 * b.test.accuracy, ...b.test.percent.map((r, i) => r[i]), b.generalization ? 100 * b.generalization.accuracy : "n/a"]];
  for (const a of archs.filter((x) => hasResult(`ten-seed-${x}`, profile))) {
    const t = readResult<TenSeedResult>(`ten-seed-${a}`, profile).evaluation;
    const g = hasResult(`generalization-${a}`, profile) ? readResult<GeneralizationResult>(`generalization-${a}`, profile).evaluation : undefined;
    rows.push([`${ARCH_TITLE[a]} (mean of ${t.runs.length} seeds)`, 100 * t.accuracy.mean, ...t.mean.map((r, i) => r[i]), g ? 100 * g.accuracy.mean : "n/a"]);
  }
  return {
    table: frameHtml(new DataFrame(rows, { columns: ["classifier", "test accuracy [%]", "recall 1", "recall 2", "recall 3", "recall 4", "NGC 1559 accuracy [%]"] }), "Classical baseline beside the CNNs (same split)"),
    figure: figures.confusionFigure([{ title: "baseline, test split", mean: b.test.percent, totals: b.test.totals }, ...(b.generalization ? [{ title: "baseline, NGC 1559", mean: b.generalization.percent, totals: b.generalization.totals }] : [])], "Logistic regression on concentration, asymmetry and colours"),
  };
}

/** What the simulated data allow (ceiling.json): the truth scored against the labels, networks trained on the
 *  truth (overall and by magnitude, field and kind), the labelled networks and the baseline against the truth. */
export function ceilingReport(profile = shownProfile()) {
  const c = readResult<CeilingResult>("ceiling", profile);
  const diag = (m: number[][]) => m.map((r, i) => r[i]);
  const rows: (string | number)[][] = [
    ["truth as the prediction, against the labels (test split)", ...diag(c.oracle.test.percent), 100 * c.oracle.test.accuracy],
  ];
  if (c.oracle.generalization) rows.push(["the same on NGC 1559", ...diag(c.oracle.generalization.percent), 100 * c.oracle.generalization.accuracy]);
  for (const l of c.learnability) rows.push([`${ARCH_TITLE[l.arch]} trained on the truth, against the truth (${l.runs.length} run(s))`, ...diag(l.evaluation.mean), 100 * l.evaluation.accuracy.mean]);
  if (c.baselineTruth) rows.push(["baseline trained on the truth, against the truth", ...diag(c.baselineTruth.percent), 100 * c.baselineTruth.accuracy]);
  const learn = c.learnability[0];
  return {
    table: frameHtml(new DataFrame(rows, { columns: ["what", "class 1 [%]", "class 2 [%]", "class 3 [%]", "class 4 [%]", "accuracy [%]"] }), "What the simulated data allow"),
    byMagnitude: learn ? figures.binRecallFigure(learn.breakdown.byV, `${ARCH_TITLE[learn.arch]} trained on the truth: recall by V magnitude`, "catalog V magnitude (objects)") : null,
    byKind: learn ? figures.kindRecallFigure(learn.breakdown.byKind, `${ARCH_TITLE[learn.arch]} trained on the truth: recall by rendered kind (colour: true class)`) : null,
    // One field (the smoke data) is the table's number again, not a comparison.
    byField: learn && learn.breakdown.byField.length > 1 ? figures.binRecallFigure(learn.breakdown.byField, `${ARCH_TITLE[learn.arch]} trained on the truth: recall by field (nearest first)`, "field (objects)") : null,
    labelRunsByMagnitude: c.labelRuns.map((l) => figures.binRecallFigure(l.breakdown.byV, `${ARCH_TITLE[l.arch]} trained on the labels, against the truth: recall by V magnitude`, "catalog V magnitude (objects)")),
    brighterThan: learn?.brighterThan ?? [],
    result: c,
  };
}
