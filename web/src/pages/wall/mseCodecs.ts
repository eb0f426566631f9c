// The video codecs this browser's MSE can play, sent with every subscribe (docs/design/live.md):
// H.265 cameras then come as they are when the browser plays hvc1, and through the server's shared
// H.264 transcoder otherwise (Debian's Chromium has no H.265 in MSE). R-FN-1.

/** Main profile, level 3.1, no constraint flags: a plain 720p hvc1 stream as RFC 6381 names it. */
const HVC1_PROBE = 'video/mp4; codecs="hvc1.1.6.L93.B0"';

let cached: string[] | undefined;

export function playableCodecs(): string[] {
  if (!cached) {
    const h265 = typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(HVC1_PROBE);
    cached = h265 ? ['h264', 'h265'] : ['h264'];
  }
  return cached;
}
