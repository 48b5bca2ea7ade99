// Every native kernel of the onednn backend against tfjs's pure-JS cpu backend (the reference), to 1e-4 relative,
// on hand-picked and seeded random shapes; the kernels' fallbacks to cpu; one small training step on both backends.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { broadcastStrides } from "../../lib/backend/onednn/kernels";
import { initBackend } from "../../lib/backend/select";
import {
  compareWithCpu,
  ConvCase,
  convOutShape,
  Inputs,
  onednnSkip,
  randomConvCases,
  randomValues,
  size,
  TOLERANCE,
} from "./kernel-check";

const skip = onednnSkip();

const CONV_CASES: ConvCase[] = [
  { name: "3x3 stride 1 same, batch 1", x: [1, 9, 7, 5], filter: [3, 3, 5, 6], strides: [1, 1], pad: "same" },
  {
    name: "3x3 stride 2 same (asymmetric padding)",
    x: [3, 10, 8, 3],
    filter: [3, 3, 3, 7],
    strides: [2, 2],
    pad: "same",
  },
  {
    name: "3x2 strides [2,1] valid, non-square",
    x: [2, 11, 9, 6],
    filter: [3, 2, 6, 5],
    strides: [2, 1],
    pad: "valid",
  },
  {
    name: "1x1 stride 2 on even size (last row unused)",
    x: [2, 12, 10, 5],
    filter: [1, 1, 5, 7],
    strides: [2, 2],
    pad: "valid",
  },
  { name: "1x1 stride 2 on odd size, batch 1", x: [1, 9, 7, 6], filter: [1, 1, 6, 9], strides: [2, 2], pad: "valid" },
  {
    name: "7x7 stride 2 explicit pad 3 (ResNet stem)",
    x: [2, 16, 14, 3],
    filter: [7, 7, 3, 5],
    strides: [2, 2],
    pad: [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
  },
  {
    name: "3x3 stride 2 explicit pad 1 (PyTorch style), odd channels",
    x: [3, 8, 9, 7],
    filter: [3, 3, 7, 3],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  {
    name: "3x3 stride 1 explicit asymmetric pad",
    x: [2, 7, 8, 5],
    filter: [3, 3, 5, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [0, 2],
      [1, 0],
      [0, 0],
    ],
  },
  // Outputs of <= 4 positions take the im2col + sgemm path.
  {
    name: "3x3 stride 1 on 2x2 (im2col), wide channels",
    x: [2, 2, 2, 33],
    filter: [3, 3, 33, 17],
    strides: [1, 1],
    pad: "same",
  },
  {
    name: "3x3 stride 2 explicit pad 1 to 2x2 (im2col), non-square input",
    x: [3, 4, 3, 5],
    filter: [3, 3, 5, 6],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  { name: "5x5 valid to 1x1 (im2col), batch 1", x: [1, 5, 5, 4], filter: [5, 5, 4, 3], strides: [1, 1], pad: "valid" },
  ...randomConvCases(10, 2024),
];

describe("onednn kernels match cpu", { skip }, () => {
  before(async () => {
    const info = await initBackend({ backend: "onednn", threads: 2 });
    assert.equal(info.backend, "onednn");
  });

  for (const [i, c] of CONV_CASES.entries()) {
    test(`Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter: ${c.name}`, async () => {
      const out = convOutShape(c);
      const x: [Float32Array, number[]] = [randomValues(size(c.x), 10 + i), c.x];
      const filter: [Float32Array, number[]] = [randomValues(size(c.filter), 20 + i), c.filter];
      const dy: [Float32Array, number[]] = [randomValues(size(out), 30 + i), out];
      const common = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dimRoundingMode: undefined };
      const checks: [string, Inputs, object, number[]][] = [
        ["Conv2D", { x, filter }, { ...common, dilations: [1, 1] }, out],
        ["Conv2DBackpropInput", { dy, filter }, { ...common, inputShape: c.x }, c.x],
        ["Conv2DBackpropFilter", { x, dy }, { ...common, filterShape: c.filter }, c.filter],
      ];
      for (const [kernel, inputs, attrs, shape] of checks) {
        const r = await compareWithCpu("onednn", kernel, inputs, attrs as tf.NamedAttrMap);
        assert.deepEqual(r.shape, shape, kernel);
        assert.ok(r.error <= TOLERANCE, `${kernel}: relative error ${r.error}`);
      }
    });
  }

  test("Conv2D with dilation 2 (stride 1), and ceil rounding that needs extra padding after", async () => {
    const x: [Float32Array, number[]] = [randomValues(2 * 11 * 10 * 4, 1), [2, 11, 10, 4]];
    const filter: [Float32Array, number[]] = [randomValues(3 * 3 * 4 * 5, 2), [3, 3, 4, 5]];
    for (const attrs of [
      { strides: [1, 1], pad: "same", dilations: [2, 2], dataFormat: "NHWC" },
      { strides: [1, 1], pad: "valid", dilations: [2, 1], dataFormat: "NHWC" },
      { strides: [2, 2], pad: 0, dilations: [1, 1], dataFormat: "NHWC", dimRoundingMode: "ceil" },
    ]) {
      const r = await compareWithCpu("onednn", "Conv2D", { x, filter }, attrs as unknown as tf.NamedAttrMap);
      assert.deepEqual(r.shape, r.refShape);
      assert.ok(r.error <= TOLERANCE, `${JSON.stringify(attrs)}: relative error ${r.error}`);
    }
  });

  const MATMUL_CASES: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 5, 7], [4, 7, 3], false, false],
    [[4, 7, 5], [1, 3, 7], true, true],
    [[1, 5, 7], [4, 7, 3], false, false],
    [[2, 3, 1, 9], [2, 3, 9, 1], false, false],
    [[16, 2000], [2000, 4], false, false],
  ];
  for (const [i, [a, b, transposeA, transposeB]] of MATMUL_CASES.entries()) {
    test(`BatchMatMul [${a}] x [${b}] transposeA ${transposeA} transposeB ${transposeB}`, async () => {
      const inputs: Inputs = { a: [randomValues(size(a), 40 + i), a], b: [randomValues(size(b), 50 + i), b] };
      const r = await compareWithCpu("onednn", "BatchMatMul", inputs, { transposeA, transposeB });
      assert.deepEqual(r.shape, r.refShape);
      assert.ok(r.error <= TOLERANCE, `relative error ${r.error}`);
    });
  }

  // negInf: the first two rows are -Infinity, as in ResNet's -Infinity padding, so some windows hold no finite value.
  const POOL_CASES: {
    name: string;
    x: number[];
    filterSize: [number, number];
    strides: [number, number];
    pad: "same" | "valid" | number;
    relu: boolean;
    negInf?: boolean;
  }[] = [
    {
      name: "3x3 stride 2 same on ReLU output (ties at zero)",
      x: [2, 9, 8, 5],
      filterSize: [3, 3],
      strides: [2, 2],
      pad: "same",
      relu: true,
    },
    {
      name: "2x2 stride 2 valid, odd size, negative values",
      x: [3, 7, 9, 3],
      filterSize: [2, 2],
      strides: [2, 2],
      pad: "valid",
      relu: false,
    },
    {
      name: "3x3 stride 1 explicit pad 1, batch 1",
      x: [1, 6, 5, 7],
      filterSize: [3, 3],
      strides: [1, 1],
      pad: 1,
      relu: false,
    },
    {
      name: "3x2 strides [1,2] valid on ReLU output",
      x: [2, 8, 8, 4],
      filterSize: [3, 2],
      strides: [1, 2],
      pad: "valid",
      relu: true,
    },
    {
      name: "2x2 stride 1 valid with -Infinity rows, 17 channels",
      x: [2, 6, 5, 17],
      filterSize: [2, 2],
      strides: [1, 1],
      pad: "valid",
      relu: true,
      negInf: true,
    },
  ];
  for (const [i, c] of POOL_CASES.entries()) {
    test(`MaxPool and MaxPoolGrad: ${c.name}`, async () => {
      const xv = randomValues(size(c.x), 60 + i).map((v) => (c.relu ? Math.max(0, v) : v));
      if (c.negInf) xv.fill(-Infinity, 0, 2 * c.x[2] * c.x[3]);
      const attrs = {
        filterSize: c.filterSize,
        strides: c.strides,
        pad: c.pad,
        dimRoundingMode: undefined,
      } as unknown as tf.NamedAttrMap;
      const y = await compareWithCpu("onednn", "MaxPool", { x: [xv, c.x] }, attrs);
      // With -Infinity outputs the relative error is NaN; the gradient below is the check there.
      if (!c.negInf) assert.ok(y.error <= TOLERANCE, `MaxPool: relative error ${y.error}`);
      const yShape = y.shape;
      const inputs: Inputs = {
        dy: [randomValues(size(yShape), 70 + i), yShape],
        input: [xv, c.x],
        output: [new Float32Array(size(yShape)), yShape],
      };
      const g = await compareWithCpu("onednn", "MaxPoolGrad", inputs, attrs);
      assert.deepEqual(g.shape, c.x);
      assert.ok(g.error <= TOLERANCE, `MaxPoolGrad: relative error ${g.error}`);
    });
  }

  const BROADCASTS: [number[], number[]][] = [
    [
      [2, 5, 4, 7],
      [2, 5, 4, 7],
    ],
    [[2, 5, 4, 7], [7]],
    [[7], [2, 5, 4, 7]],
    [[2, 5, 4, 7], []],
    [
      [2, 1, 1, 7],
      [2, 5, 4, 7],
    ],
    [
      [3, 1],
      [1, 4],
    ],
    [
      [2, 5, 1, 3],
      [5, 4, 1],
    ],
    [[], []],
  ];
  for (const op of ["Add", "Sub", "Multiply", "RealDiv", "SquaredDifference", "Maximum"]) {
    test(`${op} with broadcasting`, async () => {
      for (const [i, [a, b]] of BROADCASTS.entries()) {
        const bv = randomValues(size(b), 90 + i);
        if (op === "RealDiv") bv.forEach((v, j) => (bv[j] = v < 0 ? v - 0.5 : v + 0.5)); // away from zero
        const r = await compareWithCpu("onednn", op, { a: [randomValues(size(a), 80 + i), a], b: [bv, b] }, {});
        assert.deepEqual(r.shape, r.refShape, `[${a}] ${op} [${b}]`);
        assert.ok(r.error <= TOLERANCE, `[${a}] ${op} [${b}]: relative error ${r.error}`);
      }
    });
  }

  test("broadcast strides merge contiguous axes (NHWC + [C] is one row per position)", () => {
    assert.deepEqual(broadcastStrides([2, 5, 4, 7], [7], [2, 5, 4, 7]), { shape: [40, 7], a: [7, 1], b: [0, 1] });
    assert.deepEqual(broadcastStrides([3, 1], [1, 4], [3, 4]), { shape: [3, 4], a: [1, 0], b: [0, 1] });
    assert.deepEqual(broadcastStrides([6], [6], [6]), { shape: [6], a: [1], b: [1] });
  });

  for (const op of ["Relu", "Step", "Neg", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Abs", "Reciprocal"]) {
    test(`${op} elementwise`, async () => {
      const positive = ["Sqrt", "Rsqrt", "Log"].includes(op);
      const shape = [3, 11, 5, 7];
      const values = randomValues(size(shape), 100, positive ? 0.01 : -2, 2);
      const attrs: tf.NamedAttrMap = op === "Step" ? { alpha: 0.25 } : {};
      const r = await compareWithCpu("onednn", op, { x: [values, shape] }, attrs);
      assert.deepEqual(r.shape, shape);
      assert.ok(r.error <= TOLERANCE, `relative error ${r.error}`);
    });
  }

  for (const op of ["Sum", "Mean", "Max"]) {
    test(`${op} over consecutive axes (and the non-consecutive fallback)`, async () => {
      const shape = [3, 9, 70, 5];
      const values = randomValues(size(shape), 110);
      for (const [axis, keepDims] of [
        [[0, 1, 2], false],
        [[1, 2], true],
        [3, false],
        [0, false],
        [[0, 1, 2, 3], false],
        [-1, true],
        [[0, 2], false],
      ] as [number | number[], boolean][]) {
        const attrs: tf.NamedAttrMap = op === "Max" ? { reductionIndices: axis, keepDims } : { axis, keepDims };
        const r = await compareWithCpu("onednn", op, { x: [values, shape] }, attrs);
        assert.deepEqual(r.shape, r.refShape, `axis ${axis}`);
        assert.ok(r.error <= TOLERANCE, `axis ${JSON.stringify(axis)}: relative error ${r.error}`);
      }
    });
  }

  test("Slice (strided and contiguous), PadV2 (zero and -infinity), Transpose, SplitV", async () => {
    const shape = [3, 7, 6, 5];
    const x: [Float32Array, number[]] = [randomValues(size(shape), 120), shape];
    const checks: [string, tf.NamedAttrMap][] = [
      ["Slice", { begin: [0, 0, 0, 2], size: [-1, -1, -1, 3] }],
      ["Slice", { begin: [1, 1, 2, 0], size: [2, 5, 3, 5] }],
      ["Slice", { begin: [1, 0, 0, 0], size: [1, -1, -1, -1] }],
      [
        "PadV2",
        {
          paddings: [
            [0, 0],
            [1, 1],
            [2, 1],
            [0, 0],
          ],
          constantValue: -Infinity,
        },
      ],
      [
        "PadV2",
        {
          paddings: [
            [1, 0],
            [0, 3],
            [0, 0],
            [2, 2],
          ],
          constantValue: 0,
        },
      ],
      ["Transpose", { perm: [0, 3, 1, 2] }],
      ["Transpose", { perm: [3, 1, 2, 0] }],
      ["Transpose", { perm: [1, 0, 2, 3] }],
    ];
    for (const attrs of [
      { numOrSizeSplits: [2, 4], axis: 2 },
      { numOrSizeSplits: 3, axis: 0 },
      { numOrSizeSplits: [1, -1], axis: -1 },
    ]) {
      await tf.setBackend("cpu");
      const ref = tf.tidy(() =>
        (tf.engine().runKernel("SplitV", { x: tf.tensor(x[0], shape) }, attrs) as tf.Tensor[]).map((t) => ({
          shape: t.shape,
          v: t.dataSync(),
        })),
      );
      await tf.setBackend("onednn");
      const got = tf.tidy(() =>
        (tf.engine().runKernel("SplitV", { x: tf.tensor(x[0], shape) }, attrs) as tf.Tensor[]).map((t) => ({
          shape: t.shape,
          v: t.dataSync(),
        })),
      );
      assert.deepEqual(got, ref, `SplitV ${JSON.stringify(attrs)}`);
    }
    for (const [kernel, attrs] of checks) {
      const r = await compareWithCpu("onednn", kernel, { x }, attrs);
      assert.deepEqual(r.shape, r.refShape, `${kernel} ${JSON.stringify(attrs)}`);
      assert.equal(r.error, 0, `${kernel} ${JSON.stringify(attrs)}: relative error ${r.error}`);
    }
  });

  test("FusedBatchNorm (eval-mode batch norm) with and without scale and offset", async () => {
    const shape = [2, 5, 4, 7];
    const c = (seed: number, lo = -1) => [randomValues(7, seed, lo, 1), [7]] as [Float32Array, number[]];
    const x: [Float32Array, number[]] = [randomValues(size(shape), 130), shape];
    for (const inputs of [
      { x, mean: c(1), variance: c(2, 0.1), scale: c(3), offset: c(4) },
      { x, mean: c(1), variance: c(2, 0.1) },
    ] as Inputs[]) {
      const r = await compareWithCpu("onednn", "FusedBatchNorm", inputs, { varianceEpsilon: 1e-5 });
      assert.deepEqual(r.shape, shape);
      assert.ok(r.error <= TOLERANCE, `relative error ${r.error}`);
    }
  });

  test("int32 inputs and NCHW convolutions fall back to the cpu kernels", async () => {
    await tf.setBackend("onednn");
    const s = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3], "int32"), tf.scalar(4, "int32")).arraySync());
    assert.deepEqual(s, [5, 6, 7]);
    const x: [Float32Array, number[]] = [randomValues(2 * 3 * 6 * 5, 5), [2, 3, 6, 5]];
    const filter: [Float32Array, number[]] = [randomValues(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]];
    const r = await compareWithCpu("onednn", "Conv2D", { x, filter }, {
      strides: [1, 1],
      pad: "same",
      dataFormat: "NCHW",
      dilations: [1, 1],
    } as unknown as tf.NamedAttrMap);
    assert.equal(r.error, 0);
  });
});
