// Picture statistics on small 8-bit grey frames (160×90 from ffmpeg, 64×36 for the reference
// comparison). Pure and allocation-light; thresholds and why are in docs/design/readiness.md.

export interface GrayFrame {
  width: number;
  height: number;
  /** width × height luma samples, row by row, 0–255. */
  data: Uint8Array;
}

export interface PictureStats {
  meanLuma: number;
  stdLuma: number;
  /** Share of pixels ≥ 250, 0–1. */
  clippedShare: number;
  /**
   * Mean absolute 4-neighbour Laplacian over the inner pixels per unit of contrast (÷ std dev,
   * × 100): edge energy that does not depend on how bright or contrasty the scene is; low when blurred.
   */
  sharpness: number;
}

export function pictureStats(f: GrayFrame): PictureStats {
  const { width: w, height: h, data } = f;
  let sum = 0;
  let sumSq = 0;
  let clipped = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    sum += v;
    sumSq += v * v;
    if (v >= 250) clipped++;
  }
  const n = data.length;
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  let lap = 0;
  let count = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      lap += Math.abs(4 * data[i] - data[i - 1] - data[i + 1] - data[i - w] - data[i + w]);
      count++;
    }
  }
  return { meanLuma: mean, stdLuma: std, clippedShare: clipped / n, sharpness: count && std > 1e-9 ? (100 * lap) / count / std : 0 };
}

/** Mean absolute difference of two frames of the same size, 0–255. */
export function meanAbsDiff(a: GrayFrame, b: GrayFrame): number {
  if (a.data.length !== b.data.length) throw new Error('frames differ in size');
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d += Math.abs(a.data[i] - b.data[i]);
  return d / a.data.length;
}

/** Box-averages a frame down to `w`×`h` (integer factors not required). */
export function downscale(f: GrayFrame, w: number, h: number): GrayFrame {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * f.height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * f.height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * f.width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * f.width) / w));
      let s = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += f.data[yy * f.width + xx];
      out[y * w + x] = Math.round(s / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * 1 − normalised cross-correlation of two same-size frames: 0 for the same scene (whatever the
 * brightness and contrast), ~1 for unrelated scenes. Flat frames (no structure) compare as 1.
 */
export function sceneDistance(a: GrayFrame, b: GrayFrame): number {
  if (a.data.length !== b.data.length) throw new Error('frames differ in size');
  const n = a.data.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a.data[i];
    mb += b.data[i];
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = a.data[i] - ma;
    const db = b.data[i] - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  if (va < 1e-9 || vb < 1e-9) return 1;
  return 1 - cov / Math.sqrt(va * vb);
}
