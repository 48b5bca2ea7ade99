// Plotly figures of the paper's experiments, from the results in lib/experiments (plain data in, Figure out).
import { Figure } from "./plotly";

const CLASS_NAMES = ["1 symmetric", "2 asymmetric", "3 association", "4 not a cluster"];
const CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
/** Plotly's default colour sequence, for traces that must share a colour (a line and its bars, a seed's two panels). */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** Axis names of the k-th subplot ("x", "x2", ...). */
const axis = (k: number) => (k === 0 ? "" : String(k + 1));

export interface ConfusionPanel {
  title: string;
  /** Row percentages, rows = true class. */
  mean: number[][];
  std?: number[][];
  totals?: number[];
}

/** Confusion matrices as annotated heat maps, side by side (e.g. ours and the paper's); rows true class, class 1 on top. */
export function confusionFigure(panels: ConfusionPanel[], title: string): Figure {
  const n = panels.length;
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = { title: { text: title }, height: 430, width: 460 * n + 80, margin: { t: 80, l: 110, r: 20, b: 60 }, annotations: [] };
  const annotations = layout.annotations as Record<string, unknown>[];
  panels.forEach((p, k) => {
    // Room on the left of every panel for its "true c (total)" labels.
    const x0 = k / n + (k === 0 ? 0 : 0.1), x1 = (k + 1) / n - 0.03;
    const ticks = p.mean.map((_, i) => `true ${i + 1}${p.totals ? ` (${p.totals[i]})` : ""}`);
    data.push({
      type: "heatmap", z: p.mean, x: ["pred 1", "pred 2", "pred 3", "pred 4"], y: ticks, zmin: 0, zmax: 100, colorscale: "Blues", reversescale: true,
      showscale: k === n - 1, xaxis: `x${axis(k)}`, yaxis: `y${axis(k)}`,
      text: p.mean.map((row, i) => row.map((m, j) => (p.std ? `${m.toFixed(1)} ± ${p.std[i][j].toFixed(1)}` : m.toFixed(1)))),
      texttemplate: "%{text}", hovertemplate: "%{y}, %{x}: %{text}%<extra></extra>",
    });
    layout[`xaxis${axis(k)}`] = { domain: [x0, x1], anchor: `y${axis(k)}`, side: "bottom" };
    layout[`yaxis${axis(k)}`] = { domain: [0, 1], anchor: `x${axis(k)}`, autorange: "reversed" };
    annotations.push({ text: p.title, x: (x0 + x1) / 2, y: 1.06, xref: "paper", yref: "paper", showarrow: false, font: { size: 14 } });
  });
  return { data, layout };
}

export interface Curve {
  run: string;
  metrics: { batch: number; loss: number; accuracy: number }[];
}

/** Training loss and running accuracy against batch, one line per seed. */
export function curvesFigure(curves: Curve[], title: string): Figure {
  const data = curves.flatMap((c, i) => {
    const line = { width: 1, color: PALETTE[i % PALETTE.length] };
    const x = c.metrics.map((m) => m.batch);
    return [
      { type: "scatter", mode: "lines", name: c.run, legendgroup: c.run, x, y: c.metrics.map((m) => m.loss), line, xaxis: "x", yaxis: "y" },
      { type: "scatter", mode: "lines", name: c.run, legendgroup: c.run, showlegend: false, x, y: c.metrics.map((m) => 100 * m.accuracy), line, xaxis: "x2", yaxis: "y2" },
    ];
  });
  return {
    data,
    layout: {
      title: { text: title }, height: 420,
      xaxis: { domain: [0, 0.46], title: { text: "batch" } }, yaxis: { title: { text: "cross-entropy loss" } },
      xaxis2: { domain: [0.54, 1], anchor: "y2", title: { text: "batch" } }, yaxis2: { anchor: "x2", title: { text: "running training accuracy [%]" }, range: [0, 100] },
    },
  };
}

export interface DistancePoint {
  field: string;
  distance_mpc: number | null;
  accuracy: number;
  std: number;
  objects: number;
}

/** Accuracy per field against the field's distance, one trace per network. */
export function distanceFigure(series: { name: string; points: DistancePoint[] }[], title: string): Figure {
  return {
    data: series.map((s) => ({
      type: "scatter", mode: "markers+text", name: s.name, x: s.points.map((p) => p.distance_mpc), y: s.points.map((p) => 100 * p.accuracy),
      error_y: { type: "data", array: s.points.map((p) => 100 * p.std), visible: true }, text: s.points.map((p) => p.field), textposition: "top center",
      hovertemplate: "%{text}: %{y:.1f}% at %{x} Mpc<extra></extra>",
    })),
    layout: { title: { text: title }, height: 450, xaxis: { title: { text: "distance [Mpc]" } }, yaxis: { title: { text: "accuracy against the human class [%]" }, range: [0, 100] } },
  };
}

export interface AblationResult {
  arch: string;
  baseline: { perClass: number[] };
  bands: { band: string; perClass: number[]; perClassStd: number[]; drop: number[] }[];
}

/** Figure 4: per class, the accuracy with each band zeroed beside the accuracy with all bands; one panel per network. */
export function ablationFigure(results: AblationResult[], title: string): Figure {
  const n = results.length;
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = { title: { text: title }, height: 460, barmode: "group", annotations: [] };
  results.forEach((r, k) => {
    const x = ["all bands", ...r.bands.map((b) => `no ${b.band}`)];
    CLASS_NAMES.forEach((name, c) => data.push({
      type: "bar", name: `class ${name}`, legendgroup: name, showlegend: k === 0, marker: { color: CLASS_COLOURS[c] }, x,
      y: [r.baseline.perClass[c], ...r.bands.map((b) => b.perClass[c])],
      error_y: { type: "data", array: [0, ...r.bands.map((b) => b.perClassStd[c])], visible: true },
      xaxis: `x${axis(k)}`, yaxis: `y${axis(k)}`,
    }));
    layout[`xaxis${axis(k)}`] = { domain: [k / n + 0.02, (k + 1) / n - 0.02], anchor: `y${axis(k)}` };
    layout[`yaxis${axis(k)}`] = { anchor: `x${axis(k)}`, range: [0, 100], title: k === 0 ? { text: "recall (true class predicted) [%]" } : undefined };
    (layout.annotations as unknown[]).push({ text: r.arch, x: (k + 0.5) / n, y: 1.04, xref: "paper", yref: "paper", showarrow: false });
  });
  return { data, layout };
}

/** Figure 5: entropy of each prediction per true class, right and wrong predictions overlaid; ln 4 is the maximum. */
export function entropyFigure(entropy: { correct: number[][]; wrong: number[][] }, title: string): Figure {
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = { title: { text: title }, height: 520, barmode: "overlay", annotations: [] };
  const bins = { start: 0, end: Math.log(4), size: Math.log(4) / 20 };
  CLASS_NAMES.forEach((name, c) => {
    const k = c, col = c % 2, row = Math.floor(c / 2);
    const ax = axis(k);
    data.push({ type: "histogram", name: "correct", legendgroup: "correct", showlegend: c === 0, x: entropy.correct[c], xbins: bins, marker: { color: "#2ca02c" }, opacity: 0.6, xaxis: `x${ax}`, yaxis: `y${ax}` });
    data.push({ type: "histogram", name: "wrong", legendgroup: "wrong", showlegend: c === 0, x: entropy.wrong[c], xbins: bins, marker: { color: "#d62728" }, opacity: 0.6, xaxis: `x${ax}`, yaxis: `y${ax}` });
    layout[`xaxis${ax}`] = { domain: [col * 0.52, col * 0.52 + 0.46], anchor: `y${ax}`, range: [0, 1.4], title: row === 1 ? { text: "entropy [nats]" } : undefined };
    layout[`yaxis${ax}`] = { domain: [row === 0 ? 0.56 : 0, row === 0 ? 1 : 0.42], anchor: `x${ax}`, title: col === 0 ? { text: "objects" } : undefined };
    (layout.annotations as unknown[]).push({ text: `true class ${name} (${entropy.correct[c].length} right, ${entropy.wrong[c].length} wrong)`, x: col * 0.52 + 0.23, y: row === 0 ? 1.02 : 0.44, xref: "paper", yref: "paper", showarrow: false });
  });
  return { data, layout };
}

export interface ReliabilityBins {
  bins: { lower: number; upper: number; count: number; confidence: number; accuracy: number }[];
  ece: number;
}

/** Reliability diagram: accuracy against confidence per bin (the diagonal is perfect calibration), with the
 *  number of objects per bin as bars on the right axis (a point backed by 3 objects means little). */
export function reliabilityFigure(series: { name: string; calibration: ReliabilityBins }[], title: string): Figure {
  return {
    data: [
      { type: "scatter", mode: "lines", name: "perfect calibration", x: [0, 1], y: [0, 1], line: { dash: "dot", color: "grey" } },
      ...series.flatMap((s, i) => {
        const used = s.calibration.bins.filter((b) => b.count > 0);
        const color = PALETTE[i % PALETTE.length];
        return [
          { type: "bar", name: `${s.name}: objects per bin`, x: used.map((b) => (b.lower + b.upper) / 2), y: used.map((b) => b.count), width: used.map((b) => b.upper - b.lower), yaxis: "y2", marker: { color }, opacity: 0.25 },
          { type: "scatter", mode: "lines+markers", name: `${s.name} (ECE ${(100 * s.calibration.ece).toFixed(1)}%)`, x: used.map((b) => b.confidence), y: used.map((b) => b.accuracy), text: used.map((b) => `${b.count} objects`), line: { width: 3, color }, marker: { size: 10, color } },
        ];
      }),
    ],
    layout: {
      title: { text: title }, height: 560, barmode: "overlay", legend: { orientation: "h", y: -0.22 },
      xaxis: { title: { text: "confidence (top-class probability)" }, range: [0, 1] },
      yaxis: { title: { text: "accuracy" }, range: [0, 1] },
      yaxis2: { title: { text: "objects per bin" }, overlaying: "y", side: "right", showgrid: false },
    },
  };
}

/** Histogram of the ensemble's mutual information for right and wrong ensemble predictions. */
export function mutualInformationFigure(mi: number[], correct: boolean[], title: string): Figure {
  const pick = (want: boolean) => mi.filter((_, i) => correct[i] === want);
  return {
    data: [
      { type: "histogram", name: "ensemble right", x: pick(true), opacity: 0.6, marker: { color: "#2ca02c" } },
      { type: "histogram", name: "ensemble wrong", x: pick(false), opacity: 0.6, marker: { color: "#d62728" } },
    ],
    layout: { title: { text: title }, barmode: "overlay", height: 400, xaxis: { title: { text: "mutual information between prediction and seed [nats]" } }, yaxis: { title: { text: "objects" } } },
  };
}

/** Figure 2: for each class given by classifier A, the distribution of classifier B's classes (per cent). */
export function agreementFigure(percent: number[][], counts: number[][], names: { a: string; b: string }, title: string): Figure {
  const data = percent.map((row, a) => ({
    type: "bar", name: `${names.a} class ${a + 1}`, x: ["1", "2", "3", "4"].map((c) => `${names.b} ${c}`), y: row,
    text: row.map((v) => `${v.toFixed(0)}%`), textposition: "outside", marker: { color: CLASS_COLOURS[a] },
    xaxis: `x${axis(a)}`, yaxis: `y${axis(a)}`, hovertemplate: `%{x}: %{y:.1f}% of ${counts[a].reduce((s, v) => s + v, 0)}<extra></extra>`,
  }));
  const layout: Record<string, unknown> = { title: { text: title }, height: 720, showlegend: false, annotations: [] };
  percent.forEach((row, a) => {
    const y0 = 1 - (a + 1) / 4 + 0.04, y1 = 1 - a / 4 - 0.03;
    layout[`xaxis${axis(a)}`] = { anchor: `y${axis(a)}` };
    layout[`yaxis${axis(a)}`] = { domain: [y0, y1], anchor: `x${axis(a)}`, range: [0, 110], title: { text: "%" } };
    (layout.annotations as unknown[]).push({ text: `${names.a} class ${CLASS_NAMES[a]}: ${names.b} agrees for ${row[a].toFixed(0)}%`, x: 0.5, y: y1 + 0.015, xref: "paper", yref: "paper", showarrow: false });
  });
  return { data, layout };
}

export interface RecallBin {
  bin: string;
  objects: number;
  perClass: { objects: number; recall: number | null }[];
  accuracy: number;
}

/** Recall of each true class (and the overall accuracy) across bins of objects, e.g. magnitude or kind. */
export function binRecallFigure(bins: RecallBin[], title: string, xTitle: string): Figure {
  const x = bins.map((b) => `${b.bin} (${b.objects})`);
  const data: Record<string, unknown>[] = CLASS_NAMES.map((name, c) => ({
    type: "scatter", mode: "lines+markers", name: `class ${name}`, marker: { color: CLASS_COLOURS[c] }, x,
    y: bins.map((b) => b.perClass[c].recall), text: bins.map((b) => String(b.perClass[c].objects)),
    hovertemplate: `class ${name}, %{x}: %{y:.1f}% of %{text}<extra></extra>`,
  }));
  data.push({ type: "scatter", mode: "lines", name: "all classes", line: { color: "black", dash: "dash" }, x, y: bins.map((b) => b.accuracy) });
  return {
    data,
    layout: { title: { text: title }, height: 460, margin: { t: 60, b: 130 }, xaxis: { title: { text: xTitle }, automargin: true }, yaxis: { title: { text: "recall against the truth [%]" }, range: [0, 102] }, legend: { orientation: "h", y: -0.45 } },
  };
}

/** Recall per kind of source (each kind belongs to one true class), as bars in that class's colour. */
export function kindRecallFigure(bins: RecallBin[], title: string): Figure {
  const classOf = (b: RecallBin) => b.perClass.findIndex((p) => p.objects > 0);
  const sorted = [...bins].sort((a, b) => classOf(a) - classOf(b) || a.bin.localeCompare(b.bin));
  return {
    data: [{
      type: "bar", x: sorted.map((b) => `${b.bin.replace(/_/g, " ")} (${b.objects})`), y: sorted.map((b) => b.accuracy),
      marker: { color: sorted.map((b) => CLASS_COLOURS[Math.max(0, classOf(b))]) }, text: sorted.map((b) => `class ${classOf(b) + 1}`),
      hovertemplate: "%{x}, true %{text}: %{y:.1f}%<extra></extra>", showlegend: false,
    }],
    layout: { title: { text: title }, height: 440, margin: { t: 60, b: 150 }, xaxis: { tickangle: -35 }, yaxis: { title: { text: "recall against the truth [%]" }, range: [0, 102] } },
  };
}
