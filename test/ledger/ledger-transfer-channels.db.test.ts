// 应接入通道数 (expected_channels, migration 0036) in the ledger's Excel on both databases (R-SEC-1,
// R-CITY-4: what a replaced NVR / encoder is checked against; docs/design/ledger.md "Excel"): in the
// template and its notes, exported, imported, round-tripped unchanged; an empty cell clears it, a
// sheet without the column leaves it; a bad count refuses the whole file with a Chinese message per row.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const COL = '应接入通道数';

async function xlsx(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('设备台账').addRows(rows);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function read(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(new Uint8Array(buf).buffer as ArrayBuffer);
  return wb;
}

describe.each(DIALECTS)('ledger Excel 应接入通道数 on %s (R-SEC-1, R-CITY-4)', (dialect) => {
  let t: TestApp;
  let siteCode = '';

  beforeAll(async () => {
    t = await createTestApp(dialect, { app: { ledger: { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000 } } });
    siteCode = (await t.app.org.tree(await t.actor('admin'))).find((n) => n.kind === 'site')!.gbCode;
  });
  afterAll(async () => {
    await t?.close();
  });

  const devices = async () => new Map((await t.app.ledger.ledger.list(await t.actor('admin'))).map((d) => [d.code, d]));

  it('template has the column and its note; filled → imported → exported → re-imported keeps the count', async () => {
    const admin = await t.actor('admin');
    const tpl = await read(await t.app.ledger.transfer.template(admin));
    const header = (tpl.getWorksheet('设备台账')!.getRow(1).values as unknown[]).slice(1).map(String);
    expect(header).toContain(COL);
    const note = tpl.getWorksheet('填写说明')!.getColumn(1).values.map(String).indexOf(COL);
    expect(String(tpl.getWorksheet('填写说明')!.getRow(note).getCell(2).value)).toContain('1–4096');

    const at = (h: string) => header.indexOf(h);
    const row = (v: Record<string, string>) => header.map((h) => v[h] ?? '');
    const first = await t.app.ledger.transfer.import(admin, await xlsx([header, row({ 节点编码: siteCode, 设备类别: 'nvr', 设备编码: 'NVR-CH', 设备名称: '硬盘录像机', [COL]: '16' }), row({ 节点编码: siteCode, 设备类别: 'encoder', 设备编码: 'ENC-CH', 设备名称: '编码器', [COL]: '' })]));
    expect(first).toEqual({ created: 2, updated: 0, problems: [] });
    const before = await devices();
    expect([before.get('NVR-CH')!.expectedChannels, before.get('ENC-CH')!.expectedChannels]).toEqual([16, null]);

    const exported = await t.app.ledger.transfer.export(admin);
    const ws = (await read(exported)).getWorksheet('设备台账')!;
    const cells = new Map<string, string>();
    ws.eachRow((r, n) => { if (n > 1) cells.set(String(r.getCell(at('设备编码') + 1).value), String(r.getCell(at(COL) + 1).value ?? '')); });
    expect([cells.get('NVR-CH'), cells.get('ENC-CH')]).toEqual(['16', '']);

    const back = await t.app.ledger.transfer.import(admin, exported);
    expect(back).toMatchObject({ created: 0, updated: before.size, problems: [] });
    const after = await devices();
    for (const [code, d] of before) expect(after.get(code), code).toEqual({ ...d, updatedAtMs: after.get(code)!.updatedAtMs });
  });

  it('an empty cell clears the count, a sheet without the column leaves it', async () => {
    const admin = await t.actor('admin');
    const head = ['节点编码', '设备类别', '设备编码', '设备名称'];
    await t.app.ledger.transfer.import(admin, await xlsx([[...head, COL], [siteCode, 'encoder', 'ENC-CH', '编码器', '4']]));
    expect((await devices()).get('ENC-CH')!.expectedChannels).toBe(4);
    expect(await t.app.ledger.transfer.import(admin, await xlsx([head, [siteCode, 'encoder', 'ENC-CH', '编码器二']]))).toEqual({ created: 0, updated: 1, problems: [] });
    expect((await devices()).get('ENC-CH')).toMatchObject({ name: '编码器二', expectedChannels: 4 });
    await t.app.ledger.transfer.import(admin, await xlsx([[...head, COL], [siteCode, 'encoder', 'ENC-CH', '编码器二', '']]));
    expect((await devices()).get('ENC-CH')!.expectedChannels).toBeNull();
  });

  it('0, 4097, 2.5, 八 and -1 refuse the whole file, one Chinese message per bad row; nothing is changed', async () => {
    const admin = await t.actor('admin');
    const head = ['节点编码', '设备类别', '设备编码', '设备名称', COL];
    const before = await devices();
    const res = await t.app.ledger.transfer.import(admin, await xlsx([
      head,
      [siteCode, 'nvr', 'NVR-CH', '硬盘录像机', '4096'],
      [siteCode, 'nvr', 'NVR-B1', '录像机一', '0'],
      [siteCode, 'nvr', 'NVR-B2', '录像机二', '4097'],
      [siteCode, 'nvr', 'NVR-B3', '录像机三', '2.5'],
      [siteCode, 'nvr', 'NVR-B4', '录像机四', '八'],
      [siteCode, 'nvr', 'NVR-B5', '录像机五', '-1'],
    ]));
    expect(res).toMatchObject({ created: 0, updated: 0 });
    expect(res.problems.map((p) => p.row)).toEqual([3, 4, 5, 6, 7]);
    for (const p of res.problems) expect(p.message).toMatch(/^应接入通道数应为 1–4096 的整数/);
    expect(res.problems[1]!.message).toContain('「4097」');
    const after = await devices();
    expect(after.get('NVR-CH')!.expectedChannels).toBe(16);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  });
});
