import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";
import { figureHtml, findChromium, plotlyLocation, saveHtml, savePng, standaloneHtml } from "../../lib/plot/plotly";
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
  assert.ok(!/define\.amd/.test(page.slice(0, 200)), "loader wrapper comes first");
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
  const html = figureHtml(lineFigure, { fallbackPng: "iVBORw0KGgoAAAA", loadFrom });
  const still = /<img class="starcluster-plot-static"[^>]*src="data:image\/png;base64,iVBORw0KGgoAAAA">/;
  assert.match(html, new RegExp(`<div id="sc-plot-\\w+" class="starcluster-plot"[^>]*>${still.source}</div>`));
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
  assert.equal(plotlyLocation(path.join(root, "notebooks"), path.join(root, "notebooks")).root, undefined, "not under the server's root");
  assert.equal(plotlyLocation(root, undefined).root, undefined);
});

test("without plotly.js on the page, a figure served like a Jupyter notebook loads it from /files/, even under require.js", async () => {
  // A stand-in for the Notebook server: the page as classic Notebook marks it, and /files/ from the checkout.
  const root = path.dirname(path.dirname(path.dirname(require.resolve("plotly.js-dist-min"))));
  const fig = figureHtml(lineFigure, { loadFrom: plotlyLocation(path.join(root, "notebooks"), root) });
  const page = `<!DOCTYPE html><html><body data-base-url="/base/" data-notebook-path="notebooks/x.ipynb">` +
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
    assert.deepEqual(requested.filter((u) => u.includes("/files/")), ["/base/files/node_modules/plotly.js-dist-min/plotly.min.js"]);
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
  assert.ok(Date.now() - t < Math.max(50, first / 10), `second rendering from the cache (${Date.now() - t} ms vs ${first} ms)`);
  assert.deepEqual(fs.readFileSync(path.join(dir, "a.png")), fs.readFileSync(path.join(dir, "b.png")));
});
