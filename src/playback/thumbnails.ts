// Timeline hover pictures: the keyframe before an instant, decoded by ffmpeg from the init segment
// and one fragment, scaled to 320 px wide JPEG and cached on disk by file and fragment.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileStore } from '../recording/file-store.ts';
import type { PlaybackIndex } from './index-view.ts';

export class Thumbnails {
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly index: PlaybackIndex,
    private readonly files: FileStore,
    private readonly cacheDir: string,
  ) {}

  /** JPEG of the keyframe at or before the instant; undefined when the instant is not recorded. */
  async get(cameraId: number, atMs: number): Promise<Buffer | undefined> {
    const sp = await this.index.startPoint(cameraId, atMs);
    if (!sp || sp.inGap) return undefined;
    const file = path.join(this.cacheDir, String(cameraId), `${sp.file.row.id}-${sp.fragIndex}.jpg`);
    try {
      return await readFile(file);
    } catch {
      // not cached yet
    }
    let p = this.inflight.get(file);
    if (!p) {
      const frag = sp.file.frags[sp.fragIndex];
      p = this.limited(() => this.make(this.files.absolute(sp.file.row.rel_path), Number(sp.file.row.init_bytes), frag.fileOffset, frag.byteLength, file));
      this.inflight.set(file, p);
      void p.finally(() => this.inflight.delete(file)).catch(() => undefined);
    }
    return p;
  }

  private async make(src: string, initBytes: number, offset: number, length: number, dest: string): Promise<Buffer> {
    const fh = await open(src, 'r');
    let input: Buffer;
    try {
      input = Buffer.alloc(initBytes + length);
      await fh.read(input, 0, initBytes, 0);
      await fh.read(input, initBytes, length, offset);
    } finally {
      await fh.close();
    }
    const jpeg = await runFfmpeg(['-v', 'error', '-f', 'mp4', '-i', 'pipe:0', '-an', '-frames:v', '1', '-vf', 'scale=320:-2', '-q:v', '6', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'], input);
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.tmp`;
    await writeFile(tmp, jpeg);
    await rename(tmp, dest);
    return jpeg;
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= 2) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}

export function runFfmpeg(args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', input ? args : ['-nostdin', ...args], { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout!.on('data', (d: Buffer) => out.push(d));
    p.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg exited ${code}: ${err}`))));
    if (input) {
      p.stdin!.on('error', () => undefined);
      p.stdin!.end(input);
    }
  });
}
