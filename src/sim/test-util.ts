// Helpers shared by the simulator tests (ffmpeg/ffprobe runners).
import { execFile, spawn, type ChildProcess } from 'node:child_process';

export const FFMPEG = process.env.FFMPEG ?? 'ffmpeg';
export const FFPROBE = process.env.FFPROBE ?? 'ffprobe';

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command to completion (never rejects on non-zero exit). */
export function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr: stderr.toString('utf8') });
    });
  });
}

export interface ProbeStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  nb_read_frames?: string;
}

export async function ffprobeStreams(input: string, extra: string[] = [], countFrames = false): Promise<{ streams: ProbeStream[]; stderr: string; code: number | null }> {
  const r = await run(FFPROBE, ['-v', 'error', ...extra, ...(countFrames ? ['-count_frames'] : []), '-show_streams', '-of', 'json', input]);
  let streams: ProbeStream[] = [];
  try {
    streams = (JSON.parse(r.stdout.toString('utf8')) as { streams?: ProbeStream[] }).streams ?? [];
  } catch {
    streams = [];
  }
  return { streams, stderr: r.stderr, code: r.code };
}

/** Spawns ffmpeg; resolves `exited` with the exit code. */
export function spawnFfmpeg(args: string[]): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(FFMPEG, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    if (err.length > 100_000) err = err.slice(-50_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('waitFor: timeout');
    await sleep(stepMs);
  }
}
