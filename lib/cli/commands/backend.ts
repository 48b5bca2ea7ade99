import { BACKENDS, initBackend } from "../../backend/select";
import { defineCommand } from "../command";

export const backendCommand = defineCommand({
  name: "backend",
  summary: "Initialise the TensorFlow.js backend and print it as JSON: {backend, tfjs, threads, simd} (+ nativeKernels, oneDNN for onednn).",
  options: {
    backend: { type: "string", choices: ["auto", ...BACKENDS], help: "force a backend (else STARCLUSTER_BACKEND, else auto)" },
    threads: { type: "integer", min: 1, help: "onednn/wasm threads (else STARCLUSTER_THREADS, else the number of cores)" },
  },
  async run({ options }) {
    const info = await initBackend({ backend: options.backend, threads: options.threads });
    const out: Record<string, unknown> = { backend: info.backend, tfjs: info.tfjs, threads: info.threads, simd: info.simd };
    if (info.nativePackage) out.package = info.nativePackage;
    if (info.nativeKernels) Object.assign(out, { oneDNN: info.oneDNN, nativeKernels: info.nativeKernels });
    process.stdout.write(JSON.stringify(out) + "\n");
  },
});
