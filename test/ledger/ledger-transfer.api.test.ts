// Ledger Excel export/import and the node-health endpoint over the real HTTP stack (issue 19 item 1
// and 3; R-SEC-1: model, serial, responsible person kept per device; R-SEC-2: every device in
// the ledger; R-ORG-2: the node's health is visible). Import is all or nothing: one bad row → none.
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('ledger Excel and health API (sqlite)', () => {
  let t: TestApp;
  let server: FastifyInstance;
  let auth = { cookie: '', csrf: '' };
  let siteCode = '';
  const call = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => server.inject({ method, url, headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf }, payload });

  beforeAll(async () => {
    t = await createTestApp('sqlite', { app: { ledger: { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000, disk: { measure: () => Promise.resolve({ freeBytes: 900, totalBytes: 1000 }) } } } });
    server = await buildServer(t.app, pino({ level: 'silent' }));
    const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    auth = { cookie: res.headers['set-cookie']!.toString().split(';')[0]!, csrf: (res.json() as { csrfToken: string }).csrfToken };
    siteCode = (await t.app.org.tree(await t.actor('admin'))).find((n) => n.kind === 'site')!.gbCode;
  });
  afterAll(async () => {
    await server?.close();
    await t?.app.ledger.stop();
    await t?.close();
  });

  async function sheet(rows: string[][]): Promise<string> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('设备台账');
    ws.addRow(['节点编码', '设备类别', '设备编码', '设备名称', '型号', '序列号', '安装日期', '责任人']);
    for (const r of rows) ws.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  }

  it('R-SEC-1: a bad row refuses the whole import with its row number; a good sheet adds, then updates, rows', async () => {
    const bad = await call('POST', '/api/ledger/import', { dataBase64: await sheet([[siteCode, 'ups', 'UPS-9', '不间断电源', 'C3KS', 'SN9', '2025-03-01', '王老师'], [siteCode, 'toaster', 'T-1', '烤面包机', '', '', '', '']]) });
    expect(bad.statusCode, bad.body).toBe(200);
    expect(bad.json()).toMatchObject({ created: 0, updated: 0, problems: [{ row: 3 }] });
    const good = await call('POST', '/api/ledger/import', { dataBase64: await sheet([[siteCode, 'ups', 'UPS-9', '不间断电源', 'C3KS', 'SN9', '2025-03-01', '王老师'], [siteCode, 'switch', 'SW-9', '交换机', 'S5735', 'SN10', '', '李老师']]) });
    expect(good.json()).toEqual({ created: 2, updated: 0, problems: [] });
    const again = await call('POST', '/api/ledger/import', { dataBase64: await sheet([[siteCode, 'ups', 'UPS-9', '不间断电源', 'C6KS', 'SN9', '2025-03-01', '王老师']]) });
    expect(again.json()).toEqual({ created: 0, updated: 1, problems: [] });
    const devices = (await call('GET', '/api/ledger/devices')).json() as { devices: Array<{ code: string; model: string; installedOnMs: number | null; responsibleName: string }> };
    expect(devices.devices.find((d) => d.code === 'UPS-9')).toMatchObject({ model: 'C6KS', installedOnMs: Date.UTC(2025, 2, 1), responsibleName: '王老师' });
  });

  it('R-SEC-2: export gives every device as text cells, audited', async () => {
    const res = await call('GET', '/api/ledger/devices.xlsx');
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(res.rawPayload).buffer);
    const ws = wb.getWorksheet('设备台账')!;
    const codes = ws.getColumn(4).values.slice(2).map(String);
    expect(codes).toEqual(expect.arrayContaining(['UPS-9', 'SW-9']));
    expect(String(ws.getRow(2).getCell(1).value)).toMatch(/^\d{20}$/);
    const audit = (await call('GET', '/api/audit?action=ledger.device.export')).json() as { total: number };
    expect(audit.total).toBe(1);
  });

  it('R-ORG-2: GET /api/ledger/health shows this node\'s latest sample and the NODE-SERVER row exists', async () => {
    await t.app.ledger.health.sample();
    const res = await call('GET', '/api/ledger/health');
    expect(res.statusCode).toBe(200);
    const h = res.json() as { own: { disk: { freeRatio: number } }; limits: { diskLowRatio: number } };
    expect(h.own.disk.freeRatio).toBe(0.9);
    expect(h.limits.diskLowRatio).toBe(0.05);
  });
});
