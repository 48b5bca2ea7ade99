// Band footprints. The catalogs say, per source and band, whether the source was outside that band's field of
// view (66.666). The footprint we draw is the convex hull of the sources observed in that band, padded a little;
// a source flagged "outside" that still falls in it gets a hole around it (radius half the distance to the
// nearest observed source), so every flag holds in the mosaic. Pixels outside the footprint are 0, as in
// drizzled HST mosaics.

export type Point = [number, number];

export interface Footprint {
  /** Everything covered (no source in the catalog is outside this band). */
  everywhere: boolean;
  hull: Point[];
  pad: number;
  holes: { x: number; y: number; r: number }[];
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull, counter-clockwise (Andrew's monotone chain). */
export function convexHull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (const q of [...p].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Signed distance to a counter-clockwise convex polygon's boundary: negative inside. */
function hullDistance(hull: Point[], x: number, y: number): number {
  if (hull.length < 3) return hull.length ? Math.min(...hull.map((h) => Math.hypot(h[0] - x, h[1] - y))) : Infinity;
  let inside = true;
  let best = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    if (cross(a, b, [x, y]) < 0) inside = false;
    const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
    const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(a[0] + t * dx - x, a[1] + t * dy - y));
  }
  return inside ? -best : best;
}

export function buildFootprint(observed: Point[], outside: Point[], pad: number): Footprint {
  if (outside.length === 0) return { everywhere: true, hull: [], pad, holes: [] };
  const hull = convexHull(observed);
  const fp: Footprint = { everywhere: false, hull, pad, holes: [] };
  for (const [x, y] of outside) {
    if (hullDistance(hull, x, y) > pad) continue;
    const nearest = Math.min(...observed.map((o) => Math.hypot(o[0] - x, o[1] - y)));
    fp.holes.push({ x, y, r: Math.min(200, nearest / 2) });
  }
  return fp;
}

/** Whether original-frame position (x, y) is inside the band's footprint. */
export function covered(fp: Footprint, x: number, y: number): boolean {
  if (fp.everywhere) return true;
  if (hullDistance(fp.hull, x, y) > fp.pad) return false;
  for (const h of fp.holes) if ((h.x - x) ** 2 + (h.y - y) ** 2 < h.r * h.r) return false;
  return true;
}
