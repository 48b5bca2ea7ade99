// The interactive route as a user takes it: `starcluster kernel install|list|remove` seen by Jupyter's own
// `jupyter kernelspec list`, the installed kernel running a notebook from another folder without node on PATH,
// and `starcluster lab` started from another folder answering with its token and stopping on SIGINT.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { labArgs } from "../../lib/notebooks/lab";
import { repoRoot, tempDir } from "../helpers";

const python = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";
const cli = path.join(repoRoot, "bin", "starcluster.js");

function has(module: string): boolean {
  return spawnSync(python, ["-c", `import ${module}`]).status === 0;
}
const noJupyter = has("jupyter_client")
  ? false
  : `jupyter-client is not installed for ${python} (scripts/setup-system.sh installs it)`;
const noNotebook = has("notebook")
  ? false
  : `Jupyter Notebook is not installed for ${python} (scripts/setup-system.sh installs jupyter-notebook)`;

// Commands run from a folder outside the checkout, as a user's would.
const elsewhere = tempDir();

function starcluster(args: string[], env: NodeJS.ProcessEnv = {}, cwd = elsewhere) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What Jupyter itself lists, as {name: resource_dir}. */
function jupyterKernels(env: NodeJS.ProcessEnv): Record<string, { resource_dir: string; spec: { argv: string[] } }> {
  const r = spawnSync(python, ["-m", "jupyter", "kernelspec", "list", "--json"], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).kernelspecs;
}

test("kernel install --prefix writes a spec Jupyter lists, with absolute argv; kernel list shows it; kernel remove removes it", {
  skip: noJupyter,
}, () => {
  const prefix = tempDir();
  const env = { JUPYTER_PATH: path.join(prefix, "share", "jupyter") };
  const installed = starcluster(["kernel", "install", "--prefix", prefix]);
  assert.equal(installed.code, 0, installed.stderr);
  const dir = path.join(prefix, "share", "jupyter", "kernels", "tslab");
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8"));
  assert.deepEqual(spec.argv.slice(2), ["kernel", "--config-path", "{connection_file}"]);
  assert.equal(spec.argv[0], process.execPath, "node by absolute path, not whatever `node` is on Jupyter's PATH");
  assert.equal(spec.argv[1], path.join(repoRoot, "node_modules", "tslab", "bin", "tslab"));
  for (const f of spec.argv.slice(0, 2)) assert.ok(path.isAbsolute(f) && fs.existsSync(f), f);
  assert.equal(spec.language, "typescript");

  const listed = jupyterKernels(env);
  assert.equal(listed.tslab?.resource_dir, dir);
  assert.deepEqual(listed.tslab.spec.argv, spec.argv);
  const line = starcluster(["kernel", "list"], env)
    .stdout.split("\n")
    .find((l) => l.startsWith("tslab "));
  assert.equal(line?.replace(/ +/g, " "), `tslab ${dir} (starcluster: ${repoRoot})`);

  // A second install is idempotent; another name installs beside it.
  assert.equal(starcluster(["kernel", "install", "--prefix", prefix]).code, 0);
  assert.equal(starcluster(["kernel", "install", "--prefix", prefix, "--name", "tslab-dev"]).code, 0);
  assert.deepEqual(
    Object.keys(jupyterKernels(env))
      .filter((k) => k.startsWith("tslab"))
      .sort(),
    ["tslab", "tslab-dev"],
  );

  const removed = starcluster(["kernel", "remove", "--prefix", prefix]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.ok(!fs.existsSync(dir));
  assert.equal(jupyterKernels(env).tslab, undefined);
  assert.ok(jupyterKernels(env)["tslab-dev"]);
  const again = starcluster(["kernel", "remove", "--prefix", prefix]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no kernel 'tslab' there/);
});

test("kernel install --user follows Jupyter's per-user folder; a spec another tool wrote is neither replaced nor removed without --force", {
  skip: noJupyter,
}, () => {
  const home = tempDir();
  const env = { HOME: home, JUPYTER_DATA_DIR: "", XDG_DATA_HOME: "", JUPYTER_PATH: "" };
  const r = starcluster(["kernel", "install", "--user", "--name", "ts-user"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    jupyterKernels(env)["ts-user"]?.resource_dir,
    path.join(home, ".local", "share", "jupyter", "kernels", "ts-user"),
  );

  const foreign = path.join(home, ".local", "share", "jupyter", "kernels", "other");
  fs.mkdirSync(foreign, { recursive: true });
  const tslabInstall = {
    argv: ["tslab", "kernel", "--config-path", "{connection_file}"],
    display_name: "T",
    language: "typescript",
  };
  fs.writeFileSync(path.join(foreign, "kernel.json"), JSON.stringify(tslabInstall));
  const refused = starcluster(["kernel", "install", "--name", "other"], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /holds another kernel 'other'.*--force/);
  assert.equal(starcluster(["kernel", "remove", "--name", "other"], env).code, 1);
  assert.ok(fs.existsSync(foreign));
  assert.equal(starcluster(["kernel", "remove", "--name", "ts-user"], env).code, 0);
  assert.equal(starcluster(["kernel", "install", "--user", "--prefix", home], env).code, 2, "one location at a time");
});

test("the installed kernel runs a notebook from another folder with no node on PATH", { skip: noJupyter }, () => {
  const prefix = tempDir();
  assert.equal(starcluster(["kernel", "install", "--prefix", prefix]).code, 0);
  const work = tempDir();
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript (tslab)", language: "typescript" } },
    cells: [
      {
        id: "c0",
        cell_type: "code",
        metadata: {},
        outputs: [],
        execution_count: null,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the notebook cell's own template literal
        source: "const n: number = 6 * 7;\nconsole.log(`answer ${n} in ${process.cwd()}`);",
      },
    ],
  };
  fs.writeFileSync(path.join(work, "t.ipynb"), JSON.stringify(nb));
  const script = path.join(repoRoot, "scripts", "execute_notebook.py");
  const r = spawnSync(python, [script, "t.ipynb", "out.ipynb", "out.html", "--timeout", "120"], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, PATH: path.join(work, "no-bin"), JUPYTER_PATH: path.join(prefix, "share", "jupyter") },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(fs.readFileSync(path.join(work, "out.ipynb"), "utf8"));
  assert.match(
    out.cells[0].outputs.map((o: { text?: string[] }) => (o.text ?? []).join("")).join(""),
    new RegExp(`answer 42 in ${work}`),
  );
});

test("lab passes --allow-root only as root and binds 127.0.0.1", () => {
  assert.ok(labArgs({ port: 9000, uid: 0 }).includes("--allow-root"));
  for (const uid of [1000, undefined]) assert.ok(!labArgs({ port: 9000, uid }).includes("--allow-root"));
  const args = labArgs({ port: 9000, uid: 1000 });
  assert.ok(args.includes("--ip=127.0.0.1") && args.includes("--port=9000") && args.includes("--no-browser"));
  assert.ok(args.includes(`--notebook-dir=${repoRoot}`));
});

test("lab, started from another folder, serves the notebooks and the tslab kernel with its token and stops on SIGINT", {
  skip: noNotebook,
  timeout: 90_000,
}, async () => {
  const runtime = tempDir();
  const child = spawn(process.execPath, [cli, "lab", "--port", "18888"], {
    cwd: elsewhere,
    env: { ...process.env, JUPYTER_RUNTIME_DIR: runtime, JUPYTER_TOKEN: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    // The URL is printed once the server answers.
    const url = await new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${stderr}`)), 60_000);
      const poll = setInterval(() => {
        const m = /^(http:\/\/127\.0\.0\.1:\d+\/tree\/notebooks\?token=\w+)$/m.exec(stdout);
        if (m || child.exitCode !== null) {
          clearInterval(poll);
          clearTimeout(timer);
          if (m) resolve(new URL(m[1]));
          else reject(new Error(`lab exited ${child.exitCode}:\n${stderr}`));
        }
      }, 100);
    });
    const token = url.searchParams.get("token") as string;
    assert.ok(token.length >= 32);
    const api = (p: string, init?: RequestInit) =>
      fetch(`${url.origin}${p}${p.includes("?") ? "&" : "?"}token=${token}`, init);

    assert.equal((await fetch(`${url.origin}/api/kernelspecs`)).status, 403, "no token, no access");
    const specs = (await (await api("/api/kernelspecs")).json()) as {
      kernelspecs: Record<string, { spec: { argv: string[] } }>;
    };
    assert.equal(specs.kernelspecs.tslab?.spec.argv[0], process.execPath);
    const contents = (await (await api("/api/contents/notebooks")).json()) as { content: { name: string }[] };
    assert.ok(
      contents.content.some((c) => c.name === "00-environment.ipynb"),
      "rooted at the checkout, whatever the current folder",
    );
    assert.equal((await fetch(url)).status, 200);

    // A kernel started through the server is shut down with it.
    const body = JSON.stringify({ name: "tslab" });
    const started = await api("/api/kernels", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    assert.equal(started.status, 201);
    const kernelPids = () =>
      spawnSync("pgrep", ["-f", runtime], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
    const deadline = Date.now() + 20_000;
    while (kernelPids().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(kernelPids().length, 1, "the tslab kernel process runs");

    child.kill("SIGINT");
    assert.equal(await exited, 0, stderr);
    assert.equal(kernelPids().length, 0, "no kernel left behind");
    await assert.rejects(fetch(url), "the server is gone");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
