// The "onednn" tfjs backend: tfjs's pure-JS cpu backend (its tensor storage and every one of its kernels) with the
// heavy kernels replaced by native ones from the oneDNN addon. Tensors stay in the cpu backend's typed arrays,
// which the addon reads and writes in place, so nothing is copied between JS and native code.
import * as tf from "@tensorflow/tfjs";
import { registerReluGradient } from "../fused";
import { loadOnednnAddon } from "./addon";
import { CUSTOM_KERNELS, MULTI_OUTPUT_KERNELS, NATIVE_KERNELS } from "./kernels";
import { ArrayPool } from "./pool";

export const ONEDNN_BACKEND = "onednn";
/** Below wasm (2) and the cpu backend (1): tfjs never picks it by itself; lib/backend/select.ts does. */
const PRIORITY = 0;

/** The most memory the backend keeps for reuse in its array pool. */
const POOL_BYTES = 2 ** 31;

/**
 * The cpu backend, except that reading a tensor returns a copy (as the wasm and tfjs-node backends do): the fused
 * Adam kernel updates variables in place and native kernels recycle arrays (pool.ts), so an array handed out
 * earlier must not change under the caller. Every data entry's array passes the pool on its way in and out.
 */
class OnednnBackend extends tf.MathBackendCPU {
  readonly pool = new ArrayPool(POOL_BYTES);

  constructor() {
    super();
    // Its first write warns that tfjs-node would be faster: not true of this backend.
    (this as unknown as { firstUse: boolean }).firstUse = false;
    const data = this.data;
    const set = data.set.bind(data),
      remove = data.delete.bind(data);
    data.set = (dataId, value) => {
      this.pool.held(value.values);
      set(dataId, value);
    };
    data.delete = (dataId) => {
      const values = data.has(dataId) ? data.get(dataId).values : undefined;
      const deleted = remove(dataId);
      this.pool.released(values);
      return deleted;
    };
  }
  override readSync(dataId: object): tf.backend_util.BackendValues {
    const values = super.readSync(dataId);
    return values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array
      ? values.slice()
      : values;
  }
  override async read(dataId: object): Promise<tf.backend_util.BackendValues> {
    return this.readSync(dataId);
  }
}

// Set once the backend and its kernels are registered with tfjs (tfjs keeps them for the process; one value).
let registered: { nativeKernels: string[]; oneDNN: string; bf16: boolean } | undefined;

/**
 * Registers the backend (once) and sets its thread count. Returns the native kernel names, oneDNN's version and
 * whether the CPU runs bf16 convolutions, or throws with the reason the addon is unavailable.
 */
export function registerOnednnBackend(threads: number): {
  nativeKernels: string[];
  oneDNN: string;
  bf16: boolean;
  threads: number;
} {
  const { addon, reason } = loadOnednnAddon();
  if (!addon) throw new Error(reason);
  const used = addon.setThreads(threads);
  if (registered) return { ...registered, threads: used };
  addon.retainFreedMemory();
  tf.registerBackend(ONEDNN_BACKEND, () => new OnednnBackend(), PRIORITY);
  for (const config of tf.getKernelsForBackend("cpu")) {
    if (MULTI_OUTPUT_KERNELS[config.kernelName]) continue; // registered below
    const impl = NATIVE_KERNELS[config.kernelName];
    const kernelFunc = impl
      ? (((args: Parameters<tf.KernelFunc>[0]) =>
          impl(addon, args, () => config.kernelFunc(args) as tf.TensorInfo)) as tf.KernelFunc)
      : config.kernelFunc;
    tf.registerKernel({ ...config, backendName: ONEDNN_BACKEND, kernelFunc });
  }
  for (const [kernelName, impl] of Object.entries({ ...MULTI_OUTPUT_KERNELS, ...CUSTOM_KERNELS })) {
    tf.registerKernel({
      kernelName,
      backendName: ONEDNN_BACKEND,
      kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => impl(addon, args)) as tf.KernelFunc,
    });
  }
  const nativeKernels = [
    ...Object.keys(NATIVE_KERNELS).filter((name) => tf.getKernel(name, "cpu")),
    ...Object.keys(MULTI_OUTPUT_KERNELS),
    ...Object.keys(CUSTOM_KERNELS),
  ].sort();
  registerReluGradient();
  registered = { nativeKernels, oneDNN: addon.version(), bf16: addon.bf16Supported() };
  return { ...registered, threads: used };
}
