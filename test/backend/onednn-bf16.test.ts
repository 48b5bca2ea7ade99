// bf16 convolutions on the onednn backend (issue 22): selected only where the CPU has bf16, said when it cannot
// run, close to fp32 (within bfloat16's 8-bit mantissa) yet really different from it, and training with it follows
// the fp32 loss curve. fp32 stays the default, so the torchvision golden tests are untouched.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { loadOnednnAddon } from "../../lib/backend/onednn/addon";
import { initBackend } from "../../lib/backend/select";
import { ArchName } from "../../lib/models/arch";
import { createDualModel, disposeDualModel, dualForward } from "../../lib/models/dual";
import { trainStep } from "../../lib/train/step";
import { Adam } from "../../lib/train/adam";
import { repoRoot } from "../helpers";
import { onednnSkip } from "./kernel-check";

const skip = onednnSkip();
/** Why a bf16 case cannot run here, or false. */
const bf16Skip = () =>
  skip || (loadOnednnAddon().addon!.bf16Supported() ? false : "this CPU has no bf16 (AVX512_BF16 or AMX)");
before(async () => {
  if (!skip) await initBackend({ backend: "onednn", precision: "fp32", log: () => {} });
});
const setPrecision = (precision: "fp32" | "bf16") => initBackend({ backend: "onednn", precision, log: () => {} });

test("bf16 asked on a CPU without it (oneDNN limited to AVX-512): fp32 runs, and one line says why", { skip }, () => {
  const cli = path.join(repoRoot, "bin", "starcluster.js");
  const r = spawnSync(process.execPath, [cli, "backend", "--backend", "onednn", "--precision", "bf16"], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, DNNL_MAX_CPU_ISA: "AVX512_CORE" },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.deepEqual({ precision: out.precision, bf16: out.bf16 }, { precision: "fp32", bf16: false });
  assert.match(r.stderr, /neither AVX512_BF16 nor AMX.*computing in fp32/);
});

for (const [arch, size] of [
  ["resnet18", 64],
  ["vgg19_bn", 50],
] as [ArchName, number][]) {
  test(`${arch}: bf16 logits within bfloat16 rounding of fp32's, and not equal to them`, {
    skip: bf16Skip(),
  }, async (t) => {
    const model = createDualModel({ arch, inputSize: size, seed: 3 });
    const x = tf.randomUniform([4, size, size, 6], 0, 1, "float32", 5) as tf.Tensor4D;
    try {
      await setPrecision("fp32");
      const fp32 = dualForward(model, x, { training: false });
      await setPrecision("bf16");
      const bf16 = dualForward(model, x, { training: false });
      const scale = tf.max(tf.abs(fp32)).dataSync()[0];
      const diff = tf.max(tf.abs(tf.sub(fp32, bf16))).dataSync()[0];
      t.diagnostic(
        `max |logit| ${scale.toExponential(3)}, max |fp32 - bf16| ${diff.toExponential(3)} (${(diff / scale).toExponential(2)} relative)`,
      );
      // bfloat16 keeps 8 significant bits (2^-8 = 0.4% per rounding); errors of ~20 layers partly cancel.
      assert.ok(diff / scale < 0.03, `relative difference ${diff / scale} over 3%`);
      assert.ok(diff > 0, "bf16 logits equal fp32's bit for bit: bf16 did not run");
      tf.dispose([fp32, bf16]);
    } finally {
      await setPrecision("fp32");
      x.dispose();
      disposeDualModel(model);
    }
  });
}

test("resnet18: 20 training steps in bf16 track the fp32 loss curve from the same start", {
  skip: bf16Skip(),
}, async (t) => {
  const size = 32,
    batch = 8;
  const x = tf.randomUniform([batch, size, size, 6], 0, 1, "float32", 7) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 4),
    "int32",
  );
  const curve = async (precision: "fp32" | "bf16") => {
    await setPrecision(precision);
    const model = createDualModel({ arch: "resnet18", inputSize: size, seed: 11 });
    const adam = new Adam({ lr: 1e-3 });
    const losses = Array.from({ length: 20 }, () => trainStep(model, x, labels, adam));
    adam.dispose();
    disposeDualModel(model);
    return losses;
  };
  try {
    const fp32 = await curve("fp32"),
      bf16 = await curve("bf16");
    const worst = Math.max(...fp32.map((l, i) => Math.abs(l - bf16[i])));
    t.diagnostic(
      `loss fp32 ${fp32[0].toFixed(3)} -> ${fp32[19].toFixed(3)}, bf16 ${bf16[0].toFixed(3)} -> ${bf16[19].toFixed(3)}; worst gap ${worst.toFixed(3)}`,
    );
    assert.ok(fp32[19] < 0.5 * fp32[0], "fp32 memorises the batch");
    assert.ok(bf16[19] < 0.5 * bf16[0], "bf16 memorises the batch");
    assert.ok(worst < 0.1 * fp32[0], `loss curves part by ${worst}`);
    assert.notDeepEqual(fp32, bf16, "identical curves: bf16 did not run");
  } finally {
    await setPrecision("fp32");
    tf.dispose([x, labels]);
  }
});

/** Each value rounded to the nearest bfloat16 (ties to even), as oneDNN rounds a bf16 operand. */
function roundedToBf16(t: tf.Tensor): tf.Tensor {
  const bits = new Uint32Array(Float32Array.from(t.dataSync()).buffer);
  for (let i = 0; i < bits.length; i++) bits[i] = ((bits[i] + 0x7fff + ((bits[i] >>> 16) & 1)) & 0xffff0000) >>> 0;
  return tf.tensor(new Float32Array(bits.buffer), t.shape);
}

// Outputs of at most 4 positions take the im2col + matrix product path (native/onednn/conv_gemm.cc), in bf16 its
// own product: it must round the same operands as the direct kernels do, in all three passes.
for (const [name, stride, size] of [
  ["3x3 stride 2 to 2x2", 2, 4],
  ["3x3 stride 1 at 2x2", 1, 2],
] as const) {
  test(`bf16 convolution ${name} (matrix-product path): fp32's on bf16-rounded operands, in every pass`, {
    skip: bf16Skip(),
  }, async () => {
    const x = tf.randomUniform([3, size, size, 40], -1, 1, "float32", 3) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 40, 24], -1, 1, "float32", 4) as tf.Tensor4D;
    const g = tf.randomUniform([3, 2, 2, 24], -1, 1, "float32", 5) as tf.Tensor4D;
    const passes = (xs: tf.Tensor4D, ws: tf.Tensor4D, gs: tf.Tensor4D) => {
      const y = tf.conv2d(xs, ws, stride, "same");
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, "same")
          .mul(gs)
          .sum();
      const [dx, dw] = tf.grads(loss)([xs, ws]);
      return [y, dx, dw];
    };
    try {
      const exact = passes(x, w, g);
      const rounded = passes(
        roundedToBf16(x) as tf.Tensor4D,
        roundedToBf16(w) as tf.Tensor4D,
        roundedToBf16(g) as tf.Tensor4D,
      );
      await setPrecision("bf16");
      const low = passes(x, w, g);
      ["forward", "backward data", "backward weights"].forEach((pass, i) => {
        const scale = tf.max(tf.abs(exact[i])).dataSync()[0];
        const fromRounded = tf.max(tf.abs(tf.sub(low[i], rounded[i]))).dataSync()[0] / scale;
        const fromExact = tf.max(tf.abs(tf.sub(low[i], exact[i]))).dataSync()[0] / scale;
        assert.ok(fromRounded < 1e-5, `${pass}: ${fromRounded} from fp32 on rounded operands`);
        assert.ok(fromExact > 1e-4, `${pass}: ${fromExact} from unrounded fp32: bf16 did not run`);
      });
      tf.dispose([...exact, ...rounded, ...low]);
    } finally {
      await setPrecision("fp32");
      tf.dispose([x, w, g]);
    }
  });
}
