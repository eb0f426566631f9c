// H.265 → H.264 for browsers that cannot decode H.265 (Chromium on Debian): ONE ffmpeg per camera
// stream, only while somebody watches. Annex-B in on stdin, libx264 ultrafast/zerolatency, Annex-B
// out on stdout, parsed back into frames that keep the input frames' times (one out per one in).
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from 'pino';
import type { StreamSpec } from '../ingest/source.ts';
import { splitAnnexB } from '../media/h264/annexb.ts';
import { h264VideoParams } from '../media/h264/params.ts';
import { sameBytes } from '../media/params-equal.ts';
import type { VideoFrame, VideoParams } from '../media/types.ts';
import { LiveHub } from './hub.ts';
import type { ViewerQueue } from './hub.ts';
import type { HubLease, LiveSources } from './sources.ts';

const START = new Uint8Array([0, 0, 0, 1]);

/** Splits an H.264 Annex-B byte stream (with AUDs) into access units as bytes arrive. */
export class AnnexBFramer {
  private buf = new Uint8Array(0);
  private au: Uint8Array[] = [];
  private sawVcl = false;

  push(chunk: Uint8Array): Uint8Array[][] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    // Everything up to the last start code is complete NAL units.
    let last = -1;
    for (let i = joined.length - 3; i >= 0; i--) {
      if (joined[i] === 0 && joined[i + 1] === 0 && joined[i + 2] === 1) {
        last = i;
        break;
      }
    }
    if (last < 0) {
      this.buf = joined;
      return [];
    }
    const complete = splitAnnexB(joined.subarray(0, last + 3)).map((n) => Uint8Array.from(n));
    this.buf = joined.slice(last);
    const out: Uint8Array[][] = [];
    for (const nal of complete) {
      const t = nal[0] & 0x1f;
      if ((t === 9 || t === 7) && this.sawVcl) {
        out.push(this.au);
        this.au = [];
        this.sawVcl = false;
      }
      this.au.push(nal);
      if (t >= 1 && t <= 5) this.sawVcl = true;
    }
    return out;
  }
}

interface Entry {
  hub: LiveHub;
  refs: number;
  raw: HubLease;
  queue: ViewerQueue;
  proc?: ChildProcessWithoutNullStreams;
  pending: Array<{ pts90k: number; receivedAtMs: number }>;
  framer: AnnexBFramer;
  params?: VideoParams;
  linger?: NodeJS.Timeout;
}

export class Transcoders {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly sources: LiveSources,
    private readonly log: Logger,
    private readonly lingerMs = 10_000,
    private readonly ffmpeg = process.env.XUNCHA_FFMPEG ?? 'ffmpeg',
  ) {}

  hubs(): LiveHub[] {
    return [...this.entries.values()].map((e) => e.hub);
  }

  running(): number {
    return [...this.entries.values()].filter((e) => e.proc).length;
  }

  acquire(spec: StreamSpec): HubLease {
    const key = `${spec.cameraId}:${spec.stream}:h264`;
    let e = this.entries.get(key);
    if (!e) {
      const raw = this.sources.acquire(spec);
      const hub = new LiveHub(key);
      const entry: Entry = { hub, refs: 0, raw, queue: undefined as unknown as ViewerQueue, pending: [], framer: new AnnexBFramer() };
      entry.queue = raw.hub.addViewer(
        () => this.drain(entry),
        (s) => hub.setStatus(s),
      );
      this.entries.set(key, entry);
      e = entry;
    }
    const entry = e;
    clearTimeout(entry.linger);
    entry.refs++;
    let released = false;
    return {
      hub: entry.hub,
      release: () => {
        if (released) return;
        released = true;
        if (--entry.refs > 0) return;
        entry.linger = setTimeout(() => this.close(key, entry), this.lingerMs);
      },
    };
  }

  private drain(e: Entry): void {
    if (!e.queue) return; // called from addViewer, before the queue is stored
    for (let item = e.queue.take(); item; item = e.queue.take()) {
      if (item.kind === 'init') {
        e.params = item.params;
        this.kill(e); // new parameters: a fresh encoder (the decoder needs the new VPS/SPS/PPS)
        continue;
      }
      const p = e.params;
      if (!p) continue;
      if (p.codec === 'h264') {
        // Nothing to transcode: pass through.
        if (item.frame.keyframe && e.hub.currentParams !== p) e.hub.setParams(p);
        e.hub.pushFrame(item.frame);
        continue;
      }
      if (!e.proc) {
        if (!item.frame.keyframe) continue;
        e.proc = this.spawn(e);
      }
      const parts: Uint8Array[] = [];
      if (item.frame.keyframe) for (const ps of [p.vps, p.sps, p.pps]) if (ps) parts.push(START, ps);
      for (const n of item.frame.nalus) parts.push(START, n);
      e.pending.push({ pts90k: item.frame.pts90k, receivedAtMs: item.frame.receivedAtMs });
      if (e.pending.length > 100) e.pending.shift();
      e.proc.stdin.write(Buffer.concat(parts));
    }
  }

  private spawn(e: Entry): ChildProcessWithoutNullStreams {
    const fps = e.params?.fps ?? 25;
    const args = ['-hide_banner', '-loglevel', 'error', '-fflags', 'nobuffer', '-flags', 'low_delay', '-probesize', '32768', '-analyzeduration', '0', '-framerate', String(fps), '-f', 'hevc', '-i', 'pipe:0',
      '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(Math.round(fps * 2)), '-bf', '0', '-x264-params', 'repeat-headers=1:aud=1', '-f', 'h264', 'pipe:1'];
    const proc = spawn(this.ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    e.framer = new AnnexBFramer();
    e.pending = [];
    proc.stdin.on('error', () => undefined);
    proc.stderr.on('data', (d: Buffer) => this.log.warn({ ffmpeg: d.toString().trim().slice(0, 300), hub: e.hub.key }, 'transcoder'));
    proc.stdout.on('data', (chunk: Buffer) => {
      for (const au of e.framer.push(chunk)) this.output(e, au);
    });
    proc.once('exit', () => {
      if (e.proc === proc) e.proc = undefined;
    });
    return proc;
  }

  private output(e: Entry, nalus: Uint8Array[]): void {
    const t = e.pending.shift();
    const keyframe = nalus.some((n) => (n[0] & 0x1f) === 5);
    if (keyframe) {
      const sps = nalus.find((n) => (n[0] & 0x1f) === 7);
      const pps = nalus.find((n) => (n[0] & 0x1f) === 8);
      const cur = e.hub.currentParams;
      if (sps && pps && (!cur || !sameBytes(cur.sps, sps) || !sameBytes(cur.pps, pps))) {
        try {
          e.hub.setParams({ ...h264VideoParams(sps, pps), fps: e.params?.fps });
        } catch (err) {
          this.log.warn({ err }, 'transcoder: bad SPS');
        }
      }
    }
    const frame: VideoFrame = { kind: 'video', pts90k: t?.pts90k ?? 0, keyframe, nalus, receivedAtMs: t?.receivedAtMs ?? Date.now() };
    e.hub.pushFrame(frame);
  }

  private kill(e: Entry): void {
    const p = e.proc;
    e.proc = undefined;
    if (p) {
      p.stdin.end();
      p.kill('SIGKILL');
    }
  }

  private close(key: string, e: Entry): void {
    if (this.entries.get(key) === e) this.entries.delete(key);
    e.raw.hub.removeViewer(e.queue);
    e.raw.release();
    this.kill(e);
    e.hub.setStatus({ state: 'stopped', atMs: Date.now() });
  }

  async stop(): Promise<void> {
    for (const [key, e] of [...this.entries]) {
      clearTimeout(e.linger);
      this.close(key, e);
    }
    await Promise.resolve();
  }
}
