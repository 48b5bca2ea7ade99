// Arithmetic in a benchmark: how many floating-point operations a piece of work does (counted from the kernels
// it runs) and how fast this CPU does them in a large convolution, so that a time can be read against what the
// machine allows. A figure measured on one CPU says little on another (a 2-core AMD EPYC with AVX512_BF16 and an
// Intel Xeon with AMX differ several-fold in bf16), so benchmarks print this beside their times.
import * as tf from "@tensorflow/tfjs";

const product = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * Floating-point operations (a multiply-add counts 2) of one kernel, from its input and output shapes: the
 * convolutions (NHWC activations, HWIO filters) and matrix products; 0 for anything else (element-wise kernels
 * do a few operations per element, negligible beside these).
 */
export function kernelFlops(name: string, inputShapes: number[][], outputShapes: number[][]): number {
  switch (name) {
    case "Conv2D":
    case "FusedConv2D": {
      const [kh, kw, ci] = inputShapes[1];
      return 2 * product(outputShapes[0]) * kh * kw * ci;
    }
    case "Conv2DBackpropInput": {
      // Inputs: dy, filter (HWIO); output dx: each of dy's elements meets kh * kw * ci filter taps, the products
      // of the forward pass that made dy (counted from dx instead, a stride-2 pass would count 4x).
      const [kh, kw, ci] = inputShapes[1];
      return 2 * product(inputShapes[0]) * kh * kw * ci;
    }
    case "Conv2DBackpropFilter": {
      // Inputs: x, dy; output dw [kh, kw, ci, co]: each of dy's elements meets kh * kw * ci inputs.
      const [kh, kw, ci] = outputShapes[0];
      return 2 * product(inputShapes[1]) * kh * kw * ci;
    }
    case "MatMul":
    case "BatchMatMul":
    case "_FusedMatMul": {
      // out [..., m, n]: each of a's m x k elements (per batch, transposed or not) meets n of b's.
      const out = outputShapes[0];
      return 2 * product(inputShapes[0]) * out[out.length - 1];
    }
    default:
      return 0;
  }
}

/** Floating-point operations of the kernels a tf.profile recorded. */
export function profileFlops(profile: Awaited<ReturnType<typeof tf.profile>>): number {
  return profile.kernels.reduce(
    (sum, k) => sum + kernelFlops(k.name, k.inputShapes as number[][], k.outputShapes as number[][]),
    0,
  );
}

/** Floating-point operations of the convolutions and matrix products `fn` runs. */
export async function flopsOf(fn: () => void): Promise<number> {
  return profileFlops(await tf.profile(fn));
}

/**
 * This CPU's rate in a large convolution, floating-point operations per second: 3x3, 256 -> 256 channels on
 * 28 x 28 (ResNet18's third stage at the paper's 224-299 px), batch 16, in the backend's current precision and
 * threads; the best of `repeats` after one warm-up. Convolutions of this size run near the implementation's peak.
 */
export function convolutionRate(repeats = 3): number {
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new Error(`convolutionRate: repeats must be >= 1 (got ${repeats})`);
  const x = tf.randomUniform([16, 28, 28, 256], -1, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 256, 256], -0.05, 0.05, "float32", 2) as tf.Tensor4D;
  const flops = 2 * 16 * 28 * 28 * 256 * 9 * 256;
  let best = Infinity;
  for (let i = 0; i <= repeats; i++) {
    const t = process.hrtime.bigint();
    const y = tf.conv2d(x, w, 1, "same");
    y.dataSync();
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    y.dispose();
    if (i > 0) best = Math.min(best, seconds);
  }
  tf.dispose([x, w]);
  return flops / best;
}
