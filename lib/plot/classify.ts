// Figures of a classification table (lib/classify/table.ts): the field with its candidates coloured by class,
// and the distribution of the ensemble's uncertainty. The most uncertain stamps use stamps.ts's gallery.
import type { ClassifiedRow } from "../classify/table";
import { CLASS_COLOURS, CLASS_NAMES } from "./colours";
import { Figure } from "./plotly";
import { tableHtml } from "./tables";
import { MAX_ENTROPY } from "../evaluate/metrics";

/** Block-averaged to at most `maxSide` pixels a side, asinh-stretched between the 1st and 99.7th percentiles. */
function thumbnail(
  image: { width: number; height: number; data: Float32Array },
  maxSide: number,
): { z: number[][]; block: number } {
  const block = Math.max(1, Math.ceil(Math.max(image.width, image.height) / maxSide));
  const [w, h] = [Math.floor(image.width / block), Math.floor(image.height / block)];
  const small = new Float64Array(w * h);
  for (let y = 0; y < h * block; y++)
    for (let x = 0; x < w * block; x++) {
      const v = image.data[y * image.width + x];
      if (Number.isFinite(v)) small[Math.floor(y / block) * w + Math.floor(x / block)] += v / (block * block);
    }
  const sorted = Float64Array.from(small).sort();
  const [lo, hi] = [sorted[Math.floor(0.01 * (sorted.length - 1))], sorted[Math.floor(0.997 * (sorted.length - 1))]];
  const span = hi - lo || 1;
  const z = Array.from({ length: h }, (_, r) =>
    Array.from(
      small.subarray(r * w, (r + 1) * w),
      (v) => +(Math.asinh(Math.max(0, Math.min(1, (v - lo) / span)) / 0.05) / Math.asinh(20)).toFixed(3),
    ),
  );
  return { z, block };
}

/** The field (one band) with every candidate marked: coloured by the class of the mean, grey crosses where not classified. */
export function fieldClassFigure(
  image: { width: number; height: number; data: Float32Array },
  rows: ClassifiedRow[],
  title: string,
): Figure {
  const { z, block } = thumbnail(image, 400);
  // Heatmap cells in 1-based FITS pixels, as the catalog positions are: cell j spans pixels j*block+1 .. (j+1)*block.
  const data: Record<string, unknown>[] = [
    {
      type: "heatmap",
      z,
      x0: (block + 1) / 2,
      dx: block,
      y0: (block + 1) / 2,
      dy: block,
      colorscale: "Greys",
      reversescale: true,
      showscale: false,
      hoverinfo: "skip",
    },
  ];
  CLASS_NAMES.forEach((name, c) => {
    const of = rows.filter((r) => r.verdict?.classMean === c + 1);
    data.push({
      type: "scatter",
      mode: "markers",
      name: `${c + 1} ${name} (${of.length})`,
      x: of.map((r) => r.x),
      y: of.map((r) => r.y),
      marker: { symbol: "circle-open", size: 7, line: { width: 1.5 }, color: CLASS_COLOURS[c] },
      text: of.map(
        (r) =>
          `${r.id}: p ${r.verdict!.mean[c].toFixed(2)}, vote ${r.verdict!.classMode} (${r.verdict!.modeVotes}), H ${r.verdict!.entropy.toFixed(2)}`,
      ),
      hoverinfo: "text",
    });
  });
  const dropped = rows.filter((r) => !r.verdict);
  data.push({
    type: "scatter",
    mode: "markers",
    name: `not classified (${dropped.length})`,
    x: dropped.map((r) => r.x),
    y: dropped.map((r) => r.y),
    marker: { symbol: "x-thin-open", size: 6, color: "#7f7f7f" },
    text: dropped.map((r) => `${r.id}: ${r.reason}`),
    hoverinfo: "text",
  });
  return {
    data,
    layout: {
      title: { text: title },
      height: 650,
      width: 820,
      legend: { x: 1.02, y: 1 },
      xaxis: { title: { text: "x [pixel]" }, range: [0.5, image.width + 0.5], constrain: "domain" },
      yaxis: { title: { text: "y [pixel]" }, range: [0.5, image.height + 0.5], scaleanchor: "x" },
    },
  };
}

/** Histograms of the entropy of the mean and of the mutual information, stacked by the class of the mean. */
// Histogram values to 4 decimals (bins are ~0.035 nats wide): a field's thousands of values at full precision
// doubled a committed notebook's size.
const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

export function uncertaintyFigure(rows: ClassifiedRow[], title: string): Figure {
  const classified = rows.filter((r) => r.verdict);
  const data: Record<string, unknown>[] = [];
  CLASS_NAMES.forEach((name, c) => {
    const of = classified.filter((r) => r.verdict!.classMean === c + 1);
    const common = {
      type: "histogram",
      name: `${c + 1} ${name}`,
      legendgroup: String(c),
      marker: { color: CLASS_COLOURS[c] },
    };
    data.push({
      ...common,
      x: of.map((r) => round4(r.verdict!.entropy)),
      xbins: { start: 0, end: MAX_ENTROPY, size: MAX_ENTROPY / 40 },
      xaxis: "x",
      yaxis: "y",
    });
    data.push({
      ...common,
      showlegend: false,
      x: of.map((r) => round4(r.verdict!.mutualInfo)),
      nbinsx: 40,
      xaxis: "x2",
      yaxis: "y2",
    });
  });
  return {
    data,
    layout: {
      title: { text: title },
      barmode: "stack",
      height: 420,
      xaxis: {
        domain: [0, 0.47],
        range: [0, 1.4],
        title: { text: "entropy of the mean [nats] (ln 4 = 1.39: uniform)" },
      },
      yaxis: { title: { text: "objects" } },
      xaxis2: {
        domain: [0.53, 1],
        anchor: "y2",
        rangemode: "tozero",
        title: { text: "mutual information: disagreement of the models [nats]" },
      },
      yaxis2: { anchor: "x2" },
    },
  };
}

/** Objects per class by the mean and by the vote (with how many of those have every model agreeing), and the reasons for the rest. */
export function classCountsHtml(rows: ClassifiedRow[], models: number, caption: string): string {
  const classified = rows.filter((r) => r.verdict);
  const body: (string | number)[][] = CLASS_NAMES.map((name, c) => [
    `${c + 1} ${name}`,
    classified.filter((r) => r.verdict!.classMean === c + 1).length,
    classified.filter((r) => r.verdict!.classMode === c + 1).length,
    classified.filter((r) => r.verdict!.classMode === c + 1 && r.verdict!.modeVotes === models).length,
  ]);
  const reasons = new Map<string, number>();
  for (const r of rows.filter((x) => !x.verdict)) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  for (const [reason, n] of reasons) body.push([`not classified: ${reason}`, n, "", ""]);
  return tableHtml(["", "argmax of the mean", "mode of the models", `all ${models} agree`], body, caption);
}
