// Issue 13 item 9 (R-SEC-4): report files are rendered in worker threads, so /api/health keeps
// answering while 20 PDF reports are requested at once; over the bound (here 20 in total) the
// next request is refused at once with 429 and a Chinese message; per-user bound likewise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { WorkLimiter } from '../../src/util/work-limiter.ts';
import { workerStats } from '../../src/util/worker-run.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { closeDay, examDay } from '../exams/fixture.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { listen, login, request } from './http.ts';
import type { Answer } from './http.ts';

describe('report files off the event loop, bounded (issue 13 item 9, R-SEC-4)', () => {
  let d: ExamDay;
  let server: FastifyInstance;
  let port: number;
  let limiter: WorkLimiter;

  beforeAll(async () => {
    d = await examDay('sqlite');
    limiter = new WorkLimiter({ maxPerUser: 20, maxTotal: 20 });
    (d.t.app.exams as { reportLimiter: WorkLimiter }).reportLimiter = limiter;
    ({ server, port } = await listen(d.t));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await closeDay(d);
  });

  it('20 PDFs at once: /api/health stays responsive; the 21st is refused with 429', async () => {
    const admin = await login(port, 'admin', ADMIN_PASSWORD);
    expect(admin.status).toBe(200);
    const started = workerStats.workersStarted;
    const jobs = workerStats.jobs;
    const reports = Array.from({ length: 20 }, () => request(port, 'GET', `/api/exams/${d.examId}/report.pdf`, undefined, admin));
    // All 20 in flight at once (workers take a while to start on this machine).
    await expect.poll(() => limiter.running, { timeout: 30_000, interval: 20 }).toBe(20);
    const over = await request(port, 'GET', `/api/exams/${d.examId}/report.xlsx`, undefined, admin);
    expect(over.status).toBe(429);
    expect(over.body.message).toMatch(/请稍后再试/);
    const health: number[] = [];
    let done = false;
    const all = Promise.all(reports).finally(() => {
      done = true;
    });
    while (!done) {
      const h = await request(port, 'GET', '/api/health');
      expect(h.status).toBeLessThan(600);
      health.push(h.ms);
      await new Promise((r) => setTimeout(r, 100));
    }
    const answers: Answer[] = await all;
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(health.length).toBeGreaterThan(0);
    // Before: 20 PDFs on the event loop pushed /api/health to 13.9 s. Generous bound for a loaded machine.
    expect(Math.max(...health)).toBeLessThan(3000);
    console.log(`health during 20 PDFs: ${health.length} probes, max ${Math.round(Math.max(...health))} ms`);
    // Each PDF ran in a worker, and the workers were reused: the pool of two warm workers, not 20
    // cold starts (each cold start costs the loader and pdfkit again).
    expect(workerStats.jobs - jobs).toBe(20);
    expect(workerStats.workersStarted - started).toBeLessThanOrEqual(2);
    // Slots are given back: one more works now.
    expect((await request(port, 'GET', `/api/exams/${d.examId}/report.xlsx`, undefined, admin)).status).toBe(200);
  }, 180_000);

  it('per user: a third at once by the same user is refused, another user is not', async () => {
    const l = new WorkLimiter({ maxPerUser: 2, maxTotal: 3 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = [l.run('1', () => gate), l.run('1', () => gate)];
    await expect(l.run('1', () => Promise.resolve())).rejects.toMatchObject({ status: 429, message: expect.stringContaining('每个用户') });
    const other = l.run('2', () => gate);
    await expect(l.run('3', () => Promise.resolve())).rejects.toMatchObject({ status: 429, message: expect.stringContaining('服务器繁忙') });
    release();
    await Promise.all([...held, other]);
    expect(l.running).toBe(0);
    await expect(l.run('1', () => Promise.resolve(7))).resolves.toBe(7);
  });
});
