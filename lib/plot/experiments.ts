// Plotly figures of the paper's experiments, from the results in lib/experiments (plain data in, Figure out).
// Sized for a paper page as well as a notebook: panel titles sit in space kept for them (never on a neighbour's tick
// labels), and classes, networks and right/wrong keep one colour each across figures (colours.ts).
import { CLASS_COLOURS, classLabel, networkColour, RIGHT_COLOUR, SERIES_COLOURS, WRONG_COLOUR } from "./colours";
import { Figure } from "./plotly";
import { CLASSES } from "../catalog/record";
import { MAX_ENTROPY } from "../evaluate/metrics";

/** Class indices 0-3 (class 1-4) of the per-class arrays in results. */
const CLASS_INDICES = CLASSES.map((c) => c - 1);

/** A panel title centred above a subplot whose top edge is at paper height `top`. */
function panelTitle(text: string, x: number, top: number): Record<string, unknown> {
  return {
    text,
    x,
    y: top,
    xref: "paper",
    yref: "paper",
    xanchor: "center",
    yanchor: "bottom",
    yshift: 6,
    showarrow: false,
    font: { size: 13 },
  };
}

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
  const layout: Record<string, unknown> = {
    title: { text: title },
    height: 450,
    width: 460 * n + 120,
    margin: { t: 90, l: 110, r: 30, b: 60 },
    annotations: [],
  };
  const annotations = layout.annotations as Record<string, unknown>[];
  panels.forEach((p, k) => {
    // Room on the left of every panel for its "true c (total)" labels.
    const x0 = k / n + (k === 0 ? 0 : 0.1),
      x1 = (k + 1) / n - 0.03;
    const ticks = p.mean.map((_, i) => `true ${i + 1}${p.totals ? ` (${p.totals[i]})` : ""}`);
    data.push({
      type: "heatmap",
      z: p.mean,
      x: ["pred 1", "pred 2", "pred 3", "pred 4"],
      y: ticks,
      zmin: 0,
      zmax: 100,
      colorscale: "Blues",
      reversescale: true,
      showscale: k === n - 1,
      colorbar: { title: { text: "% of the true class", side: "right" }, thickness: 14 },
      xaxis: `x${axis(k)}`,
      yaxis: `y${axis(k)}`,
      text: p.mean.map((row, i) =>
        row.map((m, j) => (p.std ? `${m.toFixed(1)} ± ${p.std[i][j].toFixed(1)}` : m.toFixed(1))),
      ),
      texttemplate: "%{text}",
      hovertemplate: "%{y}, %{x}: %{text}%<extra></extra>",
    });
    layout[`xaxis${axis(k)}`] = { domain: [x0, x1], anchor: `y${axis(k)}`, side: "bottom" };
    layout[`yaxis${axis(k)}`] = { domain: [0, 1], anchor: `x${axis(k)}`, autorange: "reversed" };
    annotations.push(panelTitle(p.title, (x0 + x1) / 2, 1));
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
    const line = { width: 1, color: SERIES_COLOURS[i % SERIES_COLOURS.length] };
    const x = c.metrics.map((m) => m.batch);
    return [
      {
        type: "scatter",
        mode: "lines",
        name: c.run,
        legendgroup: c.run,
        x,
        y: c.metrics.map((m) => m.loss),
        line,
        xaxis: "x",
        yaxis: "y",
      },
      {
        type: "scatter",
        mode: "lines",
        name: c.run,
        legendgroup: c.run,
        showlegend: false,
        x,
        y: c.metrics.map((m) => 100 * m.accuracy),
        line,
        xaxis: "x2",
        yaxis: "y2",
      },
    ];
  });
  return {
    data,
    layout: {
      title: { text: title },
      height: 420,
      xaxis: { domain: [0, 0.42], title: { text: "batch" } },
      yaxis: { title: { text: "cross-entropy loss" } },
      xaxis2: { domain: [0.58, 1], anchor: "y2", title: { text: "batch" } },
      yaxis2: { anchor: "x2", title: { text: "running training accuracy [%]" }, range: [0, 100] },
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

/**
 * Accuracy per field, fields ordered by distance and named with it on the axis, one marker per network (side by
 * side). Several fields lie within 1 Mpc of each other: on a linear distance axis their names overlapped.
 */
export function distanceFigure(series: { name: string; points: DistancePoint[] }[], title: string): Figure {
  const byField = new Map<string, number | null>();
  for (const s of series) for (const p of s.points) byField.set(p.field, p.distance_mpc);
  const fields = [...byField.keys()].sort(
    (a, b) => (byField.get(a) ?? Infinity) - (byField.get(b) ?? Infinity) || a.localeCompare(b),
  );
  const dodge = (i: number) => (i - (series.length - 1) / 2) * 0.18;
  return {
    data: series.map((s, i) => ({
      type: "scatter",
      mode: "markers",
      name: s.name,
      x: s.points.map((p) => fields.indexOf(p.field) + dodge(i)),
      y: s.points.map((p) => 100 * p.accuracy),
      error_y: {
        type: "data",
        array: s.points.map((p) => 100 * p.std),
        visible: true,
        color: networkColour(s.name, i),
      },
      marker: { size: 9, color: networkColour(s.name, i) },
      text: s.points.map((p) => `${p.field} (${p.distance_mpc ?? "?"} Mpc, ${p.objects} objects)`),
      hovertemplate: "%{text}: %{y:.1f}%<extra></extra>",
    })),
    layout: {
      title: { text: title },
      height: 470,
      margin: { t: 60, b: 110, l: 70, r: 20 },
      legend: { orientation: "h", x: 0, y: 1.0, yanchor: "bottom" },
      xaxis: {
        tickvals: fields.map((_, i) => i),
        ticktext: fields.map((f) => `${f}<br>${byField.get(f) ?? "?"} Mpc`),
        range: [-0.5, fields.length - 0.5],
        zeroline: false,
        title: { text: "field, nearest first", standoff: 12 },
        automargin: true,
      },
      yaxis: { title: { text: "accuracy against the human class [%]" }, range: [0, 100] },
    },
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
  const layout: Record<string, unknown> = {
    title: { text: title },
    height: 500,
    barmode: "group",
    annotations: [],
    margin: { t: 90, l: 70, r: 20, b: 90 },
    legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.22 },
  };
  results.forEach((r, k) => {
    const x = ["all bands", ...r.bands.map((b) => `no ${b.band}`)];
    CLASS_INDICES.forEach((c) =>
      data.push({
        type: "bar",
        name: classLabel(c),
        legendgroup: String(c),
        showlegend: k === 0,
        marker: { color: CLASS_COLOURS[c] },
        x,
        y: [r.baseline.perClass[c], ...r.bands.map((b) => b.perClass[c])],
        error_y: {
          type: "data",
          array: [0, ...r.bands.map((b) => b.perClassStd[c])],
          visible: true,
          color: "#333333",
          thickness: 1,
        },
        xaxis: `x${axis(k)}`,
        yaxis: `y${axis(k)}`,
      }),
    );
    const [x0, x1] = [k / n + (k === 0 ? 0 : 0.04), (k + 1) / n - (k === n - 1 ? 0 : 0.04)];
    layout[`xaxis${axis(k)}`] = { domain: [x0, x1], anchor: `y${axis(k)}`, tickangle: -30 };
    layout[`yaxis${axis(k)}`] = {
      anchor: `x${axis(k)}`,
      range: [0, 100],
      title: k === 0 ? { text: "recall (true class predicted) [%]" } : undefined,
    };
    (layout.annotations as unknown[]).push(panelTitle(r.arch, (x0 + x1) / 2, 1));
  });
  return { data, layout };
}

/** Figure 5: entropy of each prediction per true class, right and wrong predictions overlaid; ln 4 is the maximum. */
export function entropyFigure(
  entropy: { correct: number[][]; wrong: number[][] },
  title: string,
  threshold?: number,
): Figure {
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    title: { text: title },
    height: 640,
    barmode: "overlay",
    annotations: [],
    margin: { t: 110, l: 70, r: 20, b: 60 },
  };
  const bins = { start: 0, end: MAX_ENTROPY, size: MAX_ENTROPY / 20 };
  // Rows: [bottom, top] of each panel; the gap between rows holds the top row's tick labels and the titles below.
  const rows = [
    [0.6, 0.92],
    [0, 0.34],
  ];
  // The legend entry goes on the first class that has such predictions (an empty trace shows no entry).
  const firstWith = (sets: number[][]) =>
    Math.max(
      0,
      sets.findIndex((x) => x.length > 0),
    );
  CLASS_INDICES.forEach((c) => {
    const col = c % 2,
      [y0, y1] = rows[Math.floor(c / 2)];
    const ax = axis(c);
    const hist = (name: string, x: number[], color: string, legend: boolean) => ({
      type: "histogram",
      name,
      legendgroup: name,
      showlegend: legend,
      x,
      xbins: bins,
      marker: { color },
      opacity: 0.65,
      xaxis: `x${ax}`,
      yaxis: `y${ax}`,
    });
    data.push(hist("right", entropy.correct[c], RIGHT_COLOUR, c === firstWith(entropy.correct)));
    data.push(hist("wrong", entropy.wrong[c], WRONG_COLOUR, c === firstWith(entropy.wrong)));
    const [x0, x1] = [col * 0.54, col * 0.54 + 0.46];
    const xTitle = y0 === 0 ? { text: "entropy [nats]" } : undefined;
    layout[`xaxis${ax}`] = { domain: [x0, x1], anchor: `y${ax}`, range: [0, 1.4], title: xTitle };
    layout[`yaxis${ax}`] = { domain: [y0, y1], anchor: `x${ax}`, title: col === 0 ? { text: "objects" } : undefined };
    const counts = `${entropy.correct[c].length} right, ${entropy.wrong[c].length} wrong`;
    (layout.annotations as unknown[]).push(panelTitle(`true ${classLabel(c)}<br>(${counts})`, (x0 + x1) / 2, y1));
  });
  if (threshold !== undefined) {
    // The cut a reader chose: predictions right of it count as uncertain.
    layout.shapes = CLASS_INDICES.map((c) => ({
      type: "line",
      xref: `x${axis(c)}`,
      yref: `y${axis(c)} domain`,
      x0: threshold,
      x1: threshold,
      y0: 0,
      y1: 1,
      line: { color: "#000000", width: 1.5, dash: "dash" },
    }));
  }
  return { data, layout };
}

export interface ReliabilityBins {
  bins: { lower: number; upper: number; count: number; confidence: number; accuracy: number }[];
  ece: number;
}

/** Reliability diagram: accuracy against confidence per bin (the diagonal is perfect calibration), with the
 *  number of objects per bin as bars on the right axis (a point backed by 3 objects means little). */
export interface ReliabilitySeries {
  name: string;
  calibration: ReliabilityBins;
  /** Colours the series by network (colours.ts); `dash` tells an ensemble from one model. */
  network?: string;
  dash?: string;
}

export function reliabilityFigure(series: ReliabilitySeries[], title: string): Figure {
  return {
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: "perfect calibration",
        x: [0, 1],
        y: [0, 1],
        line: { dash: "dot", color: "grey" },
      },
      ...series.flatMap((s, i) => {
        const used = s.calibration.bins.filter((b) => b.count > 0);
        const color = networkColour(s.network ?? s.name, i);
        return [
          {
            type: "bar",
            name: `${s.name}: objects per bin`,
            x: used.map((b) => (b.lower + b.upper) / 2),
            y: used.map((b) => b.count),
            width: used.map((b) => b.upper - b.lower),
            yaxis: "y2",
            marker: { color },
            opacity: 0.25,
          },
          {
            type: "scatter",
            mode: "lines+markers",
            name: `${s.name} (ECE ${(100 * s.calibration.ece).toFixed(1)}%)`,
            x: used.map((b) => b.confidence),
            y: used.map((b) => b.accuracy),
            text: used.map((b) => `${b.count} objects`),
            line: { width: 3, color, dash: s.dash ?? "solid" },
            marker: { size: 9, color },
          },
        ];
      }),
    ],
    layout: {
      title: { text: title },
      height: 580,
      barmode: "overlay",
      legend: { orientation: "h", y: -0.22 },
      margin: { t: 50, l: 60, r: 70, b: 60 },
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
      { type: "histogram", name: "ensemble right", x: pick(true), opacity: 0.65, marker: { color: RIGHT_COLOUR } },
      { type: "histogram", name: "ensemble wrong", x: pick(false), opacity: 0.65, marker: { color: WRONG_COLOUR } },
    ],
    layout: {
      title: { text: title },
      barmode: "overlay",
      height: 400,
      xaxis: { title: { text: "mutual information between prediction and seed [nats]" } },
      yaxis: { title: { text: "objects" } },
    },
  };
}

/** Figure 2: for each class given by classifier A, the distribution of classifier B's classes (per cent). */
export function agreementFigure(
  percent: number[][],
  counts: number[][],
  names: { a: string; b: string },
  title: string,
): Figure {
  const data = percent.map((row, a) => ({
    type: "bar",
    name: `${names.a} class ${a + 1}`,
    x: ["1", "2", "3", "4"].map((c) => `${names.b} ${c}`),
    y: row,
    text: row.map((v) => `${v.toFixed(0)}%`),
    textposition: "outside",
    marker: { color: CLASS_COLOURS[a] },
    xaxis: `x${axis(a)}`,
    yaxis: `y${axis(a)}`,
    hovertemplate: `%{x}: %{y:.1f}% of ${counts[a].reduce((s, v) => s + v, 0)}<extra></extra>`,
  }));
  const layout: Record<string, unknown> = {
    title: { text: title },
    height: 800,
    showlegend: false,
    annotations: [],
    margin: { t: 70, l: 60, r: 20, b: 40 },
  };
  percent.forEach((row, a) => {
    // Each panel leaves the top 9% of its quarter for its title and the next one's tick labels.
    const y0 = 1 - (a + 1) / 4 + 0.05,
      y1 = 1 - a / 4 - 0.06;
    layout[`xaxis${axis(a)}`] = { anchor: `y${axis(a)}` };
    layout[`yaxis${axis(a)}`] = { domain: [y0, y1], anchor: `x${axis(a)}`, range: [0, 115], title: { text: "%" } };
    (layout.annotations as unknown[]).push(
      panelTitle(`${names.a} ${classLabel(a)}: ${names.b} agrees for ${row[a].toFixed(0)}%`, 0.5, y1),
    );
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
export function binRecallFigure(
  bins: RecallBin[],
  title: string,
  xTitle: string,
  yTitle = "recall against the truth [%]",
): Figure {
  const x = bins.map((b) => `${b.bin} (${b.objects})`);
  const data: Record<string, unknown>[] = CLASS_INDICES.map((c) => ({
    type: "scatter",
    mode: "lines+markers",
    name: classLabel(c),
    marker: { color: CLASS_COLOURS[c] },
    line: { color: CLASS_COLOURS[c] },
    x,
    y: bins.map((b) => b.perClass[c].recall),
    text: bins.map((b) => String(b.perClass[c].objects)),
    hovertemplate: `${classLabel(c)}, %{x}: %{y:.1f}% of %{text}<extra></extra>`,
  }));
  data.push({
    type: "scatter",
    mode: "lines",
    name: "all classes",
    line: { color: "black", dash: "dash" },
    x,
    y: bins.map((b) => b.accuracy),
  });
  return {
    data,
    layout: {
      title: { text: title },
      height: 460,
      margin: { t: 60, b: 130 },
      xaxis: { title: { text: xTitle }, automargin: true },
      yaxis: { title: { text: yTitle }, range: [0, 102] },
      legend: { orientation: "h", y: -0.45 },
    },
  };
}

/** Recall per kind of source (each kind belongs to one true class), as bars in that class's colour. */
export function kindRecallFigure(bins: RecallBin[], title: string): Figure {
  const classOf = (b: RecallBin) => b.perClass.findIndex((p) => p.objects > 0);
  const sorted = [...bins].sort((a, b) => classOf(a) - classOf(b) || a.bin.localeCompare(b.bin));
  return {
    data: [
      {
        type: "bar",
        x: sorted.map((b) => `${b.bin.replace(/_/g, " ")} (${b.objects})`),
        y: sorted.map((b) => b.accuracy),
        marker: { color: sorted.map((b) => CLASS_COLOURS[Math.max(0, classOf(b))]) },
        text: sorted.map((b) => `class ${classOf(b) + 1}`),
        hovertemplate: "%{x}, true %{text}: %{y:.1f}%<extra></extra>",
        showlegend: false,
      },
    ],
    layout: {
      title: { text: title },
      height: 440,
      margin: { t: 60, b: 150 },
      xaxis: { tickangle: -35 },
      yaxis: { title: { text: "recall against the truth [%]" }, range: [0, 102] },
    },
  };
}
