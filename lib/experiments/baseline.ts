// A classical baseline beside the CNNs (the kind of classifier LEGUS used before visual inspection): a few
// numbers measured on each stamp, then multinomial logistic regression.
// Features, all from background-subtracted aperture sums around the stamp centre:
//   - concentration index CI = m(r=1 px) - m(r=3 px) in F555W (LEGUS's star/cluster separator);
//   - extent f(3 px) / f(6 px) in F555W;
//   - asymmetry sum|I - I rotated by 180 deg| / sum|I| within 6 px in F555W (symmetric vs asymmetric);
//   - four colours from 3 px aperture magnitudes: F275W-F336W, F336W-F438W, F438W-F555W, F555W-F814W,
//     with a zero-filled (missing) band's colours set to 0 and one indicator per band.
// Logistic regression is tfjs (dense layer, softmax cross-entropy, L2, full-batch Adam) on standardised features.
import * as tf from "@tensorflow/tfjs";
import { BANDS } from "../catalog/record";
import { CuratedSet, loadPixels, StampItem } from "../dataset/curated";
import { argmax, ScoredSet, scoreSet } from "../evaluate/metrics";

export const FEATURE_NAMES = [
  "CI(F555W)",
  "f3/f6(F555W)",
  "asymmetry(F555W)",
  "F275W-F336W",
  "F336W-F438W",
  "F438W-F555W",
  "F555W-F814W",
  ...BANDS.map((b) => `missing ${b}`),
];
const V = BANDS.indexOf("F555W");

/** Pixel offsets of a disc of radius r around the centre pixel. */
function disc(r: number): [number, number][] {
  const out: [number, number][] = [];
  const R = Math.ceil(r);
  for (let dy = -R; dy <= R; dy++) for (let dx = -R; dx <= R; dx++) if (dx * dx + dy * dy <= r * r) out.push([dx, dy]);
  return out;
}
const DISCS = { 1: disc(1), 3: disc(3), 6: disc(6) };

/** Band-major stamp -> feature vector (FEATURE_NAMES order). The centre is pixel floor(size/2) on both axes. */
export function stampFeatures(stamp: Float32Array, size: number): number[] {
  const plane = size * size,
    c = Math.floor(size / 2);
  const at = (b: number, x: number, y: number) => stamp[b * plane + y * size + x];
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < size && y < size;
  // Background: median of the annulus 10 <= r < 15 px (clipped to the stamp).
  const background = (b: number) => {
    const v: number[] = [];
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const r2 = (x - c) ** 2 + (y - c) ** 2;
        if (r2 >= 100 && r2 < 225) v.push(at(b, x, y));
      }
    v.sort((a, b2) => a - b2);
    return v.length ? v[Math.floor(v.length / 2)] : 0;
  };
  const bg = BANDS.map((_, b) => background(b));
  const sum = (b: number, r: 1 | 3 | 6) =>
    DISCS[r].reduce((s, [dx, dy]) => (inside(c + dx, c + dy) ? s + at(b, c + dx, c + dy) - bg[b] : s), 0);
  const missing = BANDS.map((_, b) => {
    for (let i = 0; i < plane; i++) if (stamp[b * plane + i] !== 0) return false;
    return true;
  });
  const f1 = sum(V, 1),
    f3 = sum(V, 3),
    f6 = sum(V, 6);
  const floor = 1e-3 * Math.max(...BANDS.map((_, b) => Math.abs(sum(b, 3))), 1e-30);
  const mag = (f: number) => -2.5 * Math.log10(Math.max(f, floor));
  let diff = 0,
    tot = 0;
  for (const [dx, dy] of DISCS[6]) {
    if (!inside(c + dx, c + dy) || !inside(c - dx, c - dy)) continue;
    const a = at(V, c + dx, c + dy) - bg[V],
      b = at(V, c - dx, c - dy) - bg[V];
    diff += Math.abs(a - b);
    tot += Math.abs(a);
  }
  const colours = [0, 1, 2, 3].map((b) => (missing[b] || missing[b + 1] ? 0 : mag(sum(b, 3)) - mag(sum(b + 1, 3))));
  return [
    mag(f1) - mag(f3),
    f6 > 0 ? Math.min(2, Math.max(-1, f3 / f6)) : 0,
    tot > 0 ? diff / tot : 0,
    ...colours,
    ...missing.map((m) => (m ? 1 : 0)),
  ];
}

export interface LogisticModel {
  mean: number[];
  std: number[];
  weights: number[][];
  bias: number[];
}

/**
 * Fits softmax regression on standardised features: full-batch Adam, L2 penalty `l2` on the weights. The objective
 * is convex, so the weights start at zero: no seed, the same fit every time (tfjs's randomNormal takes a seed of 0
 * as none, which made the fit vary from run to run).
 */
export function fitLogistic(
  features: number[][],
  labels: number[],
  options: { classes?: number; steps?: number; l2?: number } = {},
): LogisticModel {
  const k = options.classes ?? 4,
    steps = options.steps ?? 600,
    l2 = options.l2 ?? 1e-3;
  const f = features[0].length;
  const mean = Array.from({ length: f }, (_, j) => features.reduce((s, x) => s + x[j], 0) / features.length);
  const std = Array.from(
    { length: f },
    (_, j) => Math.sqrt(features.reduce((s, x) => s + (x[j] - mean[j]) ** 2, 0) / features.length) || 1,
  );
  const x = tf.tensor2d(features.map((row) => row.map((v, j) => (v - mean[j]) / std[j])));
  const y = tf.oneHot(tf.tensor1d(labels, "int32"), k);
  const w = tf.variable(tf.zeros([f, k]));
  const b = tf.variable(tf.zeros([k]));
  const opt = tf.train.adam(0.05);
  for (let i = 0; i < steps; i++) {
    opt.minimize(
      () =>
        tf.add(
          tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, w), b)),
          tf.mul(l2, tf.sum(tf.square(w))),
        ) as tf.Scalar,
    );
  }
  const model = { mean, std, weights: w.arraySync() as number[][], bias: b.arraySync() as number[] };
  tf.dispose([x, y, w, b]);
  opt.dispose();
  return model;
}

/** Class probabilities of each feature vector. */
export function predictLogistic(m: LogisticModel, features: number[][]): number[][] {
  return features.map((row) => {
    const z = m.bias.map((bk, c) => row.reduce((s, v, j) => s + ((v - m.mean[j]) / m.std[j]) * m.weights[j][c], bk));
    const zmax = Math.max(...z);
    const e = z.map((v) => Math.exp(v - zmax));
    const sum = e.reduce((a, b2) => a + b2, 0);
    return e.map((v) => v / sum);
  });
}

export const predictedClasses = (probs: number[][]) => probs.map(argmax);

/** The baseline fitted on some items of a curated set, with a scorer for any items (of that set or another). */
export function trainBaseline(
  set: CuratedSet,
  train: StampItem[],
): { model: LogisticModel; score: (items: StampItem[], from?: CuratedSet) => ScoredSet } {
  const features = (items: StampItem[], from: CuratedSet) =>
    loadPixels(from, items).map((p) => stampFeatures(p, from.size));
  const model = fitLogistic(
    features(train, set),
    train.map((it) => it.label),
  );
  const score = (items: StampItem[], from = set) =>
    scoreSet(
      items.map((it) => it.label),
      predictedClasses(predictLogistic(model, features(items, from))),
    );
  return { model, score };
}
