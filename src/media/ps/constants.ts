// Program stream constants: start codes, stream IDs and the stream_type values GB/T 28181 uses
// in the program stream map (H.264 0x1B, H.265 0x24, AAC 0x0F, G.711 A/µ-law 0x90/0x91).

export const PACK_START = 0xba;
export const SYSTEM_HEADER = 0xbb;
export const PSM_ID = 0xbc;
export const PROGRAM_END = 0xb9;
export const PRIVATE_STREAM_1 = 0xbd;
export const PADDING_STREAM = 0xbe;
export const VIDEO_STREAM_ID = 0xe0;
export const AUDIO_STREAM_ID = 0xc0;

export const StreamType = {
  h264: 0x1b,
  h265: 0x24,
  aac: 0x0f,
  pcma: 0x90,
  pcmu: 0x91,
} as const;

export type PsCodec = keyof typeof StreamType;

export function codecOfStreamType(t: number): PsCodec | undefined {
  for (const [k, v] of Object.entries(StreamType)) if (v === t) return k as PsCodec;
  return undefined;
}

/** MPEG-2 CRC-32 (poly 0x04C11DB7, not reflected, init all ones) used by the PSM. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let j = 0; j < 8; j++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32Mpeg(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of data) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  return crc >>> 0;
}
