// Each class's defining trait shows in the rendered pixels, measured on noiseless, isolated sources at 10 Mpc:
// class 1 round with one peak, class 2 one peak with an elongated or lopsided body, class 3 several peaks,
// background galaxies red. Also: synthetic fields keep their sources apart, as real catalogs do.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ClusterClass } from "../../lib/catalog/record";
import { loadSimulationConfig } from "../../lib/simulate/config";
import { isolatedPlan, planField } from "../../lib/simulate/field";
import { planMorphologies, renderBand } from "../../lib/simulate/render";
import { apertureSum, Image, median } from "./photometry";

const config = loadSimulationConfig();
const SPACING = 60;
const V = 3;

interface Rendered {
  kinds: string[];
  centres: [number, number][];
  band: (b: number) => Image;
}

/** 64 sources of one class on a grid, bright (V = 20), rendered without noise or galaxy light at `distance`. */
function renderClass(truth: ClusterClass, distance = 10): Rendered {
  const per = 8;
  const side = SPACING * (per + 1);
  const sources = Array.from({ length: per * per }, (_, i) => ({
    x: SPACING * (1 + (i % per)),
    y: SPACING * (1 + Math.floor(i / per)),
    mag: [20.5, 20.3, 20.2, 20, 19.6],
    truth,
  }));
  const plan = isolatedPlan("NGC45", config, side, side, sources, distance);
  const morphs = planMorphologies(plan, config, 5);
  const band = (b: number) => ({
    data: renderBand(plan, b, morphs, config, { seed: 5, noGalaxy: true, noiseless: true }).data,
    width: side,
    height: side,
  });
  return { kinds: morphs.map((m) => m.kind), centres: sources.map((s) => [s.x - 1, s.y - 1]), band };
}

/**
 * Axis ratio of the isophote at `level` of the peak (the second moments of the pixels above it), as an eye judges a
 * shape; light-weighted moments in a circle would be dominated by the round aperture for EFF's heavy wings.
 */
function axisRatio(img: Image, [cx, cy]: [number, number], level = 0.2, r = 12): number {
  const at = (x: number, y: number) => img.data[y * img.width + x];
  let top = 0;
  for (let y = cy - 3; y <= cy + 3; y++) for (let x = cx - 3; x <= cx + 3; x++) top = Math.max(top, at(x, y));
  const inside: [number, number][] = [];
  for (let y = cy - r; y <= cy + r; y++)
    for (let x = cx - r; x <= cx + r; x++) if (at(x, y) >= level * top) inside.push([x, y]);
  const [mx, my] = [
    inside.reduce((a, p) => a + p[0], 0) / inside.length,
    inside.reduce((a, p) => a + p[1], 0) / inside.length,
  ];
  let [a, b, c] = [0, 0, 0];
  for (const [x, y] of inside) [a, b, c] = [a + (x - mx) ** 2, b + (y - my) ** 2, c + (x - mx) * (y - my)];
  const root = Math.sqrt(((a - b) / 2) ** 2 + c * c);
  return Math.sqrt(((a + b) / 2 - root) / ((a + b) / 2 + root));
}

/** Local maxima within `r` px holding at least `floor` of the brightest pixel there. */
function peaks(img: Image, [cx, cy]: [number, number], r = 10, floor = 0.1): number {
  const at = (x: number, y: number) => img.data[y * img.width + x];
  let top = 0;
  for (let y = Math.round(cy - r); y <= Math.round(cy + r); y++)
    for (let x = Math.round(cx - r); x <= Math.round(cx + r); x++) top = Math.max(top, at(x, y));
  let n = 0;
  for (let y = Math.round(cy - r); y <= Math.round(cy + r); y++) {
    for (let x = Math.round(cx - r); x <= Math.round(cx + r); x++) {
      const v = at(x, y);
      if (v < floor * top || Math.hypot(x - cx, y - cy) > r) continue;
      let isMax = true;
      for (let dy = -1; dy <= 1 && isMax; dy++)
        for (let dx = -1; dx <= 1; dx++) if ((dx || dy) && at(x + dx, y + dy) >= v) isMax = false;
      if (isMax) n++;
    }
  }
  return n;
}

const share = (values: boolean[]) => values.filter(Boolean).length / values.length;

test("class 1 is round with one peak; class 2 has one peak and an elongated or lopsided body; class 3 several peaks", () => {
  const one = renderClass(1),
    two = renderClass(2),
    three = renderClass(3);
  const [v1, v2, v3] = [one.band(V), two.band(V), three.band(V)];
  const q1 = one.centres.map((c) => axisRatio(v1, c));
  assert.ok(median(q1) > 0.85, `class 1 median axis ratio ${median(q1).toFixed(2)}`);
  assert.ok(share(one.centres.map((c) => peaks(v1, c, 3) === 1)) === 1, "class 1: one peak");

  const elongated = two.centres.filter((_, i) => two.kinds[i] === "elongated cluster");
  const lopsided = two.centres.filter((_, i) => two.kinds[i] === "cluster with lopsided halo");
  assert.ok(
    elongated.length > 10 && lopsided.length > 10,
    `kinds drawn: ${elongated.length} elongated, ${lopsided.length} lopsided`,
  );
  const qe = elongated.map((c) => axisRatio(v2, c));
  assert.ok(
    median(qe) < 0.75 && median(qe) < median(q1) - 0.15,
    `elongated class 2 median axis ratio ${median(qe).toFixed(2)}, class 1 ${median(q1).toFixed(2)}`,
  );
  assert.ok(
    share(two.centres.map((c) => peaks(v2, c, 3) === 1)) >= 0.9,
    "class 2: a single peak (a second one would make it class 3)",
  );
  // Lopsided: the light's centroid sits off the peak, by more than a round cluster's.
  const offset = (img: Image, [cx, cy]: [number, number]) => {
    let [s, sx, sy] = [0, 0, 0];
    for (let y = cy - 8; y <= cy + 8; y++)
      for (let x = cx - 8; x <= cx + 8; x++) {
        const v = img.data[y * img.width + x];
        [s, sx, sy] = [s + v, sx + v * x, sy + v * y];
      }
    return Math.hypot(sx / s - cx, sy / s - cy);
  };
  const [o1, o2] = [median(one.centres.map((c) => offset(v1, c))), median(lopsided.map((c) => offset(v2, c)))];
  assert.ok(
    o2 > 0.9 && o1 < 0.2,
    `centroid offset from the catalog position: lopsided ${o2.toFixed(2)} px, class 1 ${o1.toFixed(2)} px`,
  );

  assert.ok(share(three.centres.map((c) => peaks(v3, c, 10) >= 2)) >= 0.8, "class 3: two or more resolved peaks");
});

test("background galaxies are red: fainter in F275W relative to V than their catalog colour", () => {
  const four = renderClass(4);
  const [uv, v] = [four.band(0), four.band(V)];
  const galaxies = four.centres.filter((_, i) => four.kinds[i] === "background_galaxy");
  assert.ok(galaxies.length > 5, `${galaxies.length} galaxies drawn`);
  // Catalog colour: F275W 0.5 mag fainter than V here; the rendered one at least 1 mag (galaxy_red_mag) fainter still.
  const [zpUv, zpV] = [22.632, 25.816];
  for (const c of galaxies) {
    const colour = -2.5 * Math.log10(apertureSum(uv, c[0], c[1], 25) / apertureSum(v, c[0], c[1], 25)) + zpUv - zpV;
    assert.ok(colour > 0.5 + 0.9, `F275W - V = ${colour.toFixed(2)} mag`);
  }
});

test("synthetic fields keep their sources at least min_separation_px apart, as real catalogs do", () => {
  const scale = config.scales.default;
  for (const field of ["NGC3627", "NGC1559"]) {
    const plan = planField(field, config, scale, 0);
    const xy = plan.sources.map((s) => [s.record.x, s.record.y]);
    let closest = Infinity;
    for (let i = 0; i < xy.length; i++)
      for (let j = 0; j < i; j++) closest = Math.min(closest, Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]));
    assert.ok(
      closest >= config.synthetic_fields.min_separation_px - 1e-9,
      `${field}: closest pair ${closest.toFixed(2)} px`,
    );
  }
});
