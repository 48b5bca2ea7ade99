// Figure-1-like galleries: one row per stamp, one panel per band plus an RGB composite
// (R = F814W, G = F438W + F555W, B = F275W + F336W, as in the paper's Figure 1), asinh-stretched.
import { Figure } from "./plotly";

import type { GalleryStamp } from "../simulate/gallery";

export const GALLERY_BANDS = ["F275W", "F336W", "F438W", "F555W", "F814W"];

/** asinh stretch to [0, 1] between the 1st percentile and the maximum (faint structure and bright cores both visible). */
export function asinhStretch(values: ArrayLike<number>, softening = 0.05): number[] {
  const sorted = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return Array.from(values, () => 0);
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))];
  const hi = sorted[sorted.length - 1];
  const span = hi - lo || 1;
  const norm = Math.asinh(1 / softening);
  return Array.from(values, (v) =>
    Number.isFinite(v) ? Math.asinh(Math.max(0, (v - lo) / span) / softening) / norm : 0,
  );
}

// Three decimals of a [0, 1] stretch are finer than a screen shows and keep a gallery's JSON ~4x smaller.
const round3 = (v: number) => Math.round(v * 1000) / 1000;

function rows2d(flat: number[], size: number): number[][] {
  return Array.from({ length: size }, (_, r) => flat.slice(r * size, (r + 1) * size).map(round3));
}

/**
 * The RGB composite of the stretched bands (R = F814W, G = F438W + F555W, B = F275W + F336W), 0-255 per channel.
 * FITS row 1 is the bottom, so rows are flipped by the reversed y axis like the bands.
 */
function rgbComposite(stretched: number[][], size: number): number[][][] {
  const [u, uu, b, v, i] = stretched;
  return Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, x) => {
      const p = r * size + x;
      return [i[p], Math.min(1, (b[p] + v[p]) / 2), Math.min(1, (u[p] + uu[p]) / 2)].map((c) => Math.round(255 * c));
    }),
  );
}

/** One row per stamp: its five bands (asinh-stretched) and their RGB composite, titled on the left. */
export function galleryFigure(stamps: GalleryStamp[], options: { title?: string; panelPx?: number } = {}): Figure {
  const cols = GALLERY_BANDS.length + 1;
  const panel = options.panelPx ?? 90;
  const gap = 0.01;
  const data: Record<string, unknown>[] = [];
  // A second title line needs room above the band names.
  const top = (options.title ?? "").includes("<br>") ? 85 : 60;
  const layout: Record<string, unknown> = {
    title: { text: options.title ?? "Stamps per class" },
    width: cols * panel + 290,
    height: stamps.length * panel + top + 30,
    margin: { t: top, l: 270, r: 10, b: 20 },
    showlegend: false,
    annotations: [] as Record<string, unknown>[],
  };
  const annotations = layout.annotations as Record<string, unknown>[];
  stamps.forEach((s, row) => {
    const y1 = 1 - row / stamps.length,
      y0 = 1 - (row + 1) / stamps.length + gap;
    const stretched = s.bands.map((b) => asinhStretch(b));
    for (let c = 0; c < cols; c++) {
      const k = row * cols + c + 1;
      const x0 = c / cols + gap,
        x1 = (c + 1) / cols;
      const axis = { domain: [0, 0], visible: false, constrain: "domain" as const };
      layout[`xaxis${k}`] = { ...axis, domain: [x0, x1], anchor: `y${k}` };
      layout[`yaxis${k}`] = { ...axis, domain: [y0, y1], anchor: `x${k}`, scaleanchor: `x${k}`, autorange: "reversed" };
      if (c < GALLERY_BANDS.length) {
        data.push({
          type: "heatmap",
          z: rows2d(stretched[c], s.size),
          colorscale: "Greys",
          showscale: false,
          xaxis: `x${k}`,
          yaxis: `y${k}`,
          hoverinfo: "skip",
        });
      } else {
        const z = rgbComposite(stretched, s.size);
        data.push({ type: "image", z, xaxis: `x${k}`, yaxis: `y${k}`, hoverinfo: "skip" });
      }
      if (row === 0)
        annotations.push({
          text: c < GALLERY_BANDS.length ? GALLERY_BANDS[c] : "RGB",
          x: (x0 + x1) / 2,
          y: 1.0,
          xref: "paper",
          yref: "paper",
          yanchor: "bottom",
          showarrow: false,
        });
    }
    annotations.push({
      text: s.title,
      x: 0,
      y: (y0 + y1) / 2,
      xref: "paper",
      yref: "paper",
      xanchor: "right",
      showarrow: false,
      font: { size: 11 },
    });
  });
  return { data, layout };
}
