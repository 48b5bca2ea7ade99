// How alive a trained VGG19-BN dual model's classifier is, on the first 128 curated stamps:
//   node scripts/vgg-head-activity.js RUN_DIR CURATED_DIR   (after npm run build)
// Prints, per backbone, the spread of the 512 trunk features across stamps, the share of classifier.0 and
// classifier.3 units (after their ReLU) active on any stamp and on average, and the logits' spread across stamps.
// A unit never active is dead: no gradient reaches it again. results/README.md, "VGG19-BN's classifier".
const tf = require("@tensorflow/tfjs");
const { dualForward } = require("../dist/lib/models/dual.js");
const { initBackend } = require("../dist/lib/backend/select.js");
const { loadDualModel } = require("../dist/lib/models/saved.js");
const { loadCurated, loadPixels } = require("../dist/lib/dataset/curated.js");
const { assembleBatch } = require("../dist/lib/dataset/batch.js");
const vgg = require("../dist/lib/models/vgg.js");
const { readRunConfig } = require("../dist/lib/evaluate/runs.js");
const [run, data] = process.argv.slice(2);
if (!run || !data) {
  process.stderr.write("usage: node scripts/vgg-head-activity.js RUN_DIR CURATED_DIR\n");
  process.exit(2);
}
(async () => {
  await initBackend({});
  const { model } = loadDualModel(run + "/model.safetensors");
  const set = loadCurated([data]);
  const items = set.items.slice(0, 128);
  const px = loadPixels(set, items);
  const x = assembleBatch(px, {
    stampSize: set.size,
    inputSize: model.config.inputSize,
    rescale: readRunConfig(run).profile.rescale,
  });
  model.backbones.forEach((p, i) => {
    const q = new Map([...p].filter(([n]) => !n.startsWith("classifier.6")));
    q.set("classifier.3.weight", tf.eye(4096));
    q.set("classifier.3.bias", tf.zeros([4096]));
    // relu(classifier.0): an identity classifier.3 passes it through (its ReLU is a no-op on ReLU outputs).
    const h0 = vgg.vgg19BnForward(q, tf.slice(x, [0, 0, 0, 3 * i], [-1, -1, -1, 3]), { training: false });
    const q3 = new Map([...p].filter(([n]) => !n.startsWith("classifier.6")));
    const h1 = vgg.vgg19BnForward(q3, tf.slice(x, [0, 0, 0, 3 * i], [-1, -1, -1, 3]), { training: false });
    const alive = (t) => {
      const a = t.greater(0).any(0).mean().dataSync()[0];
      const f = t.greater(0).mean().dataSync()[0];
      return `units ever active ${(100 * a).toFixed(1)}%, active fraction ${(100 * f).toFixed(1)}%`;
    };
    // The trunk's 512 features: classifier.0 copies them (cell 0 of each channel's 49) into its first 512 outputs.
    const w0 = tf.buffer([25088, 4096]);
    for (let c = 0; c < 512; c++) w0.set(1, c * 49, c);
    const qf = new Map(q);
    qf.set("classifier.0.weight", w0.toTensor());
    qf.set("classifier.0.bias", tf.zeros([4096]));
    const f = tf.slice(
      vgg.vgg19BnForward(qf, tf.slice(x, [0, 0, 0, 3 * i], [-1, -1, -1, 3]), { training: false }),
      [0, 0],
      [-1, 512],
    );
    const fm = tf.moments(f, 0);
    const cv = tf.mean(tf.sqrt(fm.variance)).dataSync()[0] / tf.mean(fm.mean).dataSync()[0];
    const hm = tf.moments(h0, 0);
    const cv0 = tf.mean(tf.sqrt(hm.variance)).dataSync()[0] / tf.mean(hm.mean).dataSync()[0];
    console.log(
      `backbone ${i}: features: mean ${tf.mean(f).dataSync()[0].toFixed(3)}, std across stamps / mean ${cv.toFixed(3)}, zero fraction ${tf.mean(tf.equal(f, 0)).dataSync()[0].toFixed(3)}; classifier.0 std/mean ${cv0.toFixed(3)}`,
    );
    console.log(`backbone ${i}: relu(classifier.0): ${alive(h0)}; relu(classifier.3): ${alive(h1)}`);
  });

  const logits = dualForward(model, x, { training: false });
  const m = tf.moments(logits, 0);
  console.log(
    "logit mean",
    Array.from(m.mean.dataSync())
      .map((v) => v.toFixed(2))
      .join(" "),
    "std across stamps",
    Array.from(tf.sqrt(m.variance).dataSync())
      .map((v) => v.toFixed(3))
      .join(" "),
  );
})();
