// A full disk heals itself (issue 12 item 3; R-RET-1, R-REC-4). On a small tmpfs holding both the
// database and the recordings, three cameras record; one is under an evidence hold; then another
// file fills the disk to the last byte. Retention runs by itself within seconds (not at the 10-min
// tick), releases the database reserve, deletes unlocked recordings and never a locked one; a login
// while the disk is full commits (at worst one 503 + Retry-After, never a 500); there is one
// disk-full alarm, at most one 'disk-full' run end per camera, no zero-length run, no file
// without its row; when the space comes back the cameras record again by themselves within 8 s; every file
// plays and the verifier agrees. Needs root to mount the tmpfs (CI runs as root).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { createApp } from '../../src/app.ts';
import type { App } from '../../src/app.ts';
import { actorFor } from '../../src/auth/auth-service.ts';
import { loadConfig } from '../../src/config/config.ts';
import { seedFirstStart } from '../../src/org/seed.ts';
import { verifyRecordings } from '../../src/recording/verify/verify-recordings.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ADMIN_PASSWORD, CLIENT } from '../helpers/app.ts';
import { ffprobe } from '../helpers/ffprobe.ts';
import { fillDisk } from './fill-disk.ts';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('disk-full.e2e: SKIPPED — mounting a tmpfs needs root (CI runs as root)');

const TMPFS_MB = 40;
/** Cameras record again this soon after space comes back (issue 12: "within seconds"). */
const RESUME_BOUND_MS = 8000;

describe.skipIf(!isRoot)('disk full on a real (tmpfs) disk', () => {
  let mnt = '';
  let mounted = false;
  let sim: Simulator;
  let app: App;
  let server: FastifyInstance;
  const cams: number[] = [];

  beforeAll(async () => {
    mnt = mkdtempSync(path.join(tmpdir(), 'xuncha-diskfull-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MB}m`, 'tmpfs', mnt]);
    mounted = true;
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }, { id: 'b', audio: 'none' }, { id: 'c', audio: 'none' }] });
    const config = loadConfig({ env: {}, file: '/dev/null', overrides: { dataDir: path.join(mnt, 'data'), logLevel: 'silent' } });
    app = await createApp(config, { logger: pino({ level: 'silent' }) });
    await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: ADMIN_PASSWORD, sample: true });
    const admin = actorFor((await repos(app.store.db).users.byUsername('admin'))!, CLIENT);
    const roomId = (await app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0].id;
    for (const id of ['a', 'b', 'c']) cams.push((await app.devices.createCamera(admin, { roomId, name: id, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${id}/main`, subStream: `/cam/${id}/sub`, host: '127.0.0.1', port: sim.port })).id);
    server = await buildServer(app, pino({ level: 'silent' }));
    await app.recorder.start();
    app.retention.start();
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await app?.close();
    await sim?.close();
    if (mounted) execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('frees itself without deleting a locked recording, with one alarm and no empty runs or files; login works while full; recording resumes within seconds (R-RET-1, R-REC-4)', async () => {
    const admin = actorFor((await repos(app.store.db).users.byUsername('admin'))!, CLIENT);
    const r = repos(app.store.db).recordings;
    const filesOf = async (cam: number) => r.filesBetween(cam, 0, Number.MAX_SAFE_INTEGER);
    // Every camera records for a while; then camera a's recordings go under an evidence hold.
    await expect.poll(async () => Math.min(...(await Promise.all(cams.map(async (c) => (await filesOf(c)).reduce((n, f) => n + Number(f.duration_90k), 0))))), { timeout: 60_000, interval: 500 }).toBeGreaterThan(8 * 90_000);
    const t0 = Date.now() - 3600_000;
    await app.retention.holds.create(admin, { cameraId: cams[0], fromMs: t0, toMs: Date.now() + 3600_000, reason: '考场异常 incident #1' });
    const lockedBefore = (await filesOf(cams[0])).map((f) => f.rel_path);

    // Someone else's file fills the disk to the last byte.
    const filler = path.join(mnt, 'filler.bin');
    expect(fillDisk(filler)).toBe('ENOSPC');
    const login = () => server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    // A login in the instant the disk filled, before retention looked: never a bare 500. Either it
    // commits, or it is refused with 503 + Retry-After while the database reserve is freed, and
    // the retry a second later commits.
    const first = await login();
    expect([200, 503], first.body).toContain(first.statusCode);
    if (first.statusCode === 503) {
      expect(first.json()).toMatchObject({ error: 'disk_full' });
      expect(first.headers['retry-after']).toBe('1');
      await new Promise((res) => setTimeout(res, 1000));
      const retry = await login();
      expect(retry.statusCode, retry.body).toBe(200);
    }

    // Retention runs by itself within seconds: the disk-full alarm is stored, unlocked files go.
    await expect.poll(async () => (await repos(app.store.db).retention.listAlarms()).filter((a) => a.kind === 'disk_full').length, { timeout: 60_000, interval: 500 }).toBe(1);
    await expect.poll(async () => (await repos(app.store.db).audit.list({ kind: 'all' }, { action: 'retention.delete' })).records.length, { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);
    // While the disk is full (the foreign file still there, the alarm open): a user can log in
    // (the session and its audit record commit: 200, not 500) and sees the disk-full alarm.
    const during = await login();
    expect(during.statusCode, during.body).toBe(200);
    const cookie = String(during.headers['set-cookie']).split(';')[0];
    const open = await server.inject({ method: 'GET', url: '/api/retention/alarms/open', headers: { cookie } });
    expect(open.statusCode).toBe(200);
    expect(JSON.stringify(open.json())).toContain('disk_full');
    // Some seconds of full disk: cameras must not churn runs meanwhile.
    await new Promise((res) => setTimeout(res, 8000));

    // Space comes back: the cameras record again by themselves, within seconds.
    rmSync(filler);
    const backAt = Date.now();
    await expect.poll(async () => (await Promise.all(cams.map((c) => r.runsBetween(c, backAt, Date.now() + 1)))).every((runs) => runs.some((run) => Number(run.started_at_ms) >= backAt)), { timeout: 60_000, interval: 200 }).toBe(true);
    // Within seconds: the 2 s free-space look, one pass, the next keyframe and the ~1 s index batch
    // (measured ~3 s), not the 10-minute job tick.
    expect(Date.now() - backAt, 'ms from space back to every camera recording again').toBeLessThanOrEqual(RESUME_BOUND_MS);
    await expect.poll(async () => (await repos(app.store.db).retention.listAlarms()).find((a) => a.kind === 'disk_full')?.cleared_at_ms ?? null, { timeout: 30_000, interval: 500 }).not.toBeNull();
    await app.recorder.stop();
    await app.recorder.index.flush();

    // Locked recordings all still there.
    const lockedAfter = new Set((await filesOf(cams[0])).map((f) => f.rel_path));
    for (const rel of lockedBefore) expect(lockedAfter.has(rel), rel).toBe(true);
    // One disk-full alarm; no zero-length runs; at most one disk-full end per camera.
    expect((await repos(app.store.db).retention.listAlarms()).filter((a) => a.kind === 'disk_full')).toHaveLength(1);
    for (const c of cams) {
      const runs = await r.runsBetween(c, 0, Number.MAX_SAFE_INTEGER);
      expect(runs.filter((run) => Number(run.duration_90k) === 0), `camera ${c}`).toEqual([]);
      expect(runs.filter((run) => run.end_reason === 'disk-full').length, `camera ${c}`).toBeLessThanOrEqual(1);
    }
    // Every file plays, the index and the files agree (no empty or orphan files).
    for (const c of cams) for (const f of await filesOf(c)) expect(ffprobe(app.files.absolute(f.rel_path)).frames, f.rel_path).toBe(Number(f.frame_count));
    const v = await verifyRecordings(app.store, app.files, { checkSamples: false });
    expect(v.problems).toEqual([]);
  }, 240_000);
});
