// G.711 (ITU-T G.711: A-law "pcma", μ-law "pcmu") decoded to 16-bit linear and measured the way
// ffmpeg's volumedetect filter measures: mean power and peak of the samples, in dB relative to full
// scale (0x8000), digital silence reading −91 dB. The readiness sound check (R-PRE-3) uses it for
// the G.711 cameras most exam rooms have, instead of starting one ffmpeg per camera just to read a
// level (benchmarks.md, readiness): only AAC still needs ffmpeg to decode.

/** What volumedetect prints for a power of 0 (its MAX_DB). */
const SILENT_DB = -91;

/** A-law byte → linear sample (16-bit scale), per G.711 §A: even bits inverted, sign in bit 7. */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  if (!(a & 0x80)) magnitude = -magnitude;
  return magnitude;
}

/** μ-law byte → linear sample (16-bit scale), per G.711 §B: all bits inverted, bias 0x84. */
function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function table(decode: (b: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let b = 0; b < 256; b++) t[b] = decode(b);
  return t;
}
const ALAW = table(alawToLinear);
const ULAW = table(ulawToLinear);

export type G711Law = 'pcma' | 'pcmu';

/** Decodes one G.711 payload to linear samples. */
export function decodeG711(law: G711Law, payload: Uint8Array): Int16Array {
  const t = law === 'pcma' ? ALAW : ULAW;
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = t[payload[i]];
  return out;
}

/** dBFS of a mean power of 16-bit samples, volumedetect's definition (−91 for 0). */
export function db(power: number): number {
  return power > 0 ? 10 * Math.log10(power / (0x8000 * 0x8000)) : SILENT_DB;
}

/**
 * Mean and peak level of signed 16-bit little-endian PCM (any channel count: every sample counts,
 * as in volumedetect), rounded to 0.1 dB as volumedetect prints it; undefined when empty. Used for
 * AAC decoded to PCM by ffmpeg (src/readiness/decode.ts).
 */
export function s16leLevel(pcm: Uint8Array): { meanDb: number; maxDb: number } | undefined {
  const n = pcm.length >> 1;
  if (n === 0) return undefined;
  const view = new DataView(pcm.buffer, pcm.byteOffset, n * 2);
  let sumSquares = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const s = view.getInt16(i * 2, true);
    sumSquares += s * s;
    const m = s < 0 ? -s : s;
    if (m > peak) peak = m;
  }
  // volumedetect's mean power is an integer, rounded: (sum + n/2) / n.
  const power = Math.floor((sumSquares + Math.floor(n / 2)) / n);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return { meanDb: r1(db(power)), maxDb: r1(db(peak * peak)) };
}

/** Mean and peak level (dBFS, volumedetect's definition) of G.711 frames; undefined when empty. */
export function g711Level(law: G711Law, frames: readonly Uint8Array[]): { meanDb: number; maxDb: number } | undefined {
  const t = law === 'pcma' ? ALAW : ULAW;
  let sumSquares = 0;
  let peak = 0;
  let n = 0;
  for (const f of frames) {
    for (let i = 0; i < f.length; i++) {
      const s = t[f[i]];
      sumSquares += s * s;
      const m = s < 0 ? -s : s;
      if (m > peak) peak = m;
    }
    n += f.length;
  }
  if (n === 0) return undefined;
  return { meanDb: db(sumSquares / n), maxDb: db(peak * peak) };
}
