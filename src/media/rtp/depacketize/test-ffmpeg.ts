// Test-only helpers: generate real streams with ffmpeg into a temp dir and probe results
// with ffprobe. Not used by production code.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProbeStream {
  codec_name: string;
  codec_type: string;
  width?: number;
  height?: number;
  profile?: string;
  level?: number;
  sample_rate?: string;
  channels?: number;
  nb_read_frames?: string;
  duration?: string;
  r_frame_rate?: string;
}

export interface ProbeResult {
  streams: ProbeStream[];
  format: { format_name: string; duration?: string };
}

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `xuncha-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Generates a file with ffmpeg and returns its bytes. */
export function generate(path: string, args: string[]): Uint8Array {
  ffmpeg([...args, path]);
  return new Uint8Array(readFileSync(path));
}

/** lavfi test pattern encoded as raw Annex-B H.264 (no B-frames, like IP cameras). */
export function h264Args(o: { width: number; height: number; fps: number; seconds: number; gop: number; extra?: string[] }): string[] {
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}`, '-t', String(o.seconds),
    '-c:v', 'libx264', '-g', String(o.gop), '-bf', '0', ...(o.extra ?? []),
    '-bsf:v', 'h264_mp4toannexb', '-f', 'h264',
  ];
}

export function h265Args(o: { width: number; height: number; fps: number; seconds: number; gop: number }): string[] {
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}`, '-t', String(o.seconds),
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `keyint=${o.gop}:min-keyint=${o.gop}:bframes=0:log-level=error`,
    '-f', 'hevc',
  ];
}

export function aacAdtsArgs(o: { sampleRate: number; channels: number; seconds: number }): string[] {
  return [
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${o.sampleRate}`, '-t', String(o.seconds),
    '-ac', String(o.channels), '-c:a', 'aac', '-b:a', '64k', '-f', 'adts',
  ];
}

export function alawArgs(o: { seconds: number }): string[] {
  return ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', String(o.seconds), '-c:a', 'pcm_alaw', '-f', 'alaw'];
}

export function ffprobe(path: string): ProbeResult {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', path],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as ProbeResult;
}

/** Decodes the whole file and returns ffmpeg's error output (empty when clean). */
export function decodeErrors(path: string): string {
  try {
    execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
}
