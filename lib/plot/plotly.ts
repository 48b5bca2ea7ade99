// Plotly figures for notebooks and files: one helper so every figure renders the same way everywhere.
//
// In a tslab notebook, show(fig) emits one display bundle:
//   application/vnd.plotly.v1+json  rendered natively by JupyterLab's and VS Code's Plotly renderers;
//   text/html                       a <div> holding the static image, and a script that draws the live figure over
//                                   it with plotly.js (scripts run only in trusted notebooks: untrusted, the image stays);
//   image/png (or image/jpeg)       the static rendering (headless Chromium), shown wherever HTML is not (GitHub,
//                                   nbviewer, text exports); JPEG when a PNG would be large (stamps, mosaics: noise
//                                   does not compress); STARCLUSTER_FIGURE_PNG=0 leaves it out.
// No output carries plotly.js (4.8 MB): the script uses the page's copy (the exported HTML has one in its <head>,
// lib/notebooks/run.ts) or fetches it from the Jupyter server's /files/ (a live notebook, also after a reload).
// The live figure fills the output's width (the layout's width is for files); the static one is drawn at it.
// Committed notebooks keep the Plotly JSON and the static image only (scripts/execute_notebook.py --commit).
// Files: render.ts (PNG, PDF, SVG, HTML through headless Chromium); the HTML itself: html.ts.
import { Figure, figureHtml, figureTitle, plotlyLocation, StillImage, withDefaults } from "./html";
import { figureSize, renderImage } from "./render";

export type { Figure, FigureHtmlOptions, PlotlyLocation, StillImage } from "./html";
export { figureHtml, lightHtml, plotlyLocation, plotlyScript, standaloneHtml } from "./html";
export type { FigureFormat, Size } from "./render";
export {
  figureSize,
  findChromium,
  parseFormats,
  renderImage,
  renderPdf,
  renderPng,
  renderSvg,
  saveFigureFiles,
  saveHtml,
  savePng,
  screenshotHtml,
} from "./render";
import { settings } from "../util/settings";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Sends one display bundle (several MIME representations) from a tslab notebook cell. */
function display(bundle: Record<string, unknown>, what: string): void {
  // tslab's public display API sends one MIME type per output; a bundle needs its lower-level writer.
  // Resolved lazily so that lib/ works outside notebooks.
  const jupyter = require("tslab/dist/jupyter") as {
    lastWriteDisplayData: ((data: unknown, update: boolean) => void) | null;
  };
  if (!jupyter.lastWriteDisplayData) throw new Error(`${what}: not running inside a tslab kernel`);
  jupyter.lastWriteDisplayData({ data: bundle, metadata: {}, transient: {} }, false);
}

// Above this a PNG is mostly noise (stamps, mosaics) and the JPEG is tried; see stillImage.
const PNG_BYTES_BEFORE_JPEG = 150_000;
let stillProblem: string | undefined;

/**
 * The figure's static rendering at the size saveFigure uses (so that saving then costs no second rendering): a PNG,
 * or a JPEG when the PNG is over 150 KB and the JPEG under 70% of it. Undefined without Chromium.
 */
export function stillImage(fig: Figure): StillImage | undefined {
  if (!settings().figureStills || stillProblem) return undefined;
  try {
    const size = figureSize(fig);
    const png = renderImage(fig, size, "png");
    if (png.length > PNG_BYTES_BEFORE_JPEG) {
      const jpeg = renderImage(fig, size, "jpeg");
      if (jpeg.length < 0.7 * png.length) return { mime: "image/jpeg", base64: jpeg.toString("base64") };
    }
    return { mime: "image/png", base64: png.toString("base64") };
  } catch (e) {
    // Once per session: the figure still shows live where scripts run.
    stillProblem = (e as Error).message;
    process.stderr.write(`plot.show: figures carry no static image in this session (${stillProblem})\n`);
    return undefined;
  }
}

/** The figure as a notebook output draws it live: as wide as the output area, whatever width files are drawn at. */
export function liveFigure(fig: Figure): Required<Figure> {
  const f = withDefaults(fig);
  const { width: _fileWidth, ...layout } = f.layout;
  return { ...f, layout: { ...layout, autosize: true } };
}

/** The display bundle of a figure: Plotly JSON, HTML (live figure over its static image), the static image, text. */
export function figureBundle(fig: Figure): Record<string, unknown> {
  const live = liveFigure(fig);
  const still = stillImage(fig);
  const bundle: Record<string, unknown> = {
    [PLOTLY_MIME]: live,
    "text/html": figureHtml(live, { still, loadFrom: plotlyLocation() }),
  };
  if (still) bundle[still.mime] = still.base64;
  const title = figureTitle(fig);
  bundle["text/plain"] = title ? `<Plotly figure: ${title.replace(/<[^>]*>/g, "")}>` : "<Plotly figure>";
  return bundle;
}

/** Displays a figure inline in a tslab notebook (see the header: Plotly JSON, HTML and a static image). */
export function show(fig: Figure): void {
  display(figureBundle(fig), "plot.show (use saveFigureFiles outside notebooks)");
}

/** Displays an HTML fragment (e.g. a table) inline in a tslab notebook. */
export function showHtml(html: string, text = "<HTML>"): void {
  display({ "text/html": html, "text/plain": text }, "plot.showHtml");
}
