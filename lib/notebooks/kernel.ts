// The tslab kernel spec of this checkout: one definition, written to the project-local .jupyter/ (headless runs,
// `starcluster lab`) or installed into a standard Jupyter kernels folder (`starcluster kernel install`).
//
// argv names the node executable and this checkout's tslab by absolute path, so the kernel starts whatever the
// server's current folder and whether or not `node` is on Jupyter's PATH (VS Code and desktop launchers often
// start Jupyter with a PATH without nvm's node).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import { projectRoot } from "../util/paths";
import { settings } from "../util/settings";

/** The name the committed notebooks ask for in their metadata (kernelspec.name). */
export const DEFAULT_KERNEL_NAME = "tslab";
export const DEFAULT_DISPLAY_NAME = "TypeScript (tslab)";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  metadata: { starcluster: { checkout: string; node: string } };
}

/** Where a kernel spec goes, as `jupyter kernelspec install` names it. */
export type KernelLocation =
  | { kind: "user" }
  | { kind: "sys-prefix"; python?: string }
  | { kind: "prefix"; dir: string }
  | { kind: "project" };

/** This checkout's tslab entry script (a JS file run by node, not the .bin shim that relies on `env node`). */
export function tslabScript(): string {
  const script = path.join(projectRoot, "node_modules", "tslab", "bin", "tslab");
  if (!fs.existsSync(script))
    throw new Error(`tslab not found at ${script}: run 'npm ci' (or scripts/setup.sh) in ${projectRoot}`);
  return script;
}

export function kernelSpec(displayName = DEFAULT_DISPLAY_NAME): KernelSpec {
  return {
    argv: [process.execPath, tslabScript(), "kernel", "--config-path", "{connection_file}"],
    display_name: displayName,
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { starcluster: { checkout: projectRoot, node: process.version } },
  };
}

/** Jupyter's per-user data folder, by jupyter_core's rules (JUPYTER_DATA_DIR, else XDG on Linux, ~/Library on macOS). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return path.resolve(env.JUPYTER_DATA_DIR);
  const home = env.HOME || os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (process.platform === "win32") return path.join(env.APPDATA ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

/** The Python that has Jupyter: Debian's, unless STARCLUSTER_PYTHON names another (the python3 first on PATH may lack it). */
export function jupyterPython(): string {
  return settings().python;
}

/** sys.prefix of the Python that runs Jupyter (Debian: /usr), where `--sys-prefix` installs go. */
export function sysPrefix(python = jupyterPython()): string {
  const r = spawnSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      `cannot ask ${python} for sys.prefix (${r.error?.message ?? r.stderr.trim()}); set STARCLUSTER_PYTHON`,
    );
  }
  return r.stdout.trim();
}

/** The Jupyter data folder (holding kernels/) of a location. */
export function dataDir(location: KernelLocation): string {
  switch (location.kind) {
    case "user":
      return userDataDir();
    case "sys-prefix":
      return path.join(sysPrefix(location.python), "share", "jupyter");
    case "prefix":
      return path.join(path.resolve(location.dir), "share", "jupyter");
    case "project":
      return path.join(projectRoot, ".jupyter");
  }
}

export function kernelDir(location: KernelLocation, name = DEFAULT_KERNEL_NAME): string {
  if (!/^[a-z0-9._-]+$/i.test(name))
    throw new Error(`kernel name '${name}': use letters, digits, '.', '_' and '-' only (Jupyter's rule)`);
  return path.join(dataDir(location), "kernels", name.toLowerCase());
}

/** A kernel.json read back, or undefined when the folder holds none (or an unreadable one, reported as such). */
export function readKernelSpec(dir: string): (Partial<KernelSpec> & { error?: string }) | undefined {
  const file = path.join(dir, "kernel.json");
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    return { error: `unreadable kernel.json (${(e as Error).message})` };
  }
}

/** True when a spec was written by this project (any checkout). */
export function isStarclusterSpec(spec: Partial<KernelSpec> | undefined): boolean {
  return typeof spec?.metadata?.starcluster?.checkout === "string";
}

/** Writes the spec unless an identical one is there; returns whether it wrote. */
function writeSpec(dir: string, spec: KernelSpec): boolean {
  const text = JSON.stringify(spec, null, 2) + "\n";
  const file = path.join(dir, "kernel.json");
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return false;
  writeFileAtomic(file, text);
  return true;
}

/**
 * Registers the kernel in the project-local Jupyter folder (no IPython, no global state) and returns the
 * JUPYTER_PATH entry to use. Rewritten when stale (another node, a moved checkout), left alone otherwise.
 */
export function registerTslabKernel(): string {
  writeSpec(kernelDir({ kind: "project" }), kernelSpec());
  return dataDir({ kind: "project" });
}

export interface InstallResult {
  dir: string;
  spec: KernelSpec;
  replaced?: Partial<KernelSpec>;
}

/** Installs the kernel spec; refuses to replace a spec another tool installed under the same name unless `force`. */
export function installKernel(
  location: KernelLocation,
  name = DEFAULT_KERNEL_NAME,
  options: { displayName?: string; force?: boolean } = {},
): InstallResult {
  const dir = kernelDir(location, name);
  const existing = readKernelSpec(dir);
  if (existing && !isStarclusterSpec(existing) && !options.force) {
    throw new Error(
      `${dir} holds another kernel '${name}' (argv: ${JSON.stringify(existing.argv ?? existing.error)}); ` +
        "pass --force to replace it or --name to install beside it",
    );
  }
  const displayName =
    options.displayName ?? (name === DEFAULT_KERNEL_NAME ? DEFAULT_DISPLAY_NAME : `TypeScript (tslab, ${name})`);
  const spec = kernelSpec(displayName);
  writeSpec(dir, spec);
  return { dir, spec, replaced: existing };
}

/** Removes an installed spec; refuses one this project did not write unless `force`. Returns the folder, or undefined if none. */
export function removeKernel(
  location: KernelLocation,
  name = DEFAULT_KERNEL_NAME,
  options: { force?: boolean } = {},
): string | undefined {
  const dir = kernelDir(location, name);
  if (!fs.existsSync(dir)) return undefined;
  const spec = readKernelSpec(dir);
  if (!isStarclusterSpec(spec) && !options.force) {
    const what = JSON.stringify(spec?.argv ?? spec?.error ?? "no kernel.json");
    throw new Error(`${dir} was not installed by starcluster (argv: ${what}); pass --force to remove it`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

/**
 * Jupyter's kernel search path, highest priority first, as jupyter_core builds it: JUPYTER_PATH, the user folder,
 * sys.prefix (when the Jupyter Python answers), then the system folders.
 */
export function kernelSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env.JUPYTER_PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.resolve(d));
  dirs.push(userDataDir(env));
  try {
    dirs.push(path.join(sysPrefix(), "share", "jupyter"));
  } catch {
    // no Jupyter Python: its prefix holds no kernels of ours
  }
  if (process.platform !== "win32") dirs.push("/usr/local/share/jupyter", "/usr/share/jupyter");
  return [...new Set(dirs)].map((d) => path.join(d, "kernels"));
}

export interface ListedKernel {
  name: string;
  dir: string;
  displayName?: string;
  /** The checkout the spec starts, when this project wrote it. */
  checkout?: string;
  /** A later folder's spec of the same name, hidden by an earlier one (Jupyter uses the first). */
  shadowed: boolean;
  problem?: string;
}

/** Every kernel spec on Jupyter's search path; the ones this project wrote say which checkout and whether it still exists. */
export function listKernels(env: NodeJS.ProcessEnv = process.env): ListedKernel[] {
  const seen = new Set<string>();
  const out: ListedKernel[] = [];
  for (const kernels of kernelSearchPath(env)) {
    if (!fs.existsSync(kernels)) continue;
    for (const name of fs.readdirSync(kernels).sort()) {
      const dir = path.join(kernels, name);
      const spec = readKernelSpec(dir);
      if (!spec) continue;
      const checkout = spec.metadata?.starcluster?.checkout;
      let problem = spec.error;
      const argv = spec.argv ?? [];
      const missing = argv.slice(0, 2).filter((f) => !fs.existsSync(f));
      if (!problem && checkout && missing.length) problem = missing.map((f) => `${f} is missing`).join("; ");
      out.push({ name, dir, displayName: spec.display_name, checkout, shadowed: seen.has(name), problem });
      seen.add(name);
    }
  }
  return out;
}
