// `starcluster lab`: the classic Jupyter Notebook server (Debian's jupyter-notebook) on 127.0.0.1 with a token,
// rooted at this checkout and using its project-local tslab kernel spec, from whatever folder it is started.
// Installs nothing: a missing Notebook is reported with the setup step that installs it.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { projectRoot } from "../util/paths";
import { jupyterPython, registerTslabKernel } from "./kernel";

export const LAB_HOST = "127.0.0.1";

export interface LabOptions {
  /** First port tried; the next free one is taken when it is busy (default 8888). */
  port?: number;
  /** Let the server open a browser (default: no, the URL is printed). */
  browser?: boolean;
  python?: string;
  /** Receives the URL once the server answers. */
  onReady?: (url: string) => void;
  /** Server log and status lines (default: stderr). */
  log?: (text: string) => void;
}

/** The Notebook version importable by `python`, or an error naming the setup step that installs it. */
export function notebookVersion(python = jupyterPython()): string {
  const r = spawnSync(python, ["-c", "import notebook; print(notebook.__version__)"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      `Jupyter Notebook is not installed for ${python} (${r.error?.message ?? r.stderr.trim().split("\n").pop()}); ` +
        "install it with 'bash scripts/setup-system.sh' (Debian package jupyter-notebook), " +
        "or set STARCLUSTER_PYTHON to a Python that has it",
    );
  }
  return r.stdout.trim();
}

/** The server's command-line arguments (aliases that Notebook 6 and 7 both accept). */
export function labArgs(options: {
  port: number;
  uid: number | undefined;
  browser?: boolean;
  root?: string;
}): string[] {
  const root = options.root ?? projectRoot;
  const args = [
    "-m",
    "notebook",
    `--ip=${LAB_HOST}`,
    `--port=${options.port}`,
    "--port-retries=0",
    `--notebook-dir=${root}`,
  ];
  if (!options.browser) args.push("--no-browser");
  // The server refuses to run as root without it; never pass it otherwise.
  if (options.uid === 0) args.push("--allow-root");
  return args;
}

/** The first port from `start` on which 127.0.0.1 can listen (the server then binds it with no retries). */
export async function freePort(start: number, tries = 50): Promise<number> {
  for (let port = start; port < start + tries && port <= 65535; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, LAB_HOST, () => server.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port on ${LAB_HOST} in ${start}-${start + tries - 1}; pass --port`);
}

/** GET on the local server; resolves with the status code and body (never rejects: 0 when nothing answers). */
export function localGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: LAB_HOST, port, path: urlPath, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve({ status: 0, body: "" }));
  });
}

/** Polls /api/status with the token until the server answers 200; rejects when the server exits first or after `ms`. */
async function waitReady(
  child: ChildProcess,
  port: number,
  token: string,
  output: () => string,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = output().trim().split("\n").slice(-15).join("\n");
      throw new Error(`the Notebook server exited (${child.exitCode ?? child.signalCode}) before answering:\n${tail}`);
    }
    if ((await localGet(port, `/api/status?token=${token}`)).status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the Notebook server did not answer on ${LAB_HOST}:${port} within ${ms / 1000} s`);
}

type ServerExit = { code: number | null; signal: NodeJS.Signals | null };

/**
 * Starts the server, relaying its output to `log` and keeping the last 20 kB for error messages. stdin is not a
 * terminal, so the server's own Ctrl-C handling stops at once instead of asking "Shutdown this notebook server
 * (y/[n])?"; the token travels in the environment, not in `ps`.
 */
function startServer(
  python: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (text: string) => void,
): { child: ChildProcess; output: () => string; exited: Promise<ServerExit> } {
  const child = spawn(python, args, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const relay = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    log(chunk.toString());
  };
  child.stdout?.on("data", relay);
  child.stderr?.on("data", relay);
  const exited = new Promise<ServerExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/**
 * Stops the server on Ctrl-C, SIGTERM or SIGHUP. A terminal's Ctrl-C reaches the server too (same process group):
 * give it a moment to stop by itself, then ask with SIGTERM, then kill. A second Ctrl-C kills at once. `asked`
 * says whether a stop was asked; `release` removes the handlers and timers.
 */
function stopOnSignals(
  child: ChildProcess,
  log: (text: string) => void,
): { asked: () => boolean; release: () => void } {
  let stopping = false;
  const timers: NodeJS.Timeout[] = [];
  const onSignal = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (stopping) {
      child.kill("SIGKILL");
      return;
    }
    stopping = true;
    log(`starcluster lab: stopping the Notebook server (pid ${child.pid}) and its kernels ...\n`);
    timers.push(
      setTimeout(() => child.kill("SIGTERM"), 1500),
      setTimeout(() => child.kill("SIGKILL"), 20_000),
    );
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, onSignal);
  return {
    asked: () => stopping,
    release: () => {
      for (const t of timers) clearTimeout(t);
      for (const s of signals) process.off(s, onSignal);
    },
  };
}

/**
 * Starts the server and resolves with an exit code when it stops: 0 after Ctrl-C (SIGINT) or SIGTERM, the
 * server's own code if it stops by itself. Rejects when it cannot start.
 */
export async function runLab(options: LabOptions = {}): Promise<number> {
  const log = options.log ?? ((t: string) => process.stderr.write(t));
  const python = options.python ?? jupyterPython();

  // Step 1: check what is installed; install nothing.
  const version = notebookVersion(python);
  const jupyterPath = registerTslabKernel();

  // Step 2: a port, a token (JUPYTER_TOKEN if the user set one) and the environment the kernels inherit.
  const port = await freePort(options.port ?? 8888);
  const token = process.env.JUPYTER_TOKEN || crypto.randomBytes(24).toString("hex");
  // The project's spec first, so the notebooks' "tslab" is this checkout's even if another tslab is installed.
  // STARCLUSTER_LAB_ROOT tells the kernels' figures that plotly.js is served from the server's /files/.
  const env = {
    ...process.env,
    JUPYTER_TOKEN: token,
    JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    STARCLUSTER_LAB_ROOT: projectRoot,
  };

  // Step 3: start it; step 4: stop it on Ctrl-C, SIGTERM or SIGHUP.
  const args = labArgs({ port, uid: process.getuid?.(), browser: options.browser });
  const { child, output, exited } = startServer(python, args, env, log);
  const stop = stopOnSignals(child, log);

  try {
    // Step 5: wait until it answers with the token, then print the URL.
    await waitReady(child, port, token, output);
    const url = `http://${LAB_HOST}:${port}/tree/notebooks?token=${token}`;
    log(
      `starcluster lab: Jupyter Notebook ${version} serving ${projectRoot} with kernel "tslab" from ${jupyterPath}; Ctrl-C stops it\n`,
    );
    (options.onReady ?? ((u: string) => process.stdout.write(u + "\n")))(url);
    const { code, signal } = await exited;
    if (stop.asked()) return 0;
    log(`starcluster lab: the Notebook server stopped by itself (${code ?? signal})\n`);
    return code === 0 ? 0 : 1;
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    if (stop.asked()) return 0;
    throw e;
  } finally {
    stop.release();
  }
}
