// The kernels we add to (or speed up in) the wasm backend, checked against tfjs's pure-JS cpu backend (the reference here), and one
// conv-net training step run on both backends. Relative error: max|wasm - cpu| / max|cpu|.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { mulberry32 } from "../../lib/util/random";
import { randomConvCases } from "./kernel-check";

const TOLERANCE = 1e-4;

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "sizes differ");
  let diff = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

function randomValues(size: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: size }, () => 2 * random() - 1);
}

/** Runs a kernel on the named backend with fresh inputs; returns its output values and shape. */
async function runOn(
  backend: string,
  kernel: string,
  inputs: Record<string, [Float32Array, number[]]>,
  attrs: tf.NamedAttrMap,
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, [v, s]]) => [k, tf.tensor(v, s)]));
    const out = tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor;
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

before(async () => {
  const info = await initBackend({ backend: "wasm", threads: 2 });
  assert.equal(info.backend, "wasm");
});

type Pad = "same" | "valid" | number[][];
interface ConvCase {
  name: string;
  x: number[];
  filter: number[];
  strides: [number, number];
  pad: Pad;
}

const CASES: ConvCase[] = [
  { name: "3x3 stride 1 same", x: [2, 9, 7, 5], filter: [3, 3, 5, 6], strides: [1, 1], pad: "same" },
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
  { name: "1x1 stride 2 on even size (crop)", x: [2, 12, 10, 5], filter: [1, 1, 5, 7], strides: [2, 2], pad: "valid" },
  { name: "1x1 stride 2 on odd size", x: [3, 9, 7, 6], filter: [1, 1, 6, 9], strides: [2, 2], pad: "valid" },
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
    name: "3x3 stride 2 explicit pad 1 (PyTorch style)",
    x: [3, 8, 9, 7],
    filter: [3, 3, 7, 6],
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
];

for (const [i, c] of CASES.entries()) {
  test(`Conv2DBackpropFilter matches cpu: ${c.name}`, async () => {
    const [n, h, w] = c.x;
    const info = tf.backend_util.computeConv2DInfo(
      c.x as [number, number, number, number],
      c.filter as [number, number, number, number],
      c.strides,
      1,
      c.pad as "same",
    );
    const dyShape = [n, info.outHeight, info.outWidth, c.filter[3]];
    assert.ok(h > 0 && w > 0);
    const inputs: Record<string, [Float32Array, number[]]> = {
      x: [
        randomValues(
          c.x.reduce((a, b) => a * b),
          10 + i,
        ),
        c.x,
      ],
      dy: [
        randomValues(
          dyShape.reduce((a, b) => a * b),
          100 + i,
        ),
        dyShape,
      ],
    };
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: "NHWC",
      dimRoundingMode: undefined,
      filterShape: c.filter,
    } as unknown as tf.NamedAttrMap;
    const ref = await runOn("cpu", "Conv2DBackpropFilter", inputs, attrs);
    const got = await runOn("wasm", "Conv2DBackpropFilter", inputs, attrs);
    assert.deepEqual(got.shape, c.filter);
    assert.deepEqual(ref.shape, c.filter);
    const err = relativeError(got.values, ref.values);
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
}

// Cases with enough positions take the fast path (phases for stride 2); tiny ones check the delegation to wasm's own kernel.
const INPUT_CASES: (ConvCase & { fast: boolean })[] = [
  { name: "3x3 stride 1 same", x: [2, 9, 7, 5], filter: [3, 3, 5, 6], strides: [1, 1], pad: "same", fast: true },
  {
    name: "3x3 stride 1 explicit pad 1, odd channels",
    x: [3, 8, 6, 7],
    filter: [3, 3, 7, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
    fast: true,
  },
  {
    name: "3x2 stride 1 valid, non-square",
    x: [2, 11, 9, 6],
    filter: [3, 2, 6, 5],
    strides: [1, 1],
    pad: "valid",
    fast: true,
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
    fast: true,
  },
  { name: "1x1 stride 1", x: [2, 8, 7, 5], filter: [1, 1, 5, 9], strides: [1, 1], pad: "valid", fast: true },
  {
    name: "3x3 stride 1 tiny spatial size (delegated)",
    x: [2, 2, 2, 9],
    filter: [3, 3, 9, 6],
    strides: [1, 1],
    pad: "same",
    fast: false,
  },
  {
    name: "3x3 stride 2 same (asymmetric padding)",
    x: [3, 10, 8, 3],
    filter: [3, 3, 3, 7],
    strides: [2, 2],
    pad: "same",
    fast: true,
  },
  {
    name: "3x3 stride 2 explicit pad 1 (PyTorch style), batch 1",
    x: [1, 16, 12, 5],
    filter: [3, 3, 5, 4],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
    fast: true,
  },
  {
    name: "1x1 stride 2 on even size (a phase with no taps)",
    x: [2, 12, 10, 5],
    filter: [1, 1, 5, 7],
    strides: [2, 2],
    pad: "valid",
    fast: true,
  },
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
    fast: true,
  },
  {
    name: "3x2 strides [2,1] valid, non-square",
    x: [2, 11, 9, 6],
    filter: [3, 2, 6, 5],
    strides: [2, 1],
    pad: "valid",
    fast: true,
  },
  {
    name: "3x3 stride 2 tiny spatial size (delegated)",
    x: [1, 4, 4, 9],
    filter: [3, 3, 9, 6],
    strides: [2, 2],
    pad: "same",
    fast: false,
  },
  ...randomConvCases(10, 77).map((c) => ({ ...c, fast: c.x[0] * c.x[1] * c.x[2] >= 96 })),
];

for (const [i, c] of INPUT_CASES.entries()) {
  test(`Conv2DBackpropInput matches cpu: ${c.name}`, async () => {
    const info = tf.backend_util.computeConv2DInfo(
      c.x as [number, number, number, number],
      c.filter as [number, number, number, number],
      c.strides,
      1,
      c.pad as "same",
    );
    assert.equal(
      c.fast,
      info.batchSize * info.inHeight * info.inWidth >= 96,
      "case label disagrees with the kernel's rule",
    );
    const dyShape = [c.x[0], info.outHeight, info.outWidth, c.filter[3]];
    const inputs: Record<string, [Float32Array, number[]]> = {
      dy: [
        randomValues(
          dyShape.reduce((a, b) => a * b),
          200 + i,
        ),
        dyShape,
      ],
      filter: [
        randomValues(
          c.filter.reduce((a, b) => a * b),
          300 + i,
        ),
        c.filter,
      ],
    };
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: "NHWC",
      dimRoundingMode: undefined,
      inputShape: c.x,
    } as unknown as tf.NamedAttrMap;
    const ref = await runOn("cpu", "Conv2DBackpropInput", inputs, attrs);
    const got = await runOn("wasm", "Conv2DBackpropInput", inputs, attrs);
    assert.deepEqual(got.shape, c.x);
    const err = relativeError(got.values, ref.values);
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
}

test("Conv2DBackpropInput fast path leaks no tensors (stride 1, and stride 2 with a final crop)", async () => {
  await tf.setBackend("wasm");
  for (const [s, pad, out] of [
    [1, "same", 8],
    [
      2,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      4,
    ],
  ] as const) {
    const dy = tf.randomNormal([2, out, out, 4]);
    const filter = tf.randomNormal([3, 3, 5, 4]);
    const attrs = { strides: [s, s], pad, dataFormat: "NHWC", inputShape: [2, 8, 8, 5] } as unknown as tf.NamedAttrMap;
    const dataIds = tf.backend().numDataIds();
    const g = tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, attrs) as tf.Tensor;
    assert.deepEqual(g.shape, [2, 8, 8, 5]);
    assert.equal(tf.backend().numDataIds(), dataIds + 1);
    g.dispose();
    assert.equal(tf.backend().numDataIds(), dataIds);
    tf.dispose([dy, filter]);
  }
});

test("Conv2DBackpropFilter leaks no tensors and rejects NCHW", async () => {
  await tf.setBackend("wasm");
  const x = tf.randomNormal([2, 8, 8, 3]);
  const dy = tf.randomNormal([2, 4, 4, 4]);
  const attrs = {
    strides: [2, 2],
    pad: "valid",
    dataFormat: "NHWC",
    filterShape: [1, 1, 3, 4],
  } as unknown as tf.NamedAttrMap;
  tf.dispose(tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs) as tf.Tensor); // warm-up
  const tensors = tf.memory().numTensors;
  const dataIds = tf.backend().numDataIds();
  const g = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs) as tf.Tensor;
  assert.equal(tf.memory().numTensors, tensors + 1);
  assert.equal(tf.backend().numDataIds(), dataIds + 1);
  g.dispose();
  assert.equal(tf.backend().numDataIds(), dataIds);
  assert.throws(
    () => tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, dataFormat: "NCHW" }),
    /only NHWC data is supported, got dataFormat 'NCHW'/,
  );
  tf.dispose([x, dy]);
});

// Outputs of <= 4 positions with big filters take the matrix-product path; the last case checks the delegation.
const CONV_CASES: (ConvCase & { dilations?: [number, number] })[] = [
  {
    name: "3x3 same on 2x2, 64 -> 128 channels, batch 2",
    x: [2, 2, 2, 64],
    filter: [3, 3, 64, 128],
    strides: [1, 1],
    pad: "same",
  },
  {
    name: "3x3 valid to 1x1, batch 1, odd channels",
    x: [1, 3, 3, 65],
    filter: [3, 3, 65, 127],
    strides: [1, 1],
    pad: "valid",
  },
  {
    name: "3x3 dilation 2 same on 2x1",
    x: [3, 2, 1, 64],
    filter: [3, 3, 64, 128],
    strides: [1, 1],
    pad: "same",
    dilations: [2, 2],
  },
  {
    name: "3x3 explicit asymmetric pad to 2x2",
    x: [2, 2, 3, 64],
    filter: [3, 3, 64, 128],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ],
  },
  { name: "3x3 stride 2 on 4x4 (delegated)", x: [2, 4, 4, 64], filter: [3, 3, 64, 128], strides: [2, 2], pad: "same" },
];
for (const [i, c] of CONV_CASES.entries()) {
  test(`Conv2D matches cpu: ${c.name}`, async () => {
    const inputs: Record<string, [Float32Array, number[]]> = {
      x: [
        randomValues(
          c.x.reduce((a, b) => a * b),
          600 + i,
        ),
        c.x,
      ],
      filter: [
        randomValues(
          c.filter.reduce((a, b) => a * b),
          700 + i,
        ),
        c.filter,
      ],
    };
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: "NHWC",
      dilations: c.dilations ?? [1, 1],
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap;
    const ref = await runOn("cpu", "Conv2D", inputs, attrs);
    const got = await runOn("wasm", "Conv2D", inputs, attrs);
    assert.deepEqual(got.shape, ref.shape);
    const err = relativeError(got.values, ref.values);
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
}

const MATMUL_CASES: [number[], number[], boolean, boolean][] = [
  [[5, 7], [7, 3], false, false],
  [[7, 5], [7, 3], true, false],
  [[5, 7], [3, 7], false, true],
  [[7, 5], [3, 7], true, true],
  [[4, 7, 5], [4, 3, 7], true, true],
  [[1, 5, 7], [4, 3, 7], false, true],
];
for (const [i, [a, b, transposeA, transposeB]] of MATMUL_CASES.entries()) {
  test(`BatchMatMul matches cpu: [${a}] x [${b}] transposeA ${transposeA} transposeB ${transposeB}`, async () => {
    const inputs: Record<string, [Float32Array, number[]]> = {
      a: [
        randomValues(
          a.reduce((x, y) => x * y),
          400 + i,
        ),
        a,
      ],
      b: [
        randomValues(
          b.reduce((x, y) => x * y),
          500 + i,
        ),
        b,
      ],
    };
    const ref = await runOn("cpu", "BatchMatMul", inputs, { transposeA, transposeB });
    const got = await runOn("wasm", "BatchMatMul", inputs, { transposeA, transposeB });
    assert.deepEqual(got.shape, ref.shape);
    const err = relativeError(got.values, ref.values);
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
}

/** Initial values of a small conv net: conv+BN+relu, max pool, strided conv+BN+relu, avg pool, global mean, dense. */
function initialParams(): Record<string, [Float32Array, number[]]> {
  const shapes: Record<string, number[]> = {
    w1: [3, 3, 3, 6],
    g1: [6],
    b1: [6],
    w2: [3, 3, 6, 10],
    g2: [10],
    b2: [10],
    wd: [10, 4],
    bd: [4],
  };
  return Object.fromEntries(
    Object.entries(shapes).map(([name, shape], i) => {
      const size = shape.reduce((a, b) => a * b);
      const v = randomValues(size, 1000 + i);
      if (name.startsWith("g")) v.forEach((x, j) => (v[j] = 1 + 0.2 * x));
      return [name, [v, shape]];
    }),
  );
}

function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5) as tf.Tensor4D;
}

/** One Adam step on the current backend; returns the loss, the gradients and the updated weights. */
function trainStep(init: Record<string, [Float32Array, number[]]>, xs: Float32Array, labels: number[]) {
  const p = Object.fromEntries(
    Object.entries(init).map(([k, [v, s]]) => [
      k,
      tf.tidy(() => tf.variable(tf.tensor(v, s), true, `${k}_${tf.getBackend()}`)),
    ]),
  );
  const x = tf.tensor4d(xs, [3, 12, 10, 3]);
  const y = tf.oneHot(labels, 4);
  const lossFn = () => {
    let h: tf.Tensor4D = tf.conv2d(x, p.w1 as tf.Tensor4D, 1, "same");
    h = tf.relu(batchNorm(h, p.g1, p.b1));
    h = tf.maxPool(h, 2, 2, "valid");
    h = tf.conv2d(h, p.w2 as tf.Tensor4D, 2, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    h = tf.relu(batchNorm(h, p.g2, p.b2));
    h = tf.avgPool(h, 2, 1, "valid") as tf.Tensor4D;
    const features = tf.mean(h, [1, 2]) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(features, p.wd as tf.Tensor2D), p.bd) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  };
  const { value, grads } = tf.variableGrads(lossFn);
  const gradValues = Object.fromEntries(
    Object.entries(grads).map(([k, g]) => [k.replace(/_\w+$/, ""), g.dataSync() as Float32Array]),
  );
  const adam = tf.train.adam(0.01);
  adam.applyGradients(grads as Parameters<typeof adam.applyGradients>[0]);
  const result = {
    loss: value.dataSync()[0],
    grads: gradValues,
    weights: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.dataSync() as Float32Array])),
  };
  adam.dispose();
  tf.dispose([x, y, value, ...Object.values(grads), ...Object.values(p)]);
  return result;
}

test("one Adam training step of a small conv net: wasm matches cpu", async () => {
  const init = initialParams();
  const xs = randomValues(3 * 12 * 10 * 3, 7);
  const labels = [0, 3, 1];
  await tf.setBackend("cpu");
  const ref = trainStep(init, xs, labels);
  await tf.setBackend("wasm");
  const before = tf.memory().numTensors;
  const got = trainStep(init, xs, labels);
  assert.ok(Math.abs(got.loss - ref.loss) <= TOLERANCE * Math.abs(ref.loss), `loss ${got.loss} vs ${ref.loss}`);
  for (const name of Object.keys(init)) {
    const g = relativeError(got.grads[name], ref.grads[name]);
    assert.ok(g <= TOLERANCE, `gradient of ${name}: relative error ${g}`);
    const w = relativeError(got.weights[name], ref.weights[name]);
    assert.ok(w <= TOLERANCE, `updated ${name}: relative error ${w}`);
    // The step moved the weights (so the comparison is not of untouched initial values).
    assert.ok(relativeError(got.weights[name], init[name][0]) > 1e-3, `${name} did not move`);
  }
  assert.equal(tf.memory().numTensors, before, "tensors leaked by the training step");
});
