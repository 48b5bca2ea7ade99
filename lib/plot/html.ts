// Plotly figures as HTML: the <div> + script a notebook output or a page holds, standalone pages (plotly.js
// inlined) and light pages (plotly.js referenced). No browser here: render.ts turns these pages into images.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { settings } from "../util/settings";

/** A Plotly figure as plotly.js takes it (traces, layout, config), kept as plain JSON. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

let plotlySource: string | undefined;

/** plotly.js source wrapped so it always defines window.Plotly, even on pages that carry require.js (AMD). */
export function plotlyScript(): string {
  if (plotlySource === undefined) {
    const src = fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
    plotlySource = `(function(){var define, module, exports;\n${src.replace(/<\/script/gi, "<\\/script")}\n}).call(window);`;
  }
  return plotlySource;
}

/** JSON safe to place inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const esc = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] as string);

export function withDefaults(fig: Figure): Required<Figure> {
  return {
    data: fig.data,
    layout: { margin: { t: 50, r: 20, b: 50, l: 60 }, ...fig.layout },
    config: { responsive: true, displaylogo: false, ...fig.config },
  };
}

/** The figure's title text, if it has one. */
export function figureTitle(fig: Figure): string | undefined {
  const t = fig.layout?.title;
  const text = typeof t === "string" ? t : (t as { text?: unknown } | undefined)?.text;
  return typeof text === "string" ? text : undefined;
}

/** A short content hash: the same figure gets the same id in every run, so committed outputs do not churn. */
export function figureHash(fig: Figure): string {
  return crypto.createHash("sha256").update(JSON.stringify(fig)).digest("hex").slice(0, 12);
}

// Figures shown in one kernel session are numbered, so that one figure shown twice still gets two ids.
let figureSeq = 0;

/** Where a Jupyter server serves plotly.js: relative to its root (known under `starcluster lab`) or to the notebook. */
export interface PlotlyLocation {
  root?: string;
  notebook?: string;
}

/** A static rendering shown until, or instead of, the live figure. */
export interface StillImage {
  mime: "image/png" | "image/jpeg";
  base64: string;
}

export interface FigureHtmlOptions {
  /** The div's id; default the figure's hash and its number in this process. */
  id?: string;
  /** Inline plotly.js (~4.8 MB) before the figure. */
  includePlotly?: boolean;
  /** A static image shown until, or instead of, the live figure. */
  still?: StillImage;
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

/** Browser code drawing into `el` once plotly.js is there: fetched from the Jupyter server when the page has none. */
function serverDrawScript(id: string, plot: string, loadFrom: PlotlyLocation): string {
  // One fetch per page, shared by its figures; plotly.js runs with `define` hidden so it sets window.Plotly even
  // under the Notebook's require.js. Without a server (exported HTML) the page's own copy is awaited.
  return (
    `(function(){var el=document.getElementById(${scriptJson(id)}),tries=0;` +
    "function draw(){var s=el.querySelector('.starcluster-plot-static');if(s)el.removeChild(s);" +
    plot +
    "}" +
    PLOTLY_URL_JS +
    `function load(){if(!window.__starclusterPlotly){var u=plotlyUrl(${scriptJson(loadFrom)});` +
    "window.__starclusterPlotly=u?fetch(u,{credentials:'same-origin'})" +
    ".then(function(r){if(!r.ok)throw new Error(u+': '+r.status);return r.text();})" +
    ".then(function(src){if(!window.Plotly)new Function('define','module','exports',src).call(window);})" +
    ":Promise.reject(new Error('no server'));}" +
    "return window.__starclusterPlotly;}" +
    "function wait(){if(window.Plotly)draw();else if(++tries<600)setTimeout(wait,50);}" +
    "if(window.Plotly)draw();else load().then(draw,wait);})();"
  );
}

/** A <div> plus the script that draws the figure into it once plotly.js is present. */
export function figureHtml(fig: Figure, options: FigureHtmlOptions = {}): string {
  const f = withDefaults(fig);
  const id = options.id ?? `sc-plot-${figureHash(fig)}-${++figureSeq}`;
  const height = typeof f.layout.height === "number" ? `${f.layout.height}px` : "450px";
  const loader = options.includePlotly ? `<script type="text/javascript">${plotlyScript()}</script>\n` : "";
  // The static image sits inside the plot's div: the live figure replaces it, an untrusted notebook keeps it.
  const still = options.still
    ? '<img class="starcluster-plot-static" alt="figure (static rendering)" style="max-width:100%;height:auto;" ' +
      `src="data:${options.still.mime};base64,${options.still.base64}">`
    : "";
  const plot = `window.Plotly.newPlot(el,${scriptJson(f.data)},${scriptJson(f.layout)},${scriptJson(f.config)});`;
  const draw = options.loadFrom
    ? serverDrawScript(id, plot, options.loadFrom)
    : `(function draw(){var el=document.getElementById(${scriptJson(id)});if(!window.Plotly){return setTimeout(draw,50);}${plot}})();`;
  const div = `<div id="${id}" class="starcluster-plot" style="width:100%;height:${height};">${still}</div>`;
  return `${loader}${div}\n<script type="text/javascript">${draw}</script>`;
}

/** A page holding one figure; `head` goes into <head> (plotly.js, print size). */
function page(fig: Figure, title: string, head: string): string {
  const body = figureHtml(fig, { id: `sc-plot-${figureHash(fig)}` });
  const headHtml = `<meta charset="utf-8"><title>${esc(title)}</title>${head}`;
  return `<!DOCTYPE html>\n<html><head>${headHtml}</head>\n<body style="margin:0">\n${body}\n</body></html>\n`;
}

/** A standalone HTML page with plotly.js inlined: opens offline in any browser. `head` adds to <head>. */
export function standaloneHtml(fig: Figure, title = "starcluster figure", head = ""): string {
  return page(fig, title, `${head}<script type="text/javascript">${plotlyScript()}</script>`);
}

/** A light page that loads plotly.js from `plotlySrc` (e.g. a relative path into node_modules) instead of inlining it. */
export function lightHtml(fig: Figure, plotlySrc: string, title: string): string {
  return page(fig, title, `<script src="${esc(plotlySrc)}"></script>`);
}

/** Where the Jupyter server serves plotly.js, as paths relative to its root (under `starcluster lab`) and to the notebook. */
export function plotlyLocation(cwd = process.cwd(), labRoot = settings().labRoot): PlotlyLocation {
  const file = require.resolve("plotly.js-dist-min");
  const rel = (from: string) => {
    const r = path.relative(from, file);
    return path.isAbsolute(r) ? undefined : r.split(path.sep).join("/");
  };
  const root = labRoot ? rel(labRoot) : undefined;
  return { root: root && !root.startsWith("../") ? root : undefined, notebook: rel(cwd) };
}
