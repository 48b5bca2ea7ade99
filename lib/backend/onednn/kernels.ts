// tfjs kernels for the "onednn" backend that run in the native addon on the tensors' own Float32Arrays (the
// storage is tfjs's pure-JS cpu backend). Each kernel handles the float32 NHWC cases the models produce and hands
// anything else (other dtypes, NCHW, shapes the addon does not cover) to the cpu backend's kernel of the same name.
import * as tf from "@tensorflow/tfjs";
import { conv2DInfo } from "../conv-info";
import { FUSED } from "../fused";
import type { OnednnAddon } from "./addon";
import { BinaryOp, pack, ReduceOp, UnaryOp } from "./contract";
import type { ArrayPool } from "./pool";

type Info = tf.TensorInfo;
type Args = Parameters<tf.KernelFunc>[0];
type Impl = (addon: OnednnAddon, args: Args, fallback: () => Info) => Info;
/** A kernel without a cpu counterpart, or with several outputs (an array; one output is returned bare). */
type CustomImpl = (addon: OnednnAddon, args: Args) => Info | Info[];

const { backend_util, util } = tf;

/** A float32 tensor's values (the cpu backend's own array), or undefined for other dtypes. */
function f32(backend: unknown, t: Info): Float32Array | undefined {
  if (t.dtype !== "float32") return undefined;
  const values = (backend as tf.MathBackendCPU).data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

function output(backend: unknown, shape: number[], values: Float32Array): Info {
  return (backend as tf.MathBackendCPU).makeTensorInfo(shape, "float32", values);
}

/** An output array of n floats from the backend's pool; its contents are unspecified: the kernel writes them all. */
function alloc(backend: unknown, n: number): Float32Array {
  return (backend as { pool: ArrayPool }).pool.take(n);
}

/**
 * The addon's convolution shape (contract.ts's conv layout). oneDNN wants out = (in + padBefore + padAfter - kernelExtent) / stride + 1 (floor)
 * exactly; tfjs's 'same' and 'valid' pads satisfy it, and a ceil-rounded output gets the extra padding after it
 * needs (zeros, as tfjs computes it).
 */
function convShape(info: tf.backend_util.Conv2DInfo): Int32Array {
  const { top, left } = info.padInfo;
  const fit = (inSize: number, out: number, stride: number, extent: number, before: number, after: number) =>
    Math.floor((inSize + before + after - extent) / stride) + 1 === out
      ? after
      : (out - 1) * stride + extent - inSize - before;
  const bottom = fit(
    info.inHeight,
    info.outHeight,
    info.strideHeight,
    info.effectiveFilterHeight,
    top,
    info.padInfo.bottom,
  );
  const right = fit(info.inWidth, info.outWidth, info.strideWidth, info.effectiveFilterWidth, left, info.padInfo.right);
  return pack("conv", {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    ci: info.inChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    co: info.outChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    pt: top,
    pb: bottom,
    pl: left,
    pr: right,
  });
}

const channelsLast = (dataFormat: unknown) =>
  backend_util.convertConv2DDataFormat(dataFormat as "NHWC" | "NCHW") === "channelsLast";

const conv2D: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { x, filter } = inputs as { x: Info; filter: Info };
  const a = attrs as unknown as tf.Conv2DAttrs;
  const xv = f32(backend, x),
    wv = f32(backend, filter);
  if (!xv || !wv || !channelsLast(a.dataFormat)) return fallback();
  const info = conv2DInfo(x.shape, filter.shape, a, a.dilations, "channelsLast");
  const shape = convShape(info);
  if (util.sizeFromShape(info.outShape) === 0) return fallback();
  const y = alloc(backend, util.sizeFromShape(info.outShape));
  addon.conv2d(xv, wv, y, shape);
  return output(backend, info.outShape, y);
};

const conv2DBackpropInput: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const dyv = f32(backend, dy),
    wv = f32(backend, filter);
  if (!dyv || !wv || !channelsLast(a.dataFormat)) return fallback();
  const info = conv2DInfo(a.inputShape, filter.shape, a, 1, "channelsLast");
  const shape = convShape(info);
  if (util.sizeFromShape(a.inputShape) === 0) return fallback();
  const dx = alloc(backend, util.sizeFromShape(a.inputShape));
  addon.conv2dBackpropInput(dyv, wv, dx, shape);
  return output(backend, [...a.inputShape], dx);
};

const conv2DBackpropFilter: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const xv = f32(backend, x),
    dyv = f32(backend, dy);
  if (!xv || !dyv || !channelsLast(a.dataFormat)) return fallback();
  const info = conv2DInfo(x.shape, a.filterShape, a, 1, "channelsLast");
  const shape = convShape(info);
  if (util.sizeFromShape(x.shape) === 0) return fallback();
  const dw = alloc(backend, util.sizeFromShape(a.filterShape));
  addon.conv2dBackpropFilter(xv, dyv, dw, shape);
  return output(backend, [...a.filterShape], dw);
};

/** BatchMatMul with batch dimensions equal, or broadcast from a batch of one on either side. */
const batchMatMul: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { a, b } = inputs as { a: Info; b: Info };
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const av = f32(backend, a),
    bv = f32(backend, b);
  if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return fallback();
  const ra = a.shape.length,
    rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2],
    k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2],
    n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return fallback(); // the cpu kernel words the error
  const batchA = util.sizeFromShape(a.shape.slice(0, -2)),
    batchB = util.sizeFromShape(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return fallback();
  const batchShape = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = util.sizeFromShape(batchShape);
  if (batch * m * n === 0 || k === 0) return fallback();
  const c = alloc(backend, batch * m * n);
  const shape = pack("matMul", {
    batch,
    m,
    n,
    k,
    trans_a: transposeA ? 1 : 0,
    trans_b: transposeB ? 1 : 0,
    a_batched: batchA > 1 ? 1 : 0,
    b_batched: batchB > 1 ? 1 : 0,
  });
  addon.matMul(av, bv, c, shape);
  return output(backend, [...batchShape, m, n], c);
};

function poolShape(info: tf.backend_util.Conv2DInfo): Int32Array {
  return pack("pool", {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    c: info.inChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    oh: info.outHeight,
    ow: info.outWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
  });
}

const maxPool: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { x } = inputs as { x: Info };
  const a = attrs as unknown as tf.MaxPoolAttrs;
  const xv = f32(backend, x);
  if (!xv || x.shape.length !== 4) return fallback();
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  if (util.sizeFromShape(info.outShape) === 0) return fallback();
  const y = alloc(backend, util.sizeFromShape(info.outShape));
  addon.maxPool(xv, y, poolShape(info));
  return output(backend, info.outShape, y);
};

const maxPoolGrad: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { dy, input } = inputs as { dy: Info; input: Info };
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  const dyv = f32(backend, dy),
    xv = f32(backend, input);
  if (!dyv || !xv || input.shape.length !== 4) return fallback();
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  if (util.sizeFromShape(input.shape) === 0) return fallback();
  const dx = alloc(backend, util.sizeFromShape(input.shape));
  addon.maxPoolGrad(dyv, xv, dx, poolShape(info));
  return output(backend, [...input.shape], dx);
};

/** The native binary op of each tfjs kernel (the addon numbers the ops: its `ops.binary`). */
const BINARY_KERNELS: Record<string, BinaryOp> = {
  Add: "Add",
  Sub: "Sub",
  Multiply: "Mul",
  RealDiv: "Div",
  SquaredDifference: "SquaredDifference",
  Maximum: "Maximum",
};
/** sc::MAX_DIMS (native/onednn/kernels.h): the most axes a strided op takes after merging (the addon checks). */
const MAX_DIMS = 6;

/**
 * Strides of each operand over the broadcast output shape (0 along broadcast axes), with neighbouring axes merged
 * wherever both operands are contiguous across them, so that e.g. NHWC + [C] becomes [N*H*W, C].
 */
export function broadcastStrides(
  aShape: number[],
  bShape: number[],
  outShape: number[],
): { shape: number[]; a: number[]; b: number[] } {
  const strides = (shape: number[]) => {
    const s = new Array<number>(outShape.length).fill(0);
    let step = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      const d = outShape.length - shape.length + i;
      s[d] = shape[i] === 1 ? 0 : step;
      step *= shape[i];
    }
    return s;
  };
  const shape = outShape.length ? [...outShape] : [1];
  const a = outShape.length ? strides(aShape) : [0];
  const b = outShape.length ? strides(bShape) : [0];
  for (let d = shape.length - 2; d >= 0; d--) {
    if (a[d] === a[d + 1] * shape[d + 1] && b[d] === b[d + 1] * shape[d + 1]) {
      shape[d] *= shape[d + 1];
      a[d] = a[d + 1];
      b[d] = b[d + 1];
      shape.splice(d + 1, 1);
      a.splice(d + 1, 1);
      b.splice(d + 1, 1);
    }
  }
  return { shape, a, b };
}

function binaryKernel(op: BinaryOp): Impl {
  return (addon, { inputs, backend }, fallback) => {
    const { a, b } = inputs as { a: Info; b: Info };
    const av = f32(backend, a),
      bv = f32(backend, b);
    if (!av || !bv) return fallback();
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = util.sizeFromShape(outShape);
    const layout = broadcastStrides(a.shape, b.shape, outShape);
    if (size === 0 || layout.shape.length > MAX_DIMS) return fallback();
    const out = alloc(backend, size);
    const code = addon.ops.binary[op];
    addon.binary(
      code,
      av,
      Int32Array.from(layout.a),
      bv,
      Int32Array.from(layout.b),
      out,
      Int32Array.from(layout.shape),
    );
    return output(backend, outShape, out);
  };
}

/** The tfjs kernels that are native unary ops of the same name. */
const UNARY_KERNELS: UnaryOp[] = ["Relu", "Step", "Neg", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Abs", "Reciprocal"];

function unaryKernel(op: UnaryOp): Impl {
  return (addon, { inputs, backend, attrs }, fallback) => {
    const { x } = inputs as { x: Info };
    const xv = f32(backend, x);
    if (!xv) return fallback();
    const out = alloc(backend, xv.length);
    addon.unary(addon.ops.unary[op], xv, out, (attrs as { alpha?: number } | undefined)?.alpha ?? 0);
    return output(backend, [...x.shape], out);
  };
}

/** The tfjs kernels that are native reductions of the same name. */
const REDUCE_KERNELS: ReduceOp[] = ["Sum", "Mean", "Max"];

/** Reductions over one run of consecutive axes (e.g. [0, 1, 2] of NHWC: batch-norm statistics). */
function reduceKernel(op: ReduceOp): Impl {
  return (addon, { inputs, backend, attrs }, fallback) => {
    const { x } = inputs as { x: Info };
    // Sum and Mean name their axes `axis`, Max `reductionIndices`.
    const { axis, reductionIndices, keepDims } = attrs as unknown as {
      axis?: number | number[];
      reductionIndices?: number | number[];
      keepDims: boolean;
    };
    const xv = f32(backend, x);
    if (!xv) return fallback();
    const axes = util.parseAxisParam((axis ?? reductionIndices) as number | number[], x.shape).sort((p, q) => p - q);
    const consecutive = axes.every((v, i) => i === 0 || v === axes[i - 1] + 1);
    if (axes.length === 0 || !consecutive || xv.length === 0) return fallback();
    const lo = axes[0],
      hi = axes[axes.length - 1];
    const outer = util.sizeFromShape(x.shape.slice(0, lo)),
      len = util.sizeFromShape(x.shape.slice(lo, hi + 1));
    const inner = util.sizeFromShape(x.shape.slice(hi + 1));
    const out = alloc(backend, outer * inner);
    addon.reduce(addon.ops.reduce[op], xv, out, pack("reduce", { outer, length: len, inner }));
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    return output(backend, keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, out);
  };
}

/** Strides of a dense row-major shape. */
function denseStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let i = shape.length - 1, step = 1; i >= 0; step *= shape[i], i--) s[i] = step;
  return s;
}

/** Copies the region `shape` between two strided layouts, merging axes where both are contiguous across them. */
function stridedCopy(
  addon: OnednnAddon,
  src: Float32Array,
  srcOffset: number,
  srcStrides: number[],
  dst: Float32Array,
  dstOffset: number,
  dstStrides: number[],
  regionShape: number[],
): void {
  const shape = [...regionShape],
    ss = [...srcStrides],
    ds = [...dstStrides];
  for (let d = shape.length - 2; d >= 0; d--) {
    if (ss[d] === ss[d + 1] * shape[d + 1] && ds[d] === ds[d + 1] * shape[d + 1]) {
      shape[d] *= shape[d + 1];
      ss[d] = ss[d + 1];
      ds[d] = ds[d + 1];
      for (const a of [shape, ss, ds]) a.splice(d + 1, 1);
    }
  }
  addon.copy(src, srcOffset, Int32Array.from(ss), dst, dstOffset, Int32Array.from(ds), Int32Array.from(shape));
}

/** Slices that are not one contiguous run (those the cpu kernel returns as views, without copying). */
const slice: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { x } = inputs as { x: Info };
  const { begin, size } = attrs as unknown as tf.SliceAttrs;
  const xv = f32(backend, x);
  if (!xv || x.shape.length === 0 || x.shape.length > MAX_DIMS) return fallback();
  const [start, extent] = backend_util.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  if (backend_util.slice_util.isSliceContinous(x.shape, start, extent) || util.sizeFromShape(extent) === 0)
    return fallback();
  const strides = denseStrides(x.shape);
  const out = alloc(backend, util.sizeFromShape(extent));
  stridedCopy(
    addon,
    xv,
    start.reduce((o, b, i) => o + b * strides[i], 0),
    strides,
    out,
    0,
    denseStrides(extent),
    extent,
  );
  return output(backend, extent, out);
};

/** SplitV as one strided copy per part (the cpu kernel copies element by element through TensorBuffers). */
const splitV: CustomImpl = (addon, args) => {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: Info };
  const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
  const xv = f32(backend, x);
  const cpuSplit = tf.getKernel("SplitV", "cpu")!.kernelFunc;
  if (!xv || x.shape.length === 0 || x.shape.length > MAX_DIMS || xv.length === 0) return cpuSplit(args);
  const ax = util.parseAxisParam(axis, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const strides = denseStrides(x.shape);
  let start = 0;
  return sizes.map((n) => {
    const shape = x.shape.map((d, i) => (i === ax ? n : d));
    const out = alloc(backend, util.sizeFromShape(shape));
    if (out.length) stridedCopy(addon, xv, start * strides[ax], strides, out, 0, denseStrides(shape), shape);
    start += n;
    return output(backend, shape, out);
  });
};

const padV2: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { x } = inputs as { x: Info };
  const { paddings, constantValue } = attrs as unknown as tf.PadV2Attrs;
  const xv = f32(backend, x);
  if (!xv || x.shape.length === 0 || x.shape.length > MAX_DIMS || xv.length === 0) return fallback();
  const outShape = x.shape.map((n, i) => paddings[i][0] + n + paddings[i][1]);
  const out = alloc(backend, util.sizeFromShape(outShape));
  out.fill(constantValue); // pooled arrays hold old values
  const strides = denseStrides(outShape);
  stridedCopy(
    addon,
    xv,
    0,
    denseStrides(x.shape),
    out,
    paddings.reduce((o, p, i) => o + p[0] * strides[i], 0),
    strides,
    x.shape,
  );
  return output(backend, outShape, out);
};

const transpose: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { x } = inputs as { x: Info };
  const { perm } = attrs as unknown as tf.TransposeAttrs;
  const xv = f32(backend, x);
  if (!xv || x.shape.length === 0 || x.shape.length > MAX_DIMS || xv.length === 0) return fallback();
  const outShape = perm.map((p) => x.shape[p]);
  const xStrides = denseStrides(x.shape);
  const out = alloc(backend, xv.length);
  stridedCopy(
    addon,
    xv,
    0,
    perm.map((p) => xStrides[p]),
    out,
    0,
    denseStrides(outShape),
    outShape,
  );
  return output(backend, outShape, out);
};

/**
 * Eval-mode batch norm (tf.batchNorm) with per-channel statistics of the last axis: y = x * a + b, with
 * a = scale / sqrt(variance + eps) and b = offset - mean * a computed per channel in double, in one native pass.
 */
const fusedBatchNorm: Impl = (addon, { inputs, backend, attrs }, fallback) => {
  const { x, mean, variance, scale, offset } = inputs as {
    x: Info;
    mean: Info;
    variance: Info;
    scale?: Info;
    offset?: Info;
  };
  const c = x.shape[x.shape.length - 1];
  const perChannel = (t?: Info) => !t || (t.shape.length === 1 && t.shape[0] === c && f32(backend, t) !== undefined);
  const xv = f32(backend, x);
  if (!xv || xv.length === 0 || ![mean, variance, scale, offset].every(perChannel)) return fallback();
  const eps = (attrs as { varianceEpsilon?: number }).varianceEpsilon ?? 0.001;
  const m = f32(backend, mean)!,
    v = f32(backend, variance)!;
  const s = scale ? f32(backend, scale)! : undefined,
    o = offset ? f32(backend, offset)! : undefined;
  const a = new Float32Array(c),
    b = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    a[j] = (s ? s[j] : 1) / Math.sqrt(v[j] + eps);
    b[j] = (o ? o[j] : 0) - m[j] * a[j];
  }
  const out = alloc(backend, xv.length);
  addon.scaleShift(xv, a, b, out);
  return output(backend, [...x.shape], out);
};

/** Every native kernel by tfjs kernel name. */
export const NATIVE_KERNELS: Record<string, Impl> = {
  Conv2D: conv2D,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  BatchMatMul: batchMatMul,
  MaxPool: maxPool,
  MaxPoolGrad: maxPoolGrad,
  Slice: slice,
  PadV2: padV2,
  Transpose: transpose,
  FusedBatchNorm: fusedBatchNorm,
  ...Object.fromEntries(Object.entries(BINARY_KERNELS).map(([name, op]) => [name, binaryKernel(op)])),
  ...Object.fromEntries(UNARY_KERNELS.map((name) => [name, unaryKernel(name)])),
  ...Object.fromEntries(REDUCE_KERNELS.map((name) => [name, reduceKernel(name)])),
};

/** The fused kernels of lib/backend/fused.ts (all inputs float32, as the callers guarantee). */
function values(backend: unknown, t: Info): Float32Array {
  const v = f32(backend, t);
  if (!v) throw new Error(`onednn fused kernel: expected a float32 tensor, got ${t.dtype}`);
  return v;
}

/**
 * Adam writes p, m and v in place when nothing but the variable holds their memory (refCount 1, not a view), and
 * returns them as new references to the same data, which Variable.assign then adopts: no allocation (each fresh
 * array is ~100 MB of zeroed pages per step for ResNet18) and half the memory traffic. Shared memory is never
 * written: new arrays then.
 */
const adamUpdate: CustomImpl = (addon, { inputs, backend, attrs }) => {
  const { p, m, v, g } = inputs as { p: Info; m: Info; v: Info; g: Info };
  const cpu = backend as tf.MathBackendCPU;
  const a = attrs as { beta1: number; beta2: number; eps: number; bc2Sqrt: number; stepSize: number };
  // A view into a larger buffer (the cpu backend's contiguous Slice), or memory a view was made of, is shared with
  // other tensors: not in place.
  const own = (t: Info) => {
    const v = values(cpu, t);
    return (
      cpu.refCount(t.dataId) === 1 &&
      v.byteOffset === 0 &&
      v.byteLength === v.buffer.byteLength &&
      !(backend as { pool: ArrayPool }).pool.shared(v)
    );
  };
  const target = (t: Info): Float32Array => (own(t) ? values(cpu, t) : alloc(backend, util.sizeFromShape(t.shape)));
  const out = [target(p), target(m), target(v)];
  // Float32Array rounds each scalar to float32, as tfjs does when an op is given a JS number.
  const scalars = pack("adam", {
    beta1: a.beta1,
    one_minus_beta1: 1 - a.beta1,
    beta2: a.beta2,
    one_minus_beta2: 1 - a.beta2,
    bc2_sqrt: a.bc2Sqrt,
    eps: a.eps,
    step_size: a.stepSize,
  });
  addon.adamUpdate(values(cpu, p), values(cpu, m), values(cpu, v), values(cpu, g), out[0], out[1], out[2], scalars);
  return [p, m, v].map((t, i) => {
    if (out[i] !== values(cpu, t)) return output(cpu, [...t.shape], out[i]);
    cpu.incRef(t.dataId);
    return { dataId: t.dataId, shape: [...t.shape], dtype: "float32" };
  });
};

const batchNormTrain: CustomImpl = (addon, { inputs, backend, attrs }) => {
  const { x, weight, bias } = inputs as { x: Info; weight: Info; bias: Info };
  const c = x.shape[x.shape.length - 1],
    size = util.sizeFromShape(x.shape);
  const [y, xhat] = [alloc(backend, size), alloc(backend, size)];
  const [mean, variance, invStd] = [alloc(backend, c), alloc(backend, c), alloc(backend, c)];
  addon.batchNormForward(
    values(backend, x),
    values(backend, weight),
    values(backend, bias),
    y,
    xhat,
    mean,
    variance,
    invStd,
    (attrs as { eps: number }).eps,
  );
  return [
    output(backend, [...x.shape], y),
    output(backend, [...x.shape], xhat),
    ...[mean, variance, invStd].map((t) => output(backend, [c], t)),
  ];
};

const batchNormTrainGrad: CustomImpl = (addon, { inputs, backend }) => {
  const { dy, xhat, weight, invStd } = inputs as { dy: Info; xhat: Info; weight: Info; invStd: Info };
  const c = dy.shape[dy.shape.length - 1];
  const [dx, dw, db] = [alloc(backend, util.sizeFromShape(dy.shape)), alloc(backend, c), alloc(backend, c)];
  addon.batchNormBackward(
    values(backend, dy),
    values(backend, xhat),
    values(backend, weight),
    values(backend, invStd),
    dx,
    dw,
    db,
  );
  return [output(backend, [...dy.shape], dx), output(backend, [c], dw), output(backend, [c], db)];
};

/** Native kernels with several outputs, registered under their tfjs names in place of the cpu ones. */
export const MULTI_OUTPUT_KERNELS: Record<string, CustomImpl> = { SplitV: splitV };

const reluGrad: CustomImpl = (addon, { inputs, backend }) => {
  const { dy, x } = inputs as { dy: Info; x: Info };
  const n = util.sizeFromShape(x.shape);
  const out = alloc(backend, n);
  const flat = Int32Array.of(n),
    contiguous = Int32Array.of(1);
  if (n > 0)
    addon.binary(addon.ops.binary.ReluGrad, values(backend, x), contiguous, values(backend, dy), contiguous, out, flat);
  return output(backend, [...x.shape], out);
};

export const CUSTOM_KERNELS: Record<string, CustomImpl> = {
  [FUSED.adam]: adamUpdate,
  [FUSED.batchNormTrain]: batchNormTrain,
  [FUSED.batchNormTrainGrad]: batchNormTrainGrad,
  [FUSED.reluGrad]: reluGrad,
};
