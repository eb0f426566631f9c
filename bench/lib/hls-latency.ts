// The HLS peer of bench/live.ts: ffmpeg remuxes one camera to HLS (-c copy, 1 s target segments,
// PROGRAM-DATE-TIME); latency = time a segment is listed − its first frame's wall time + one
// segment (what a player holding one segment sees at best; Chromium cannot play HLS itself).
import { spawnOwned } from './lifecycle.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]);
}

export async function measureHls(rtspUrl: string, durationMs = 20_000): Promise<{ latencyP50Ms: number; segmentS: number; delays: number[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-hls-'));
  const ff = spawnOwned('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', rtspUrl,
    '-map', '0:v', '-c', 'copy', '-f', 'hls', '-hls_time', '1', '-hls_list_size', '6', '-hls_flags', 'program_date_time+delete_segments', path.join(dir, 'live.m3u8')], { stdio: 'ignore' });
  const seen = new Map<string, { at: number; pdt: number; dur: number }>();
  const end = Date.now() + durationMs;
  try {
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      let text = '';
      try {
        text = readFileSync(path.join(dir, 'live.m3u8'), 'utf8');
      } catch {
        continue;
      }
      let pdt = Number.NaN;
      let dur = Number.NaN;
      for (const line of text.split('\n')) {
        if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
        else if (line.startsWith('#EXTINF:')) dur = Number(line.slice(8).split(',')[0]);
        else if (line && !line.startsWith('#')) {
          if (!seen.has(line) && Number.isFinite(pdt)) seen.set(line, { at: Date.now(), pdt, dur });
          pdt = Number.NaN;
        }
      }
    }
  } finally {
    // ffmpeg writes its last segment on SIGTERM: wait for it to exit before removing the folder.
    const exited = new Promise((r) => ff.once('exit', r));
    ff.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
  // Skip the first two segments (startup).
  const segs = [...seen.values()].slice(2);
  const segmentS = segs.reduce((s, x) => s + x.dur, 0) / Math.max(1, segs.length);
  const delays = segs.map((s) => s.at - s.pdt + s.dur * 1000);
  return { latencyP50Ms: median(delays), segmentS, delays };
}
