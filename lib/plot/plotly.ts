// Plotly figures for notebooks and files: one helper so every figure renders the same way everywhere.
//
// In a tslab notebook, show(fig) emits one display bundle with two representations:
//   application/vnd.plotly.v1+json  rendered natively by JupyterLab's Plotly renderer;
//   text/html                       a <div> + script drawing with plotly.js, which nbconvert's HTML keeps.
// plotly.js (~4.8 MB) is inlined into the first figure's HTML of a kernel session only; later figures reuse
// window.Plotly. Outside notebooks, saveHtml/savePng write standalone files under results/.
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";

/** A Plotly figure as plotly.js takes it (traces, layout, config), kept as plain JSON. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
let plotlySource: string | undefined;
let loadedInKernel = false;

/** plotly.js source wrapped so it always defines window.Plotly, even on pages that carry require.js (AMD). */
export function plotlyScript(): string {
  if (plotlySource === undefined) {
    const file = require.resolve("plotly.js-dist-min");
    const src = fs.readFileSync(file, "utf8");
    plotlySource = `(function(){var define, module, exports;\n${src.replace(/<\/script/gi, "<\\/script")}\n}).call(window);`;
  }
  return plotlySource;
}

/** JSON safe to place inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function withDefaults(fig: Figure): Required<Figure> {
  return {
    data: fig.data,
    layout: { margin: { t: 50, r: 20, b: 50, l: 60 }, ...fig.layout },
    config: { responsive: true, displaylogo: false, ...fig.config },
  };
}

/** A <div> plus the script that draws the figure into it once plotly.js is present. */
export function figureHtml(fig: Figure, options: { includePlotly?: boolean } = {}): string {
  const f = withDefaults(fig);
  const id = "sc-plot-" + crypto.randomBytes(6).toString("hex");
  const height = typeof f.layout.height === "number" ? `${f.layout.height}px` : "450px";
  const loader = options.includePlotly ? `<script type="text/javascript">${plotlyScript()}</script>\n` : "";
  const draw =
    `(function draw(){var el=document.getElementById(${scriptJson(id)});` +
    `if(!window.Plotly){return setTimeout(draw,50);}` +
    `window.Plotly.newPlot(el,${scriptJson(f.data)},${scriptJson(f.layout)},${scriptJson(f.config)});})();`;
  return `${loader}<div id="${id}" class="starcluster-plot" style="width:100%;height:${height};"></div>\n<script type="text/javascript">${draw}</script>`;
}

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

/** Displays a figure inline in a tslab notebook (Plotly JSON + HTML fallback in one output). */
export function show(fig: Figure): void {
  const html = figureHtml(fig, { includePlotly: !loadedInKernel });
  const f = withDefaults(fig);
  display({ [PLOTLY_MIME]: { data: f.data, layout: f.layout, config: f.config }, "text/html": html, "text/plain": "<Plotly figure>" }, "plot.show (use saveHtml/savePng outside notebooks)");
  loadedInKernel = true;
}

/** Displays an HTML fragment (e.g. a table) inline in a tslab notebook. */
export function showHtml(html: string, text = "<HTML>"): void {
  display({ "text/html": html, "text/plain": text }, "plot.showHtml");
}

/** A standalone HTML page with plotly.js inlined: opens offline in any browser. */
export function standaloneHtml(fig: Figure, title = "starcluster figure"): string {
  const t = title.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c] as string);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${t}</title></head>\n<body style="margin:0">\n${figureHtml(fig, { includePlotly: true })}\n</body></html>\n`;
}

/** Writes the figure as standalone HTML (atomically). */
export function saveHtml(fig: Figure, file: string, title?: string): void {
  writeFileAtomic(file, standaloneHtml(fig, title ?? path.basename(file, path.extname(file))));
}

/** Absolute path of a Chromium/Chrome binary: STARCLUSTER_CHROMIUM, else the usual names on PATH. */
export function findChromium(): string {
  const explicit = process.env.STARCLUSTER_CHROMIUM;
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`STARCLUSTER_CHROMIUM=${explicit}: no such file`);
    return explicit;
  }
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not in this PATH entry
      }
    }
  }
  throw new Error("no Chromium found for PNG export (install Debian's 'chromium' via scripts/setup-system.sh, or set STARCLUSTER_CHROMIUM)");
}

/** Screenshots an HTML file with headless Chromium into a PNG (network-free flags: this machine is offline). */
export function screenshotHtml(htmlFile: string, pngFile: string, size: { width: number; height: number } = { width: 1000, height: 600 }): void {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "starcluster-chromium-"));
  const tmpPng = path.join(profile, "shot.png");
  try {
    const r = spawnSync(
      findChromium(),
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        `--user-data-dir=${profile}`, "--virtual-time-budget=10000", `--window-size=${size.width},${size.height}`,
        `--screenshot=${tmpPng}`, "file://" + path.resolve(htmlFile),
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    if (r.status !== 0 || !fs.existsSync(tmpPng)) {
      throw new Error(`chromium could not screenshot ${htmlFile} (exit ${r.status}): ${(r.stderr ?? "").split("\n").slice(-5).join(" ")}`);
    }
    writeFileAtomic(pngFile, fs.readFileSync(tmpPng));
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Writes the figure as PNG by rendering its standalone HTML in headless Chromium. */
export function savePng(fig: Figure, pngFile: string, size?: { width: number; height: number }): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "starcluster-fig-"));
  try {
    const html = path.join(dir, "figure.html");
    const layoutSize = { width: size?.width ?? 1000, height: size?.height ?? (typeof fig.layout?.height === "number" ? fig.layout.height : 450) };
    fs.writeFileSync(html, standaloneHtml({ ...fig, layout: { ...fig.layout, width: layoutSize.width, height: layoutSize.height } }));
    screenshotHtml(html, pngFile, layoutSize);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
