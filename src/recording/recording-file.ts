// One fMP4 file being written: init segment, then fragments, each appended durably (an O_DSYNC
// write, file-store.ts) before the index learns of it. Writes of one file are chained so they land
// in order; the hot path (push) never waits for the disk.
import type { BuiltFragment } from '../media/fmp4/fragment-builder.ts';
import { FragmentBuilder } from '../media/fmp4/fragment-builder.ts';
import type { AudioParams, MediaFrame, VideoParams } from '../media/types.ts';
import type { AppendFile, FileStore } from './file-store.ts';
import { FragmentIndexWriter } from './fragment-index.ts';
import type { FileHandle, IndexWriter, RunHandle } from './index-writer.ts';

export class RecordingFile {
  readonly handle: FileHandle;
  readonly firstPts90k: number;
  private readonly builder: FragmentBuilder;
  private readonly index = new FragmentIndexWriter();
  private chain: Promise<void>;
  private out?: AppendFile;
  private failed?: Error;
  /** Set once the row insert is queued: only then may the row be updated. */
  private inserted = false;
  private readonly onError: (err: Error) => void;
  /** Media covered by fragments handed to the writer (not necessarily durable yet), 90 kHz. */
  queuedDuration90k = 0;
  /** Bytes handed to the writer and not yet durable: a disk (or CPU) that falls behind shows here. */
  pendingBytes = 0;
  /** Durable (committed to disk) counters. */
  private bytes = 0;
  private duration90k = 0;
  private frames = 0;

  constructor(
    private readonly files: FileStore,
    private readonly indexWriter: IndexWriter,
    run: RunHandle,
    opts: { relPath: string; start90k: number; startMs: number; firstPts90k: number; video: VideoParams; audio?: AudioParams; fragmentDurationMs: number; onError: (err: Error) => void },
  ) {
    this.firstPts90k = opts.firstPts90k;
    this.builder = new FragmentBuilder({ video: opts.video, audio: opts.audio, fragmentDurationMs: opts.fragmentDurationMs });
    const init = this.builder.initSegment();
    this.handle = {
      run,
      row: {
        camera_id: run.row.camera_id,
        rel_path: opts.relPath,
        start_ms: opts.startMs,
        end_ms: opts.startMs,
        start_90k: opts.start90k,
        duration_90k: 0,
        init_bytes: init.length,
        bytes: init.length,
        frame_count: 0,
        fragment_index: new Uint8Array(0),
        status: 'open',
      },
    };
    this.bytes = init.length;
    this.onError = opts.onError;
    this.chain = files
      .create(opts.relPath)
      .then(async (out) => {
        this.out = out;
        try {
          await out.appendDurable(init);
        } catch (err) {
          // A file without even its init segment is no recording: leave no empty file behind.
          await out.close().catch(() => undefined);
          this.out = undefined;
          await files.remove(opts.relPath).catch(() => undefined);
          throw err;
        }
        indexWriter.insertFile(this.handle);
        this.inserted = true;
      })
      .catch((err: unknown) => this.fail(err as Error));
  }

  /** Whether this file can take the frame (same codec parameters). */
  accepts(frame: MediaFrame): boolean {
    return this.builder.accepts(frame);
  }

  push(frame: MediaFrame): void {
    const built = this.builder.push(frame);
    if (built) this.write(built);
  }

  /**
   * The run's anchor moved back (its first keyframe was read late): so does this file's start.
   * Before the row insert is queued the row object is enough (the insert reads it when it commits).
   */
  moveStart(byMs: number): void {
    const row = this.handle.row;
    row.start_ms -= byMs;
    row.end_ms = row.start_ms + Math.round(this.duration90k / 90);
    if (this.inserted) this.indexWriter.updateFile(this.handle, { start_ms: row.start_ms, end_ms: row.end_ms });
  }

  /** Durable media time, 90 kHz. */
  get durableDuration90k(): number {
    return this.duration90k;
  }

  /** Writes what is held back and closes the file; resolves when the index has been told. */
  async finish(): Promise<void> {
    const last = this.builder.flush();
    if (last) this.write(last);
    this.chain = this.chain.then(async () => {
      if (this.out) await this.out.close();
      if (this.inserted && !this.failed) this.indexWriter.updateFile(this.handle, { status: 'closed' });
    });
    await this.chain.catch(() => undefined);
  }

  private write(f: BuiltFragment): void {
    this.queuedDuration90k += f.meta.durationTicks90k;
    this.pendingBytes += f.bytes.length;
    this.chain = this.chain.then(async () => {
      if (this.failed || !this.out) {
        this.pendingBytes -= f.bytes.length;
        return;
      }
      try {
        await this.out.appendDurable(f.bytes);
      } catch (err) {
        // A partial write (ENOSPC, I/O error) leaves a damaged tail: cut it at once, so the file
        // ends at its last complete, indexed fragment (start-up recovery cuts it otherwise).
        await this.files.truncate(this.handle.row.rel_path, this.bytes).catch(() => undefined);
        this.fail(err as Error);
        return;
      } finally {
        this.pendingBytes -= f.bytes.length;
        // Written (or failed): the builder lays its next fragments out in this memory.
        this.builder.release(f.bytes);
      }
      // A throw here would reject the chain nobody awaits yet (an unhandled rejection ends the
      // process, and every camera's recording with it): fail this one file instead.
      try {
        this.committed(f);
      } catch (err) {
        this.fail(err as Error);
      }
    });
  }

  /** Tells the index about a fragment that is durable on disk. */
  private committed(f: BuiltFragment): void {
    // First: it throws on a value it cannot hold, before any counter moved.
    this.index.add({ byteLength: f.bytes.length, duration90k: f.meta.durationTicks90k, frameCount: f.meta.frameCount, keyframeOffset90k: f.meta.keyframeOffsets[0] });
    this.bytes += f.bytes.length;
    this.duration90k += f.meta.durationTicks90k;
    this.frames += f.meta.frameCount;
    const row = this.handle.row;
    this.indexWriter.updateFile(this.handle, {
      bytes: this.bytes,
      duration_90k: this.duration90k,
      end_ms: row.start_ms + Math.round(this.duration90k / 90),
      frame_count: this.frames,
      fragment_index: this.index.snapshot(),
    });
    const run = this.handle.run;
    run.row.duration_90k = Math.max(run.row.duration_90k, row.start_90k + this.duration90k);
    run.row.frame_count += f.meta.frameCount;
    this.indexWriter.updateRun(run, { duration_90k: run.row.duration_90k, frame_count: run.row.frame_count });
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    // What is durable stays indexed; the file is closed at its last good fragment.
    if (this.inserted) this.indexWriter.updateFile(this.handle, { status: 'closed' });
    this.onError(err);
  }
}
