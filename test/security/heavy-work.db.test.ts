// Issue 13 item 9 (R-SEC-4): heavy file work leaves the event loop and is bounded.
// - organisation export and import run in a worker thread (above a size; forced here), alarms.xlsx
//   always; results are the same files as before;
// - over reports.maxPerUser/maxTotal an organisation export/import or alarms.xlsx answers 429;
// - over exports.maxPerUser/maxTotal unfinished recording exports a new one answers 429.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob, ExportService } from '../../src/playback/export-service.ts';
import { createPlaybackModule } from '../../src/playback/index.ts';
import { workerStats } from '../../src/util/worker-run.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { listen, login, request } from './http.ts';
import type { Caller } from './http.ts';

describe('heavy work in workers, bounded (issue 13 item 9, R-SEC-4)', () => {
  let t: TestApp;
  let server: FastifyInstance;
  let port: number;
  let admin: Caller;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { realClock: true, config: { reports: { maxPerUser: 1, maxTotal: 2 }, exports: { maxPerUser: 1, maxTotal: 2 } } });
    ({ server, port } = await listen(t));
    admin = await login(port, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('organisation export and import run in a worker thread and give the same files', async () => {
    const inline = await request(port, 'GET', '/api/org/export?format=csv', undefined, admin);
    t.app.transfer.workerMinRows = 0;
    t.app.transfer.workerMinBytes = 0;
    const before = workerStats.jobs;
    const csv = await request(port, 'GET', '/api/org/export?format=csv', undefined, admin);
    expect(csv.status).toBe(200);
    expect(csv.body.text).toBe(inline.body.text);
    expect(csv.body.text).toContain('南京市第一中学考点');
    expect(workerStats.jobs).toBe(before + 1);
    const dataBase64 = Buffer.from(String(csv.body.text)).toString('base64');
    const imported = await request(port, 'POST', '/api/org/import', { format: 'csv', dataBase64 }, admin);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const broken = await request(port, 'POST', '/api/org/import', { format: 'csv', dataBase64: Buffer.from('类型,名称\n"unterminated').toString('base64') }, admin);
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('import_invalid');
    expect(workerStats.jobs).toBe(before + 3);
  }, 60_000);

  it('alarms.xlsx is written in a worker thread', async () => {
    const before = workerStats.jobs;
    const x = await request(port, 'GET', '/api/alarms.xlsx', undefined, admin);
    expect(x.status).toBe(200);
    expect(x.headers['content-type']).toContain('spreadsheetml');
    expect(workerStats.jobs).toBe(before + 1);
  }, 30_000);

  it('over reports.maxPerUser (1 here) an export, an import or alarms.xlsx of the same user answers 429', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const adminId = String((await t.actor('admin')).userId);
    const heldOrg = t.app.transfer.limiter.run(adminId, () => gate);
    const heldAlarms = t.app.exams.reportLimiter.run(adminId, () => gate);
    try {
      const exp = await request(port, 'GET', '/api/org/export?format=xlsx', undefined, admin);
      expect(exp.status).toBe(429);
      expect(exp.body.message).toMatch(/请稍后再试/);
      expect((await request(port, 'POST', '/api/org/import', { format: 'csv', dataBase64: Buffer.from('a').toString('base64') }, admin)).status).toBe(429);
      expect((await request(port, 'GET', '/api/alarms.xlsx', undefined, admin)).status).toBe(429);
    } finally {
      release();
      await Promise.all([heldOrg, heldAlarms]);
    }
    expect((await request(port, 'GET', '/api/org/export?format=csv', undefined, admin)).status).toBe(200);
  });

  it('over exports.maxPerUser / maxTotal unfinished recording exports a new one answers 429', async () => {
    const { exports } = createPlaybackModule(t.app);
    const jobs = (exports as unknown as { jobs: Map<string, ExportJob> }).jobs;
    const actor = await t.actor('admin');
    const job = (id: string, createdBy: string): ExportJob => ({ id, status: 'running', progress: 0, cameraIds: [1], fromMs: 0, toMs: 1, purpose: '测试用途', watermark: false, createdBy, createdAtMs: 0, files: [], scopePath: '/' });
    const create = (s: ExportService) => s.create(actor, { cameraIds: [999_999], fromMs: 0, toMs: 60_000, purpose: '纪检调取' });
    jobs.set('a', job('a', 'admin'));
    await expect(create(exports)).rejects.toMatchObject({ code: 'too_many_requests', message: expect.stringContaining('每个用户') });
    jobs.set('a', job('a', 'other'));
    jobs.set('b', job('b', 'other2'));
    await expect(create(exports)).rejects.toMatchObject({ code: 'too_many_requests', message: expect.stringContaining('服务器繁忙') });
    jobs.get('b')!.status = 'done';
    // Under the bounds the request goes on to the usual checks (here: no such camera → 404).
    await expect(create(exports)).rejects.toMatchObject({ code: 'not_found' });
    await exports.close();
  });
});
