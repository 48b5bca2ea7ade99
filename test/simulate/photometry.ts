// Independent measurements on rendered pixels for the physics tests: aperture sums with fractional pixel
// overlap (8 x 8 sub-pixels), a median sky annulus, and a radial profile. Positions are 0-based pixel centres.

export interface Image {
  data: Float32Array;
  width: number;
  height: number;
}

/** Sum of pixel values inside a circle of radius r, each pixel weighted by the fraction of it inside. */
export function apertureSum(img: Image, cx: number, cy: number, r: number): number {
  let sum = 0;
  const n = 8;
  for (let y = Math.floor(cy - r - 1); y <= Math.ceil(cy + r + 1); y++) {
    for (let x = Math.floor(cx - r - 1); x <= Math.ceil(cx + r + 1); x++) {
      if (x < 0 || y < 0 || x >= img.width || y >= img.height) continue;
      let inside = 0;
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++) {
          const dx = x - 0.5 + (i + 0.5) / n - cx;
          const dy = y - 0.5 + (j + 0.5) / n - cy;
          if (dx * dx + dy * dy <= r * r) inside++;
        }
      sum += (img.data[y * img.width + x] * inside) / (n * n);
    }
  }
  return sum;
}

/** Median of the pixels whose centres lie in the annulus [r0, r1). */
export function annulusMedian(img: Image, cx: number, cy: number, r0: number, r1: number): number {
  const values: number[] = [];
  for (let y = Math.floor(cy - r1); y <= Math.ceil(cy + r1); y++) {
    for (let x = Math.floor(cx - r1); x <= Math.ceil(cx + r1); x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (d >= r0 && d < r1 && x >= 0 && y >= 0 && x < img.width && y < img.height)
        values.push(img.data[y * img.width + x]);
    }
  }
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

/** Sky-subtracted flux in a circular aperture (sky from the 7-8 px annulus, as LEGUS). */
export function apertureFlux(img: Image, cx: number, cy: number, r: number): number {
  return apertureSum(img, cx, cy, r) - annulusMedian(img, cx, cy, 7, 8) * Math.PI * r * r;
}

/** Concentration index: m(1 px) - m(3 px) (LEGUS definition). */
export function concentrationIndex(img: Image, cx: number, cy: number): number {
  return -2.5 * Math.log10(apertureFlux(img, cx, cy, 1) / apertureFlux(img, cx, cy, 3));
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function percentile(v: number[], p: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
