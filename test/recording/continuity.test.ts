// The continuity rule (R-REC-4, R-REC-1; issue 12 item 1): a second is "recorded" only if its
// frames arrived with continuous timestamps. A hole of more than 3 frame intervals inside one camera
// session — a short stall, lost packets, garbage — must end the run at the last good frame with
// its cause and start a new run at the next keyframe, so that the gap shows in the index (and so in
// the API, timeline, report and alarm, which derive gaps from runs). Before the fix, all of these
// left one "continuous" run with seconds of video missing inside it.
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.ts';
import type { FrameNote } from '../../src/ingest/supervisor.ts';
import { CameraRecorder } from '../../src/recording/camera-recorder.ts';
import { DiskFileStore } from '../../src/recording/file-store.ts';
import { IndexWriter } from '../../src/recording/index-writer.ts';
import { recoverRecordings } from '../../src/recording/recovery.ts';
import { verifyRecordings } from '../../src/recording/verify/verify-recordings.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { clipFrame, loadMainClip } from '../helpers/clip-frames.ts';
import { ffprobe } from '../helpers/ffprobe.ts';

const clip = loadMainClip();
const log = pino({ level: 'silent' });
const keyframes = clip.keyframe.flatMap((k, i) => (k ? [i] : []));
const GOP = keyframes[1] - keyframes[0];

/** One event of a scripted session: `frames` frames in real time, or a hole. */
type Step =
  | { frames: number }
  /** Frames the camera never delivered: timestamps and the wall clock move on, optionally with a note. */
  | { hole: number; note?: FrameNote }
  /** Nothing arrives for `ms`, timestamps do not move (a freeze), or then arrive in a burst. */
  | { pauseMs: number; burst?: boolean };

describe.each(DIALECTS)('continuity rule on %s (R-REC-4)', (dialect) => {
  let t: TestApp;
  let cameraId: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const admin = await t.actor('admin');
    const room = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    cameraId = (await t.app.devices.createCamera(admin, { roomId: room.id, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
  });
  afterAll(() => t.close());

  /** Plays a scripted session into a recorder; returns the runs and the wall time of each step. */
  async function play(name: string, steps: Step[]) {
    const files = new DiskFileStore(path.join(t.db.dataDir, name));
    const index = new IndexWriter(t.app.store, log);
    const rec = new CameraRecorder(cameraId, { files, index, clock: t.clock, events: new EventBus(), log }, { fileDurationMs: 60_000, fragmentDurationMs: 1000, writeRetryMs: 1000 });
    rec.setWanted(true);
    t.clock.advance(600_000); // apart from earlier sessions
    const t0 = t.clock.nowMs();
    rec.sessionStarted({ video: clip.params });
    let i = 0;
    let note: FrameNote | undefined;
    const marks: number[] = [];
    for (const s of steps) {
      marks.push(t.clock.nowMs());
      if ('frames' in s) {
        for (const end = i + s.frames; i < end; i++) {
          rec.push(clipFrame(clip, i, 1_000_000, t.clock.nowMs(), i === 0), note);
          note = undefined;
          t.clock.advance(40);
        }
      } else if ('hole' in s) {
        i += s.hole;
        t.clock.advance(40 * s.hole);
        note = s.note;
      } else {
        // Timestamps stand still while the wall clock runs: later frames keep counting from before.
        t.clock.advance(s.pauseMs);
        if (s.burst) {
          // What was held back arrives at once (same wall time), then real time resumes.
          const n = s.pauseMs / 40;
          for (let k = 0; k < n; k++, i++) rec.push(clipFrame(clip, i, 1_000_000, t.clock.nowMs(), false));
        } else {
          // The session continues with timestamps that lag the wall clock by the pause.
          for (let k = 0; k < 3 * GOP; k++, i++) {
            rec.push(clipFrame(clip, i, 1_000_000, t.clock.nowMs(), false));
            t.clock.advance(40);
          }
        }
      }
    }
    await rec.close('stopped');
    await index.close();
    const runs = await repos(t.app.store.db).recordings.runsBetween(cameraId, t0 - 1, t.clock.nowMs() + 1);
    const fileRows = await repos(t.app.store.db).recordings.filesBetween(cameraId, t0 - 1, t.clock.nowMs() + 1);
    return { t0, marks, runs, fileRows, files };
  }

  /** Wall time of the first keyframe at or after frame index i of the session. */
  const nextKeyframe = (i: number) => keyframes.find((k) => k >= i % clip.units.length)! + Math.floor(i / clip.units.length) * clip.units.length;

  it('a 3 s stall inside one session (socket open, timestamps jump) is a gap from the last frame to the next keyframe, reason stall', async () => {
    const before = 2 * GOP + 10;
    const { t0, runs, fileRows, files } = await play('stall', [{ frames: before }, { hole: 75 }, { frames: 3 * GOP }]);
    expect(runs.map((r) => r.end_reason)).toEqual(['stall', 'stopped']);
    expect(Number(runs[0].ended_at_ms)).toBe(t0 + before * 40);
    const resume = nextKeyframe(before + 75);
    expect(Number(runs[1].started_at_ms)).toBe(t0 + resume * 40);
    expect(runs[0].end_detail).toContain('no data from the camera');
    // Every indexed file plays to the frame.
    for (const row of fileRows) expect(ffprobe(files.absolute(row.rel_path))).toMatchObject({ codec: 'h264', frames: row.frame_count });
  });

  it('packets lost inside a session end the run as loss; garbage as garbage (R-REC-4)', async () => {
    const a = await play('loss', [{ frames: GOP + 5 }, { hole: 20, note: { lost: 12, malformed: 0 } }, { frames: 2 * GOP }]);
    expect(a.runs.map((r) => r.end_reason)).toEqual(['loss', 'stopped']);
    expect(Number(a.runs[0].ended_at_ms)).toBe(a.t0 + (GOP + 5) * 40);
    expect(Number(a.runs[1].started_at_ms)).toBe(a.t0 + nextKeyframe(GOP + 25) * 40);
    const b = await play('garbage', [{ frames: GOP + 5 }, { hole: 20, note: { lost: 3, malformed: 40 } }, { frames: 2 * GOP }]);
    expect(b.runs.map((r) => r.end_reason)).toEqual(['garbage', 'stopped']);
  });

  it('a hole within the tolerance (2 missing frames < 3 intervals) is not a gap', async () => {
    const { runs } = await play('jitter', [{ frames: GOP + 5 }, { hole: 1 }, { frames: 10 }, { hole: 2 }, { frames: GOP }]);
    expect(runs.map((r) => r.end_reason)).toEqual(['stopped']);
  });

  it('a camera that freezes 3 s without advancing its timestamps ends the run as stall; a burst after a hiccup does not', async () => {
    const frozen = await play('freeze', [{ frames: GOP + 5 }, { pauseMs: 3000 }]);
    expect(frozen.runs.map((r) => r.end_reason)).toEqual(['stall', 'stopped']);
    expect(frozen.runs[0].end_detail).toContain('without advancing its timestamps');
    const burst = await play('burst', [{ frames: GOP + 5 }, { pauseMs: 2000, burst: true }, { frames: 2 * GOP }]);
    expect(burst.runs.map((r) => r.end_reason)).toEqual(['stopped']);
  });

  it('a run whose first keyframe was read late (busy event loop) starts when its video arrived, not when it was processed; recovery still finds its files (R-REC-4)', async () => {
    // The camera sends from t0 on; the server reads its first 8 frames (the keyframe among them)
    // only 300 ms later, in one burst, then on time. Chaos seed 91666: the whole run was shifted
    // late by this, so the index called never-sent video recorded at its end.
    const LATE_MS = 300;
    const files = new DiskFileStore(path.join(t.db.dataDir, 'late-start'));
    const index = new IndexWriter(t.app.store, log);
    const rec = new CameraRecorder(cameraId, { files, index, clock: t.clock, events: new EventBus(), log }, { fileDurationMs: 4000, fragmentDurationMs: 500, writeRetryMs: 1000 });
    rec.setWanted(true);
    t.clock.advance(600_000);
    const t0 = t.clock.nowMs();
    rec.sessionStarted({ video: clip.params });
    const frames = 6 * 25;
    const secondFile = keyframes.find((k) => k * 40 >= 4000)!;
    expect(secondFile).toBeLessThan(frames - 10);
    for (let i = 0; i < frames; i++) {
      rec.push(clipFrame(clip, i, 1_000_000, Math.max(t0 + i * 40, t0 + LATE_MS), i === 0));
      t.clock.set(t0 + (i + 1) * 40);
      if (i === secondFile - 10) {
        // The first file and its run reach the index; what follows never does (killed below).
        await expect.poll(async () => (await index.flush(), (await repos(t.app.store.db).recordings.filesBetween(cameraId, t0 - 1000, t0 + 60_000)).length), { timeout: 30_000 }).toBe(1);
      }
    }
    const [run] = await repos(t.app.store.db).recordings.runsBetween(cameraId, t0 - 1000, t0 + 60_000);
    expect(Number(run.started_at_ms)).toBe(t0); // t0 + 300 before the fix
    const [first] = await repos(t.app.store.db).recordings.filesBetween(cameraId, t0 - 1000, t0 + 60_000);
    expect(Number(first.start_ms)).toBe(t0);
    expect(first.rel_path).toContain(`/${t0 + LATE_MS}-0000.mp4`); // names keep the first anchor

    // Killed while the index was down: the second file has no row. Recovery must give it to the
    // same run (found by the file names' anchor), placed where the first file ends.
    await rec.close('stopped'); // the files are complete on disk; `index` is never flushed again
    await recoverRecordings(t.app.store, files, t.clock, log);
    const runs = await repos(t.app.store.db).recordings.runsBetween(cameraId, t0 - 1000, t0 + 60_000);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ end_reason: 'crash' });
    expect(Number(runs[0].started_at_ms)).toBe(t0);
    expect(Number(runs[0].ended_at_ms)).toBe(t0 + frames * 40);
    const rows = await repos(t.app.store.db).recordings.filesBetween(cameraId, t0 - 1000, t0 + 60_000);
    expect(rows.map((r) => Number(r.start_ms))).toEqual([t0, t0 + secondFile * 40]);
    expect((await verifyRecordings(t.app.store, files, { cameraId, fromMs: t0 - 1000, toMs: t0 + 60_000 })).problems).toEqual([]);
  });
});
