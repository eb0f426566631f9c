// Recording with the bundled clip and simulated time, on both databases: files cut at keyframes,
// every frame written, index agreeing with ffprobe, gaps exact to the millisecond
// (R-FN-1, R-REC-1, R-REC-4, R-CITY-3).
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.ts';
import type { RunEndedEvent } from '../../src/events/bus.ts';
import { CameraRecorder } from '../../src/recording/camera-recorder.ts';
import { DiskFileStore } from '../../src/recording/file-store.ts';
import { decodeFragmentIndex } from '../../src/recording/fragment-index.ts';
import { IndexWriter } from '../../src/recording/index-writer.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { clipFrame, loadMainClip } from '../helpers/clip-frames.ts';
import { ffprobe } from '../helpers/ffprobe.ts';

const clip = loadMainClip();
const log = pino({ level: 'silent' });

describe.each(DIALECTS)('recorder with simulated time on %s', (dialect) => {
  let t: TestApp;
  let cameraId: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const admin = await t.actor('admin');
    const room = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    cameraId = (await t.app.devices.createCamera(admin, { roomId: room.id, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
  });
  afterAll(() => t.close());

  it('writes every frame into keyframe-aligned files that ffprobe reads to the frame, and keeps gaps exact (R-REC-4)', async () => {
    const files = new DiskFileStore(path.join(t.db.dataDir, 'recordings'));
    const index = new IndexWriter(t.app.store, log);
    const events = new EventBus();
    const ended: RunEndedEvent[] = [];
    events.on('recording.run-ended', (e) => ended.push(e));
    const rec = new CameraRecorder(cameraId, { files, index, clock: t.clock, events, log }, { fileDurationMs: 10_000, fragmentDurationMs: 1000, writeRetryMs: 1000 });
    rec.setWanted(true);

    // Session 1: 30 s (750 frames), then the camera drops.
    const t0 = t.clock.nowMs();
    rec.sessionStarted({ video: clip.params });
    for (let i = 0; i < 750; i++) {
      rec.push(clipFrame(clip, i, 1_000_000, t.clock.nowMs(), i === 0));
      t.clock.advance(40);
      if (i % 25 === 0) await index.flush();
    }
    rec.sessionEnded('eof', 'camera closed the connection');
    // 7 s without the camera, then session 2: 12 s (300 frames), camera timestamps restart.
    t.clock.advance(7000);
    const t1 = t.clock.nowMs();
    rec.sessionStarted({ video: clip.params });
    for (let i = 0; i < 300; i++) {
      rec.push(clipFrame(clip, i, 5_000, t.clock.nowMs(), i === 0));
      t.clock.advance(40);
    }
    await rec.close('stopped');
    await index.close();

    const runs = await repos(t.app.store.db).recordings.runsBetween(cameraId, t0 - 1, t.clock.nowMs() + 1);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ started_at_ms: t0, duration_90k: 750 * 3600, ended_at_ms: t0 + 30_000, end_reason: 'eof', frame_count: 750, width: 1280, height: 720 });
    expect(runs[1]).toMatchObject({ started_at_ms: t1, duration_90k: 300 * 3600, end_reason: 'stopped', frame_count: 300 });
    // The gap is exactly the 7 s the camera was away, derived from the index alone.
    expect(Number(runs[1].started_at_ms) - Number(runs[0].ended_at_ms!)).toBe(7000);
    expect(ended.map((e) => [e.reason, e.endedAtMs])).toEqual([['eof', t0 + 30_000], ['stopped', t1 + 12_000]]);

    const rows = await repos(t.app.store.db).recordings.filesBetween(cameraId, t0 - 1, t.clock.nowMs() + 1);
    expect(rows.map((r) => r.status)).toEqual(Array(rows.length).fill('closed'));
    expect(rows).toHaveLength(3 + 2); // 30 s in 10 s files; 12 s in a 10 s and a 2 s file
    let total = 0;
    for (const row of rows) {
      const probe = ffprobe(files.absolute(row.rel_path));
      expect(probe).toMatchObject({ codec: 'h264', width: 1280, height: 720, frames: row.frame_count });
      expect(probe.durationS).toBeCloseTo(Number(row.duration_90k) / 90_000, 2);
      expect(await files.size(row.rel_path)).toBe(Number(row.bytes));
      const frags = decodeFragmentIndex(row.fragment_index, row.init_bytes);
      expect(frags.reduce((n, f) => n + f.frameCount, 0)).toBe(row.frame_count);
      expect(frags[0].keyframeOffset90k).toBe(0); // every file starts on a keyframe
      expect(frags.at(-1)!.fileOffset + frags.at(-1)!.byteLength).toBe(Number(row.bytes));
      total += row.frame_count;
    }
    expect(total).toBe(1050);
  });

  it('a camera whose timestamps jump ends the run as timestamp-jump and records on from the next keyframe, without dying (R-REC-4)', async () => {
    const files = new DiskFileStore(path.join(t.db.dataDir, 'recordings-jump'));
    const index = new IndexWriter(t.app.store, log);
    const events = new EventBus();
    const ended: RunEndedEvent[] = [];
    events.on('recording.run-ended', (e) => ended.push(e));
    const errors: unknown[] = [];
    const onRejection = (err: unknown) => errors.push(err);
    process.on('unhandledRejection', onRejection);
    const rec = new CameraRecorder(cameraId, { files, index, clock: t.clock, events, log }, { fileDurationMs: 10_000, fragmentDurationMs: 1000, writeRetryMs: 1000 });
    rec.setWanted(true);
    const keyframes = clip.keyframe.flatMap((k, i) => (k ? [i] : []));
    expect(keyframes.length).toBeGreaterThan(1);
    const gop = keyframes[1] - keyframes[0];
    try {
      t.clock.advance(60_000); // apart from the runs of the test before
      const t0 = t.clock.nowMs();
      rec.sessionStarted({ video: clip.params });
      // 3 GOPs, then (same session) timestamps restart 20 frames into a GOP: what a camera sends
      // after its encoder restarts; 2 more GOPs follow.
      const first = 3 * gop + 20;
      for (let i = 0; i < first; i++) {
        rec.push(clipFrame(clip, i, 2_000_000, t.clock.nowMs(), i === 0));
        t.clock.advance(40);
      }
      const t1 = t.clock.nowMs();
      for (let i = first; i < first + 2 * gop; i++) {
        rec.push(clipFrame(clip, i, 10_000 - first * 3600, t.clock.nowMs(), false));
        t.clock.advance(40);
      }
      await rec.close('stopped');
      await index.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(errors).toEqual([]);

      const runs = await repos(t.app.store.db).recordings.runsBetween(cameraId, t0 - 1, t.clock.nowMs() + 1);
      expect(runs.map((r) => r.end_reason)).toEqual(['timestamp-jump', 'stopped']);
      expect(runs[0]).toMatchObject({ started_at_ms: t0, frame_count: first, duration_90k: first * 3600 });
      // The frames before the next keyframe are lost (undecodable) and show as a gap.
      const lost = gop - 20;
      expect(runs[1]).toMatchObject({ started_at_ms: t1 + lost * 40, frame_count: 2 * gop - lost });
      expect(Number(runs[1].started_at_ms) - Number(runs[0].ended_at_ms)).toBe(lost * 40);
      expect(ended.map((e) => e.reason)).toEqual(['timestamp-jump', 'stopped']);
      const rows = await repos(t.app.store.db).recordings.filesBetween(cameraId, t0 - 1, t.clock.nowMs() + 1);
      for (const row of rows) expect(ffprobe(files.absolute(row.rel_path))).toMatchObject({ codec: 'h264', frames: row.frame_count });
      expect(rows.reduce((n, r) => n + r.frame_count, 0)).toBe(first + 2 * gop - lost);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
