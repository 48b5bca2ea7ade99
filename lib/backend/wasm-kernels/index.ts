// Kernels that training a conv net (ResNet18, VGG19-BN) needs and the tfjs wasm backend does not ship or ships
// slow. Found by running training steps on wasm: only Conv2DBackpropFilter was missing. Conv2DBackpropInput exists
// but is a plain loop, BatchMatMul is slow with transposed operands, and Conv2D repacks big filters at tiny
// outputs: faster paths wrap all three.
import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter";
import { plainBatchMatMulConfig } from "./batch-matmul";
import { smallOutputConv2DConfig } from "./conv2d";
import { fastConv2DBackpropInputConfig } from "./conv2d-backprop-input";

// Whether the training kernels are registered with tfjs (once per process).
let registered = false;

/** Registers the wasm training kernels; safe to call more than once. Call after importing the wasm backend. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const backpropInput = tf.getKernel("Conv2DBackpropInput", "wasm");
  if (!backpropInput) throw new Error("the wasm backend is not loaded: import @tensorflow/tfjs-backend-wasm first");
  tf.registerKernel(conv2DBackpropFilterConfig);
  tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel(fastConv2DBackpropInputConfig(backpropInput));
  const batchMatMul = tf.getKernel("BatchMatMul", "wasm")!;
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel(plainBatchMatMulConfig(batchMatMul));
  const conv2D = tf.getKernel("Conv2D", "wasm")!;
  tf.unregisterKernel("Conv2D", "wasm");
  tf.registerKernel(smallOutputConv2DConfig(conv2D));
  registered = true;
}
