import { BACKENDS, initBackend, PRECISIONS } from "../../backend/select";
import { defineCommand } from "../command";

export const backendCommand = defineCommand({
  name: "backend",
  summary:
    "Initialise the TensorFlow.js backend and print it as JSON: {backend, tfjs, threads, simd, precision} (+ nativeKernels, oneDNN, bf16 for onednn).",
  options: {
    backend: {
      type: "string",
      choices: ["auto", ...BACKENDS],
      help: "force a backend (else STARCLUSTER_BACKEND, else auto)",
    },
    threads: {
      type: "integer",
      min: 1,
      help: "onednn/wasm threads (else STARCLUSTER_THREADS, else the number of cores)",
    },
    precision: {
      type: "string",
      choices: PRECISIONS,
      default: "fp32",
      help: "convolutions in fp32 or bf16 (onednn on a CPU with bf16)",
    },
  },
  async run({ options }) {
    const info = await initBackend({
      backend: options.backend,
      threads: options.threads,
      precision: options.precision,
    });
    const out: Record<string, unknown> = {
      backend: info.backend,
      tfjs: info.tfjs,
      threads: info.threads,
      simd: info.simd,
      precision: info.precision,
    };
    if (info.nativePackage) out.package = info.nativePackage;
    if (info.nativeKernels)
      Object.assign(out, { oneDNN: info.oneDNN, bf16: info.bf16, nativeKernels: info.nativeKernels });
    process.stdout.write(JSON.stringify(out) + "\n");
  },
});
