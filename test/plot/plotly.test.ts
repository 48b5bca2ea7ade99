import assert from "node:assert/strict";
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import * as http from "node:http";
import * as path from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";
import {
  figureBundle,
  figureHtml,
  findChromium,
  liveFigure,
  plotlyLocation,
  renderPdf,
  renderSvg,
  saveFigureFiles,
  saveHtml,
  savePng,
  standaloneHtml,
} from "../../lib/plot/plotly";
import { measureInk, screenshotPlots } from "../figure-check";
import { tempDir } from "../helpers";

const lineFigure = {
  data: [{ y: [3, 1, 2, 5, 4], type: "scatter", mode: "lines+markers", name: "</script><b>x</b>" }],
  layout: { title: { text: "test figure" }, height: 300 },
};

test("figure HTML cannot be broken out of by data containing </script>", () => {
  const html = figureHtml(lineFigure);
  assert.equal(html.match(/<\/script>/g)?.length, 1, "only the helper's own closing tag");
  assert.match(html, /\\u003c\/script>\\u003cb>x/);
});

test("plotly.js is inlined once, and only when asked", () => {
  assert.ok(!figureHtml(lineFigure).includes("plotly.js"), "no plotly.js without includePlotly");
  const page = standaloneHtml(lineFigure);
  assert.ok(page.length > 1_000_000, "standalone page carries plotly.js");
  const script = page.indexOf("<script");
  assert.match(
    page.slice(script, script + 120),
    /\(function\(\)\{var define, module, exports;/,
    "loader wrapper comes first",
  );
});

test("figure ids are a function of the figure, numbered within a process; a standalone page's id is the hash alone", () => {
  const id = (html: string) => /<div id="([^"]+)"/.exec(html)?.[1];
  const [a, b] = [id(figureHtml(lineFigure)), id(figureHtml(lineFigure))];
  assert.match(a ?? "", /^sc-plot-[0-9a-f]{12}-\d+$/);
  assert.equal(a?.replace(/-\d+$/, ""), b?.replace(/-\d+$/, ""), "same figure, same hash");
  assert.notEqual(a, b, "two outputs of one figure still get two ids");
  assert.equal(id(standaloneHtml(lineFigure)), id(standaloneHtml(lineFigure)));
  assert.notEqual(
    id(figureHtml({ ...lineFigure, layout: { height: 301 } }))?.replace(/-\d+$/, ""),
    a?.replace(/-\d+$/, ""),
  );
});

test("a notebook figure draws as wide as the output area; its static image keeps the layout's width", () => {
  const wide = { ...lineFigure, layout: { ...lineFigure.layout, width: 1400 } };
  assert.equal(liveFigure(wide).layout.width, undefined);
  assert.equal(liveFigure(wide).layout.autosize, true);
  const prev = process.env.STARCLUSTER_FIGURE_PNG;
  process.env.STARCLUSTER_FIGURE_PNG = "0";
  try {
    const bundle = figureBundle(wide);
    assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    assert.equal(bundle["text/plain"], "<Plotly figure: test figure>");
    assert.ok(!String(bundle["text/html"]).includes('"width":1400'));
  } finally {
    if (prev === undefined) delete process.env.STARCLUSTER_FIGURE_PNG;
    else process.env.STARCLUSTER_FIGURE_PNG = prev;
  }
});

test("a saved standalone figure draws its trace in headless Chromium; an empty one does not", async () => {
  const dir = tempDir();
  const drawn = path.join(dir, "drawn.html");
  const empty = path.join(dir, "empty.html");
  saveHtml(lineFigure, drawn);
  saveHtml({ data: [], layout: { height: 300 } }, empty);
  const [ink] = await screenshotPlots(drawn);
  const [blank] = await screenshotPlots(empty);
  assert.ok(ink.colored > 0.002, `trace pixels present (${ink.colored})`);
  assert.ok(blank.colored < 0.0005, `no trace pixels in an empty figure (${blank.colored})`);
});

test("savePng writes a PNG of the figure at the layout size", () => {
  const dir = tempDir();
  const png = path.join(dir, "fig.png");
  savePng(lineFigure, png, { width: 640, height: 300 });
  const ink = measureInk(fs.readFileSync(png));
  assert.equal(ink.width, 640);
  assert.equal(ink.height, 300);
  assert.ok(ink.colored > 0.002, `trace drawn in PNG (${ink.colored})`);
});

test("a figure's HTML holds its static PNG inside the plot's div, and loads plotly.js from the Jupyter server only when asked", () => {
  const loadFrom = { notebook: "../node_modules/plotly.js-dist-min/plotly.min.js" };
  const html = figureHtml(lineFigure, { still: { mime: "image/png", base64: "iVBORw0KGgoAAAA" }, loadFrom });
  const still = /<img class="starcluster-plot-static"[^>]*src="data:image\/png;base64,iVBORw0KGgoAAAA">/;
  assert.match(html, new RegExp(`<div id="sc-plot-[\\w-]+" class="starcluster-plot"[^>]*>${still.source}</div>`));
  assert.match(html, /files\//);
  assert.equal(html.match(/<\/script>/g)?.length, 1);
  assert.ok(!figureHtml(lineFigure).includes("files/"), "no loader unless asked");
});

test("plotlyLocation gives plotly.js relative to the lab's root and to the notebook's folder", () => {
  const file = require.resolve("plotly.js-dist-min");
  const root = path.dirname(path.dirname(path.dirname(file)));
  const loc = plotlyLocation(path.join(root, "notebooks"), root);
  assert.equal(loc.root, "node_modules/plotly.js-dist-min/plotly.min.js");
  assert.equal(loc.notebook, "../node_modules/plotly.js-dist-min/plotly.min.js");
  assert.equal(
    plotlyLocation(path.join(root, "notebooks"), path.join(root, "notebooks")).root,
    undefined,
    "not under the server's root",
  );
  assert.equal(plotlyLocation(root, undefined).root, undefined);
});

test("without plotly.js on the page, a figure served like a Jupyter notebook loads it from /files/, even under require.js", async () => {
  // A stand-in for the Notebook server: the page as classic Notebook marks it, and /files/ from the checkout.
  const root = path.dirname(path.dirname(path.dirname(require.resolve("plotly.js-dist-min"))));
  const fig = figureHtml(lineFigure, { loadFrom: plotlyLocation(path.join(root, "notebooks"), root) });
  const page =
    `<!DOCTYPE html><html><body data-base-url="/base/" data-notebook-path="notebooks/x.ipynb">` +
    `<script>window.define=function(){throw new Error("anonymous define")};window.define.amd={};</script>${fig}</body></html>`;
  const requested: string[] = [];
  const server = http.createServer((req, res) => {
    requested.push(req.url ?? "");
    const m = /^\/base\/files\/(.+)$/.exec(req.url ?? "");
    if (m) {
      res.setHeader("Content-Type", "application/javascript");
      res.end(fs.readFileSync(path.join(root, decodeURIComponent(m[1]))));
    } else res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const browser = await chromium.launch({ executablePath: findChromium(), args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const p = await browser.newPage();
    await p.goto(`http://127.0.0.1:${port}/base/notebooks/notebooks/x.ipynb`);
    await p.locator(".starcluster-plot .main-svg").first().waitFor({ timeout: 30_000 });
    assert.deepEqual(
      requested.filter((u) => u.includes("/files/")),
      ["/base/files/node_modules/plotly.js-dist-min/plotly.min.js"],
    );
  } finally {
    await browser.close();
    server.close();
  }
});

test("savePng renders a figure once per size: a notebook's show() and saveFigure() share the rendering", () => {
  const dir = tempDir();
  const fig = { ...lineFigure, layout: { ...lineFigure.layout, title: { text: `cached ${process.pid}` } } };
  let t = Date.now();
  savePng(fig, path.join(dir, "a.png"), { width: 500, height: 300 });
  const first = Date.now() - t;
  t = Date.now();
  savePng(fig, path.join(dir, "b.png"), { width: 500, height: 300 });
  assert.ok(
    Date.now() - t < Math.max(50, first / 10),
    `second rendering from the cache (${Date.now() - t} ms vs ${first} ms)`,
  );
  assert.deepEqual(fs.readFileSync(path.join(dir, "a.png")), fs.readFileSync(path.join(dir, "b.png")));
});

test("saveFigureFiles writes PNG, light HTML, a one-page vector PDF of the figure's size and plotly.js's SVG; again, the same bytes", () => {
  const dir = tempDir();
  const fig = {
    ...lineFigure,
    layout: { ...lineFigure.layout, width: 600, height: 400, title: { text: `formats ${process.pid}` } },
  };
  const files = saveFigureFiles(fig, path.join(dir, "fig"), ["png", "html", "pdf", "svg"]);
  assert.deepEqual(
    files.map((f) => path.basename(f)),
    ["fig.png", "fig.html", "fig.pdf", "fig.svg"],
  );
  const pdf = fs.readFileSync(path.join(dir, "fig.pdf"));
  assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
  assert.match(pdf.toString("latin1"), /\/MediaBox \[0 0 450 300\]/, "600 x 400 px at 96 dpi is 450 x 300 pt");
  assert.equal(pdf.toString("latin1").match(/\/Type \/Page\b/g)?.length, 1, "one page");
  assert.ok(!/D:(?!20000101000000)\d{14}/.test(pdf.toString("latin1")), "dates fixed");
  const svg = fs.readFileSync(path.join(dir, "fig.svg"), "utf8");
  assert.match(svg, /^<svg[^>]*width="600"[^>]*height="400"/);
  assert.match(svg, /class="scatterlayer/, "the trace is in the SVG");
  assert.match(svg, new RegExp(`formats ${process.pid}`));
  assert.ok(!/id="clip[0-9a-f]{6}/.test(svg), "no random clip-path ids");
  const html = fs.readFileSync(path.join(dir, "fig.html"), "utf8");
  assert.ok(
    html.length < 20_000 && /<script src="[^"]*plotly\.js-dist-min\/plotly\.min\.js">/.test(html),
    "light HTML",
  );
  // A second process renders afresh (the cache is per process): same bytes.
  const child = `
    const r = require(${JSON.stringify(require.resolve("../../lib/plot/render"))});
    const fig = ${JSON.stringify(fig)};
    process.stdout.write(JSON.stringify([r.renderPdf(fig).toString("base64"), r.renderSvg(fig)]));`;
  const again = spawnSync(process.execPath, ["-e", child], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(again.status, 0, again.stderr);
  const [pdf2, svg2] = JSON.parse(again.stdout) as [string, string];
  assert.ok(Buffer.from(pdf2, "base64").equals(renderPdf(fig)), "PDF bytes repeat");
  assert.equal(svg2, renderSvg(fig), "SVG repeats");
});
