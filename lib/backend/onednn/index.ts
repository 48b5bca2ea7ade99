// The "onednn" tfjs backend: tfjs's pure-JS cpu backend (its tensor storage and every one of its kernels) with the
// heavy kernels replaced by native ones from the oneDNN addon. Tensors stay in the cpu backend's typed arrays,
// which the addon reads and writes in place, so nothing is copied between JS and native code.
import * as tf from "@tensorflow/tfjs";
import { loadOnednnAddon } from "./addon";
import { CUSTOM_KERNELS, NATIVE_KERNELS } from "./kernels";

export const ONEDNN_BACKEND = "onednn";
/** Below wasm (2) and the cpu backend (1): tfjs never picks it by itself; lib/backend/select.ts does. */
const PRIORITY = 0;

let registered: { nativeKernels: string[]; oneDNN: string } | undefined;

/**
 * Registers the backend (once) and sets its thread count. Returns the native kernel names and oneDNN's version,
 * or throws with the reason the addon is unavailable.
 */
export function registerOnednnBackend(threads: number): { nativeKernels: string[]; oneDNN: string; threads: number } {
  const { addon, reason } = loadOnednnAddon();
  if (!addon) throw new Error(reason);
  const used = addon.setThreads(threads);
  if (registered) return { ...registered, threads: used };
  tf.registerBackend(ONEDNN_BACKEND, () => {
    const backend = new tf.MathBackendCPU();
    // Its first write warns that tfjs-node would be faster: not true of this backend.
    (backend as unknown as { firstUse: boolean }).firstUse = false;
    return backend;
  }, PRIORITY);
  for (const config of tf.getKernelsForBackend("cpu")) {
    const impl = NATIVE_KERNELS[config.kernelName];
    const kernelFunc = impl
      ? ((args: Parameters<tf.KernelFunc>[0]) => impl(addon, args, () => config.kernelFunc(args) as tf.TensorInfo)) as tf.KernelFunc
      : config.kernelFunc;
    tf.registerKernel({ ...config, backendName: ONEDNN_BACKEND, kernelFunc });
  }
  for (const [kernelName, impl] of Object.entries(CUSTOM_KERNELS)) {
    tf.registerKernel({ kernelName, backendName: ONEDNN_BACKEND, kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => impl(addon, args)) as tf.KernelFunc });
  }
  const nativeKernels = [...Object.keys(NATIVE_KERNELS).filter((name) => tf.getKernel(name, "cpu")), ...Object.keys(CUSTOM_KERNELS)].sort();
  registered = { nativeKernels, oneDNN: addon.version() };
  return { ...registered, threads: used };
}
