// Clips for the decode-only peer of bench/live.ts: the simulator's own H.264 clips
// (assets/clips/main.h264 720p, sub.h264 360p; see src/sim/clips.ts) remuxed once by ffmpeg into
// fragmented MP4 without re-encoding, looped so that one file outlasts a measuring window.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CLIPS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/clips');

/** fMP4 bytes of assets/clips/<name>.h264 at `fps`, repeated `loops` times (10 s clips). */
export async function makePeerClip(name: 'main' | 'sub', fps: number, loops: number): Promise<Buffer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-peer-'));
  try {
    const out = path.join(dir, `${name}.mp4`);
    await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-framerate', String(fps), '-f', 'h264',
      // concat: the raw stream repeated (each repeat starts with SPS/PPS + IDR); -stream_loop cannot seek raw H.264.
      '-i', `concat:${Array.from({ length: loops }, () => path.join(CLIPS_DIR, `${name}.h264`)).join('|')}`, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', out]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
