// Every state the system knows is logged at info when it changes (project standard; issue 12):
// the recorder's "online, not recording: <why>" state (`recordingHeld` in GET /api/cameras/status,
// 在线（未录像：…）in the console) gets one info line per change, with its reason, and none while it
// stays the same (the manager re-applies schedules every second) or while the camera is offline.
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.ts';
import { CameraRecorder } from '../../src/recording/camera-recorder.ts';
import { DiskFileStore } from '../../src/recording/file-store.ts';
import { IndexWriter } from '../../src/recording/index-writer.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { clipFrame, loadMainClip } from '../helpers/clip-frames.ts';

const clip = loadMainClip();

/** A disk that retention reports full (the real store's flag is set by a failed write). */
class FullableStore extends DiskFileStore {
  reportFull = false;
  override diskFull(): boolean {
    return this.reportFull;
  }
}

describe('recording held state is logged when it changes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('logs held and resumed with the reason, once per change (R-REC-4)', async () => {
    const lines: Array<{ level: number; msg: string; cameraId?: number; recordingHeld?: string; was?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as (typeof lines)[number]);
        done();
      },
    });
    const log = pino({ level: 'info' }, sink);
    const files = new FullableStore(path.join(t.db.dataDir, 'held'));
    const index = new IndexWriter(t.app.store, pino({ level: 'silent' }));
    const rec = new CameraRecorder(7, { files, index, clock: t.clock, events: new EventBus(), log }, { fileDurationMs: 60_000, fragmentDurationMs: 500, writeRetryMs: 1000 });
    let i = 0;
    const frames = (n: number) => {
      for (let end = i + n; i < end; i++) {
        rec.push(clipFrame(clip, i, 0, t.clock.nowMs(), i === 0));
        t.clock.advance(40);
      }
    };
    rec.setWanted(false, 'schedule'); // offline: nothing to log yet
    rec.sessionStarted({ video: clip.params });
    frames(5);
    rec.setWanted(false, 'schedule'); // the manager's tick: same state, no line
    rec.setWanted(true);
    rec.setWanted(true);
    frames(60); // the next keyframe starts a run
    rec.setWanted(false, 'disk-pressure');
    rec.setWanted(true);
    files.reportFull = true;
    rec.setWanted(true);
    files.reportFull = false;
    frames(60);
    rec.sessionEnded('eof', 'camera closed the connection'); // offline: the supervisor logs that
    await rec.close(); // the index is never committed: camera 7 is no row of this database
    await new Promise((r) => setImmediate(r));
    const held = lines.filter((l) => l.msg.startsWith('recording '));
    expect(held.map((l) => [l.msg, l.recordingHeld, l.was])).toEqual([
      ['recording held: schedule', 'schedule', undefined],
      ['recording held: keyframe', 'keyframe', 'schedule'],
      ['recording resumed', undefined, 'keyframe'],
      ['recording held: disk-pressure', 'disk-pressure', 'recording'],
      ['recording held: keyframe', 'keyframe', 'disk-pressure'],
      ['recording held: disk-full', 'disk-full', 'keyframe'],
      ['recording resumed', undefined, 'disk-full'],
    ]);
    expect(held.every((l) => l.level === 30 && l.cameraId === 7)).toBe(true);
  });
});
