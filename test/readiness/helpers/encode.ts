// H.264 access units made by the real ffmpeg from a lavfi picture, split as a camera's capture
// would be (one VideoFrame per picture), for the readiness decode tests.
import { execFileSync } from 'node:child_process';
import { splitAnnexB } from '../../../src/media/h264/annexb.ts';
import type { VideoFrame } from '../../../src/media/types.ts';

/** Encodes `seconds` of a lavfi picture as H.264 (GOP 25 at 25 fps) and splits it into access units. */
export function encode(source: string, seconds = 3, size = '1280x720'): VideoFrame[] {
  const [gen, ...post] = source.split(',');
  const input = `${gen}${gen.includes('=') ? ':' : '='}size=${size}:rate=25${post.length ? `,${post.join(',')}` : ''}`;
  const es = execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', input, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p', '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', 'pipe:1'], { maxBuffer: 64 << 20 });
  const frames: VideoFrame[] = [];
  let cur: Uint8Array[] = [];
  const flush = () => {
    if (cur.length === 0) return;
    const keyframe = cur.some((n) => (n[0] & 0x1f) === 5);
    frames.push({ kind: 'video', pts90k: frames.length * 3600, keyframe, nalus: cur, receivedAtMs: 0 });
    cur = [];
  };
  for (const n of splitAnnexB(es)) {
    if ((n[0] & 0x1f) === 9) flush();
    else cur.push(n);
  }
  flush();
  return frames;
}
