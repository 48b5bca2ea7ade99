import assert from "node:assert/strict";
import { test } from "node:test";
import { augment, drawAugmentation, rescale } from "../../lib/dataset/transforms";
import { mulberry32 } from "../../lib/util/random";

const size = 9;
function gaussianStamp(bands: number[], sigma = 1.2, cx = 4, cy = 4): Float32Array {
  const out = new Float32Array(bands.length * size * size);
  bands.forEach((amp, b) => {
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        out[b * size * size + y * size + x] = amp * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma ** 2));
  });
  return out;
}
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test("stamp-absmax maps to [0, 1], keeps band ratios and keeps a zero band at zero", () => {
  const s = gaussianStamp([2, 4, 0, 8, -1]);
  const r = rescale(s, 5);
  assert.equal(Math.max(...r), 1);
  assert.equal(Math.min(...r), 0);
  const centre = (b: number) => r[b * 81 + 40];
  assert.equal(centre(1) / centre(0), 2);
  assert.equal(centre(3), 1);
  assert.ok(r.slice(2 * 81, 3 * 81).every((v) => v === 0));
  assert.ok(Math.abs(centre(4) - 0.125) < 1e-7, "absolute values are used");
});

test("band-minmax drops colour; stamp-minmax keeps it; NaN is refused", () => {
  const s = gaussianStamp([2, 4]);
  const band = rescale(s, 2, "band-minmax");
  assert.equal(band[40], 1);
  assert.equal(band[81 + 40], 1);
  const stamp = rescale(s, 2, "stamp-minmax");
  assert.ok(Math.abs(stamp[40] - 0.5) < 1e-4);
  s[3] = NaN;
  assert.throws(() => rescale(s, 2), /NaN/);
});

test("centre-absmax scales by the central object and saturates a brighter neighbour at 1", () => {
  // A 21 px stamp: a source of peak 2 in the centre, a neighbour of peak 10 in a corner, two bands.
  const n = 21,
    plane = n * n;
  const s = new Float32Array(2 * plane);
  const blob = (b: number, cx: number, cy: number, amp: number) => {
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) s[b * plane + y * n + x] += amp * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 2);
  };
  blob(0, 10, 10, 2);
  blob(1, 10, 10, 1);
  blob(1, 1, 1, 10);
  const r = rescale(s, 2, "centre-absmax");
  assert.equal(r[10 * n + 10], 1, "the central peak is the scale");
  assert.equal(r[plane + 10 * n + 10], 0.5, "band ratios of the object are kept");
  assert.equal(r[plane + 1 * n + 1], 1, "the brighter neighbour saturates");
  assert.ok(r.every((v) => v >= 0 && v <= 1));
  // stamp-absmax would have let the neighbour set the scale.
  assert.ok(Math.abs(rescale(s, 2)[10 * n + 10] - 0.2) < 1e-6);
  s[5] = NaN;
  assert.throws(() => rescale(s, 2, "centre-absmax"), /NaN/);
});

test("identity augmentation is bit-identical; a flip twice is the identity", () => {
  const s = gaussianStamp([1, 3], 1.5, 3, 5);
  assert.deepEqual(augment(s, 2, size, { flipX: false, flipY: false, angle: 0 }), s);
  const once = augment(s, 2, size, { flipX: true, flipY: false, angle: 0 });
  assert.equal(once[5 * size + (size - 1 - 3)], s[5 * size + 3]);
  assert.deepEqual(augment(once, 2, size, { flipX: true, flipY: false, angle: 0 }), s);
});

test("rotation by a quarter turn permutes pixels; any angle keeps a centred source's flux", () => {
  const s = gaussianStamp([1], 1.0, 2, 4);
  const q = augment(s, 1, size, { flipX: false, flipY: false, angle: Math.PI / 2 });
  // An off-centre source at (x=2, y=4) moves to another pixel centre; its peak stays 1 up to float error.
  assert.ok(Math.abs(Math.max(...q) - 1) < 1e-6);
  const peak = q.indexOf(Math.max(...q));
  assert.notEqual(peak, 4 * size + 2);
  assert.ok(maxAbsDiff(augment(s, 1, size, { flipX: false, flipY: false, angle: 2 * Math.PI }), s) < 1e-6);
  const centred = gaussianStamp([1], 1.3);
  const total = centred.reduce((a, b) => a + b, 0);
  const random = mulberry32(5);
  for (let i = 0; i < 20; i++) {
    const r = augment(centred, 1, size, drawAugmentation(random));
    assert.ok(Math.abs(r.reduce((a, b) => a + b, 0) / total - 1) < 0.03);
  }
});

test("augmentation draws cover both flips and angles over [0, 2pi)", () => {
  const random = mulberry32(1);
  const draws = Array.from({ length: 2000 }, () => drawAugmentation(random));
  const frac = (f: (d: (typeof draws)[0]) => boolean) => draws.filter(f).length / draws.length;
  assert.ok(Math.abs(frac((d) => d.flipX) - 0.5) < 0.05);
  assert.ok(Math.abs(frac((d) => d.flipY) - 0.5) < 0.05);
  assert.ok(draws.every((d) => d.angle >= 0 && d.angle < 2 * Math.PI));
  assert.ok(Math.abs(frac((d) => d.angle > Math.PI) - 0.5) < 0.05);
});

test("right-angle rotations draw each quarter turn and move pixels without interpolating them", () => {
  const random = mulberry32(3);
  const s = gaussianStamp([1], 1.1, 2, 4);
  const sorted = (a: Float32Array) => Array.from(a).sort((x, y) => x - y);
  const turns = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const a = drawAugmentation(random, "right-angle");
    const k = Math.round(a.angle / (Math.PI / 2));
    assert.ok(Math.abs(a.angle - (k * Math.PI) / 2) < 1e-12 && k >= 0 && k < 4, `angle ${a.angle}`);
    turns.add(k);
    const r = augment(s, 1, size, a);
    // The same pixel values, only moved (up to the float error of cos and sin at multiples of 90 degrees).
    assert.ok(maxAbsDiff(Float32Array.from(sorted(r)), Float32Array.from(sorted(s))) < 1e-6);
  }
  assert.equal(turns.size, 4);
});
