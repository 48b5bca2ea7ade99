// The layers torchvision's ResNet and VGG use, as parameter specs plus pure tf functions (NHWC).
// Padding is explicit and symmetric, as PyTorch pads (tf's 'same' pads asymmetrically at stride 2);
// batch norm follows nn.BatchNorm2d (eps 1e-5, momentum 0.1) including its running-statistics update.
import * as tf from "@tensorflow/tfjs";
import { FUSED, hasFusedKernel } from "../backend/fused";
import { Init, Params, ParamSpec, torchvisionInit } from "./init";

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

export interface ForwardOptions {
  /** Training mode: batch statistics in batch norm (and the running statistics updated), dropout active. */
  training: boolean;
  /** Dropout probability of VGG's classifier (torchvision's `dropout` argument, default 0.5); ResNet has none. */
  dropout?: number;
  /** Seed of the dropout masks (training); without it tfjs draws them unseeded and a step is not reproducible. */
  dropoutSeed?: number;
}

const f32 = (name: string, shape: number[], init: Init, trainable = true): ParamSpec => ({
  name,
  shape,
  init,
  trainable,
  dtype: "float32",
});

export function conv2dSpecs(
  name: string,
  kernel: number,
  inChannels: number,
  outChannels: number,
  bias: boolean,
): ParamSpec[] {
  const specs = [
    f32(`${name}.weight`, [kernel, kernel, inChannels, outChannels], torchvisionInit.conv(kernel, outChannels)),
  ];
  if (bias) specs.push(f32(`${name}.bias`, [outChannels], torchvisionInit.convBias));
  return specs;
}

export function batchNorm2dSpecs(name: string, channels: number): ParamSpec[] {
  return [
    f32(`${name}.weight`, [channels], torchvisionInit.bnWeight),
    f32(`${name}.bias`, [channels], torchvisionInit.bnBias),
    f32(`${name}.running_mean`, [channels], torchvisionInit.runningMean, false),
    f32(`${name}.running_var`, [channels], torchvisionInit.runningVar, false),
    { name: `${name}.num_batches_tracked`, shape: [], init: { kind: "zeros" }, trainable: false, dtype: "int32" },
  ];
}

export function linearSpecs(
  name: string,
  inFeatures: number,
  outFeatures: number,
  init: { weight: Init; bias: Init },
): ParamSpec[] {
  return [f32(`${name}.weight`, [inFeatures, outFeatures], init.weight), f32(`${name}.bias`, [outFeatures], init.bias)];
}

export function param(p: Params, name: string): tf.Variable {
  const v = p.get(name);
  if (!v) throw new Error(`missing parameter '${name}'`);
  return v;
}

/** nn.Conv2d with symmetric zero padding; adds the bias when the layer has one. */
export function conv2d(p: Params, name: string, x: tf.Tensor4D, stride: number, padding: number): tf.Tensor4D {
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ];
  const y = tf.conv2d(x, param(p, `${name}.weight`) as tf.Tensor4D, stride, pad);
  const bias = p.get(`${name}.bias`);
  return bias ? (tf.add(y, bias) as tf.Tensor4D) : y;
}

/**
 * nn.BatchNorm2d. Training: normalise with the batch mean and biased variance, and move the running statistics
 * by momentum 0.1 towards the batch mean and the unbiased variance (n/(n-1)), as PyTorch does. Eval: running statistics.
 *
 * Training mode has its own gradient: dx = w/sigma * (dy - mean(dy) - xhat * mean(dy * xhat)), PyTorch's formula,
 * with per-channel means taken in two passes (see channelMean), or in one fused kernel summing in double where the
 * backend has one (onednn). tfjs's generic batchNorm + moments gradient sums
 * sequentially in float32 on wasm and lost 1e-3..1e-2 of the early layers' weight gradients in ResNet18 against
 * PyTorch (which accumulates these sums in double on CPU).
 */
export function batchNorm2d(p: Params, name: string, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  const weight = param(p, `${name}.weight`),
    bias = param(p, `${name}.bias`);
  const runningMean = param(p, `${name}.running_mean`),
    runningVar = param(p, `${name}.running_var`);
  if (!training) return tf.batchNorm(x, runningMean, runningVar, bias, weight, BN_EPS) as tf.Tensor4D;
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  if (n < 2)
    throw new Error(
      `batch norm '${name}': training needs more than 1 value per channel (got input shape [${x.shape}])`,
    );
  const fused = hasFusedKernel(FUSED.batchNormTrain);
  const forward = (input: tf.Tensor4D, w: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const { y, xhat, mean, variance, invStd } = fused ? fusedStatistics(input, w, b) : composedStatistics(input, w, b);
    tf.tidy(() => {
      runningMean.assign(tf.add(tf.mul(runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      runningVar.assign(tf.add(tf.mul(runningVar, 1 - BN_MOMENTUM), tf.mul(variance, (BN_MOMENTUM * n) / (n - 1))));
      const tracked = p.get(`${name}.num_batches_tracked`);
      tracked?.assign(tf.add(tracked, tf.scalar(1, "int32")));
    });
    save([xhat, invStd, w]);
    return {
      value: y,
      gradFunc: (g: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xh, inv, scale] = saved;
        if (fused)
          return tf
            .engine()
            .runKernel(FUSED.batchNormTrainGrad, { dy: g, xhat: xh, weight: scale, invStd: inv }) as tf.Tensor[];
        const meanDy = channelMean(g);
        const meanDyXhat = channelMean(tf.mul(g, xh) as tf.Tensor4D);
        const dx = tf.mul(tf.mul(scale, inv), tf.sub(tf.sub(g, meanDy), tf.mul(xh, meanDyXhat)));
        return [dx, tf.mul(meanDyXhat, n), tf.mul(meanDy, n)];
      },
    };
  };
  return tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad<tf.Tensor4D>>[0])(x, weight, bias);
}

interface BatchStatistics {
  y: tf.Tensor4D;
  xhat: tf.Tensor4D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  invStd: tf.Tensor1D;
}

/** Batch norm's training-mode forward from elementwise ops (any backend). */
function composedStatistics(input: tf.Tensor4D, w: tf.Tensor1D, b: tf.Tensor1D): BatchStatistics {
  const mean = channelMean(input);
  const centred = tf.sub(input, mean) as tf.Tensor4D;
  const variance = channelMean(tf.square(centred));
  const invStd = tf.rsqrt(tf.add(variance, BN_EPS)) as tf.Tensor1D;
  const xhat = tf.mul(centred, invStd) as tf.Tensor4D;
  return { y: tf.add(tf.mul(xhat, w), b) as tf.Tensor4D, xhat, mean, variance, invStd };
}

/** The same in one backend kernel (statistics summed in double), where the backend has it. */
function fusedStatistics(input: tf.Tensor4D, w: tf.Tensor1D, b: tf.Tensor1D): BatchStatistics {
  const [y, xhat, mean, variance, invStd] = tf
    .engine()
    .runKernel(FUSED.batchNormTrain, { x: input, weight: w, bias: b }, { eps: BN_EPS }) as tf.Tensor[];
  return {
    y: y as tf.Tensor4D,
    xhat: xhat as tf.Tensor4D,
    mean: mean as tf.Tensor1D,
    variance: variance as tf.Tensor1D,
    invStd: invStd as tf.Tensor1D,
  };
}

/**
 * Per-channel mean over batch, height and width, in two passes: the mean of the deviations from a first
 * estimate corrects it. A plain float32 sum of n terms of one sign is off by ~eps*sqrt(n) relative, which
 * matters where batch norm's gradient subtracts nearly equal quantities.
 */
function channelMean(t: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const rough = tf.mean(t, [0, 1, 2]);
    return tf.add(rough, tf.mean(tf.sub(t, rough), [0, 1, 2])) as tf.Tensor1D;
  });
}

/** nn.Linear on [batch, in] with the weight stored [in, out]. */
export function linear(p: Params, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, param(p, `${name}.weight`) as tf.Tensor2D), param(p, `${name}.bias`)) as tf.Tensor2D;
}

/**
 * nn.MaxPool2d: pad with -infinity (never the maximum), then pool 'valid', which gives PyTorch's floor output size.
 * Explicit rather than tf.maxPool's numeric padding, which the native TensorFlow backend rejects for pooling.
 * Caution: tfjs 4.22 wasm's MaxPoolGrad misroutes the gradient in windows whose maximum is negative; ResNet and VGG
 * pool ReLU outputs (>= 0), where it is exact (test/models/resnet.test.ts checks this).
 */
export function maxPool2d(x: tf.Tensor4D, kernel: number, stride: number, padding: number): tf.Tensor4D {
  return tf.tidy(() => {
    const padded =
      padding > 0
        ? tf.pad(
            x,
            [
              [0, 0],
              [padding, padding],
              [padding, padding],
              [0, 0],
            ],
            -Infinity,
          )
        : x;
    return tf.maxPool(padded, kernel, stride, "valid");
  });
}

/**
 * nn.AdaptiveAvgPool2d: output cell i averages input rows floor(i*H/out) .. ceil((i+1)*H/out) - 1, same for
 * columns. Windows may overlap (9 -> 7) or repeat inputs (2 -> 7). Done as two matrix products with
 * averaging matrices, so it is exact and differentiable.
 */
export function adaptiveAvgPool2d(x: tf.Tensor4D, outH: number, outW: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (h === outH && w === outW) return x;
  return tf.tidy(() => {
    const rows = tf.matMul(poolingMatrix(h, outH), tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c]));
    const byCol = tf.transpose(tf.reshape(rows, [outH, n, w, c]), [2, 1, 0, 3]); // [w, n, outH, c]
    const cols = tf.matMul(poolingMatrix(w, outW), tf.reshape(byCol, [w, n * outH * c]));
    return tf.transpose(tf.reshape(cols, [outW, n, outH, c]), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** [out, size] matrix whose row i averages PyTorch's adaptive window i. */
function poolingMatrix(size: number, out: number): tf.Tensor2D {
  const m = new Float32Array(out * size);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out),
      end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start);
  }
  return tf.tensor2d(m, [out, size]);
}
