// Backups on both databases with real recordings (R-RET-2, R-SEC-9, R-ACC-1): a finished session
// is backed up automatically, every copy verified by SHA-256 with a report; a changed byte and a
// deleted copy are both found and named; a half-done backup resumes copying only what is missing.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemKey } from '../../src/backup/target.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { FileRow } from '../../src/store/repos/recording-repo.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { bj, closeDay, examDay } from '../exams/fixture.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { CountingTarget, harness, record } from './fixture.ts';
import type { Harness } from './fixture.ts';

const DAY = 86_400_000;
const D = bj('2026-06-07 00:00');
const sha = (file: string, lengthBytes?: number) => createHash('sha256').update(readFileSync(file).subarray(0, lengthBytes)).digest('hex');

describe.each(DIALECTS)('backup on %s', (dialect) => {
  let d: ExamDay;
  let h: Harness;
  let sessionBackup = 0;
  const f: Record<string, FileRow[]> = {};

  beforeAll(async () => {
    d = await examDay(dialect);
    h = harness(d.t);
    f.X = await record(d.t, d.cameras.r1front, bj('2026-06-07 09:10'), 20);
    f.R = await record(d.t, d.cameras.r1rear, bj('2026-06-07 09:20'), 10);
    f.L = await record(d.t, d.cameras.lab, bj('2026-06-07 09:30'), 10);
    f.N = await record(d.t, d.cameras.r1front, D - 3 * DAY, 10); // outside every window
  });
  afterAll(async () => {
    await h.m.stop();
    await closeDay(d);
  });

  it('backs up a finished session by itself, copies verified by SHA-256, with a report, never past the indexed length (R-RET-2)', async () => {
    // A damaged tail (what ENOSPC or a crash leaves) past one file's indexed length is not evidence.
    appendFileSync(d.t.app.files.absolute(f.X[0].rel_path), Buffer.alloc(777, 0xee));
    d.t.clock.set(bj('2026-06-07 12:40')); // the last window (custody rooms) ends 12:30: not yet
    await h.m.tick();
    expect(await h.m.backups.list(d.admin)).toEqual([]);
    d.t.clock.set(bj('2026-06-07 13:10'));
    await h.m.tick();
    await h.m.backups.idle();
    const [b] = await h.m.backups.list(d.admin);
    sessionBackup = b.id;
    const want = [...f.X, ...f.R, ...f.L];
    expect(b).toMatchObject({ sessionId: d.sessionId, state: 'done', totalFiles: want.length, verifiedFiles: want.length, failedFiles: 0, pendingFiles: 0, createdBy: 'system' });
    const report = await h.m.backups.report(d.admin, b.id);
    expect(report.files.map((x) => x.relPath).sort()).toEqual(want.map((x) => x.rel_path).sort());
    for (const x of report.files) {
      expect(x.verified).toBe(true);
      const row = want.find((w) => w.rel_path === x.relPath)!;
      expect(x.sha256).toBe(sha(d.t.app.files.absolute(x.relPath), Number(row.bytes)));
      expect(sha(x.copy)).toBe(x.sha256);
      expect(statSync(x.copy).size).toBe(Number(row.bytes));
      expect(statSync(x.copy).mode & 0o777).toBe(0o600); // R-SEC-9
    }
    const onDisk = JSON.parse(readFileSync(path.join(h.backupDir, `backup-${b.id}`, 'report.json'), 'utf8')) as typeof report;
    expect(onDisk.files).toHaveLength(want.length);
    const audit = await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'backup.' });
    expect(audit.records.map((r) => r.action)).toEqual(expect.arrayContaining(['backup.create', 'backup.complete']));
    // One backup per session: the next tick does not make another.
    await h.m.tick();
    expect(await h.m.backups.list(d.admin)).toHaveLength(1);
  });

  it('finds and names a corrupted byte and a deleted backup file (R-RET-2)', async () => {
    expect(await h.m.verifyBackup(d.admin, sessionBackup)).toMatchObject({ ok: true, problems: [] });
    const changed = path.join(h.backupDir, itemKey(sessionBackup, f.X[0].rel_path));
    const bytes = readFileSync(changed);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(changed, bytes);
    const deleted = path.join(h.backupDir, itemKey(sessionBackup, f.R[0].rel_path));
    rmSync(deleted);
    const result = await h.m.verifyBackup(d.admin, sessionBackup);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.problem, p.relPath, p.copy]).sort()).toEqual(
      [
        ['changed', f.X[0].rel_path, changed],
        ['missing', f.R[0].rel_path, deleted],
      ].sort(),
    );
    expect((await h.m.backups.get(d.admin, sessionBackup)).verifyOk).toBe(false);
    const audit = await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'backup.verify' });
    expect(audit.records.map((r) => r.outcome).sort()).toEqual(['error', 'ok']);
  });

  it('resumes a half-done backup copying only what is missing (R-RET-2)', async () => {
    const b = await h.m.backups.create(d.admin, { cameraIds: [d.cameras.r1front, d.cameras.r1rear], fromMs: D, toMs: D + DAY });
    await h.m.backups.idle();
    const items = await repos(d.t.app.store.db).retention.items(b.id);
    expect(items.map((i) => i.rel_path).sort()).toEqual([...f.X, ...f.R].map((x) => x.rel_path).sort());
    expect(items.length).toBeGreaterThanOrEqual(3);
    // As left by a crash: first file verified, second copied but not checked, the rest not copied.
    const r = repos(d.t.app.store.db).retention;
    await r.updateBackup(b.id, { state: 'running', finished_at_ms: null, report: null });
    await r.updateItem(items[1].id, { state: 'copied' });
    for (const i of items.slice(2)) {
      await r.updateItem(i.id, { state: 'pending', sha256: null });
      rmSync(path.join(h.backupDir, itemKey(b.id, i.rel_path)));
    }
    CountingTarget.puts = [];
    await h.m.backups.resumeAll();
    expect(CountingTarget.puts.sort()).toEqual(items.slice(2).map((i) => itemKey(b.id, i.rel_path)).sort());
    expect(await h.m.backups.get(d.admin, b.id)).toMatchObject({ state: 'done', verifiedFiles: items.length });
    expect((await h.m.verifyBackup(d.admin, b.id)).ok).toBe(true);
  });

  it('only administrators back up, and only cameras in their scope (R-SEC-9)', async () => {
    const operator = await d.user('operator', '南京市第一中学考点');
    await expect(h.m.backups.create(operator, { sessionId: d.sessionId, fromMs: D, toMs: D + DAY })).rejects.toMatchObject({ code: 'forbidden' });
    const other = await d.t.app.org.createNode(d.admin, { parentId: d.districtId, kind: 'site', name: '鼓楼实验中学考点' });
    const foreign = await d.user('admin', other.name);
    await expect(h.m.backups.create(foreign, { sessionId: d.sessionId, fromMs: D, toMs: D + DAY })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.m.verifyBackup(foreign, sessionBackup)).rejects.toMatchObject({ code: 'not_found' });
    expect(await h.m.backups.list(foreign)).toEqual([]);
    expect(existsSync(h.backupDir)).toBe(true);
  });
});
