// Decodes captured access units with ffmpeg into small grey pictures (keyframes only: cheap, and
// enough for exposure, focus, cover, frozen and moved) and one colour JPEG for people to see.
// A stream that yields no picture is reported with ffmpeg's own words. Killed after `timeoutMs`.
// An AAC camera's sound is measured by the same ffmpeg (a second input, volumedetect): one process
// per probe instead of two (bench:readiness: the second start-up was most of an AAC probe's CPU).
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { VideoCodec, VideoFrame } from '../media/types.ts';
import type { GrayFrame } from './picture-metrics.ts';
import { parseVolumedetect } from './audio-level.ts';
import type { AudioLevel } from './audio-level.ts';

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
  /** The sound level of `aacAdts`, when it was given. */
  audioLevel?: AudioLevel | { error: string };
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

export async function decodeKeyframes(frames: readonly VideoFrame[], codec: VideoCodec, opts: { timeoutMs: number; ffmpeg?: string; aacAdts?: Buffer }): Promise<Decoded> {
  const withAudio = opts.aacAdts !== undefined && opts.aacAdts.length > 0;
  const d = await runDecoder(frames, codec, opts.timeoutMs, opts.ffmpeg, withAudio ? opts.aacAdts : undefined);
  // Audio that ffmpeg cannot open or decode can stop the whole process early (seen: 1 of 3
  // pictures): the pictures are decoded again alone, so that bad sound never costs the picture.
  if (withAudio && !d.timedOut && (!d.decoded.audioLevel || 'error' in d.decoded.audioLevel)) {
    const alone = await runDecoder(frames, codec, opts.timeoutMs, opts.ffmpeg, undefined);
    return { ...alone.decoded, audioLevel: d.decoded.audioLevel };
  }
  return d.decoded;
}

async function runDecoder(frames: readonly VideoFrame[], codec: VideoCodec, timeoutMs: number, ffmpeg: string | undefined, aacAdts: Buffer | undefined): Promise<{ decoded: Decoded; timedOut: boolean }> {
  const keyPts = frames.filter((f) => f.keyframe).map((f) => f.pts90k);
  // volumedetect reports at info level; `level` tags each line so errors can be told apart.
  const args = ['-hide_banner', '-nostdin', '-nostats', '-v', aacAdts ? 'repeat+level+info' : 'error', '-skip_frame', 'nokey', '-f', codec === 'h265' ? 'hevc' : 'h264', '-i', 'pipe:0'];
  if (aacAdts) args.push('-f', 'aac', '-i', 'pipe:4');
  args.push('-map', '0:v', '-fps_mode', 'passthrough', '-vf', `scale=${GRAY_W}:${GRAY_H}`, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1');
  args.push('-map', '0:v', '-frames:v', '1', '-vf', 'scale=320:180', '-q:v', '5', '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:3');
  if (aacAdts) args.push('-map', '1:a', '-af', 'volumedetect', '-f', 'null', '-');
  const proc = spawn(ffmpeg ?? process.env.XUNCHA_FFMPEG ?? 'ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe', aacAdts ? 'pipe' : 'ignore'] });
  const jpegStream = proc.stdio[3] as Readable;
  const [gray, jpeg, stderr, exit] = await Promise.all([
    collect(proc.stdout!),
    collect(jpegStream),
    collect(proc.stderr!),
    new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        resolve('timeout');
      }, timeoutMs);
      proc.on('close', (code) => {
        clearTimeout(timer);
        resolve(code === 0 ? 'ok' : `exit ${code}`);
      });
      proc.on('error', (err) => {
        clearTimeout(timer);
        resolve(`spawn: ${err.message}`);
      });
      proc.stdin!.on('error', () => undefined);
      proc.stdin!.end(annexB(frames));
      if (aacAdts) {
        const audioIn = proc.stdio[4] as Writable;
        audioIn.on('error', () => undefined);
        audioIn.end(aacAdts);
      }
    }),
  ]);
  const size = GRAY_W * GRAY_H;
  const out: GrayFrame[] = [];
  for (let off = 0; off + size <= gray.length; off += size) out.push({ width: GRAY_W, height: GRAY_H, data: new Uint8Array(gray.subarray(off, off + size)) });
  const decoded: Decoded = { frames: out, pts90k: keyPts.slice(0, out.length), jpeg: jpeg.length ? jpeg : undefined };
  const log = stderr.toString();
  // With level tags only error lines are ffmpeg's reasons; without them every line is one.
  const lines = log.trim().split('\n').filter((l) => l && (!aacAdts || /\[(error|fatal|panic)\]/.test(l))).map((l) => l.replace(/\[(error|fatal|panic)\] /, ''));
  if (out.length === 0) {
    decoded.error = exit === 'timeout' ? '解码超时 (decoding timed out)' : lines.slice(-2).join(' | ').slice(0, 300) || `ffmpeg ${exit}, 无画面 (no picture)`;
  }
  if (aacAdts) {
    decoded.audioLevel = parseVolumedetect(log) ?? { error: `音频无法解码 (audio does not decode): ${exit === 'timeout' ? '超时 (timed out)' : (lines.pop() ?? exit)}`.slice(0, 300) };
  }
  return { decoded, timedOut: exit === 'timeout' };
}
