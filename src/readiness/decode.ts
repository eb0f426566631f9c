// Decodes captured access units with ffmpeg into small grey pictures (keyframes only: cheap, and
// enough for exposure, focus, cover, frozen and moved) and one colour JPEG for people to see.
// A stream that yields no picture is reported with ffmpeg's own words. Killed after `timeoutMs`.
// An AAC camera's sound is decoded by the same ffmpeg (a second input, 16-bit PCM out) and measured
// here as volumedetect would (src/media/g711/level.ts): one process per probe instead of two.
// Several cameras can share one ffmpeg (`decodeMany`, one input and its own output pipes per
// camera): the process start-up — loading ffmpeg's ~215 shared libraries — was most of a probe's
// CPU (docs/benchmarks.md, readiness). A camera whose result is not whole in a shared run is decoded
// again alone, so that its verdict and ffmpeg's words are its own.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { s16leLevel } from '../media/g711/level.ts';
import type { VideoCodec, VideoFrame } from '../media/types.ts';
import type { GrayFrame } from './picture-metrics.ts';
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

/** One camera's capture to decode. */
export interface DecodeJob {
  frames: readonly VideoFrame[];
  codec: VideoCodec;
  /** AAC sound as ADTS, measured by the same process. */
  aacAdts?: Buffer;
}

export interface DecodeOptions {
  timeoutMs: number;
  ffmpeg?: string;
}

/** H.264 SPS/PPS (7, 8) or H.265 VPS/SPS/PPS (32–34): kept from any frame. */
function isParameterSet(codec: VideoCodec, n: Uint8Array): boolean {
  if (codec === 'h265') {
    const t = (n[0] >> 1) & 0x3f;
    return t >= 32 && t <= 34;
  }
  const t = n[0] & 0x1f;
  return t === 7 || t === 8;
}

/**
 * What the decoder is given: the keyframes whole, and of the other frames only parameter sets.
 * The decoder decodes keyframes only (`-skip_frame nokey`), so the other frames' slices were
 * parsed and dropped by ffmpeg anyway; not sending them saves copying and piping ~70 % of the
 * capture's bytes (a keyframe is intra-coded: its picture is the same without them).
 */
export function keyframesAnnexB(frames: readonly VideoFrame[], codec: VideoCodec): Buffer {
  const parts: Buffer[] = [];
  for (const f of frames) {
    for (const n of f.nalus) if (f.keyframe || isParameterSet(codec, n)) parts.push(START_CODE, Buffer.from(n.buffer, n.byteOffset, n.byteLength));
  }
  return Buffer.concat(parts);
}

function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => stream.on('close', () => resolve(Buffer.concat(chunks))));
}

export async function decodeKeyframes(frames: readonly VideoFrame[], codec: VideoCodec, opts: DecodeOptions & { aacAdts?: Buffer }): Promise<Decoded> {
  return decodeAlone({ frames, codec, aacAdts: opts.aacAdts }, opts);
}

async function decodeAlone(job: DecodeJob, opts: DecodeOptions): Promise<Decoded> {
  const withAudio = job.aacAdts !== undefined && job.aacAdts.length > 0;
  const j = withAudio ? job : { ...job, aacAdts: undefined };
  const [d] = (await runDecoder([j], opts)).results;
  // Audio that ffmpeg cannot open or decode can stop the whole process early (seen: 1 of 3
  // pictures): the pictures are decoded again alone, so that bad sound never costs the picture.
  if (withAudio && !d.timedOut && (!d.decoded.audioLevel || 'error' in d.decoded.audioLevel)) {
    const [alone] = (await runDecoder([{ ...job, aacAdts: undefined }], opts)).results;
    return { ...alone.decoded, audioLevel: d.decoded.audioLevel };
  }
  return d.decoded;
}

/**
 * Decodes several cameras in one ffmpeg. A camera whose pictures are fewer than its keyframes, or
 * without its JPEG or (AAC) its sound, is decoded again alone (`decodeKeyframes`): a broken stream
 * can stop the shared process, and its error words must be its own.
 */
export async function decodeMany(jobs: readonly DecodeJob[], opts: DecodeOptions & { onAgainAlone?: () => void }): Promise<Decoded[]> {
  if (jobs.length === 1) return [await decodeAlone(jobs[0], opts)];
  const norm = jobs.map((j) => (j.aacAdts?.length ? j : { ...j, aacAdts: undefined }));
  const { results } = await runDecoder(norm, opts);
  return Promise.all(
    results.map(async (r, i): Promise<Decoded> => {
      if (r.whole) return r.decoded;
      opts.onAgainAlone?.();
      return decodeAlone(jobs[i], opts);
    }),
  );
}

interface JobResult {
  decoded: Decoded;
  timedOut: boolean;
  /** Every keyframe gave a picture, the JPEG is there and so is the sound (when there is AAC). */
  whole: boolean;
}

async function runDecoder(jobs: readonly DecodeJob[], opts: DecodeOptions): Promise<{ results: JobResult[] }> {
  // fd 0..2: stdin unused, stdout unused, stderr. Then per job: video in, grey out, JPEG out, and
  // with AAC: ADTS in, PCM out.
  const args = ['-hide_banner', '-nostdin', '-nostats', '-v', 'error'];
  const outArgs: string[] = [];
  const fds: { video: number; gray: number; jpeg: number; aac?: number; pcm?: number }[] = [];
  let fd = 3;
  let input = 0;
  for (const j of jobs) {
    const f: (typeof fds)[number] = { video: fd++, gray: fd++, jpeg: fd++ };
    // One decoding thread: the process decodes a few keyframes; decoder threads cost more to start
    // than they save (measured, docs/benchmarks.md).
    args.push('-threads', '1', '-skip_frame', 'nokey', '-f', j.codec === 'h265' ? 'hevc' : 'h264', '-i', `pipe:${f.video}`);
    const v = input++;
    outArgs.push('-map', `${v}:v`, '-fps_mode', 'passthrough', '-vf', `scale=${GRAY_W}:${GRAY_H}`, '-pix_fmt', 'gray', '-f', 'rawvideo', `pipe:${f.gray}`);
    outArgs.push('-map', `${v}:v`, '-frames:v', '1', '-vf', 'scale=320:180', '-q:v', '5', '-f', 'image2pipe', '-c:v', 'mjpeg', `pipe:${f.jpeg}`);
    if (j.aacAdts) {
      f.aac = fd++;
      f.pcm = fd++;
      args.push('-f', 'aac', '-i', `pipe:${f.aac}`);
      outArgs.push('-map', `${input++}:a`, '-c:a', 'pcm_s16le', '-f', 's16le', `pipe:${f.pcm}`);
    }
    fds.push(f);
  }
  const stdio: ('pipe' | 'ignore')[] = ['ignore', 'ignore', 'pipe', ...Array.from({ length: fd - 3 }, () => 'pipe' as const)];
  const proc = spawn(opts.ffmpeg ?? process.env.XUNCHA_FFMPEG ?? 'ffmpeg', [...args, ...outArgs], { stdio });
  const pipe = (n: number) => proc.stdio[n] as Readable & Writable;
  const outputs = fds.map((f) => Promise.all([collect(pipe(f.gray)), collect(pipe(f.jpeg)), f.pcm ? collect(pipe(f.pcm)) : Promise.resolve(undefined)]));
  const [outs, stderr, exit] = await Promise.all([
    Promise.all(outputs),
    collect(proc.stderr!),
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
      jobs.forEach((j, i) => {
        const write = (n: number, data: Buffer) => {
          pipe(n).on('error', () => undefined);
          pipe(n).end(data);
        };
        write(fds[i].video, keyframesAnnexB(j.frames, j.codec));
        if (j.aacAdts && fds[i].aac) write(fds[i].aac, j.aacAdts);
      });
    }),
  ]);
  const lines = stderr.toString().trim().split('\n').filter(Boolean);
  const size = GRAY_W * GRAY_H;
  const results = jobs.map((j, i): JobResult => {
    const [gray, jpeg, pcm] = outs[i];
    const keyPts = j.frames.filter((f) => f.keyframe).map((f) => f.pts90k);
    const out: GrayFrame[] = [];
    for (let off = 0; off + size <= gray.length; off += size) out.push({ width: GRAY_W, height: GRAY_H, data: new Uint8Array(gray.subarray(off, off + size)) });
    const decoded: Decoded = { frames: out, pts90k: keyPts.slice(0, out.length), jpeg: jpeg.length ? jpeg : undefined };
    if (out.length === 0) {
      decoded.error = exit === 'timeout' ? '解码超时 (decoding timed out)' : lines.slice(-2).join(' | ').slice(0, 300) || `ffmpeg ${exit}, 无画面 (no picture)`;
    }
    if (j.aacAdts) {
      const level = pcm ? s16leLevel(pcm) : undefined;
      decoded.audioLevel = level ?? { error: `音频无法解码 (audio does not decode): ${exit === 'timeout' ? '超时 (timed out)' : (lines[lines.length - 1] ?? exit)}`.slice(0, 300) };
    }
    const whole = exit === 'ok' && out.length === keyPts.length && out.length > 0 && decoded.jpeg !== undefined && (!j.aacAdts || (pcm?.length ?? 0) > 0);
    return { decoded, timedOut: exit === 'timeout', whole };
  });
  return { results };
}
