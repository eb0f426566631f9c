// Walks one camera's recording forward from a start point and yields what the player needs:
// init segments (when the codec parameters change), re-timed video-only fragments, gaps with
// their length and reason, the end, or "wait" at the live edge of a recording still being written.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { buildFragment } from '../media/fmp4/fragment.ts';
import type { FragmentSample } from '../media/fmp4/fragment.ts';
import type { FileStore } from '../recording/file-store.ts';
import { isSync, parseFragment, parseInit, videoOnlyInit } from './fmp4-read.ts';
import type { IndexedFile, PlaybackIndex, StartPoint } from './index-view.ts';
import { indexFile } from './index-view.ts';

export type CursorItem =
  | { kind: 'init'; bytes: Uint8Array; codec: string }
  | { kind: 'frag'; bytes: Uint8Array; start90k: number; end90k: number }
  | { kind: 'gap'; startMs: number; endMs: number; reason: string; detail?: string }
  | { kind: 'wait' }
  | { kind: 'end'; atMs: number; reason: string };

export interface CursorOptions {
  /** Media time 0 of the player, ms × 90 since the epoch (the same for every camera of a session). */
  origin90k: number;
  keyframesOnly: boolean;
}

export class CameraCursor {
  private file?: IndexedFile;
  private fh?: FileHandle;
  private fragIndex = 0;
  private first = true;
  private stsd?: Buffer;
  private videoTrack = { id: 1, timescale: 90000 };
  private lastEnd90k?: number;
  private seq = 0;
  private readonly pending: CursorItem[] = [];

  constructor(
    readonly cameraId: number,
    private readonly index: PlaybackIndex,
    private readonly files: FileStore,
    private readonly opts: CursorOptions,
  ) {}

  /** Positions the cursor at a start point (from PlaybackIndex.startPoint). */
  async start(sp: StartPoint, atMs: number): Promise<void> {
    if (sp.inGap) this.pending.push(await this.gapItem(atMs * 90, sp.file, undefined));
    await this.enter(sp.file);
    this.fragIndex = sp.fragIndex;
  }

  /** Wall clock end of what was yielded so far, ms × 90. */
  get position90k(): number | undefined {
    return this.lastEnd90k;
  }

  async next(): Promise<CursorItem> {
    const queued = this.pending.shift();
    if (queued) return queued;
    const file = this.file;
    if (!file) return { kind: 'end', atMs: Math.round((this.lastEnd90k ?? 0) / 90), reason: 'no-recording' };
    if (this.fragIndex >= file.frags.length) return this.advance(file);
    const frag = file.frags[this.fragIndex++];
    if (this.opts.keyframesOnly && frag.keyframeOffset90k === undefined) return this.next();
    const bytes = await this.read(frag.fileOffset, frag.byteLength);
    let samples = parseFragment(bytes).filter((s) => s.trackId === this.videoTrack.id);
    if (this.first || this.opts.keyframesOnly) {
      const k = samples.findIndex((s) => isSync(s.flags));
      if (k < 0) return this.next();
      samples = samples.slice(k);
    }
    this.first = false;
    const ts = this.videoTrack.timescale;
    const wall = (t: number) => file.start90k + Math.round((t * 90000) / ts);
    let out: FragmentSample[] = samples.map((s) => ({ durationTicks: s.duration, sizeBytes: s.size, keyframe: isSync(s.flags), compositionOffset: s.cto }));
    let data = samples.map((s) => bytes.subarray(s.dataOffset, s.dataOffset + s.size));
    let end90k = wall(samples.at(-1)!.decodeTime + samples.at(-1)!.duration);
    if (this.opts.keyframesOnly) {
      // One picture per GOP, lasting until the next keyframe so media time stays wall time.
      const nextKey = file.frags.slice(this.fragIndex).find((f) => f.keyframeOffset90k !== undefined);
      end90k = nextKey ? nextKey.wall90k + nextKey.keyframeOffset90k! : file.end90k;
      out = [{ ...out[0], durationTicks: Math.max(1, Math.round(((end90k - wall(samples[0].decodeTime)) * ts) / 90000)) }];
      data = [data[0]];
    }
    const start90k = wall(samples[0].decodeTime);
    const frame = buildFragment({
      sequenceNumber: ++this.seq,
      tracks: [{ trackId: this.videoTrack.id, baseMediaDecodeTime: Math.round(((start90k - this.opts.origin90k) * ts) / 90000), samples: out, data }],
    });
    this.lastEnd90k = end90k;
    return { kind: 'frag', bytes: frame, start90k, end90k };
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }

  private async advance(file: IndexedFile): Promise<CursorItem> {
    if (file.row.status === 'open') {
      const fresh = await this.index.fileById(file.row.id);
      if (fresh && (fresh.fragment_index.length !== file.row.fragment_index.length || fresh.status !== 'open')) {
        this.file = indexFile(fresh);
        return this.next();
      }
      return { kind: 'wait' };
    }
    const nextRow = (await this.index.filesAfter(this.cameraId, Number(file.row.start_ms), file.row.id, 1))[0];
    if (!nextRow) {
      const run = await this.index.runById(file.row.run_id);
      if (!run || run.ended_at_ms === null) return { kind: 'wait' };
      return { kind: 'end', atMs: Math.round(file.end90k / 90), reason: run.end_reason ?? 'unknown' };
    }
    const next = indexFile(nextRow);
    const from90k = this.lastEnd90k ?? file.end90k;
    if (next.row.run_id !== file.row.run_id && next.start90k > from90k) this.pending.push(await this.gapItem(from90k, next, file));
    await this.enter(next);
    this.fragIndex = 0;
    return this.next();
  }

  private async gapItem(from90k: number, next: IndexedFile, prev: IndexedFile | undefined): Promise<CursorItem> {
    const run = prev ? await this.index.runById(prev.row.run_id) : undefined;
    return { kind: 'gap', startMs: Math.round(from90k / 90), endMs: Math.round(next.start90k / 90), reason: run?.end_reason ?? 'no-recording', detail: run?.end_detail ?? undefined };
  }

  private async enter(file: IndexedFile): Promise<void> {
    await this.close();
    this.file = file;
    this.fh = await open(this.files.absolute(file.row.rel_path), 'r');
    const init = await this.read(0, Number(file.row.init_bytes));
    const video = parseInit(init).find((t) => t.handler === 'vide');
    if (!video) throw new Error(`${file.row.rel_path}: no video track`);
    this.videoTrack = { id: video.trackId, timescale: video.timescale };
    const stsd = Buffer.from(video.stsd);
    if (!this.stsd || !this.stsd.equals(stsd)) {
      this.stsd = stsd;
      this.first = true;
      const run = await this.index.runById(file.row.run_id);
      this.pending.push({ kind: 'init', bytes: videoOnlyInit(init), codec: run?.rfc6381 ?? 'avc1.4d401f' });
    }
  }

  private async read(position: number, length: number): Promise<Uint8Array> {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.fh!.read(buf, got, length - got, position + got);
      if (bytesRead === 0) throw new Error(`recording file shorter than its index (${this.file?.row.rel_path})`);
      got += bytesRead;
    }
    return buf;
  }
}
