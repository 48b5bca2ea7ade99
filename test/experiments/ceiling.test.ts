// The ceiling's perfect-vision decisions: what a label-trained network that sees the truth says, plain and balanced.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ObjectInfo, oracleScore, perfectVisionScore } from "../../lib/experiments/ceiling";
import { StampItem } from "../../lib/dataset/curated";
import { ClusterClass } from "../../lib/catalog/record";

const item = (key: string, label: number, truth: ClusterClass): StampItem =>
  ({ key, label: label - 1, truth }) as unknown as StampItem;

// Bright (V = 20): every class labelled as itself 80% of the time. Faint (V = 24): a true class 2 is labelled 1
// more often than 2, so a network that sees it perfectly still answers 1, where the oracle answers 2.
const bright = [
  [0.8, 0.1, 0.05, 0.05],
  [0.1, 0.8, 0.05, 0.05],
  [0.05, 0.05, 0.8, 0.1],
  [0.05, 0.05, 0.1, 0.8],
];
const faint = [
  [0.7, 0.2, 0.05, 0.05],
  [0.4, 0.3, 0.2, 0.1],
  [0.05, 0.2, 0.35, 0.4],
  [0.05, 0.05, 0.3, 0.6],
];
const labelGivenTruth = (v: number) => (v < 22 ? bright : faint);

test("perfect vision answers the likeliest label of the truth at the source's magnitude, not the truth", () => {
  const items = [item("A/1", 2, 2), item("A/2", 2, 2), item("A/3", 1, 1), item("A/4", 4, 3)];
  const info = new Map<string, ObjectInfo>([
    ["A/1", { vMag: 20, absV: -10, kind: "cluster" }],
    ["A/2", { vMag: 24, absV: -6, kind: "cluster" }],
    ["A/3", { vMag: 24, absV: -6, kind: "cluster" }],
    ["A/4", { vMag: 24, absV: -6, kind: "association" }],
  ]);
  const prior = [0.25, 0.25, 0.25, 0.25];
  const { plain } = perfectVisionScore(items, info, labelGivenTruth, prior);
  // Label 2: the bright one is answered 2, the faint one 1 (0.4 > 0.3); the oracle answers 2 for both.
  assert.deepEqual(plain.counts[1], [1, 1, 0, 0]);
  assert.deepEqual(oracleScore(items).counts[1], [0, 2, 0, 0]);
  // A faint true association labelled 4: the likeliest label of a faint class 3 is 4 (0.4 > 0.35), as labelled.
  assert.deepEqual(plain.counts[3], [0, 0, 0, 1]);
});

test("the balanced decision divides by the training prior: a rare class wins where the plain one loses it", () => {
  const items = [item("A/1", 3, 3)];
  const info = new Map<string, ObjectInfo>([["A/1", { vMag: 24, absV: -6, kind: "association" }]]);
  const prior = [0.3, 0.2, 0.1, 0.4];
  const { plain, balanced } = perfectVisionScore(items, info, labelGivenTruth, prior);
  assert.deepEqual(plain.counts[2], [0, 0, 0, 1], "plain: 0.4 for label 4 beats 0.35 for label 3");
  assert.deepEqual(balanced.counts[2], [0, 0, 1, 0], "balanced: 0.35 / 0.1 beats 0.4 / 0.4");
});

test("objects without a truth or a V magnitude are left out, not guessed", () => {
  const items = [item("A/1", 1, 1), { ...item("A/2", 1, 1), truth: null }, item("A/3", 1, 1)];
  const info = new Map<string, ObjectInfo>([
    ["A/1", { vMag: 20, absV: -10, kind: "cluster" }],
    ["A/2", { vMag: 20, absV: -10, kind: "cluster" }],
    ["A/3", { vMag: null, absV: null, kind: "cluster" }],
  ]);
  const { plain } = perfectVisionScore(items, info, labelGivenTruth, [0.25, 0.25, 0.25, 0.25]);
  assert.equal(plain.totals[0], 1);
});
