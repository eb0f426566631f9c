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
