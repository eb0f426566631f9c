// Bytes of the server's live fMP4 fragments (src/live/fmp4-live.ts) as the wall player needs them.

/** Video timescale of the server's live fMP4 (src/live/fmp4-live.ts: RTP's 90 kHz). */
const TIMESCALE_HZ = 90_000;

/** baseMediaDecodeTime of a live moof+mdat, in seconds (the tfdt box sits in its first ~80 bytes). */
export function decodeTimeS(fragment: Uint8Array): number | undefined {
  const n = Math.min(fragment.length - 16, 128);
  for (let i = 4; i < n; i++) {
    if (fragment[i] !== 0x74 || fragment[i + 1] !== 0x66 || fragment[i + 2] !== 0x64 || fragment[i + 3] !== 0x74) continue; // 'tfdt'
    const view = new DataView(fragment.buffer, fragment.byteOffset + i + 4);
    const t = view.getUint8(0) === 1 ? view.getUint32(4) * 2 ** 32 + view.getUint32(8) : view.getUint32(4);
    return t / TIMESCALE_HZ;
  }
  return undefined;
}

/** mvhd duration written by withKnownDuration: 2^31 − 1 ms (24.8 days), at the live muxer's 1-ms movie timescale. */
const KNOWN_DURATION = 0x7fffffff;

/**
 * A copy of a live init segment whose movie header gives a duration (the server's says "unknown",
 * src/media/fmp4/init-segment.ts). Chromium takes an fMP4 without a duration for a live stream and
 * plays it in "low delay" mode — no decoder frame threads, a renderer that restarts after a stall
 * with one picture — which a big wall cannot afford (liveEdgePolicy.ts wallProfile). Appends past
 * the duration extend it, so the tile plays on as before. Unchanged when there is no version-0 mvhd.
 */
export function withKnownDuration(init: Uint8Array): Uint8Array {
  const n = Math.min(init.length - 28, 256);
  for (let i = 4; i < n; i++) {
    if (init[i] !== 0x6d || init[i + 1] !== 0x76 || init[i + 2] !== 0x68 || init[i + 3] !== 0x64) continue; // 'mvhd'
    if (init[i + 4] !== 0) return init; // version 1: 64-bit fields, not what the server writes
    const out = init.slice();
    const view = new DataView(out.buffer, out.byteOffset + i + 4);
    if (view.getUint32(16) === 0) view.setUint32(16, KNOWN_DURATION); // after version/flags, creation, modification, timescale
    return out;
  }
  return init;
}
