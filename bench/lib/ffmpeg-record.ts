// The reference: one ffmpeg process per camera, stream copy into 60-s MP4 segments, as Frigate,
// Shinobi and ZoneMinder record. Frames written are counted afterwards with ffprobe.
import { execFile } from 'node:child_process';
import { spawnOwned } from './lifecycle.ts';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface FfmpegGroup {
  procs: Array<{ id: string; child: ChildProcess }>;
  /** SIGINT to every process (clean finish: trailers written), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ exitCodes: Array<number | null>; stderr: string[] }>;
}

export function startFfmpegRecorders(opts: { ids: string[]; port: number; dir: string }): FfmpegGroup {
  const stderr = new Map<string, string>();
  const procs = opts.ids.map((id) => {
    const out = path.join(opts.dir, id);
    mkdirSync(out, { recursive: true });
    // prettier-ignore
    const child = spawnOwned('ffmpeg', [
      '-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', `rtsp://127.0.0.1:${opts.port}/cam/${id}/main`,
      '-c', 'copy', '-f', 'segment', '-segment_time', '60', '-reset_timestamps', '1', path.join(out, 'out_%03d.mp4'),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => stderr.set(id, ((stderr.get(id) ?? '') + c.toString()).slice(-2000)));
    return { id, child };
  });
  return {
    procs,
    async stop(graceMs = 20_000) {
      const exits = procs.map(
        ({ child }) =>
          new Promise<number | null>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
            const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
            child.once('exit', (code) => {
              clearTimeout(kill);
              resolve(code);
            });
          }),
      );
      for (const { child } of procs) child.kill('SIGINT');
      const exitCodes = await Promise.all(exits);
      return { exitCodes, stderr: [...stderr.entries()].filter(([, e]) => e.trim()).map(([id, e]) => `${id}: ${e.trim().split('\n').slice(-3).join(' | ')}`) };
    },
  };
}

/**
 * Video frames in every segment of each camera. `decode` uses `ffprobe -count_frames` (decodes
 * every frame: slow); otherwise `-count_packets` (one packet is one frame in a stream copy).
 */
export async function countFfmpegFrames(dir: string, ids: string[], decode: boolean, parallel = 2): Promise<Record<string, number>> {
  const jobs: Array<{ id: string; file: string }> = [];
  for (const id of ids) {
    let files: string[] = [];
    try {
      files = readdirSync(path.join(dir, id)).filter((f) => f.endsWith('.mp4'));
    } catch {
      files = [];
    }
    for (const f of files) jobs.push({ id, file: path.join(dir, id, f) });
  }
  const frames: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  const field = decode ? 'nb_read_frames' : 'nb_read_packets';
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      try {
        // prettier-ignore
        const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', decode ? '-count_frames' : '-count_packets', '-show_entries', `stream=${field}`, '-of', 'csv=p=0', job.file]);
        frames[job.id] += Number(stdout.trim().split('\n')[0]) || 0;
      } catch {
        // An unreadable segment (ffmpeg killed before its trailer) holds no countable frames.
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return frames;
}
