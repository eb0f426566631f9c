// Decodes captured access units with ffmpeg into small grey pictures (keyframes only: cheap, and
// enough for exposure, focus, cover, frozen and moved) and one colour JPEG for people to see.
// A stream that yields no picture is reported with ffmpeg's own words. Killed after `timeoutMs`.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { VideoCodec, VideoFrame } from '../media/types.ts';
import type { GrayFrame } from './picture-metrics.ts';

export const GRAY_W = 160;
export const GRAY_H = 90;
const START_CODE = Buffer.from([0, 0, 0, 1]);

export interface Decoded {
  frames: GrayFrame[];
  /** pts of each decoded picture, 90 kHz (keyframes of the capture, in order). */
  pts90k: number[];
  jpeg?: Buffer;
  /** ffmpeg's last error lines when nothing decoded. */
  error?: string;
}

export function annexB(frames: readonly VideoFrame[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of frames) for (const n of f.nalus) parts.push(START_CODE, Buffer.from(n.buffer, n.byteOffset, n.byteLength));
  return Buffer.concat(parts);
}

function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => stream.on('close', () => resolve(Buffer.concat(chunks))));
}

export async function decodeKeyframes(frames: readonly VideoFrame[], codec: VideoCodec, opts: { timeoutMs: number; ffmpeg?: string }): Promise<Decoded> {
  const keyPts = frames.filter((f) => f.keyframe).map((f) => f.pts90k);
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-skip_frame', 'nokey', '-f', codec === 'h265' ? 'hevc' : 'h264', '-i', 'pipe:0'];
  args.push('-map', '0:v', '-fps_mode', 'passthrough', '-vf', `scale=${GRAY_W}:${GRAY_H}`, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1');
  args.push('-map', '0:v', '-frames:v', '1', '-vf', 'scale=320:180', '-q:v', '5', '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:3');
  const proc = spawn(opts.ffmpeg ?? process.env.XUNCHA_FFMPEG ?? 'ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const jpegStream = proc.stdio[3] as Readable;
  const [gray, jpeg, stderr, exit] = await Promise.all([
    collect(proc.stdout),
    collect(jpegStream),
    collect(proc.stderr),
    new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        resolve('timeout');
      }, opts.timeoutMs);
      proc.on('close', (code) => {
        clearTimeout(timer);
        resolve(code === 0 ? 'ok' : `exit ${code}`);
      });
      proc.on('error', (err) => {
        clearTimeout(timer);
        resolve(`spawn: ${err.message}`);
      });
      proc.stdin.on('error', () => undefined);
      proc.stdin.end(annexB(frames));
    }),
  ]);
  const size = GRAY_W * GRAY_H;
  const out: GrayFrame[] = [];
  for (let off = 0; off + size <= gray.length; off += size) out.push({ width: GRAY_W, height: GRAY_H, data: new Uint8Array(gray.subarray(off, off + size)) });
  const decoded: Decoded = { frames: out, pts90k: keyPts.slice(0, out.length), jpeg: jpeg.length ? jpeg : undefined };
  if (out.length === 0) {
    const lines = stderr.toString().trim().split('\n').filter(Boolean);
    decoded.error = exit === 'timeout' ? '解码超时 (decoding timed out)' : lines.slice(-2).join(' | ').slice(0, 300) || `ffmpeg ${exit}, 无画面 (no picture)`;
  }
  return decoded;
}
