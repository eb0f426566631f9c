// Export packaging off the event loop and bounded (issue 13 item 9, R-SEC-4): each MP4 part of a
// recording export is written and hashed in a worker thread, while the server keeps answering;
// unfinished exports of one user beyond exports.maxPerUser (2) are refused with 429 even when the
// requests are sent at once (on PostgreSQL all four passed the check before the reservation).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob } from '../../src/playback/export-service.ts';
import { workerStats } from '../../src/util/worker-run.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { playbackFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

describe.each(DIALECTS)('export packaging in workers, bounded, on %s (issue 13 item 9, R-SEC-4)', (dialect) => {
  let f: Fixture;
  let adm: { cookie: string; csrf: string };
  beforeAll(async () => {
    f = await playbackFixture(dialect, { realClock: true });
    adm = await f.login('gulou_admin');
  });
  afterAll(() => f?.close());

  const post = (url: string, payload: Record<string, unknown>) => f.server.inject({ method: 'POST', url, headers: { cookie: adm.cookie, 'x-csrf-token': adm.csrf }, payload });
  const job = async (id: string) => (await f.server.inject({ method: 'GET', url: `/api/exports/${id}`, headers: { cookie: adm.cookie } })).json<ExportJob>();
  const exportBody = (purpose: string) => ({ cameraIds: [f.front, f.rear], fromMs: f.t0, toMs: f.t0 + 49_000, purpose });

  it('every MP4 part is written in its own worker thread; /api/health answers while the export runs', async () => {
    const before = workerStats.jobs;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const res = await post('/api/exports', exportBody('工作线程导出测试'));
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json<ExportJob>().id;
    let healthChecks = 0;
    for (let status = (await job(id)).status; status !== 'done'; status = (await job(id)).status) {
      expect(status).not.toBe('failed');
      const health = await f.server.inject({ method: 'GET', url: '/api/health' });
      expect(health.statusCode).toBe(200);
      healthChecks++;
      await new Promise((r) => setTimeout(r, 20));
    }
    lag.disable();
    const done = await job(id);
    // At least one part per camera; each part: one worker.
    const parts = done.files.filter((x) => x.name.endsWith('.mp4')).length;
    expect(parts).toBeGreaterThanOrEqual(2);
    expect(workerStats.jobs - before).toBe(parts);
    expect(healthChecks).toBeGreaterThan(0);
    // The event loop never stalled for long while the parts were written (a loose bound: CI is loaded).
    expect(lag.max / 1e6).toBeLessThan(1000);
  });

  it('R-SEC-4: four exports of one user sent at once: two accepted, two refused 429 (exports.maxPerUser 2); after they finish one is accepted again', async () => {
    await f.module.exports.idle();
    const answers = await Promise.all([1, 2, 3, 4].map((i) => post('/api/exports', exportBody(`并发导出测试 ${i}`))));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([202, 202, 429, 429]);
    for (const a of answers.filter((x) => x.statusCode === 429)) expect(a.json<{ message: string }>().message).toMatch(/每个用户最多同时 2 个未完成/);
    await f.module.exports.idle();
    const again = await post('/api/exports', exportBody('并发导出测试 之后'));
    expect(again.statusCode).toBe(202);
    await f.module.exports.idle();
  }, 30_000);
});
