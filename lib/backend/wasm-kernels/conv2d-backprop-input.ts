// A faster Conv2DBackpropInput for the wasm backend. Its own kernel is a plain loop (a few GFLOP/s); this one runs
// XNNPACK convolutions instead. For stride 1 the input gradient is a convolution of dy with the filter flipped in
// space and its channel axes swapped. For stride s it splits into s*s phases (rows r with (r + padTop) mod s = py,
// columns likewise): each phase is a stride-1 convolution of dy with the taps kh = py (mod s) of that flipped filter,
// and the phases interleave back into dx (Concat on a new axis + Reshape). Preparing the filter costs time proportional to its size, so tiny
// batch x spatial sizes with big filters, and NCHW, run the backend's own kernel instead.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { runWasmKernel } from "./run";

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

export function fastConv2DBackpropInputConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: {
    inputs: tf.NamedTensorInfoMap;
    backend: tf.KernelBackend;
    attrs?: tf.NamedAttrMap;
  }): Info => {
    const backend = args.backend as BackendWasm;
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      dataFormat,
    );
    const fast = dataFormat === "channelsLast" && info.batchSize * info.inHeight * info.inWidth >= MIN_POSITIONS;
    if (!fast) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as Info;

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
    const [n, ci, co] = [info.batchSize, info.inChannels, info.outChannels];
    const ry = phaseRange(rows),
      rx = phaseRange(cols);
    const temps: Info[] = [];
    const keep = (t: Info) => (temps.push(t), t);
    const run = (name: string, inputs: tf.NamedTensorInfoMap | Info[], a: object = {}) =>
      keep(runWasmKernel(name, backend, inputs as tf.NamedTensorInfoMap, a as tf.NamedAttrMap));
    try {
      const swapped = run("Transpose", { x: filter }, { perm: [0, 1, 3, 2] }); // [KH, KW, Co, Ci]
      // Each tap [1, 1, Co, Ci] is one contiguous block: a phase's flipped sub-filter is its taps concatenated in
      // reverse order (wasm's Reverse and StridedSlice are ~10-20x slower than these copies).
      const tap = (kh: number, kw: number) =>
        run("Slice", { x: swapped }, { begin: [kh, kw, 0, 0], size: [1, 1, co, ci] });
      /** One phase: [N, ry.count, rx.count, Ci]. */
      const phase = (py: number, px: number): Info => {
        const ty = phaseTaps(rows, py),
          tx = phaseTaps(cols, px);
        if (ty.taps === 0 || tx.taps === 0)
          return run("Fill", {}, { shape: [n, ry.count, rx.count, ci], value: 0, dtype: "float32" });
        const taps: Info[] = [];
        for (let i = 0; i < ty.taps; i++)
          for (let j = 0; j < tx.taps; j++) taps.push(tap(ty.begin - rows.s * i, tx.begin - cols.s * j));
        const sub =
          taps.length === 1
            ? taps[0]
            : run("Reshape", { x: run("Concat", taps, { axis: 0 }) }, { shape: [ty.taps, tx.taps, co, ci] });
        // Output row i is phase row ry.first + i; dy rows before/after the range it needs are cropped (negative pads).
        const top = ty.taps - 1 - ry.first,
          bottom = ry.count - rows.m + ry.first;
        const left = tx.taps - 1 - rx.first,
          right = rx.count - cols.m + rx.first;
        let input = dy;
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
          const [cy, cx] = [Math.max(0, -top), Math.max(0, -left)];
          input = run(
            "Slice",
            { x: dy },
            {
              begin: [0, cy, cx, 0],
              size: [n, rows.m - cy - Math.max(0, -bottom), cols.m - cx - Math.max(0, -right), co],
            },
          );
        }
        return run(
          "Conv2D",
          { x: input, filter: sub },
          {
            strides: [1, 1],
            pad: [
              [0, 0],
              [Math.max(0, top), Math.max(0, bottom)],
              [Math.max(0, left), Math.max(0, right)],
              [0, 0],
            ],
            dataFormat: "NHWC",
            dilations: [1, 1],
            dimRoundingMode: undefined,
          },
        );
      };
      // Interleave: phases stacked on a new axis right after the one they split, then merged with it by a reshape.
      const interleave = (parts: Info[], axis: number): Info => {
        if (parts.length === 1) return parts[0];
        const shape = parts[0].shape;
        const expanded = parts.map((t) =>
          run("Reshape", { x: t }, { shape: [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)] }),
        );
        const stacked = run("Concat", expanded, { axis: axis + 1 });
        return run(
          "Reshape",
          { x: stacked },
          { shape: [...shape.slice(0, axis), shape[axis] * parts.length, ...shape.slice(axis + 1)] },
        );
      };
      const rowsOf = Array.from({ length: rows.s }, (_, py) =>
        interleave(
          Array.from({ length: cols.s }, (_, px) => phase(py, px)),
          2,
        ),
      );
      const full = interleave(rowsOf, 1);
      const exact = full.shape[1] === rows.n && full.shape[2] === cols.n && ry.offset === 0 && rx.offset === 0;
      const result = exact
        ? full
        : runWasmKernel(
            "Slice",
            backend,
            { x: full },
            { begin: [0, ry.offset, rx.offset, 0], size: [n, rows.n, cols.n, ci] },
          );
      if (exact) temps.splice(temps.indexOf(full), 1);
      return result;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  // setupFunc binds the original's C function when the backend starts: keep it.
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
