// What the experiment notebooks display: tables and Plotly figures built from a reproduction's results, ours beside
// the paper's with the difference. Each table comes as a danfo DataFrame (`frame`, to slice and sort in a notebook)
// beside its HTML (`table`), and each report also returns the result it was made from (`result`). The paper's numbers
// come from the results (copied there from data/paper-results.json) or from that file itself (lib/experiments/paper).
import * as path from "node:path";
import { DataFrame } from "danfojs-node";
import { ArchName } from "../models/arch";
import * as figures from "./experiments";
import { Figure, FigureFormat, parseFormats, saveFigureFiles } from "./plotly";
import { frameHtml } from "./tables";
import { resultsPath } from "../util/paths";
import type {
  AblationFile,
  AgreementResult,
  BaselineResult,
  CurvesResult,
  DatasetResult,
  GeneralizationResult,
  TenSeedResult,
  UncertaintyResult,
} from "../experiments/compute";
import type { CeilingResult } from "../experiments/ceiling";
import type { Agreement } from "../experiments/human";
import { PaperTable, paperResults } from "../experiments/paper";
import { Misclassified } from "../experiments/predictions";
import { objectStamps, StampSource } from "../experiments/stamps";
import { galleryFigure } from "./stamps";
import {
  hasResult,
  loadReproduceSpec,
  readResult,
  ReproduceProfile,
  ReproductionProvenance,
  shownProfile,
} from "../experiments/results";
import { settings } from "../util/settings";

const ARCH_TITLE: Record<ArchName, string> = { resnet18: "ResNet18", vgg19_bn: "VGG19-BN" };

/** A network as the paper names it (ResNet18, VGG19-BN). */
export function archTitle(arch: ArchName): string {
  return ARCH_TITLE[arch] ?? arch;
}

/** Which reproduction the notebooks show, and what it is. */
export function describeProfile(profile: ReproduceProfile = shownProfile()): string {
  const spec = loadReproduceSpec(profile);
  const prov = hasResult("provenance", profile) ? readResult<ReproductionProvenance>("provenance", profile) : undefined;
  const when = prov
    ? ` Computed ${prov.finished} at commit ${String(prov.git?.commit).slice(0, 10)}${prov.git?.dirty ? " (with uncommitted changes)" : ""} on the ${prov.backend?.backend} backend.`
    : "";
  const trained = prov?.seeds
    ? Object.entries(prov.seeds)
        .map(([a, n]) => `${n} ${ARCH_TITLE[a as ArchName] ?? a}`)
        .join(", ")
    : `${spec.seeds} per network`;
  return `Profile '${profile}': ${spec.about} Seeds in these results: ${trained} (the profile asks for ${spec.seeds}); training profile '${spec.trainingProfile}'.${when}`;
}

export interface SaveFigureOptions {
  /** Write even when not asked by the environment (a researcher's explicit save). */
  force?: boolean;
  /** Write here instead of results/<profile>/figures (implies force). */
  dir?: string;
  /** Default STARCLUSTER_FIGURE_FORMATS, else png and html. */
  formats?: FigureFormat[];
}

/** Whether notebooks write their figures: `reproduce` asks (STARCLUSTER_SAVE_FIGURES=1); viewing a notebook does not. */
export function savingFigures(): boolean {
  return settings().saveFigures;
}

/** The formats saveFigure writes: STARCLUSTER_FIGURE_FORMATS (e.g. "png,html,pdf,svg"), else PNG and light HTML. */
export function figureFormats(): FigureFormat[] {
  const list = settings().figureFormats;
  return list ? parseFormats(list, "STARCLUSTER_FIGURE_FORMATS") : ["png", "html"];
}

/**
 * Saves a figure as results/<profile>/figures/<name>.<format> (PNG, light HTML with plotly.js referenced from
 * node_modules, PDF, SVG) when a reproduction asks for it, or anywhere with `dir`; otherwise does nothing, so that
 * running a notebook never rewrites committed figures. Returns the files written (undefined when none: a notebook
 * cell ending in saveFigure then prints nothing).
 */
export function saveFigure(
  fig: Figure,
  name: string,
  profile: ReproduceProfile = shownProfile(),
  options: SaveFigureOptions = {},
): string[] | undefined {
  if (!options.force && !options.dir && !savingFigures()) return undefined;
  const dir = options.dir ?? resultsPath(profile, "figures");
  return saveFigureFiles(fig, path.join(dir, name), options.formats ?? figureFormats());
}

const pm = (m: number, s: number) => `${m.toFixed(1)} ± ${s.toFixed(1)}`;

/** A confusion table as the paper prints it: row percentages, mean and std over runs, objects per true class. */
export interface MeanStdTable {
  mean: number[][];
  std: number[][];
  totals: number[];
}

/** A table as a danfo DataFrame (to slice and sort in a notebook) and as HTML with its caption (to show). */
export interface ReportTable {
  frame: DataFrame;
  table: string;
}

/** A figure of one network. */
export interface ArchFigure {
  arch: ArchName;
  figure: Figure;
}

/** Tables 1-2 (dataset.json). */
export interface DatasetReport {
  table1: string;
  table2: string;
  frame1: DataFrame;
  frame2: DataFrame;
  result: DatasetResult;
}

/** Figure 2 (human-agreement.json): the agreement matrix, per class beside the paper, the total match fractions. */
export interface HumanAgreementReport extends ReportTable {
  figure: Figure;
  result: AgreementResult;
  summary: string;
}

/** Tables 3-4 and Figure 3 for one network (ten-seed-<arch>.json, curves-<arch>.json). */
export interface TenSeedReport extends ReportTable {
  /** Ours and the paper's confusion matrices side by side. */
  figure: Figure;
  curves: Figure;
  result: TenSeedResult;
  curvesResult: CurvesResult;
  summary: string;
  trainingMinutes: number[];
}

/** Tables 5-6 (generalization-<arch>.json) for the networks that have one, and accuracy against distance. */
export interface GeneralizationReport {
  perArch: (ReportTable & ArchFigure & { result: GeneralizationResult })[];
  distance: Figure;
}

/** Figure 4 (ablation-<arch>.json) for the networks that have one. */
export interface AblationReport extends ReportTable {
  figure: Figure;
  results: AblationFile[];
  summary: string;
}

/** Figure 5 and the ensembles (uncertainty-<arch>.json) for the networks that have one. */
export interface UncertaintyReport extends ReportTable {
  /** Figure 5: one model's entropies, of the network asked for (another when it has no result: see the title). */
  entropy: Figure;
  /** Per network: the seeds' disagreement (mutual information), right and wrong predictions apart. */
  mutualInformation: ArchFigure[];
  reliability: Figure;
  results: UncertaintyResult[];
}

/** The classical baseline (baseline.json) beside the networks' ten-seed and generalisation accuracy. */
export interface BaselineReport extends ReportTable {
  figure: Figure;
  result: BaselineResult;
}

/** ceiling.json's table: recall per class and accuracy of the truth, and of networks and the baseline against it. */
function ceilingFrame(c: CeilingResult): DataFrame {
  const diag = (m: number[][]) => m.map((r, i) => r[i]);
  const rows: (string | number)[][] = [
    [
      "truth as the prediction, against the labels (test split)",
      ...diag(c.oracle.test.percent),
      100 * c.oracle.test.accuracy,
    ],
  ];
  if (c.oracle.generalization)
    rows.push([
      "the same on NGC 1559",
      ...diag(c.oracle.generalization.percent),
      100 * c.oracle.generalization.accuracy,
    ]);
  const vision = c.oracle.perfectVision;
  if (vision)
    for (const [name, set] of [
      ["a network trained on the labels that sees the truth perfectly: plain decision", vision.test.plain],
      ["the same, class-balanced decision (logit adjustment)", vision.test.balanced],
    ] as const)
      rows.push([name, ...diag(set.percent), 100 * set.accuracy]);
  for (const l of c.learnability)
    rows.push([
      `${ARCH_TITLE[l.arch]} trained on the truth, against the truth (${l.runs.length} run(s))`,
      ...diag(l.evaluation.mean),
      100 * l.evaluation.accuracy.mean,
    ]);
  if (c.baselineTruth)
    rows.push([
      "baseline trained on the truth, against the truth",
      ...diag(c.baselineTruth.percent),
      100 * c.baselineTruth.accuracy,
    ]);
  return new DataFrame(rows, {
    columns: ["what", "class 1 [%]", "class 2 [%]", "class 3 [%]", "class 4 [%]", "accuracy [%]"],
  });
}

/** What the simulated data allow (ceiling.json); a figure is null when the result has nothing to draw. */
export interface CeilingReport extends ReportTable {
  byMagnitude: Figure | null;
  /** The labels' quality by V magnitude: the oracle (truth as the prediction) against the labels. */
  oracleByMagnitude: Figure | null;
  byKind: Figure | null;
  byField: Figure | null;
  /** Per network trained on the labels: recall against the truth by V magnitude. */
  labelRunsByMagnitude: ArchFigure[];
  brighterThan: CeilingResult["learnability"][number]["brighterThan"];
  result: CeilingResult;
}

/** Ours beside the paper's, cell by cell: "ours (paper, difference)". */
function comparisonFrame(e: MeanStdTable, paper: PaperTable): DataFrame {
  const rows = e.mean.map((row, i) => [
    `class ${i + 1}`,
    ...row.map(
      (m, j) =>
        `${pm(m, e.std[i][j])}  (${pm(paper.mean_percent[i][j], paper.std_percent[i][j])}; ${m - paper.mean_percent[i][j] >= 0 ? "+" : ""}${(m - paper.mean_percent[i][j]).toFixed(1)})`,
    ),
    `${e.totals[i]} (${paper.true_class_totals[i]})`,
  ]);
  return new DataFrame(rows, {
    columns: ["true class", "pred 1 [%]", "pred 2 [%]", "pred 3 [%]", "pred 4 [%]", "objects (paper)"],
  });
}

/** Ours (mean ± std over runs) beside the paper's table with the difference, as a DataFrame and as HTML. */
export function comparisonTable(ours: MeanStdTable, paper: PaperTable, caption: string): ReportTable {
  const frame = comparisonFrame(ours, paper);
  return { frame, table: frameHtml(frame, caption) };
}

/** Tables 1-2 (dataset.json): usable / catalog stamps per class and field beside the paper's counts. */
export function datasetReport(profile = shownProfile()): DatasetReport {
  const r = readResult<DatasetResult>("dataset", profile);
  const frameOf = (table: number) => {
    const rows = r.fields
      .filter((f) => f.table === table)
      .map((f) => [
        f.field,
        f.distance_mpc ?? "",
        ...f.usable.map((n, c) => `${n} / ${f.catalog[c]} (${f.paper?.[c + 1] ?? "?"})`),
        f.dropped.map(([why, n]) => `${n} ${why}`).join("; ") || "none",
      ]);
    const columns = ["field", "D [Mpc]", "class 1", "class 2", "class 3", "class 4", "dropped by curation"];
    return new DataFrame(rows.length ? rows : [["(none)", "", "", "", "", "", ""]], { columns });
  };
  const [frame1, frame2] = [frameOf(1), frameOf(2)];
  return {
    table1: frameHtml(
      frame1,
      "Table 1 fields: usable stamps (curated, detected in >= 4 bands) / catalog objects (paper's count)",
    ),
    table2: frameHtml(frame2, "Table 2: NGC 1559, usable / catalog (paper)"),
    frame1,
    frame2,
    result: r,
  };
}

/** Where the agreement is counted: the Table 1 fields together (the default), or one field. */
export type AgreementFields = "table1" | "NGC4656" | "NGC1559";

export function humanAgreementReport(
  profile = shownProfile(),
  fields: AgreementFields = "table1",
): HumanAgreementReport {
  const r = readResult<AgreementResult>("human-agreement", profile);
  // Results written before the per-table split hold NGC 4656 only.
  const a = r[fields] ?? r.NGC4656;
  if (!a) throw new Error(`no object of ${fields} has a second label in this data set`);
  const which = r[fields] ? { table1: "Table 1 fields", NGC4656: "NGC 4656", NGC1559: "NGC 1559" }[fields] : "NGC 4656";
  const paper = paperResults().human_agreement_match_percent;
  // One standard error of a proportion over each class's objects: how far a draw of this size strays by chance.
  const stderr = (x: Agreement, i: number) => {
    const n = x.counts[i].reduce((s, c) => s + c, 0);
    return n ? 100 * Math.sqrt(((x.diagonal[i] / 100) * (1 - x.diagonal[i] / 100)) / n) : NaN;
  };
  // On simulated data: the second annotator's mean over its possible labels, given each object's rendered truth.
  const expected = a.expected?.diagonal;
  const rows = a.diagonal.map((d, i) => [
    `class ${i + 1}`,
    d,
    stderr(a, i),
    r.paperDiagonal[i],
    d - r.paperDiagonal[i],
    ...(expected ? [expected[i], expected[i] - r.paperDiagonal[i]] : []),
    a.counts[i].reduce((x, y) => x + y, 0),
    r.NGC4656 ? r.NGC4656.diagonal[i] : null,
  ]);
  const frame = new DataFrame(rows, {
    columns: [
      "class",
      "agreement [%]",
      "std. error",
      "paper [%]",
      "agreement - paper",
      ...(expected ? ["expected [%]", "expected - paper"] : []),
      "objects",
      "NGC 4656 [%]",
    ],
  });
  const expectedOver = a.expected && a.expected.n !== a.n ? ` (over ${a.expected.n} of the ${a.n} objects)` : "";
  const expectedLine = expected
    ? ` Expected of the annotator model given the drawn truths (no draw of a second label)${expectedOver}: ${expected.map((e) => e.toFixed(1)).join(" / ")}% against the paper's ${r.paperDiagonal.join(" / ")}%.`
    : "";
  return {
    figure: figures.agreementFigure(
      a.percent,
      a.counts,
      { a: "catalog", b: "second annotator" },
      `Figure 2: human-vs-human agreement, ${which} (${a.n} objects)`,
    ),
    table: frameHtml(frame, `Agreement per class, ${which} (the paper's Figure 2 is NGC 4656 alone)`),
    frame,
    result: r,
    summary: `${which}: total match over classes 1+2+3 ${a.match123.toFixed(0)}% (paper ${paper.classes_1_2_3}%), over classes 1+2 ${a.match12.toFixed(0)}% (paper ${paper.classes_1_2}%).${expectedLine}`,
  };
}

export function tenSeedReport(arch: ArchName, profile = shownProfile()): TenSeedReport {
  const r = readResult<TenSeedResult>(`ten-seed-${arch}`, profile);
  const curves = readResult<CurvesResult>(`curves-${arch}`, profile);
  const e = r.evaluation;
  const humans = paperResults().human_agreement_diagonal_percent.join(" : ");
  const diagonal = (m: number[][]) => m.map((row, i) => row[i].toFixed(0)).join(" : ");
  // Results computed before decisions were recorded (decision.ts) used the argmax.
  const argmax = r.argmaxEvaluation;
  const decision = argmax
    ? ` Classes read with the training prior^s, s fitted per seed on its training split (${r.decision!.exponents.map((s) => s.toFixed(2)).join(", ")}); with the networks' own argmax: diagonal ${diagonal(argmax.mean)}, accuracy ${pm(100 * argmax.accuracy.mean, 100 * argmax.accuracy.std)}%.`
    : "";
  return {
    figure: figures.confusionFigure(
      [
        { title: `ours: ${e.runs.length} seed(s)`, mean: e.mean, std: e.std, totals: e.totals },
        {
          title: `paper (${r.paper.table})`,
          mean: r.paper.mean_percent,
          std: r.paper.std_percent,
          totals: r.paper.true_class_totals,
        },
      ],
      `${ARCH_TITLE[arch]} on the test split of the Table 1 fields`,
    ),
    ...comparisonTable(e, r.paper, `${ARCH_TITLE[arch]}: ours ± std (paper ${r.paper.table} ± std; difference)`),
    curves: figures.curvesFigure(curves.runs, `${ARCH_TITLE[arch]}: training curves of every seed`),
    result: r,
    curvesResult: curves,
    summary: `${ARCH_TITLE[arch]}: accuracy ${pm(100 * e.accuracy.mean, 100 * e.accuracy.std)}% against the human class, ${pm(100 * r.againstTruth.accuracy.mean, 100 * r.againstTruth.accuracy.std)}% against the simulator's truth; diagonal ${diagonal(e.mean)} (paper ${diagonal(r.paper.mean_percent)}; human agreement ${humans}).${decision}`,
    trainingMinutes: curves.runs.map((c) => c.seconds / 60),
  };
}

export function generalizationReport(archs: ArchName[], profile = shownProfile()): GeneralizationReport {
  const results = archs
    .filter((a) => hasResult(`generalization-${a}`, profile))
    .map((a) => readResult<GeneralizationResult>(`generalization-${a}`, profile));
  return {
    perArch: results.map((r) => ({
      arch: r.arch,
      figure: figures.confusionFigure(
        [
          { title: "ours", mean: r.evaluation.mean, std: r.evaluation.std, totals: r.evaluation.totals },
          {
            title: `paper (${r.paper.table})`,
            mean: r.paper.mean_percent,
            std: r.paper.std_percent,
            totals: r.paper.true_class_totals,
          },
        ],
        `${ARCH_TITLE[r.arch]} on NGC 1559 (${paperResults().table2.fields.NGC1559[0]} Mpc)`,
      ),
      ...comparisonTable(
        r.evaluation,
        r.paper,
        `${ARCH_TITLE[r.arch]} on NGC 1559: ours ± std (paper ${r.paper.table}; difference)`,
      ),
      result: r,
    })),
    distance: figures.distanceFigure(
      results.map((r) => ({ name: ARCH_TITLE[r.arch], points: r.byDistance })),
      "Accuracy per field against distance (test split; NGC 1559 all objects)",
    ),
  };
}

export function ablationReport(archs: ArchName[], profile = shownProfile()): AblationReport {
  const results = archs
    .filter((a) => hasResult(`ablation-${a}`, profile))
    .map((a) => readResult<AblationFile>(`ablation-${a}`, profile));
  const rows = results.flatMap((r) =>
    r.bands.map((b) => [ARCH_TITLE[r.arch], b.band, ...b.drop, 100 * (r.baseline.accuracy.mean - b.accuracy.mean)]),
  );
  const worst = results.map((r) => {
    const b = r.bands.reduce((best, x) =>
      r.baseline.accuracy.mean - x.accuracy.mean > r.baseline.accuracy.mean - best.accuracy.mean ? x : best,
    );
    return `${ARCH_TITLE[r.arch]}: removing ${b.band} costs the most (${(100 * (r.baseline.accuracy.mean - b.accuracy.mean)).toFixed(1)} points of accuracy)`;
  });
  const columns = [
    "network",
    "zeroed band",
    "drop class 1",
    "drop class 2",
    "drop class 3",
    "drop class 4",
    "drop overall",
  ];
  const frame = new DataFrame(rows, { columns });
  return {
    figure: figures.ablationFigure(
      results.map((r) => ({ ...r, arch: ARCH_TITLE[r.arch] })),
      "Figure 4: NGC 1559 with one band set to zero",
    ),
    table: frameHtml(frame, "Recall drop in percentage points when a band is zeroed"),
    frame,
    results,
    summary: `${worst.join("; ")}. The paper: ${results[0]?.paper.finding ?? ""}.`,
  };
}

/** Per network: calibration error of the ensemble and of one model, mean entropy and mean mutual information. */
function uncertaintyFrame(results: UncertaintyResult[]): DataFrame {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const rows = results.map(({ arch, ensemble }) => [
    ARCH_TITLE[arch],
    100 * ensemble.ensembleCalibration.ece,
    100 * ensemble.singleCalibration.ece,
    mean(ensemble.entropy),
    mean(ensemble.mutualInformation),
  ]);
  return new DataFrame(rows, {
    columns: [
      "network",
      "ECE ensemble [%]",
      "ECE one model [%]",
      "mean entropy [nats]",
      "mean mutual information [nats]",
    ],
  });
}

export function uncertaintyReport(
  archs: ArchName[],
  singleArch: ArchName,
  profile = shownProfile(),
): UncertaintyReport {
  const results = archs
    .filter((a) => hasResult(`uncertainty-${a}`, profile))
    .map((a) => readResult<UncertaintyResult>(`uncertainty-${a}`, profile));
  if (!results.length) throw new Error(`no uncertainty result of ${archs.join(", ")} in profile '${profile}'`);
  const single = results.find((r) => r.arch === singleArch) ?? results[0];
  const ens = (r: UncertaintyResult) => r.ensemble;
  const frame = uncertaintyFrame(results);
  return {
    entropy: figures.entropyFigure(
      single.entropy,
      `Figure 5: entropy of one ${ARCH_TITLE[single.arch]} model (${single.singleRun}) on NGC 1559`,
    ),
    mutualInformation: results.map((r) => ({
      arch: r.arch,
      figure: figures.mutualInformationFigure(
        ens(r).mutualInformation,
        ens(r).predicted.map((p, i) => p === ens(r).labels[i]),
        `${ARCH_TITLE[r.arch]}: disagreement between seeds on NGC 1559`,
      ),
    })),
    reliability: figures.reliabilityFigure(
      results.flatMap((r) => [
        {
          name: `${ARCH_TITLE[r.arch]} ensemble`,
          network: ARCH_TITLE[r.arch],
          calibration: ens(r).ensembleCalibration,
        },
        {
          name: `${ARCH_TITLE[r.arch]} one model`,
          network: ARCH_TITLE[r.arch],
          dash: "dash",
          calibration: ens(r).singleCalibration,
        },
      ]),
      "Reliability on NGC 1559",
    ),
    table: frameHtml(frame, "Calibration and uncertainty on NGC 1559", 3),
    frame,
    results,
  };
}

export function baselineReport(archs: ArchName[], profile = shownProfile()): BaselineReport {
  const b = readResult<BaselineResult>("baseline", profile);
  const rows: (string | number)[][] = [
    [
      "baseline (CI, asymmetry, colours)",
      100 * b.test.accuracy,
      ...b.test.percent.map((r, i) => r[i]),
      b.generalization ? 100 * b.generalization.accuracy : "n/a",
    ],
  ];
  for (const a of archs.filter((x) => hasResult(`ten-seed-${x}`, profile))) {
    const t = readResult<TenSeedResult>(`ten-seed-${a}`, profile).evaluation;
    const g = hasResult(`generalization-${a}`, profile)
      ? readResult<GeneralizationResult>(`generalization-${a}`, profile).evaluation
      : undefined;
    rows.push([
      `${ARCH_TITLE[a]} (mean of ${t.runs.length} seeds)`,
      100 * t.accuracy.mean,
      ...t.mean.map((r, i) => r[i]),
      g ? 100 * g.accuracy.mean : "n/a",
    ]);
  }
  const columns = [
    "classifier",
    "test accuracy [%]",
    "recall 1",
    "recall 2",
    "recall 3",
    "recall 4",
    "NGC 1559 accuracy [%]",
  ];
  const frame = new DataFrame(rows, { columns });
  return {
    table: frameHtml(frame, "Classical baseline beside the CNNs (same split)"),
    frame,
    result: b,
    figure: figures.confusionFigure(
      [
        { title: "baseline, test split", mean: b.test.percent, totals: b.test.totals },
        ...(b.generalization
          ? [{ title: "baseline, NGC 1559", mean: b.generalization.percent, totals: b.generalization.totals }]
          : []),
      ],
      "Logistic regression on concentration, asymmetry and colours",
    ),
  };
}

/** What the simulated data allow (ceiling.json): the truth scored against the labels, networks trained on the
 *  truth (overall and by magnitude, field and kind), the labelled networks and the baseline against the truth. */
export function ceilingReport(profile = shownProfile()): CeilingReport {
  const c = readResult<CeilingResult>("ceiling", profile);
  const learn = c.learnability[0];
  const frame = ceilingFrame(c);
  return {
    table: frameHtml(frame, "What the simulated data allow"),
    frame,
    byMagnitude: learn
      ? figures.binRecallFigure(
          learn.breakdown.byV,
          `${ARCH_TITLE[learn.arch]} trained on the truth: recall by V magnitude`,
          "catalog V magnitude (objects)",
        )
      : null,
    oracleByMagnitude: c.oracle.byV
      ? figures.binRecallFigure(
          c.oracle.byV,
          "How often the label names the rendered truth, by V magnitude (the oracle against the labels; colour: label)",
          "catalog V magnitude (objects)",
          "labels that name the truth [%]",
        )
      : null,
    byKind: learn
      ? figures.kindRecallFigure(
          learn.breakdown.byKind,
          `${ARCH_TITLE[learn.arch]} trained on the truth: recall by rendered kind (colour: true class)`,
        )
      : null,
    // One field (the smoke data) is the table's number again, not a comparison.
    byField:
      learn && learn.breakdown.byField.length > 1
        ? figures.binRecallFigure(
            learn.breakdown.byField,
            `${ARCH_TITLE[learn.arch]} trained on the truth: recall by field (nearest first)`,
            "field (objects)",
          )
        : null,
    labelRunsByMagnitude: c.labelRuns.map((l) => ({
      arch: l.arch,
      figure: figures.binRecallFigure(
        l.breakdown.byV,
        `${ARCH_TITLE[l.arch]} trained on the labels, against the truth: recall by V magnitude`,
        "catalog V magnitude (objects)",
      ),
    })),
    brighterThan: learn?.brighterThan ?? [],
    result: c,
  };
}

/**
 * A gallery of misclassified objects (predictions.ts `misclassified`): five bands and RGB per object, titled with
 * the true and given class and the run's probabilities; stamps re-rendered by the simulator or, with "curated", the
 * ones the networks saw when they are on this machine (stamps.ts).
 */
export function misclassifiedGallery(
  wrong: Misclassified[],
  title: string,
  profile = shownProfile(),
  source: StampSource = "rendered",
): Figure {
  const byKey = new Map(wrong.map((w) => [w.key, w]));
  const stamps = objectStamps(
    wrong.map((w) => w.key),
    (key) => {
      const w = byKey.get(key)!;
      return `${key}<br>true ${w.trueClass}, given ${w.predictedClass} (p ${w.pPredicted.toFixed(2)}; true class ${w.pTrue.toFixed(2)})`;
    },
    profile,
    source,
  );
  const rendered = stamps.filter((s) => s.source === "rendered").length;
  const mixed = rendered > 0 && rendered < stamps.length;
  const note =
    rendered === stamps.length
      ? "<br>(stamps rendered again by the simulator: same objects, other noise)"
      : mixed
        ? `<br>(* rendered again by the simulator: ${rendered} curated stamps not on this machine)`
        : "<br>(the curated stamps the networks saw)";
  const titled = stamps.map((s) => ({ ...s, title: mixed && s.source === "rendered" ? `${s.title} *` : s.title }));
  return galleryFigure(titled, { title: title + note });
}
