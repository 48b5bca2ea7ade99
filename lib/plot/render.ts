// Figures as files through headless Chromium (Debian's `chromium`, its command line only: no browser library is
// needed at run time): PNG and JPEG screenshots, PDF by printing the page at the figure's size, SVG from
// plotly.js's own Plotly.toImage. Outputs are byte-for-byte repeatable on one machine: the PDF's dates and the SVG's
// random clip-path ids are fixed, so figures saved again from the same data do not show up as changed.
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import { Figure, figureTitle, lightHtml, scriptJson, standaloneHtml } from "./html";
import { settings } from "../util/settings";

export type FigureFormat = "png" | "html" | "pdf" | "svg";
export const FIGURE_FORMATS: readonly FigureFormat[] = ["png", "html", "pdf", "svg"];

export interface Size {
  width: number;
  height: number;
}

/** Absolute path of a Chromium/Chrome binary: STARCLUSTER_CHROMIUM, else the usual names on PATH. */
export function findChromium(): string {
  const explicit = settings().chromium;
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
  throw new Error(
    "no Chromium found for figure export (install Debian's 'chromium' via scripts/setup-system.sh, " +
      "or set STARCLUSTER_CHROMIUM)",
  );
}

/** Runs headless Chromium on a page with `action` flags; returns its stdout. Network-free flags: this machine is offline. */
function chromium(htmlFile: string, action: string[], what: string): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "starcluster-chromium-"));
  try {
    const r = spawnSync(
      findChromium(),
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        "--virtual-time-budget=10000",
        ...action,
        "file://" + path.resolve(htmlFile),
      ],
      { encoding: "utf8", timeout: 120_000, maxBuffer: 256 << 20 },
    );
    if (r.status !== 0) {
      throw new Error(
        `chromium could not ${what} ${htmlFile} (exit ${r.status}): ${(r.stderr ?? "").split("\n").slice(-5).join(" ")}`,
      );
    }
    return r.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Screenshots an HTML file into a PNG or JPEG (Chromium picks the format by the file's extension). */
export function screenshotHtml(htmlFile: string, imageFile: string, size: Size = { width: 1000, height: 600 }): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "starcluster-shot-"));
  try {
    const shot = path.join(dir, `shot${path.extname(imageFile) || ".png"}`);
    chromium(htmlFile, [`--window-size=${size.width},${size.height}`, `--screenshot=${shot}`], "screenshot");
    if (!fs.existsSync(shot)) throw new Error(`chromium wrote no screenshot of ${htmlFile}`);
    writeFileAtomic(imageFile, fs.readFileSync(shot));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The size a figure is rendered at: its layout's, else 1000 x 450. */
export function figureSize(fig: Figure): Size {
  const l = fig.layout ?? {};
  return { width: typeof l.width === "number" ? l.width : 1000, height: typeof l.height === "number" ? l.height : 450 };
}

/**
 * The figure as drawn on paper: the given size, no mode bar (its buttons do nothing there and cover the title), and
 * each trace's uid fixed (plotly.js draws a random one into the SVG's class names otherwise).
 */
function stillFigure(fig: Figure, size: Size): Figure {
  return {
    data: fig.data.map((trace, i) => ({ uid: `t${i}`, ...trace })),
    layout: { ...fig.layout, width: size.width, height: size.height },
    config: { ...fig.config, displayModeBar: false, responsive: false },
  };
}

/** Writes the page to a temporary folder, lets `use` render it, and cleans up. */
function withPage<T>(html: string, use: (htmlFile: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "starcluster-fig-"));
  try {
    const file = path.join(dir, "figure.html");
    fs.writeFileSync(file, html);
    return use(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Renderings by figure, size and format: a notebook shows a figure and then saves it, and Chromium takes ~1-3 s.
const cache = new Map<string, Buffer>();
const CACHE_ENTRIES = 32;

function cached(key: unknown[], render: () => Buffer): Buffer {
  const k = crypto.createHash("sha256").update(JSON.stringify(key)).digest("hex");
  const hit = cache.get(k);
  if (hit) return hit;
  const bytes = render();
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(k, bytes);
  return bytes;
}

/** The figure as PNG or JPEG bytes at `size` (default 1000 x the layout's height). */
export function renderImage(fig: Figure, size?: Partial<Size>, format: "png" | "jpeg" = "png"): Buffer {
  const s = { width: size?.width ?? 1000, height: size?.height ?? figureSize(fig).height };
  return cached([fig, s, format], () =>
    withPage(standaloneHtml(stillFigure(fig, s)), (html, dir) => {
      const out = path.join(dir, `figure.${format}`);
      screenshotHtml(html, out, s);
      return fs.readFileSync(out);
    }),
  );
}

/** The figure as PNG bytes (see renderImage). */
export function renderPng(fig: Figure, size?: Partial<Size>): Buffer {
  return renderImage(fig, size, "png");
}

/** The figure as a one-page vector PDF of its size (Chromium prints at 96 px per inch: 1000 px = 750 pt). */
export function renderPdf(fig: Figure, size: Size = figureSize(fig)): Buffer {
  return cached([fig, size, "pdf"], () => {
    const pageCss = `<style>@page{size:${size.width}px ${size.height}px;margin:0}html,body{margin:0}</style>`;
    const pdf = withPage(standaloneHtml(stillFigure(fig, size), figureTitle(fig), pageCss), (html, dir) => {
      const out = path.join(dir, "figure.pdf");
      // Both spellings of "no header and footer": older Chromium knows only the second; unknown flags are ignored.
      chromium(html, ["--no-pdf-header-footer", "--print-to-pdf-no-header", `--print-to-pdf=${out}`], "print");
      return fs.readFileSync(out);
    });
    // Same length replacement keeps the cross-reference offsets valid.
    return Buffer.from(
      pdf.toString("latin1").replace(/D:\d{14}([+\-Z][^)]*)?/g, (m) => "D:20000101000000" + m.slice(16)),
      "latin1",
    );
  });
}

/** The figure as SVG text, drawn by plotly.js's own SVG export (heat maps and images stay embedded rasters). */
export function renderSvg(fig: Figure, size: Size = figureSize(fig)): string {
  const svg = cached([fig, size, "svg"], () => {
    // The page puts the SVG (URL-encoded by Plotly.toImage, so nothing in it needs HTML escaping) into the DOM
    // that --dump-dom prints.
    const f = stillFigure(fig, size);
    const options = `{format:"svg",width:${size.width},height:${size.height}}`;
    const script =
      `Plotly.toImage({data:${scriptJson(f.data)},layout:${scriptJson(f.layout)}},${options})` +
      ".then(function(u){var p=document.createElement('pre');p.id='svg';p.textContent=u;document.body.appendChild(p);})" +
      ".catch(function(e){var p=document.createElement('pre');p.id='error';p.textContent=String(e);document.body.appendChild(p);});";
    const html = standaloneHtml({ data: [], layout: {} }, "svg").replace(
      "</body>",
      `<script>${script}</script></body>`,
    );
    const dom = withPage(html, (file) => chromium(file, ["--dump-dom"], "export SVG from"));
    const m = /<pre id="svg">data:image\/svg\+xml,([^<]*)<\/pre>/.exec(dom);
    if (!m) throw new Error(`plotly.js exported no SVG: ${/<pre id="error">([^<]*)/.exec(dom)?.[1] ?? "no answer"}`);
    return Buffer.from(decodeURIComponent(m[1]));
  }).toString();
  // plotly.js names clip paths after a random id per plot: name them after the figure instead.
  const uid = /id="clip([0-9a-f]{6})/.exec(svg)?.[1];
  return uid ? svg.split(uid).join("figure") : svg;
}

/** Writes the figure as PNG by rendering its standalone HTML in headless Chromium. */
export function savePng(fig: Figure, pngFile: string, size?: Partial<Size>): void {
  writeFileAtomic(pngFile, renderPng(fig, size));
}

/** Writes the figure as standalone HTML, plotly.js inlined (atomically). */
export function saveHtml(fig: Figure, file: string, title?: string): void {
  writeFileAtomic(file, standaloneHtml(fig, title ?? path.basename(file, path.extname(file))));
}

/**
 * Writes `<base>.<format>` for each format: PNG and PDF/SVG at the figure's size, and a light HTML page that loads
 * plotly.js from this checkout's node_modules by relative path (a few KB instead of 4.8 MB). Returns the files.
 */
export function saveFigureFiles(
  fig: Figure,
  base: string,
  formats: readonly FigureFormat[] = ["png", "html"],
): string[] {
  const size = figureSize(fig);
  const name = path.basename(base);
  return formats.map((format) => {
    const file = `${base}.${format}`;
    if (format === "png") writeFileAtomic(file, renderPng(fig, size));
    else if (format === "pdf") writeFileAtomic(file, renderPdf(fig, size));
    else if (format === "svg") writeFileAtomic(file, renderSvg(fig, size));
    else {
      const plotly = path.relative(path.dirname(file), require.resolve("plotly.js-dist-min")).split(path.sep).join("/");
      writeFileAtomic(file, lightHtml(fig, plotly, name));
    }
    return file;
  });
}

/** Figure formats from a comma-separated list ("png,pdf"), each checked. */
export function parseFormats(list: string, what = "figure formats"): FigureFormat[] {
  const formats = list
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = formats.filter((f) => !(FIGURE_FORMATS as readonly string[]).includes(f));
  if (bad.length || formats.length === 0)
    throw new Error(`${what} '${list}': choose from ${FIGURE_FORMATS.join(", ")}`);
  return formats as FigureFormat[];
}
