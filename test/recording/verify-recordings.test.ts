// `xuncha verify-recordings` finds every place where the index and the media disagree, and only
// those: a clean recording passes; a damaged tail, a truncated or deleted file, a hole inside a
// file the index calls continuous, a corrupted sample and an index entry that lies are each
// named with the camera, file and Beijing time (R-REC-4, R-RET-1).
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInstant, verifyRecordingsCommand } from '../../src/cli/verify-recordings.ts';
import { EventBus } from '../../src/events/bus.ts';
import { CameraRecorder } from '../../src/recording/camera-recorder.ts';
import { DiskFileStore } from '../../src/recording/file-store.ts';
import { decodeFragmentIndex } from '../../src/recording/fragment-index.ts';
import { IndexWriter } from '../../src/recording/index-writer.ts';
import type { RunHandle } from '../../src/recording/index-writer.ts';
import { RecordingFile } from '../../src/recording/recording-file.ts';
import { verifyRecordings } from '../../src/recording/verify/verify-recordings.ts';
import { repos } from '../../src/store/repos/index.ts';
import { formatBeijing } from '../../src/util/beijing-time.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { clipFrame, loadMainClip } from '../helpers/clip-frames.ts';

const clip = loadMainClip();
const log = pino({ level: 'silent' });
const REPO = path.resolve(import.meta.dirname, '../..');

describe.each(DIALECTS)('verify-recordings on %s', (dialect) => {
  let t: TestApp;
  let files: DiskFileStore;
  let roomId: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    files = new DiskFileStore(path.join(t.db.dataDir, 'recordings'));
    const admin = await t.actor('admin');
    roomId = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0].id;
  });
  afterAll(() => t.close());

  async function newCamera(name: string): Promise<number> {
    return (await t.app.devices.createCamera(await t.actor('admin'), { roomId, name, position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
  }

  /** Records `seconds` of the clip through the real recorder, in 10 s files. */
  async function record(cameraId: number, seconds: number): Promise<void> {
    const index = new IndexWriter(t.app.store, log);
    const rec = new CameraRecorder(cameraId, { files, index, clock: t.clock, events: new EventBus(), log }, { fileDurationMs: 10_000, fragmentDurationMs: 1000, writeRetryMs: 1000 });
    rec.setWanted(true);
    rec.sessionStarted({ video: clip.params });
    for (let i = 0; i < seconds * 25; i++) {
      rec.push(clipFrame(clip, i, 1_000_000, t.clock.nowMs(), i === 0));
      t.clock.advance(40);
    }
    await rec.close('stopped');
    await index.close();
    t.clock.advance(60_000);
  }

  const rowsOf = (cameraId: number) => repos(t.app.store.db).recordings.filesBetween(cameraId, 0, Number.MAX_SAFE_INTEGER);
  const verify = (cameraId: number) => verifyRecordings(t.app.store, files, { cameraId });

  it('passes a clean recording and names its extent (R-REC-4)', async () => {
    const cam = await newCamera('clean');
    await record(cam, 25);
    const result = await verify(cam);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, files: 3 });
    expect(result.recordedMs).toBe(25_000);
    const lines: string[] = [];
    expect(await verifyRecordingsCommand({ camera: String(cam) }, t.app.config, (l) => lines.push(l), (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('agree');
  });

  it('finds a damaged tail past the indexed length of a closed file, and the CLI exits 1 naming it (R-REC-4)', async () => {
    const cam = await newCamera('tail');
    await record(cam, 12);
    const [row] = await rowsOf(cam);
    appendFileSync(files.absolute(row.rel_path), Buffer.from('moof-garbage-left-by-ENOSPC'));
    const result = await verify(cam);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.kind, p.relPath])).toEqual([['damaged-tail', row.rel_path]]);
    if (dialect === 'sqlite') {
      const cli = spawnSync(process.execPath, [path.join(REPO, 'bin/xuncha.mjs'), 'verify-recordings', '--camera', String(cam)], { env: { ...process.env, XUNCHA_DATA_DIR: t.db.dataDir }, encoding: 'utf8' });
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain(`DAMAGED-TAIL: camera ${cam}, ${row.rel_path}`);
    }
  });

  it('finds a file cut short and a file that is gone, with the recorded seconds they leave uncovered (R-REC-4)', async () => {
    const cam = await newCamera('cut');
    await record(cam, 25);
    const rows = await rowsOf(cam);
    truncateSync(files.absolute(rows[0].rel_path), Number(rows[0].bytes) - 1000);
    rmSync(files.absolute(rows[1].rel_path));
    const kinds = (await verify(cam)).problems.map((p) => [p.kind, p.relPath ?? null, p.toMs !== undefined && p.fromMs !== undefined ? Math.round((p.toMs - p.fromMs) / 1000) : null]);
    expect(kinds).toContainEqual(['row-past-file', rows[0].rel_path, 10]);
    expect(kinds).toContainEqual(['missing-file', rows[1].rel_path, 10]);
    expect(kinds).toContainEqual(['uncovered-span', null, 10]);
  });

  it('finds a hole inside a file that the index calls continuous, at its wall-clock place (R-REC-4)', async () => {
    const cam = await newCamera('hole');
    const index = new IndexWriter(t.app.store, log);
    const t0 = t.clock.nowMs();
    const run: RunHandle = { row: { camera_id: cam, stream: 'main', started_at_ms: t0, duration_90k: 0, ended_at_ms: null, end_reason: null, end_detail: null, video_codec: 'h264', width: 1280, height: 720, rfc6381: clip.params.rfc6381, audio_codec: null, clock_offset_ms: null, frame_count: 0 } };
    index.insertRun(run);
    const file = new RecordingFile(files, index, run, { relPath: `${cam}/hole.mp4`, start90k: 0, startMs: t0, firstPts90k: 0, video: clip.params, fragmentDurationMs: 1000, onError: (e) => { throw e; } });
    // 4 s of frames, then the camera's timestamps skip 3 s (a stall the session survived), 4 s more.
    for (let i = 0; i < 200; i++) file.push(clipFrame(clip, i, i < 100 ? 0 : 3 * 90_000, t0 + i * 40, i === 0));
    await file.finish();
    index.updateRun(run, { ended_at_ms: t0 + Math.round(run.row.duration_90k / 90), end_reason: 'stopped' });
    await index.close();
    const holes = (await verify(cam)).problems;
    expect(holes.map((p) => p.kind)).toEqual(['hole']);
    expect(holes[0].fromMs).toBe(t0 + 99 * 40);
    expect(holes[0].toMs! - holes[0].fromMs!).toBe(3040);
  });

  it('finds a corrupted sample and an index entry that disagrees with its fragment (R-REC-4)', async () => {
    const cam = await newCamera('corrupt');
    await record(cam, 12);
    const rows = await rowsOf(cam);
    // Garble the first NAL length of the first file's third fragment: its sample no longer parses.
    const abs = files.absolute(rows[0].rel_path);
    const bytes = readFileSync(abs);
    const frag = decodeFragmentIndex(rows[0].fragment_index, Number(rows[0].init_bytes))[2];
    const mdatPayload = frag.fileOffset + bytes.readUInt32BE(frag.fileOffset) + 8;
    bytes.writeUInt32BE(0x7fffffff, mdatPayload);
    writeFileSync(abs, bytes);
    // The second file's row claims one frame more than its fragments hold.
    await repos(t.app.store.db).recordings.updateFile(rows[1].id, { frame_count: Number(rows[1].frame_count) + 1 });
    const problems = (await verify(cam)).problems;
    expect(problems.find((p) => p.kind === 'bad-fragment')).toMatchObject({ relPath: rows[0].rel_path });
    expect(problems.filter((p) => p.kind === 'index-mismatch').map((p) => p.relPath)).toEqual([rows[1].rel_path]);
    expect(problems.filter((p) => p.relPath !== rows[0].rel_path && p.relPath !== rows[1].rel_path)).toEqual([]);
  });

  it('--from/--to take Beijing, ISO and ms times and limit what is verified; --to not after --from is refused (R-REC-4)', async () => {
    const cam = await newCamera('range');
    await record(cam, 25);
    const rows = await rowsOf(cam);
    expect(rows).toHaveLength(3);
    appendFileSync(files.absolute(rows[2].rel_path), Buffer.from('torn-tail'));
    const run = async (args: { from?: string; to?: string }) => {
      const lines: string[] = [];
      const code = await verifyRecordingsCommand({ camera: String(cam), ...args }, t.app.config, (l) => lines.push(l), (l) => lines.push(l));
      return { code, text: lines.join('\n') };
    };
    expect((await run({})).code).toBe(1);
    // The first two files only (Beijing start, rounded down to the second; ISO end): they agree.
    const firstTwo = await run({ from: formatBeijing(Number(rows[0].start_ms)), to: new Date(Number(rows[1].end_ms)).toISOString() });
    expect(firstTwo).toMatchObject({ code: 0 });
    expect(firstTwo.text).toContain('2 file(s)');
    // The third file only, in ms: its damaged tail is found.
    const third = await run({ from: String(rows[2].start_ms), to: String(rows[2].end_ms) });
    expect(third.code).toBe(1);
    expect(third.text).toContain(`DAMAGED-TAIL: camera ${cam}, ${rows[2].rel_path}`);
    expect(third.text).toContain('1 file(s)');
    // An empty or reversed range is refused before anything is read, with a message that says why.
    const at = String(rows[1].start_ms);
    await expect(run({ from: at, to: at })).rejects.toThrow(/--to .* must be after --from/);
    await expect(run({ from: String(rows[2].end_ms), to: formatBeijing(Number(rows[0].start_ms)) })).rejects.toThrow(/--to .* must be after --from/);
    if (dialect === 'sqlite') {
      const cli = spawnSync(process.execPath, [path.join(REPO, 'bin/xuncha.mjs'), 'verify-recordings', '--from', '2026-12-06 20:00', '--to', '2026-12-06T12:00:00Z'], { env: { ...process.env, XUNCHA_DATA_DIR: t.db.dataDir }, encoding: 'utf8' });
      expect(cli.status).not.toBe(0);
      expect(cli.stderr).toContain('--to (2026-12-06 20:00:00) must be after --from (2026-12-06 20:00:00)');
    }
  });
});

describe('verify-recordings time arguments', () => {
  it('reads Beijing time (no zone), ISO times with a zone and ms since the epoch as the same instant; impossible dates are refused (R-REC-4)', () => {
    const ms = Date.UTC(2026, 11, 6, 12, 0, 0); // 20:00 in Beijing
    for (const text of ['2026-12-06 20:00:00', '2026-12-06 20:00', '2026-12-06T20:00:00', '2026-12-06T12:00:00Z', '2026-12-06T20:00:00+08:00', '2026-12-06T20:00:00.000+0800', String(ms)]) expect(parseInstant(text), text).toBe(ms);
    for (const text of ['yesterday', '2026-02-30 10:00', '2026-13-06 20:00', '2026-12-06 24:30', '12:00', '']) expect(() => parseInstant(text), text).toThrow(/not a time/);
  });
});
