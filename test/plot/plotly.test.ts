import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { figureHtml, saveHtml, savePng, standaloneHtml } from "../../lib/plot/plotly";
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
