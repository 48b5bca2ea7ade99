// Plotly figures for notebooks and files: one helper so every figure renders the same way everywhere.
//
// In a tslab notebook, show(fig) emits one display bundle:
//   application/vnd.plotly.v1+json  rendered natively by JupyterLab's and VS Code's Plotly renderers;
//   text/html                       a <div> holding the static PNG, and a script that draws the live figure over it
//                                   with plotly.js (scripts run only in trusted notebooks: untrusted, the PNG stays);
//   image/png                       the static rendering (headless Chromium), shown wherever HTML is not (GitHub,
//                                   nbviewer, text exports); STARCLUSTER_FIGURE_PNG=0 leaves it out.
// plotly.js (~4.8 MB) is inlined into the first figure's HTML of a kernel session, for exported HTML; under
// `starcluster lab` (STARCLUSTER_LAB_ROOT set) never: the script loads it from the server's /files/, as it also
// does whenever window.Plotly is missing (a page reload, a reopened notebook). Outside notebooks, saveHtml/savePng
// write standalone files under results/.
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

/** Where a Jupyter server serves plotly.js: relative to its root (known under `starcluster lab`) or to the notebook. */
export interface PlotlyLocation {
  root?: string;
  notebook?: string;
}

export interface FigureHtmlOptions {
  /** Inline plotly.js (~4.8 MB) before the figure. */
  includePlotly?: boolean;
  /** A static PNG (base64) shown until, or instead of, the live figure. */
  fallbackPng?: string;
  /** Load plotly.js from the Jupyter server when the page has none. */
  loadFrom?: PlotlyLocation;
}

/**
 * Browser code: the URL of plotly.js on the Jupyter server that shows this page, or null. Classic Notebook names
 * its base URL and the notebook's path on <body>; JupyterLab and Notebook 7 have them in the page's path.
 */
const PLOTLY_URL_JS =
  "function plotlyUrl(loc){if(!/^https?:$/.test(location.protocol))return null;" +
  "var b=document.body,base=b.getAttribute('data-base-url'),nb=b.getAttribute('data-notebook-path');" +
  "if(nb===null){var m=/^(.*?\\/)(?:lab\\/tree|doc\\/tree|notebooks)\\/(.+)$/.exec(decodeURI(location.pathname));" +
  "if(!m)return null;base=m[1];nb=m[2];}" +
  "var rel=loc.root;if(!rel){if(!loc.notebook)return null;var parts=nb.split('/').slice(0,-1);" +
  "var segs=loc.notebook.split('/');for(var i=0;i<segs.length;i++){if(segs[i]==='..'){if(!parts.length)return null;parts.pop();}" +
  "else if(segs[i]!=='.')parts.push(segs[i]);}rel=parts.join('/');}" +
  "return (base||'/').replace(/\\/?$/,'/')+'files/'+rel.split('/').map(encodeURIComponent).join('/');}";

/** A <div> plus the script that draws the figure into it once plotly.js is present. */
export function figureHtml(fig: Figure, options: FigureHtmlOptions = {}): string {
  const f = withDefaults(fig);
  const id = "sc-plot-" + crypto.randomBytes(6).toString("hex");
  const height = typeof f.layout.height === "number" ? `${f.layout.height}px` : "450px";
  const loader = options.includePlotly ? `<script type="text/javascript">${plotlyScript()}</script>\n` : "";
  // The static image sits inside the plot's div: the live figure replaces it, an untrusted notebook keeps it.
  const still = options.fallbackPng
    ? '<img class="starcluster-plot-static" alt="figure (static rendering)" style="max-width:100%;height:auto;" ' +
      `src="data:image/png;base64,${options.fallbackPng}">`
    : "";
  const plot = `window.Plotly.newPlot(el,${scriptJson(f.data)},${scriptJson(f.layout)},${scriptJson(f.config)});`;
  let draw: string;
  if (options.loadFrom) {
    // One fetch per page, shared by its figures; plotly.js runs with `define` hidden so it sets window.Plotly even
    // under the Notebook's require.js. Without a server (exported HTML) an earlier figure's inlined copy is awaited.
    draw =
      `(function(){var el=document.getElementById(${scriptJson(id)}),tries=0;` +
      "function draw(){var s=el.querySelector('.starcluster-plot-static');if(s)el.removeChild(s);" + plot + "}" +
      PLOTLY_URL_JS +
      `function load(){if(!window.__starclusterPlotly){var u=plotlyUrl(${scriptJson(options.loadFrom)});` +
      "window.__starclusterPlotly=u?fetch(u,{credentials:'same-origin'})" +
      ".then(function(r){if(!r.ok)throw new Error(u+': '+r.status);return r.text();})" +
      ".then(function(src){if(!window.Plotly)new Function('define','module','exports',src).call(window);})" +
      ":Promise.reject(new Error('no server'));}" +
      "return window.__starclusterPlotly;}" +
      "function wait(){if(window.Plotly)draw();else if(++tries<600)setTimeout(wait,50);}" +
      "if(window.Plotly)draw();else load().then(draw,wait);})();";
  } else {
    draw = `(function draw(){var el=document.getElementById(${scriptJson(id)});if(!window.Plotly){return setTimeout(draw,50);}${plot}})();`;
  }
  const div = `<div id="${id}" class="starcluster-plot" style="width:100%;height:${height};">${still}</div>`;
  return `${loader}${div}\n<script type="text/javascript">${draw}</script>`;
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

/** Where the Jupyter server serves plotly.js, as paths relative to its root (under `starcluster lab`) and to the notebook. */
export function plotlyLocation(cwd = process.cwd(), labRoot = process.env.STARCLUSTER_LAB_ROOT): PlotlyLocation {
  const file = require.resolve("plotly.js-dist-min");
  const rel = (from: string) => {
    const r = path.relative(from, file);
    return path.isAbsolute(r) ? undefined : r.split(path.sep).join("/");
  };
  const root = labRoot ? rel(labRoot) : undefined;
  return { root: root && !root.startsWith("../") ? root : undefined, notebook: rel(cwd) };
}

let pngProblem: string | undefined;

/** The figure's static PNG as base64 at the size saveFigure uses (so its PNG is then rendered once), or undefined. */
function staticPng(fig: Figure): string | undefined {
  if (process.env.STARCLUSTER_FIGURE_PNG === "0" || pngProblem) return undefined;
  try {
    return renderPng(fig, figureSize(fig)).toString("base64");
  } catch (e) {
    // Once per session: the figure still shows live where scripts run.
    pngProblem = (e as Error).message;
    process.stderr.write(`plot.show: figures carry no static PNG in this session (${pngProblem})\n`);
    return undefined;
  }
}

/** Displays a figure inline in a tslab notebook: Plotly JSON, HTML (live figure over a static PNG) and the PNG. */
export function show(fig: Figure): void {
  const f = withDefaults(fig);
  const png = staticPng(fig);
  const underLab = Boolean(process.env.STARCLUSTER_LAB_ROOT);
  const html = figureHtml(fig, { includePlotly: !loadedInKernel && !underLab, fallbackPng: png, loadFrom: plotlyLocation() });
  const bundle: Record<string, unknown> = { [PLOTLY_MIME]: { data: f.data, layout: f.layout, config: f.config }, "text/html": html };
  if (png) bundle["image/png"] = png;
  bundle["text/plain"] = "<Plotly figure>";
  display(bundle, "plot.show (use saveHtml/savePng outside notebooks)");
  if (!underLab) loadedInKernel = true;
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

/** The size a figure is rendered at: its layout's, else 1000 x 450. */
export function figureSize(fig: Figure): { width: number; height: number } {
  const l = fig.layout ?? {};
  return { width: typeof l.width === "number" ? l.width : 1000, height: typeof l.height === "number" ? l.height : 450 };
}

// Renderings by figure and size: a notebook shows a figure and then saves it, and Chromium takes ~1-3 s a figure.
const pngCache = new Map<string, Buffer>();
const PNG_CACHE_ENTRIES = 32;

/** The figure as PNG bytes, rendered from its standalone HTML in headless Chromium at `size` (default 1000 x layout height). */
export function renderPng(fig: Figure, size?: { width: number; height: number }): Buffer {
  const layoutSize = { width: size?.width ?? 1000, height: size?.height ?? figureSize(fig).height };
  const key = crypto.createHash("sha256").update(JSON.stringify([fig, layoutSize])).digest("hex");
  const cached = pngCache.get(key);
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "starcluster-fig-"));
  try {
    const html = path.join(dir, "figure.html");
    const png = path.join(dir, "figure.png");
    // No mode bar: on a still image its buttons do nothing and cover the title.
    const layout = { ...fig.layout, width: layoutSize.width, height: layoutSize.height };
    const still = { ...fig, layout, config: { ...fig.config, displayModeBar: false } };
    fs.writeFileSync(html, standaloneHtml(still));
    screenshotHtml(html, png, layoutSize);
    const bytes = fs.readFileSync(png);
    if (pngCache.size >= PNG_CACHE_ENTRIES) pngCache.delete(pngCache.keys().next().value as string);
    pngCache.set(key, bytes);
    return bytes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the figure as PNG by rendering its standalone HTML in headless Chromium. */
export function savePng(fig: Figure, pngFile: string, size?: { width: number; height: number }): void {
  writeFileAtomic(pngFile, renderPng(fig, size));
}
