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

  it('R-SEC-1, R-SEC-2: template → filled with a reachability target → import → export → re-import round trip keeps every field', async () => {
    const tpl = await call('GET', '/api/ledger/template.xlsx');
    expect(tpl.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(tpl.rawPayload).buffer);
    const ws = wb.getWorksheet('设备台账')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    expect(header).toEqual(expect.arrayContaining(['节点编码', '设备类别', '设备编码', '设备名称', '责任人', '探测地址', '探测端口']));
    expect(ws.rowCount).toBe(1); // no example row that could be imported by mistake
    expect(wb.getWorksheet('填写说明')!.getColumn(1).values.map(String)).toContain('探测端口');
    // Fill the template as a site administrator would (every cell text, as the template formats them).
    const at = (h: string) => header.indexOf(h) + 1;
    const fill = (values: Record<string, string>) => { const row = ws.addRow([]); for (const [h, v] of Object.entries(values)) row.getCell(at(h)).value = v; };
    fill({ 节点编码: siteCode, 设备类别: 'switch', 设备编码: 'SW-RT', 设备名称: '核心交换机', 型号: 'S5735', 责任人: '赵老师', 联系电话: '13800000000', 质保截止: '2029-12-31', 探测地址: '10.1.2.3', 探测端口: '22' });
    fill({ 节点编码: siteCode, 设备类别: 'ups', 设备编码: 'UPS-RT', 设备名称: '机房 UPS', 责任人: '赵老师', 探测地址: 'ups-1.site.local', 探测端口: '' });
    const filled = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
    expect((await call('POST', '/api/ledger/import', { dataBase64: filled })).json()).toEqual({ created: 2, updated: 0, problems: [] });
    type Dev = { code: string; updatedAtMs: number; probeHost: string | null; probeTcpPort: number | null; warrantyUntilMs: number | null; responsiblePhone: string; model: string };
    const byCode = async () => new Map(((await call('GET', '/api/ledger/devices')).json() as { devices: Dev[] }).devices.map((d) => [d.code, d]));
    const first = await byCode();
    expect(first.get('SW-RT')).toMatchObject({ probeHost: '10.1.2.3', probeTcpPort: 22, model: 'S5735', responsiblePhone: '13800000000', warrantyUntilMs: Date.UTC(2029, 11, 31) });
    expect(first.get('UPS-RT')).toMatchObject({ probeHost: 'ups-1.site.local', probeTcpPort: null });

    // Export, import the exported file unchanged: every row matched and updated, nothing changed.
    const exported = await call('GET', '/api/ledger/devices.xlsx');
    const back = await call('POST', '/api/ledger/import', { dataBase64: Buffer.from(exported.rawPayload).toString('base64') });
    expect(back.json()).toMatchObject({ created: 0, problems: [] });
    expect((back.json() as { updated: number }).updated).toBe(first.size);
    const second = await byCode();
    for (const [code, d] of first) expect(second.get(code), code).toEqual({ ...d, updatedAtMs: second.get(code)!.updatedAtMs });

    // A cleared cell stops the measuring; a sheet without the probe columns leaves the target as it is.
    const out = new ExcelJS.Workbook();
    await out.xlsx.load(new Uint8Array(exported.rawPayload).buffer);
    const sheetOut = out.getWorksheet('设备台账')!;
    sheetOut.eachRow((row, n) => { if (n > 1 && String(row.getCell(4).value) === 'SW-RT') { row.getCell(at('探测地址')).value = ''; row.getCell(at('探测端口')).value = ''; } });
    await call('POST', '/api/ledger/import', { dataBase64: Buffer.from(await out.xlsx.writeBuffer()).toString('base64') });
    expect((await byCode()).get('SW-RT')).toMatchObject({ probeHost: null, probeTcpPort: null });
    expect((await call('POST', '/api/ledger/import', { dataBase64: await sheet([[siteCode, 'ups', 'UPS-RT', '机房 UPS', 'C6KS', '', '', '赵老师']]) })).json()).toEqual({ created: 0, updated: 1, problems: [] });
    expect((await byCode()).get('UPS-RT')).toMatchObject({ probeHost: 'ups-1.site.local', model: 'C6KS' });

    // A port that is not one refuses the whole sheet, with its row.
    const badWb = new ExcelJS.Workbook();
    badWb.addWorksheet('设备台账').addRows([['节点编码', '设备类别', '设备编码', '设备名称', '探测地址', '探测端口'], [siteCode, 'switch', 'SW-RT', '核心交换机', '10.1.2.3', '22'], [siteCode, 'ups', 'UPS-RT', '机房 UPS', '10.1.2.4', '70000'], [siteCode, 'ups', 'UPS-X', 'UPS', '10.1.2.5', 'ssh']]);
    const bad = (await call('POST', '/api/ledger/import', { dataBase64: Buffer.from(await badWb.xlsx.writeBuffer()).toString('base64') })).json() as { created: number; updated: number; problems: Array<{ row: number; message: string }> };
    expect(bad).toMatchObject({ created: 0, updated: 0 });
    expect(bad.problems.map((p) => p.row)).toEqual([3, 4]);
    expect((await byCode()).get('SW-RT')).toMatchObject({ probeHost: null });
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
