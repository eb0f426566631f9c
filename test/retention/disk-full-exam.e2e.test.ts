// A full disk during an exam (issue 12 item 3; R-REC-4, R-RET-1): what an exam authority checks
// afterwards. Three cameras of 第01考场 record inside the required window of a running gaokao
// session; a foreign file fills the small tmpfs (database and recordings) to the last byte. Every
// recording in the window is locked by the exam, so retention can free only its reserve and the disk
// stays full until the file goes. Meanwhile: exactly one disk_full alarm, and per camera exactly one
// recording_gap alarm with reason disk-full, raised once and cleared once (no alarm storm: no stream
// of raised/cleared alarms on retries or readiness ticks), and no run churn. When space comes back
// the cameras record again by themselves, each gap alarm clears once, and the completeness report of
// the session shows one gap per camera with reason disk-full. Needs root to mount the tmpfs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { App } from '../../src/app.ts';
import type { Actor } from '../../src/auth/actor.ts';
import { actorFor } from '../../src/auth/auth-service.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { AlarmView } from '../../src/exams/index.ts';
import { DEFAULT_WINDOW_SETTINGS } from '../../src/exams/windows.ts';
import { seedFirstStart } from '../../src/org/seed.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ADMIN_PASSWORD, CLIENT } from '../helpers/app.ts';
import { fillDisk } from './fill-disk.ts';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('disk-full-exam.e2e: SKIPPED — mounting a tmpfs needs root (CI runs as root)');

const TMPFS_MB = 40;
/** Long enough for a write-retry (10 s) and a readiness tick (10 s) to happen while full. */
const FULL_FOR_MS = 12_000;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe.skipIf(!isRoot)('disk full inside a required exam window', () => {
  let mnt = '';
  let mounted = false;
  let sim: Simulator;
  let app: App;
  let admin: Actor;
  let siteId = 0;
  const cams: number[] = [];
  /** Every recording_gap alarm event the monitor emitted, as a client of the alarm stream sees them. */
  const events: Array<{ what: 'raised' | 'cleared'; a: AlarmView }> = [];

  beforeAll(async () => {
    mnt = mkdtempSync(path.join(tmpdir(), 'xuncha-diskfull-exam-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MB}m`, 'tmpfs', mnt]);
    mounted = true;
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }, { id: 'b', audio: 'none' }, { id: 'c', audio: 'none' }] });
    const config = loadConfig({ env: {}, file: '/dev/null', overrides: { dataDir: path.join(mnt, 'data'), logLevel: 'silent' } });
    app = await createApp(config, { logger: pino({ level: 'silent' }) });
    await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: ADMIN_PASSWORD, sample: true });
    admin = actorFor((await repos(app.store.db).users.byUsername('admin'))!, CLIENT);
    const site = (await app.org.tree(admin)).find((n) => n.kind === 'site' && n.rooms?.some((rm) => rm.name === '第01考场'))!;
    siteId = site.id;
    const room = site.rooms!.find((rm) => rm.name === '第01考场')!;
    for (const id of ['a', 'b', 'c']) cams.push((await app.devices.createCamera(admin, { roomId: room.id, name: id, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${id}/main`, subStream: `/cam/${id}/sub`, host: '127.0.0.1', port: sim.port })).id);
    app.exams.alarms.on('alarm.raised', (a) => void (a.kind === 'recording_gap' && events.push({ what: 'raised', a })));
    app.exams.alarms.on('alarm.cleared', (a) => void (a.kind === 'recording_gap' && events.push({ what: 'cleared', a })));
    app.exams.start();
    await app.recorder.start();
    app.retention.start();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    if (mounted) execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('one disk_full alarm, one disk-full gap alarm per camera raised and cleared once, one disk-full gap per camera in the report (R-REC-4, R-RET-1)', async () => {
    const r = repos(app.store.db);
    await expect.poll(() => cams.every((c) => app.recorder.status(c)?.recording), { timeout: 30_000, interval: 200 }).toBe(true);
    await sleep(2000);
    // A gaokao session whose exam-room window (30 min lead) began 2 s ago: the cameras are already
    // recording, so the window has no gap before the disk fills.
    const sessionStartMs = Date.now() + DEFAULT_WINDOW_SETTINGS.examLeadMin * 60_000 - 2000;
    const exam = await app.exams.exams.create(admin, { name: '2026年普通高考 (disk-full drill)', kind: 'gaokao' });
    await app.exams.exams.setSites(admin, exam.id, [{ siteId }]);
    const [session] = await app.exams.exams.createSessions(admin, exam.id, [{ subject: '语文', startMs: sessionStartMs, endMs: sessionStartMs + 3600_000 }]);
    for (const c of cams) expect((await r.exams.activeWindowsForCamera(c, Date.now())).map((w) => w.session_id), `camera ${c} in a required window`).toContain(session.id);
    // The manager re-reads schedules every 5 s; a real timetable is armed long before its window.
    await app.recorder.reconcile();
    await sleep(1000);

    // Someone else's file fills the disk to the last byte.
    const filler = path.join(mnt, 'filler.bin');
    expect(fillDisk(filler)).toBe('ENOSPC');
    const fullAt = Date.now();

    // Each camera's run ends with disk-full, inside the window: one gap alarm each, and one disk_full.
    const gapAlarms = async (c: number) => (await app.exams.alarmService.list(admin, { sessionId: session.id, kind: 'recording_gap', limit: 100 })).filter((a) => a.cameraId === c);
    await expect.poll(async () => (await Promise.all(cams.map(gapAlarms))).map((l) => l.length), { timeout: 30_000, interval: 250 }).toEqual([1, 1, 1]);
    await expect.poll(async () => (await r.retention.listAlarms()).filter((a) => a.kind === 'disk_full').length, { timeout: 30_000, interval: 250 }).toBe(1);
    // The window's recordings are locked: retention cannot free the disk, it stays full.
    await sleep(FULL_FOR_MS);
    expect(fillDisk(path.join(mnt, 'still-full.bin')), 'the disk is still full').toBe('ENOSPC');
    rmSync(path.join(mnt, 'still-full.bin'));
    await app.recorder.index.flush();
    for (const c of cams) {
      const open = (await gapAlarms(c)).filter((a) => a.clearedAtMs === null);
      expect(open, `camera ${c}: one open gap alarm while full`).toHaveLength(1);
      expect(open[0].reason).toBe('disk-full');
      expect(open[0].gapStartMs!).toBeGreaterThanOrEqual(fullAt - 2000);
      // What the console shows: held for the full disk (not for disk pressure: the window requires it).
      expect(app.recorder.status(c)?.recordingHeld, `camera ${c} held while full`).toBe('disk-full');
      const runs = await r.recordings.runsBetween(c, fullAt - 2000, Date.now() + 1);
      expect(runs.filter((run) => run.end_reason === 'disk-full'), `camera ${c}: one disk-full run end`).toHaveLength(1);
    }
    const disk = (await r.retention.listAlarms()).filter((a) => a.kind === 'disk_full');
    expect(disk).toHaveLength(1);
    expect(disk[0].cleared_at_ms).toBeNull();

    // Space comes back: every camera records again by itself and its gap alarm clears, once.
    rmSync(filler);
    const backAt = Date.now();
    await expect.poll(async () => (await Promise.all(cams.map(gapAlarms))).every((l) => l.length === 1 && l[0].clearedAtMs !== null), { timeout: 30_000, interval: 250 }).toBe(true);
    await expect.poll(async () => (await r.retention.listAlarms()).find((a) => a.kind === 'disk_full')?.cleared_at_ms ?? null, { timeout: 30_000, interval: 250 }).not.toBeNull();
    await sleep(1500);
    await app.recorder.index.flush();
    // The completeness report (built from the runs, not the alarms), taken while the cameras still
    // record (stopping them would end the runs inside the running window): one gap per camera, disk-full.
    const report = await app.exams.reports.build(admin, exam.id, session.id);
    for (const c of cams) {
      const line = report.lines.find((l) => l.cameraId === c)!;
      expect(line, `camera ${c} in the report`).toBeDefined();
      expect(line.gaps.map((g) => g.reason), `camera ${c} gaps`).toEqual(['disk-full']);
      expect(line.gaps[0].startMs).toBeGreaterThanOrEqual(fullAt - 2000);
      expect(line.gaps[0].endMs).toBeGreaterThanOrEqual(backAt - 3000);
      expect(line.gaps[0].endMs).toBeLessThanOrEqual(backAt + 10_000);
    }
    // (Still recording: a stop now would end the runs inside the window and raise a real gap alarm.)
    await app.exams.monitor.idle();

    for (const c of cams) {
      const [a] = await gapAlarms(c);
      expect(a.gapEndMs!, `camera ${c}: gap ends when recording resumes`).toBeGreaterThanOrEqual(backAt - 3000);
      // The alarm stream a duty officer watches: one raise and one clear per camera, nothing else.
      expect(events.filter((e) => e.a.cameraId === c).map((e) => `${e.what}:${e.a.reason}:${e.a.id}`), `camera ${c} alarm events`).toEqual([`raised:disk-full:${a.id}`, `cleared:disk-full:${a.id}`]);
    }
    expect((await r.retention.listAlarms()).filter((a) => a.kind === 'disk_full')).toHaveLength(1);
  }, 120_000);
});
