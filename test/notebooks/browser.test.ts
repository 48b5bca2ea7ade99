// The interactive route end to end, as a researcher takes it: `starcluster lab` (Debian's classic Notebook) on
// 127.0.0.1, a notebook opened in headless Chromium (playwright-core), Run All; then no error output, every figure
// drawn by plotly.js (its SVG with traces), the tables rendered; the page reloaded and the figures drawn again
// (plotly.js fetched from the server, no output carries it); the notebook changed on disk so that it reopens
// untrusted, and every figure's static image shown. Viewing writes no committed figure. A kernel installed with
// `kernel install --prefix` is listed by `jupyter kernelspec list`. The server and the browser are stopped here.
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Browser, chromium, Page } from "playwright-core";
import { freePort } from "../../lib/notebooks/lab";
import { findChromium } from "../../lib/plot/plotly";
import { repoRoot, tempDir } from "../helpers";

const python = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";
const cli = path.join(repoRoot, "bin", "starcluster.js");
const NOTEBOOK = "04-generalization";

function missing(): string | false {
  if (spawnSync(python, ["-c", "import notebook"]).status !== 0) {
    return `Jupyter Notebook is not installed for ${python} (scripts/setup-system.sh installs jupyter-notebook)`;
  }
  try {
    findChromium();
  } catch (e) {
    return (e as Error).message;
  }
  return false;
}
const skip = missing();

// Browser-side code, as strings: this project compiles without the DOM's types. `Jupyter` is classic Notebook's
// page object.
const IN_PAGE = {
  /** What the page shows: figures (drawn by plotly.js with traces, or as their static image), tables, errors, trust. */
  state: `(() => {
    const plots = [...document.querySelectorAll(".starcluster-plot")];
    const drawn = plots.filter((p) => p.querySelector(".main-svg") && (p._fullData || []).length > 0 &&
      p.querySelector(".main-svg g.trace, .main-svg g.hm, .main-svg g.im, .main-svg .imagelayer image"));
    const stills = [...document.querySelectorAll("img.starcluster-plot-static")]
      .filter((i) => i.complete && i.naturalWidth > 100 && i.getBoundingClientRect().height > 50);
    return {
      trusted: Jupyter.notebook.trusted, plots: plots.length, drawn: drawn.length, stills: stills.length,
      tables: document.querySelectorAll(".output_html table").length,
      errors: document.querySelectorAll(".output_error").length,
      stderr: [...document.querySelectorAll(".output_stderr")].map((e) => e.textContent).filter((t) => /error/i.test(t)),
    };
  })()`,
  connected:
    "Boolean(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())",
  idle: 'Jupyter.notebook.get_cells().every((c) => c.cell_type !== "code" || c.input_prompt_number !== "*")',
  loaded: "Boolean(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded)",
  saved: "!Jupyter.notebook.dirty",
  drawnAtLeast: (n: number) =>
    `[...document.querySelectorAll(".starcluster-plot")].filter((p) => p.querySelector(".main-svg")).length >= ${n}`,
  stillsAtLeast: (n: number) =>
    `[...document.querySelectorAll("img.starcluster-plot-static")].filter((i) => i.complete && i.naturalWidth > 100).length >= ${n}`,
};

interface PageState {
  trusted: boolean;
  plots: number;
  drawn: number;
  stills: number;
  tables: number;
  errors: number;
  stderr: string[];
}

const pageState = (page: Page) => page.evaluate(IN_PAGE.state) as Promise<PageState>;

/** Waits until the kernel is connected and no cell is running. */
async function waitIdle(page: Page, ms: number): Promise<void> {
  await page.waitForFunction(IN_PAGE.connected, null, { timeout: 60_000 });
  await page.waitForFunction(IN_PAGE.idle, null, { timeout: ms, polling: 250 });
}

/** Starts `starcluster lab` from another folder and resolves with its URL (origin and token). */
async function startLab(
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: URL; log: () => string }> {
  const child = spawn(process.execPath, [cli, "lab", "--port", String(port)], {
    cwd: tempDir(),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (err += c));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /^(http:\/\/127\.0\.0\.1:\d+\/tree\/notebooks\?token=\w+)$/m.exec(out);
    if (m) return { child, url: new URL(m[1]), log: () => err };
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`lab did not start (exit ${child.exitCode}):\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("kernel install --prefix: the spec is listed by jupyter kernelspec list", { skip }, () => {
  const prefix = tempDir();
  const r = spawnSync(process.execPath, [cli, "kernel", "install", "--prefix", prefix], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const listed = spawnSync(python, ["-m", "jupyter", "kernelspec", "list", "--json"], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
  });
  assert.equal(listed.status, 0, listed.stderr);
  const specs = JSON.parse(listed.stdout).kernelspecs as Record<string, { resource_dir: string }>;
  assert.equal(specs.tslab?.resource_dir, path.join(prefix, "share", "jupyter", "kernels", "tslab"));
});

test(`in lab, ${NOTEBOOK} runs in Chromium with every figure drawn, after a reload too, and shows static images untrusted`, {
  skip,
  timeout: 240_000,
}, async () => {
  // A copy one folder below the notebooks, its import of the library adjusted, removed at the end: other tests
  // list notebooks/*.ipynb while this one runs. Private Jupyter state folders, so that the user's trust database
  // and settings neither help nor change.
  const folder = `_browser-test-${process.pid}`;
  const copyDir = path.join(repoRoot, "notebooks", folder);
  const copy = path.join(copyDir, `${NOTEBOOK}.ipynb`);
  fs.mkdirSync(copyDir, { recursive: true });
  const source = fs.readFileSync(path.join(repoRoot, "notebooks", `${NOTEBOOK}.ipynb`), "utf8");
  fs.writeFileSync(copy, source.replace('from \\"../dist/lib\\"', 'from \\"../../dist/lib\\"'));
  assert.ok(fs.readFileSync(copy, "utf8").includes("../../dist/lib"), "the copy imports the library from its folder");
  const figures = path.join(repoRoot, "results", "quick", "figures");
  const stamp = () =>
    fs
      .readdirSync(figures)
      .map((f) => `${f} ${fs.statSync(path.join(figures, f)).mtimeMs}`)
      .join("\n");
  const before = stamp();
  const jupyterHome = tempDir();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_TOKEN: "",
    STARCLUSTER_PROFILE: "quick",
    JUPYTER_DATA_DIR: path.join(jupyterHome, "data"),
    JUPYTER_CONFIG_DIR: path.join(jupyterHome, "config"),
    JUPYTER_RUNTIME_DIR: path.join(jupyterHome, "runtime"),
  };
  delete env.STARCLUSTER_SAVE_FIGURES;
  delete env.STARCLUSTER_RESULTS;
  let lab: Awaited<ReturnType<typeof startLab>> | undefined;
  let browser: Browser | undefined;
  try {
    lab = await startLab(await freePort(18950), env);
    const token = lab.url.searchParams.get("token");
    const args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];
    browser = await chromium.launch({ executablePath: findChromium(), args });
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await page.goto(`${lab.url.origin}/notebooks/notebooks/${folder}/${NOTEBOOK}.ipynb?token=${token}`);
    await waitIdle(page, 60_000);

    // Run All, as the menu does.
    await page.evaluate("Jupyter.notebook.execute_all_cells()");
    await page.waitForTimeout(1000);
    await waitIdle(page, 150_000);
    const plots = (await pageState(page)).plots;
    const allDrawn = () => page.waitForFunction(IN_PAGE.drawnAtLeast(plots), null, { timeout: 60_000 });
    await allDrawn();
    const ran = await pageState(page);
    assert.equal(ran.errors, 0, `error outputs: ${JSON.stringify(ran)}`);
    assert.deepEqual(ran.stderr, []);
    assert.ok(ran.plots >= 4, `figures shown (${ran.plots})`);
    assert.equal(ran.drawn, ran.plots, `every figure drawn by plotly.js with its traces: ${JSON.stringify(ran)}`);
    assert.ok(ran.tables >= 2, `tables rendered (${ran.tables})`);
    await page.evaluate("Jupyter.notebook.save_notebook()");
    await page.waitForFunction(IN_PAGE.saved, null, { timeout: 30_000 });

    // A reload: the page has no plotly.js; each saved figure fetches it from the server.
    await page.reload();
    await waitIdle(page, 60_000);
    await allDrawn();
    const reloaded = await pageState(page);
    assert.equal(reloaded.trusted, true, "saved in this browser: trusted");
    assert.equal(reloaded.drawn, ran.plots, `after a reload: ${JSON.stringify(reloaded)}`);

    // Changed outside the browser (as another tool or a merge would), the notebook reopens untrusted: no script
    // runs, and each figure shows its static image.
    const nb = JSON.parse(fs.readFileSync(copy, "utf8"));
    nb.cells.push({ cell_type: "markdown", id: "added", metadata: {}, source: "added outside the browser" });
    fs.writeFileSync(copy, JSON.stringify(nb));
    await page.reload();
    await page.waitForFunction(IN_PAGE.loaded, null, { timeout: 60_000 });
    await page.waitForFunction(IN_PAGE.stillsAtLeast(ran.plots), null, { timeout: 30_000 });
    const untrusted = await pageState(page);
    assert.equal(untrusted.trusted, false);
    assert.equal(untrusted.drawn, 0, "no script ran");
    assert.equal(untrusted.stills, ran.plots, `every figure's static image shown: ${JSON.stringify(untrusted)}`);
    assert.equal(stamp(), before, "viewing and running the notebook wrote no committed figure");
  } finally {
    await browser?.close();
    if (lab && lab.child.exitCode === null) {
      const exited = new Promise((r) => lab!.child.once("exit", r));
      lab.child.kill("SIGINT");
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 30_000))]);
      if (code === "timeout") lab.child.kill("SIGKILL");
      assert.equal(code, 0, `lab stops on SIGINT: ${lab.log().split("\n").slice(-5).join("\n")}`);
    }
    fs.rmSync(copyDir, { recursive: true, force: true });
  }
});
