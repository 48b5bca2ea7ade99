// Test helper: renders HTML in headless Chromium (Debian's, driven by playwright-core) and measures what
// each Plotly figure drew, so tests can assert that a plot area is not blank.
import { chromium } from "playwright-core";
import { PNG } from "pngjs";
import { findChromium } from "../lib/plot/plotly";

export interface PlotInk {
  width: number;
  height: number;
  /** Fraction of pixels that are not (near) white. */
  nonWhite: number;
  /** Fraction of clearly coloured pixels (traces; axes, grid and text are grey). */
  colored: number;
  /** Plotly drew the live figure (its SVG is there), as opposed to only a static fallback image showing. */
  drawn?: boolean;
  /** Traces in that SVG (lines, markers, bars, heat maps, images). */
  traces?: number;
}

export function measureInk(png: Buffer): PlotInk {
  const img = PNG.sync.read(png);
  let nonWhite = 0;
  let colored = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const r = img.data[4 * i],
      g = img.data[4 * i + 1],
      b = img.data[4 * i + 2];
    if (r < 235 || g < 235 || b < 235) nonWhite++;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colored++;
  }
  return { width: img.width, height: img.height, nonWhite: nonWhite / n, colored: colored / n };
}

/** Opens an HTML file and screenshots every `.starcluster-plot` element once Plotly has drawn it. */
export async function screenshotPlots(htmlFile: string): Promise<PlotInk[]> {
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto("file://" + htmlFile, { waitUntil: "load", timeout: 60_000 });
    const plots = page.locator(".starcluster-plot");
    const count = await plots.count();
    const out: PlotInk[] = [];
    for (let i = 0; i < count; i++) {
      const plot = plots.nth(i);
      // A drawn Plotly figure has its SVG layers; an undrawn div stays empty.
      const drawn = await plot
        .locator(".main-svg")
        .first()
        .waitFor({ timeout: 30_000 })
        .then(
          () => true,
          () => false,
        );
      const traces = await plot.locator(".main-svg g.trace, .main-svg g.hm, .main-svg g.im").count();
      out.push({ ...measureInk(await plot.screenshot()), drawn, traces });
    }
    return out;
  } finally {
    await browser.close();
  }
}
