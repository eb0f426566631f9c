// Batches recording-index changes of every camera into one transaction about once a second.
// Callers enqueue a change only after the bytes it describes are durable on disk, so the index
// never points past durable data (docs/design/recording.md). Ids of new rows are filled into the
// caller's handles when the batch commits.
import type { Logger } from 'pino';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { RecordingFileTable, RecordingRunTable } from '../store/schema.ts';

export interface RunHandle {
  id?: number;
  row: Omit<RecordingRunTable, 'id'>;
}

export interface FileHandle {
  id?: number;
  run: RunHandle;
  row: Omit<RecordingFileTable, 'id' | 'run_id'>;
}

type Op =
  | { kind: 'run-insert'; run: RunHandle }
  | { kind: 'run-update'; run: RunHandle; v: Partial<RecordingRunTable> }
  | { kind: 'file-insert'; file: FileHandle }
  | { kind: 'file-update'; file: FileHandle; v: Partial<RecordingFileTable> };

export class IndexWriter {
  private ops: Op[] = [];
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  /** Commits since start, for tests and metrics. */
  commits = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch((err: unknown) => this.log.error({ err }, 'recording index flush failed')), this.intervalMs);
  }

  insertRun(run: RunHandle): void {
    this.ops.push({ kind: 'run-insert', run });
  }
  updateRun(run: RunHandle, v: Partial<RecordingRunTable>): void {
    this.ops.push({ kind: 'run-update', run, v });
  }
  insertFile(file: FileHandle): void {
    this.ops.push({ kind: 'file-insert', file });
  }
  updateFile(file: FileHandle, v: Partial<RecordingFileTable>): void {
    this.ops.push({ kind: 'file-update', file, v });
  }

  get pending(): number {
    return this.ops.length;
  }

  /** Commits everything queued so far. Concurrent calls share one commit in flight. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    this.flushing = this.commit(ops).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /**
   * A run is inserted with its first file: a run that ends before any file of it reached the disk
   * (the disk was full, the file could not be created) recorded nothing and leaves no row — no
   * zero-length runs, no alarm for them. Until then its ops wait for the next batch.
   */
  private holdBackFileless(ops: Op[]): { now: Op[]; later: Op[] } {
    const withFile = new Set<RunHandle>();
    const ended = new Set<RunHandle>();
    const inserting = new Set<RunHandle>();
    for (const op of ops) {
      if (op.kind === 'file-insert') withFile.add(op.file.run);
      else if (op.kind === 'run-insert') inserting.add(op.run);
      else if (op.kind === 'run-update' && op.v.ended_at_ms != null) ended.add(op.run);
    }
    const now: Op[] = [];
    const later: Op[] = [];
    for (const op of ops) {
      const run = op.kind === 'run-insert' || op.kind === 'run-update' ? op.run : undefined;
      if (!run || !inserting.has(run) || withFile.has(run)) now.push(op);
      else if (!ended.has(run)) later.push(op);
      // else: a run that ended without a file: dropped with all its ops.
    }
    return { now, later };
  }

  private async commit(all: Op[]): Promise<void> {
    const { now: ops, later } = this.holdBackFileless(all);
    this.ops = later.concat(this.ops);
    try {
      await this.store.db.transaction().execute(async (trx) => {
        const r = repos(trx).recordings;
        // Several updates of one row in a batch collapse into the last one.
        const runUpdates = new Map<RunHandle, Partial<RecordingRunTable>>();
        const fileUpdates = new Map<FileHandle, Partial<RecordingFileTable>>();
        for (const op of ops) {
          if (op.kind === 'run-insert') op.run.id = await r.insertRun(op.run.row);
          else if (op.kind === 'file-insert') op.file.id = await r.insertFile({ ...op.file.row, run_id: op.file.run.id! });
          else if (op.kind === 'run-update') runUpdates.set(op.run, { ...runUpdates.get(op.run), ...op.v });
          else fileUpdates.set(op.file, { ...fileUpdates.get(op.file), ...op.v });
        }
        for (const [run, v] of runUpdates) await r.updateRun(run.id!, v);
        for (const [file, v] of fileUpdates) await r.updateFile(file.id!, v);
      });
      this.commits++;
    } catch (err) {
      // Put the batch back so nothing is lost; the next flush retries it.
      for (const op of ops) {
        if (op.kind === 'run-insert') op.run.id = undefined;
        if (op.kind === 'file-insert') op.file.id = undefined;
      }
      this.ops = ops.concat(this.ops);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
