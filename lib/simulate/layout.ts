// Where the mosaic's pixels come from in the original (LEGUS) frame. An axis map is a list of segments, each a
// run of consecutive original pixels copied to consecutive mosaic pixels; integer pixel centres stay integer,
// sub-pixel positions are kept. One segment = a crop (offset only, expressed as LTV1/LTV2 in the header).
// Several segments = a compacted mosaic: bands of rows or columns farther than `margin` from every classified
// source are left out, so that the default data set fits the disk budget (lib/simulate/README.md). Any two
// sources closer than 2 x margin on an axis keep their exact separation, so every 50 x 50 stamp and its
// neighbours are as in the original frame.

export interface Segment {
  /** First original pixel (1-based, integer). */
  orig: number;
  /** First mosaic pixel (1-based, integer). */
  mosaic: number;
  length: number;
}

export type AxisMap = Segment[];

/** Segments covering [c - margin, c + margin] around every coordinate, merged, laid end to end. */
export function compactAxis(coords: number[], margin: number): AxisMap {
  const spans = coords.map((c) => [Math.floor(c - margin), Math.ceil(c + margin)]).sort((a, b) => a[0] - b[0]);
  const merged: number[][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
    else merged.push([...s]);
  }
  let next = 1;
  return merged.map(([a, b]) => {
    const seg = { orig: a, mosaic: next, length: b - a + 1 };
    next += seg.length;
    return seg;
  });
}

/** One segment from orig to orig + length - 1. */
export function cropAxis(orig: number, length: number): AxisMap {
  return [{ orig, mosaic: 1, length }];
}

export function axisLength(map: AxisMap): number {
  const last = map[map.length - 1];
  return last.mosaic + last.length - 1;
}

/** Mosaic coordinate (1-based) of an original coordinate, or undefined when it falls in a left-out band. */
export function toMosaic(map: AxisMap, orig: number): number | undefined {
  for (const s of map) {
    if (orig >= s.orig - 0.5 && orig < s.orig + s.length - 0.5) return s.mosaic + (orig - s.orig);
  }
  return undefined;
}

/** Original coordinate of a mosaic coordinate (1-based); beyond the ends the nearest segment is extended. */
export function toOriginal(map: AxisMap, mosaic: number): number {
  let seg = map[0];
  for (const s of map) if (mosaic >= s.mosaic - 0.5) seg = s;
  return seg.orig + (mosaic - seg.mosaic);
}
