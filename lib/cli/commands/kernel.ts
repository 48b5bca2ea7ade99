// `starcluster kernel install|list|remove`: the tslab kernel of this checkout in the user's own Jupyter (or VS Code).
import { UsageError } from "../args";
import { defineCommand } from "../command";
import { DEFAULT_KERNEL_NAME, installKernel, KernelLocation, listKernels, removeKernel } from "../../notebooks/kernel";

const locationOptions = {
  user: { type: "boolean", help: "the per-user kernels folder, ~/.local/share/jupyter/kernels (the default)" },
  "sys-prefix": {
    type: "boolean",
    help: "sys.prefix/share/jupyter/kernels of the Python that runs Jupyter (STARCLUSTER_PYTHON)",
  },
  prefix: { type: "string", help: "DIR/share/jupyter/kernels" },
  name: { type: "string", default: DEFAULT_KERNEL_NAME, help: "kernel name; the notebooks ask for 'tslab'" },
  force: { type: "boolean", help: "replace or remove a kernel spec of that name that starcluster did not write" },
} as const;

function location(options: { user: boolean; "sys-prefix": boolean; prefix?: string }): KernelLocation {
  const chosen = [options.user, options["sys-prefix"], options.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError("choose one of --user, --sys-prefix and --prefix DIR");
  if (options.prefix !== undefined) return { kind: "prefix", dir: options.prefix };
  if (options["sys-prefix"]) return { kind: "sys-prefix" };
  return { kind: "user" };
}

export const kernelInstallCommand = defineCommand({
  name: "kernel install",
  summary:
    "Register this checkout's tslab kernel in a Jupyter kernels folder (argv with absolute node and tslab paths).",
  options: { ...locationOptions, "display-name": { type: "string", help: "name shown in Jupyter's kernel menu" } },
  async run({ options }) {
    const r = installKernel(location(options), options.name, {
      displayName: options["display-name"],
      force: options.force,
    });
    const old = r.replaced?.metadata?.starcluster?.checkout;
    const was = r.replaced ? ` (replaced ${old ? "the spec of " + old : "another spec"})` : "";
    console.log(`installed kernel '${options.name}' ("${r.spec.display_name}") in ${r.dir}${was}`);
    console.log(`  argv: ${r.spec.argv.join(" ")}`);
  },
});

export const kernelListCommand = defineCommand({
  name: "kernel list",
  summary: "List the kernel specs on Jupyter's search path, marking the ones starcluster installed and their checkout.",
  options: { json: { type: "boolean", help: "print JSON" } },
  async run({ options }) {
    const kernels = listKernels();
    if (options.json) {
      console.log(JSON.stringify(kernels, null, 2));
      return;
    }
    if (kernels.length === 0) console.log("no kernel specs found (install one with 'starcluster kernel install')");
    const width = Math.max(4, ...kernels.map((k) => k.name.length)) + 2;
    for (const k of kernels) {
      const notes = [
        k.checkout ? `starcluster: ${k.checkout}` : "",
        k.shadowed ? "hidden by an earlier folder" : "",
        k.problem ? `BROKEN: ${k.problem}` : "",
      ].filter(Boolean);
      console.log(`${k.name.padEnd(width)}${k.dir}${notes.length ? "  (" + notes.join("; ") + ")" : ""}`);
    }
  },
});

export const kernelRemoveCommand = defineCommand({
  name: "kernel remove",
  summary: "Remove a kernel spec that 'starcluster kernel install' wrote (same location options).",
  options: locationOptions,
  async run({ options }) {
    const dir = removeKernel(location(options), options.name, { force: options.force });
    if (!dir) {
      console.error(
        `starcluster kernel remove: no kernel '${options.name}' there; 'starcluster kernel list' shows where kernels are`,
      );
      return 1;
    }
    console.log(`removed ${dir}`);
    return 0;
  },
});
