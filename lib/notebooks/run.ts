// Executes the project's tslab notebooks headless (Jupyter from Debian, tslab from node_modules) and exports
// executed copies and HTML under results/notebooks/, `jobs` at a time. Stops at the first notebook with a failing cell.
// The exported HTML carries plotly.js once, in its <head> (a standalone page, 5 MB); no notebook output does.
// With `commitDir` (`starcluster notebooks --in-place`: the notebooks' own folder), each notebook is also written
// there with its outputs as committed: figures as Plotly JSON and a static image (scripts/execute_notebook.py
// --commit), so the repository shows every figure.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { plotlyScript } from "../plot/html";
import { writeFileAtomic } from "../util/atomic";
import { forEachAtMost } from "../util/pool";
import { projectRoot, resultsPath } from "../util/paths";
import { SETTINGS_VARIABLES } from "../util/settings";
import { jupyterPython, registerTslabKernel } from "./kernel";

// The kernel spec lives in ./kernel; kept importable from here for existing callers.
export { registerTslabKernel } from "./kernel";

export interface NotebookRunOptions {
  /** Folder holding the notebooks; default notebooks/ of this checkout. */
  dir?: string;
  /** Notebook names; default all *.ipynb of `dir` in name order. */
  only?: string[];
  outDir?: string;
  /** Per-cell timeout in seconds; default none (training cells can be long). */
  timeout?: number;
  python?: string;
  log?: (line: string) => void;
  /** Also write each notebook with its outputs, as committed, into this folder (see the header). */
  commitDir?: string;
  /** Notebooks executed at once (default 1); each is its own Jupyter process and kernel. */
  jobs?: number;
  /** Settings for the notebooks' kernels, over this process's environment (lib/util/settings.ts names them). */
  settings?: { profile?: string; saveFigures?: boolean };
}

export interface NotebookResult {
  notebook: string;
  executed: string;
  html: string;
  seconds: number;
}

export function listNotebooks(dir = path.join(projectRoot, "notebooks"), only?: string[]): string[] {
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort();
  if (!only || only.length === 0) return all.map((f) => path.join(dir, f));
  return only.map((name) => {
    const base = path.basename(name).replace(/\.ipynb$/, "");
    const match = all.find((f) => f === `${base}.ipynb`) ?? all.filter((f) => f.startsWith(base))[0];
    if (!match) throw new Error(`no notebook '${name}' in ${dir} (have: ${all.join(", ")})`);
    return path.join(dir, match);
  });
}

/** Puts plotly.js into the exported page's <head>, so that its figures draw offline, from a file or a mail. */
export function inlinePlotly(htmlFile: string): void {
  const html = fs.readFileSync(htmlFile, "utf8");
  const at = html.indexOf("</head>");
  if (at < 0 || html.includes("starcluster-plotly-js")) return;
  const script = `<script type="text/javascript" id="starcluster-plotly-js">${plotlyScript()}</script>\n`;
  writeFileAtomic(htmlFile, html.slice(0, at) + script + html.slice(at));
}

/**
 * Runs the notebooks, `jobs` at a time (default 1) in the list's order; after a failing one starts no more and, once
 * the running ones end, throws the first failing notebook's (in the list's order) cell source and message.
 */
export async function runNotebooks(options: NotebookRunOptions = {}): Promise<NotebookResult[]> {
  const outDir = options.outDir ?? resultsPath("notebooks");
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  fs.mkdirSync(outDir, { recursive: true });
  const env = kernelEnvironment(options.settings);
  const notebooks = listNotebooks(options.dir, options.only);
  const results: NotebookResult[] = new Array(notebooks.length);
  const failures: Error[] = [];
  const run = async (nb: string, i: number) => {
    try {
      results[i] = await runNotebook(nb, outDir, env, options, log);
    } catch (e) {
      failures[i] = e as Error;
    }
  };
  await forEachAtMost(notebooks, options.jobs ?? 1, run, () => failures.length > 0);
  // The first failing notebook in the list, whichever failed first in time.
  const failure = failures.find(Boolean);
  if (failure) throw failure;
  return results;
}

/** The kernels' environment: the tslab kernel spec, and the settings over this process's environment. */
function kernelEnvironment(settings: NotebookRunOptions["settings"]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: registerTslabKernel() };
  if (settings?.profile !== undefined) env[SETTINGS_VARIABLES.profile] = settings.profile;
  if (settings?.saveFigures !== undefined) env[SETTINGS_VARIABLES.saveFigures] = settings.saveFigures ? "1" : "0";
  return env;
}

/** Executes one notebook (scripts/execute_notebook.py) and exports it; rejects with the failing cell. */
async function runNotebook(
  nb: string,
  outDir: string,
  env: NodeJS.ProcessEnv,
  options: NotebookRunOptions,
  log: (line: string) => void,
): Promise<NotebookResult> {
  const python = options.python ?? jupyterPython();
  const name = path.basename(nb, ".ipynb");
  const executed = path.join(outDir, `${name}.ipynb`);
  const html = path.join(outDir, `${name}.html`);
  log(`notebooks: executing ${path.relative(projectRoot, nb)} ...`);
  const start = Date.now();
  const args = [path.join(projectRoot, "scripts", "execute_notebook.py"), nb, executed, html];
  if (options.timeout) args.push("--timeout", String(options.timeout));
  if (options.commitDir) args.push("--commit", path.join(options.commitDir, path.basename(nb)));
  const r = await spawnCollectingStderr(python, args, { env, cwd: path.dirname(nb) });
  if (r.error)
    throw new Error(`cannot start ${python} (${r.error.message}); run scripts/setup-system.sh to install Jupyter`);
  if (r.status !== 0) {
    throw new Error(
      `notebook ${path.relative(projectRoot, nb)} failed (executed copy: ${path.relative(projectRoot, executed)})\n${r.stderr.trim()}`,
    );
  }
  inlinePlotly(html);
  const seconds = (Date.now() - start) / 1000;
  log(`notebooks: ${name} done in ${seconds.toFixed(1)} s -> ${path.relative(projectRoot, html)}`);
  return { notebook: nb, executed, html, seconds };
}

/** Runs a command with stdout passed through and stderr collected (spawnSync's result, without blocking). */
function spawnCollectingStderr(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<{ status: number | null; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", (error) => resolve({ status: null, stderr, error }));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}
