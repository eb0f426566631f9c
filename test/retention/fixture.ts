// Real recordings made fast for retention and backup tests: the bundled clip pushed through a
// CameraRecorder and IndexWriter with simulated time (as test/recording/recorder.test.ts), and a
// retention module with a disk quota, a fake timer and a recording gate that remembers its calls.
import path from 'node:path';
import pino from 'pino';
import { EventBus } from '../../src/events/bus.ts';
import { CameraRecorder } from '../../src/recording/camera-recorder.ts';
import { IndexWriter } from '../../src/recording/index-writer.ts';
import { createRetentionModule, quotaMeter } from '../../src/retention/index.ts';
import type { RecordingGate, RetentionModule } from '../../src/retention/index.ts';
import type { BackupTarget } from '../../src/backup/target.ts';
import { LocalDirTarget } from '../../src/backup/target.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { FileRow } from '../../src/store/repos/recording-repo.ts';
import type { TestApp } from '../helpers/app.ts';
import { clipFrame, loadMainClip } from '../helpers/clip-frames.ts';
import { FakeTimer } from '../exams/fixture.ts';

const clip = loadMainClip();
const log = pino({ level: 'silent' });

/** Records `seconds` of the clip on a camera from `startMs` (simulated time); returns its file rows. */
export async function record(t: TestApp, cameraId: number, startMs: number, seconds: number): Promise<FileRow[]> {
  const index = new IndexWriter(t.app.store, log);
  const rec = new CameraRecorder(cameraId, { files: t.app.files, index, clock: t.clock, events: new EventBus(), log }, { fileDurationMs: 10_000, fragmentDurationMs: 1000, writeRetryMs: 1000 });
  t.clock.set(startMs);
  rec.setWanted(true);
  rec.sessionStarted({ video: clip.params });
  for (let i = 0; i < seconds * 25; i++) {
    rec.push(clipFrame(clip, i, 1000, t.clock.nowMs(), i === 0));
    t.clock.advance(40);
    if (i % 25 === 0) await index.flush();
  }
  await rec.close('stopped');
  await index.close();
  return repos(t.app.store.db).recordings.filesBetween(cameraId, startMs - 1, t.clock.nowMs() + 1);
}

export class FakeGate implements RecordingGate {
  calls: Array<string | undefined> = [];
  get vetoed(): boolean {
    return this.calls.length > 0 && this.calls[this.calls.length - 1] !== undefined;
  }
  setUnscheduledVeto(reason: string | undefined): void {
    this.calls.push(reason);
  }
}

/** A target that counts copies (resume tests). */
export class CountingTarget extends LocalDirTarget implements BackupTarget {
  static puts: string[] = [];
  override async put(key: string, sourceAbs: string, lengthBytes: number) {
    CountingTarget.puts.push(key);
    return super.put(key, sourceAbs, lengthBytes);
  }
}

export interface Harness {
  m: RetentionModule;
  gate: FakeGate;
  timer: FakeTimer;
  backupDir: string;
  /** Sets the disk quota so that `needBytes` must be freed to get back to the threshold. */
  needing(needBytes: number): Promise<void>;
  setQuota(bytes: number): void;
  used(): Promise<number>;
}

export const THRESHOLD = 10_000;

export function harness(t: TestApp, opts: { backups?: boolean } = {}): Harness {
  let quota = Number.MAX_SAFE_INTEGER;
  const gate = new FakeGate();
  const timer = new FakeTimer();
  const backupDir = path.join(t.db.dataDir, 'backup-target');
  const meter = { measure: () => quotaMeter(t.app.files, quota).measure() };
  const m = createRetentionModule(t.app, { meter, timer, gate, backupDir: opts.backups === false ? undefined : backupDir, targetFor: (root) => new CountingTarget(root) });
  const used = async () => {
    let n = 0;
    for (const rel of await t.app.files.list()) n += (await t.app.files.size(rel)) ?? 0;
    return n;
  };
  return {
    m,
    gate,
    timer,
    backupDir,
    used,
    setQuota: (b) => {
      quota = b;
    },
    async needing(needBytes) {
      quota = (await used()) + THRESHOLD - needBytes;
    },
  };
}
