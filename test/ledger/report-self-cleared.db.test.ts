// The health report's 故障统计 on both databases (R-FLT-1, R-FN-3; docs/design/ledger.md "Health
// reports"): a ticket the system closed because its fault cleared by itself (已自行恢复（未经维修）)
// is counted apart from the repaired and verified ones, and is not part of the mean time to repair.
// The Excel is read back as a user would open it. Injected clock.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceBody } from '../../src/ledger/schemas.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const MIN = 60_000;

describe.each(DIALECTS)('self-cleared tickets counted apart in the health report on %s (R-FLT-1, R-FN-3)', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(dialect, { app: { ledger: { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000 } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('daily Excel: 本期修复验证 1, 本期自行恢复 1, mean repair time of the repaired ticket only; the detail says 已自行恢复（未经维修）', async () => {
    const admin = await t.actor('admin');
    const site = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!;
    const a = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: site.id, deviceClass: 'switch', code: 'SW-SC', name: '交换机自恢复' }))).id;
    const b = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: site.id, deviceClass: 'ups', code: 'UPS-RP', name: 'UPS 维修' }))).id;
    // 2026-06-07 08:00 Beijing: both faults open; B is taken up and repaired in 2 h, A clears by itself.
    const cleared = await t.app.ledger.faults.recordFault(a, 'offline', '交换机短暂断电');
    const repaired = await t.app.ledger.faults.recordFault(b, 'offline', 'UPS 不可达');
    await t.app.ledger.faults.act(admin, repaired, 'start_repair');
    await t.app.ledger.faults.recordHealthy(a, 'offline');
    t.clock.advance(11 * MIN);
    await t.app.ledger.tick();
    expect(await t.app.ledger.faults.get(admin, cleared)).toMatchObject({ state: 'verified', selfCleared: true });
    t.clock.advance(120 * MIN - 11 * MIN);
    await t.app.ledger.faults.act(admin, repaired, 'mark_repaired');
    await t.app.ledger.faults.recordHealthy(b, 'offline');
    t.clock.advance(2 * MIN);
    await t.app.ledger.tick();
    expect(await t.app.ledger.faults.get(admin, repaired)).toMatchObject({ state: 'verified', selfCleared: false, timeToRepairMs: 120 * MIN });

    // The next day: the daily report covers 2026-06-07.
    t.clock.advance(24 * 60 * MIN);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(await t.app.ledger.report(admin, 'day')).buffer as ArrayBuffer);
    const rows = (name: string) => (wb.getWorksheet(name)!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1).map((c) => (c === undefined || c === null ? '' : String(c))));
    const stats = rows('故障统计');
    expect(stats[0]![0]).toContain('日报：2026-06-07 00:00:00 至 2026-06-08 00:00:00');
    expect(stats[1]).toEqual(['考点/节点', '上报经由', '本期新开', '本期修复验证', '本期自行恢复', '未验证', '超时', '平均修复时长（小时）', '状态']);
    const row = stats.find((r) => r[0] === site.name)!;
    expect(row.slice(2, 8)).toEqual(['2', '1', '1', '0', '0', '2.0']); // 2 h: the self-cleared ticket adds no repair time
    // Counts stay numbers in Excel.
    const cell = wb.getWorksheet('故障统计')!.getRow(stats.indexOf(row) + 1).getCell(5).value;
    expect(cell).toBe(1);
    expect(stats.at(-1)![0]).toContain('不计入平均修复时长');
    const detail = rows('工单明细');
    expect(detail.find((r) => r[5] === '交换机短暂断电')?.[4]).toBe('已自行恢复（未经维修）');
    expect(detail.find((r) => r[5] === 'UPS 不可达')?.[4]).toBe('已验证恢复');
  });
});
