// G.711 encoders (ITU-T G.711 A-law and μ-law) from 16-bit linear samples: the reverse of
// level.ts's tables. Used to re-encode a back-channel stream whose law differs from the camera's
// (a GB/T 28181 upper sends PCMA, some cameras take only PCMU) and by tests that generate tones.
import { decodeG711 } from './level.ts';
import type { G711Law } from './level.ts';

/** Segment ends of the A-law (13-bit magnitude) and μ-law (14-bit, biased) compandors (ITU g711.c). */
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];

function segment(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]) return i;
  return 8;
}

/** One 16-bit sample → A-law byte (G.711 §A). */
function linearToAlaw(sample: number): number {
  let pcm = sample >> 3; // 13-bit
  let mask: number;
  if (pcm >= 0) mask = 0xd5;
  else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segment(pcm, SEG_AEND);
  if (seg >= 8) return 0x7f ^ mask;
  const aval = (seg << 4) | (seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f);
  return aval ^ mask;
}

/** One 16-bit sample → μ-law byte (G.711 §B: 14-bit, bias 0x21, clipped at 8159). */
function linearToUlaw(sample: number): number {
  let pcm = sample >> 2;
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else mask = 0xff;
  if (pcm > 8159) pcm = 8159;
  pcm += 0x21;
  const seg = segment(pcm, SEG_UEND);
  if (seg >= 8) return 0x7f ^ mask;
  const uval = (seg << 4) | ((pcm >> (seg + 1)) & 0x0f);
  return uval ^ mask;
}

/** Encodes linear samples (clamped to 16 bits) as one G.711 payload. */
export function encodeG711(law: G711Law, samples: ArrayLike<number>): Uint8Array {
  const enc = law === 'pcma' ? linearToAlaw : linearToUlaw;
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-32768, Math.min(32767, Math.round(samples[i])));
    out[i] = enc(s);
  }
  return out;
}

/** Re-encodes a G.711 payload to the other law (identity when the laws match). */
export function transcodeG711(from: G711Law, to: G711Law, payload: Uint8Array): Uint8Array {
  return from === to ? payload : encodeG711(to, decodeG711(from, payload));
}
