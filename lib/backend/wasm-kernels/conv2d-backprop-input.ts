// A faster Conv2DBackpropInput for the wasm backend. Its own kernel is a plain loop (a few GFLOP/s); this one runs
// XNNPACK convolutions instead. For stride 1 the input gradient is a convolution of dy with the filter flipped in
// space and its channel axes swapped. For stride s it splits into s*s phases (rows r with (r + padTop) mod s = py,
// columns likewise): each phase is a stride-1 convolution of dy with the taps kh = py (mod s) of that flipped filter,
// and the phases interleave back into dx (Concat on a new axis + Reshape). Preparing the filter costs time proportional to its size, so tiny
// batch x spatial sizes with big filters, and NCHW, run the backend's own kernel instead.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { conv2DInfo } from "../conv-info";
import { Run, runWasmKernel, withIntermediates } from "./run";

type Info = tf.TensorInfo;

/** Below this many input positions (N*H*W) preparing the filter costs more than the loop kernel (measured). */
const MIN_POSITIONS = 96;

/** One axis of the phase decomposition: for stride s, kernel k, padding before p, input size n and output size m. */
interface Axis {
  s: number;
  k: number;
  p: number;
  n: number;
  m: number;
}

/** First phase row index, rows per phase, and the offset of dx's first row in the interleaved result. */
function phaseRange(a: Axis) {
  const first = Math.floor(a.p / a.s);
  return { first, count: Math.ceil((a.p + a.n) / a.s) - first, offset: a.p - first * a.s };
}

/** Taps of phase q (kh = q mod s): how many, and the last of them, the flipped sub-filter's first. */
function phaseTaps(a: Axis, q: number) {
  const taps = q < a.k ? Math.ceil((a.k - q) / a.s) : 0;
  return { taps, begin: q + a.s * (taps - 1) };
}

/** What every phase of one call needs: the runner, dy, the swapped filter, both axes and the channel counts. */
interface Phases {
  run: Run;
  dy: Info;
  /** The filter as [KH, KW, Co, Ci]. */
  swapped: Info;
  rows: Axis;
  cols: Axis;
  n: number;
  ci: number;
  co: number;
}

/** The convolution's geometry, or null when the backend's own kernel is the better choice (NCHW, tiny inputs). */
function fastGeometry(filter: Info, attrs: tf.Conv2DBackpropInputAttrs) {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = conv2DInfo(attrs.inputShape, filter.shape, attrs, 1, dataFormat);
  if (dataFormat !== "channelsLast" || info.batchSize * info.inHeight * info.inWidth < MIN_POSITIONS) return null;
  const rows: Axis = {
    s: info.strideHeight,
    k: info.filterHeight,
    p: info.padInfo.top,
    n: info.inHeight,
    m: info.outHeight,
  };
  const cols: Axis = {
    s: info.strideWidth,
    k: info.filterWidth,
    p: info.padInfo.left,
    n: info.inWidth,
    m: info.outWidth,
  };
  return { rows, cols, n: info.batchSize, ci: info.inChannels, co: info.outChannels };
}

/**
 * A phase's flipped sub-filter [taps_y, taps_x, Co, Ci]: its taps concatenated in reverse order. Each tap
 * [1, 1, Co, Ci] is one contiguous block (wasm's Reverse and StridedSlice are ~10-20x slower than these copies).
 */
function phaseFilter(p: Phases, ty: { taps: number; begin: number }, tx: { taps: number; begin: number }): Info {
  const taps: Info[] = [];
  for (let i = 0; i < ty.taps; i++) {
    for (let j = 0; j < tx.taps; j++) {
      const [kh, kw] = [ty.begin - p.rows.s * i, tx.begin - p.cols.s * j];
      taps.push(p.run("Slice", { x: p.swapped }, { begin: [kh, kw, 0, 0], size: [1, 1, p.co, p.ci] }));
    }
  }
  if (taps.length === 1) return taps[0];
  return p.run("Reshape", { x: p.run("Concat", taps, { axis: 0 }) }, { shape: [ty.taps, tx.taps, p.co, p.ci] });
}

/** Phase (py, px) of dx: [N, ry.count, rx.count, Ci], a stride-1 convolution of dy with its sub-filter. */
function phase(p: Phases, py: number, px: number): Info {
  const ry = phaseRange(p.rows),
    rx = phaseRange(p.cols);
  const ty = phaseTaps(p.rows, py),
    tx = phaseTaps(p.cols, px);
  if (ty.taps === 0 || tx.taps === 0) {
    return p.run("Fill", {}, { shape: [p.n, ry.count, rx.count, p.ci], value: 0, dtype: "float32" });
  }
  const sub = phaseFilter(p, ty, tx);
  // Output row i is phase row ry.first + i; dy rows before/after the range it needs are cropped (negative pads).
  const top = ty.taps - 1 - ry.first,
    bottom = ry.count - p.rows.m + ry.first;
  const left = tx.taps - 1 - rx.first,
    right = rx.count - p.cols.m + rx.first;
  let input = p.dy;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [cy, cx] = [Math.max(0, -top), Math.max(0, -left)];
    const size = [p.n, p.rows.m - cy - Math.max(0, -bottom), p.cols.m - cx - Math.max(0, -right), p.co];
    input = p.run("Slice", { x: p.dy }, { begin: [0, cy, cx, 0], size });
  }
  const pad = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  const attrs = { strides: [1, 1], pad, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: undefined };
  return p.run("Conv2D", { x: input, filter: sub }, attrs);
}

/** Phases stacked on a new axis right after the one they split, then merged with it by a reshape. */
function interleave(run: Run, parts: Info[], axis: number): Info {
  if (parts.length === 1) return parts[0];
  const shape = parts[0].shape;
  const expanded = parts.map((t) =>
    run("Reshape", { x: t }, { shape: [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)] }),
  );
  const stacked = run("Concat", expanded, { axis: axis + 1 });
  const merged = [...shape.slice(0, axis), shape[axis] * parts.length, ...shape.slice(axis + 1)];
  return run("Reshape", { x: stacked }, { shape: merged });
}

/** dx for NHWC input: every phase, interleaved along columns then rows, cropped to the input's rows and columns. */
function backpropInput(
  backend: BackendWasm,
  dy: Info,
  filter: Info,
  g: NonNullable<ReturnType<typeof fastGeometry>>,
): Info {
  return withIntermediates(backend, (run, keep) => {
    const swapped = run("Transpose", { x: filter }, { perm: [0, 1, 3, 2] });
    const p: Phases = { run, dy, swapped, ...g };
    const rowsOf = Array.from({ length: g.rows.s }, (_, py) =>
      interleave(
        run,
        Array.from({ length: g.cols.s }, (_, px) => phase(p, py, px)),
        2,
      ),
    );
    const full = interleave(run, rowsOf, 1);
    const [ry, rx] = [phaseRange(g.rows), phaseRange(g.cols)];
    const exact = full.shape[1] === g.rows.n && full.shape[2] === g.cols.n && ry.offset === 0 && rx.offset === 0;
    if (exact) return keep(full);
    const size = [g.n, g.rows.n, g.cols.n, g.ci];
    return runWasmKernel("Slice", backend, { x: full }, { begin: [0, ry.offset, rx.offset, 0], size });
  });
}

export function fastConv2DBackpropInputConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }) => {
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const geometry = fastGeometry(filter, args.attrs as unknown as tf.Conv2DBackpropInputAttrs);
    if (!geometry) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as Info;
    return backpropInput(args.backend as BackendWasm, dy, filter, geometry);
  };
  // setupFunc binds the original's C function when the backend starts: keep it.
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
