// The printable readiness report (issue 17 item 7; R-PRE-2, R-PRE-3, R-PRE-7): a campaign's sites,
// cameras with the results that are not a pass, signed checklist items and signature lines, as
// .pdf and .xlsx rendered in a worker thread; per site or every site in the caller's scope, rolled
// up per city; scope-filtered and audited. On SQLite and PostgreSQL.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { Dialect } from '../../src/store/dialect.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

async function sheetText(xlsx: Buffer, name: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
  const rows: string[] = [];
  wb.getWorksheet(name)!.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => String(v ?? '')).join('|')));
  return rows.join('\n');
}

describe.each(DIALECTS)('readiness report on %s', (dialect: Dialect) => {
  let t: TestApp;
  let admin: Actor;
  let gulouAdmin: Actor;
  const ids = { city: 0, site: 0, otherSite: 0, camera: 0, otherCamera: 0, campaign: 0 };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    ids.city = nodes.find((n) => n.name === '南京市')!.id;
    ids.site = nodes.find((n) => n.name === '南京市第一中学考点')!.id;
    const xuanwu = nodes.find((n) => n.name === '玄武区')!.id;
    const gulou = nodes.find((n) => n.name === '鼓楼区')!.id;
    ids.otherSite = (await t.app.org.createNode(admin, { parentId: xuanwu, kind: 'site', name: '玄武考点' })).id;
    const room = (await repos(t.app.store.db).rooms.list({ kind: 'all' })).find((r) => r.site_id === ids.site && r.kind === 'exam')!;
    ids.camera = (await t.app.devices.createCamera(admin, { roomId: room.id, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.9' })).id;
    const other = await t.app.devices.createRoom(admin, { siteId: ids.otherSite, kind: 'exam', name: '第09考场', seats: 30 });
    ids.otherCamera = (await t.app.devices.createCamera(admin, { roomId: other.id, name: '后', position: 'rear', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.10' })).id;
    await t.app.users.create(admin, { username: 'gulou_admin', displayName: 'g', role: 'admin', orgNodeId: gulou, password: 'Readiness-Pw1!' });
    gulouAdmin = await t.actor('gulou_admin');
    const c = await t.app.readiness.campaigns.open(admin, { name: '联调 报告', orgNodeId: ids.city, checks: 'full', deadlineMs: t.clock.nowMs() + 86_400_000, contacts: [{ orgNodeId: ids.site, name: '张老师', phone: '13800000000' }] });
    ids.campaign = c.id;
    const r = repos(t.app.store.db).readiness;
    const now = t.clock.nowMs();
    await r.upsertResult({ campaign_id: c.id, camera_id: ids.camera, probe: 'online', verdict: 'pass', value: '首帧 80 ms', rule: '能连接', reason: null, measured_at_ms: now, duration_ms: 900 });
    await r.upsertResult({ campaign_id: c.id, camera_id: ids.camera, probe: 'picture', verdict: 'fail', value: '亮度 16', rule: '亮度 ≥ 25', reason: '画面过暗 (too dark)', measured_at_ms: now, duration_ms: 900 });
    await r.upsertResult({ campaign_id: c.id, camera_id: ids.otherCamera, probe: 'online', verdict: 'pass', value: '首帧 90 ms', rule: '能连接', reason: null, measured_at_ms: now, duration_ms: 900 });
    const tpl = await t.app.readiness.signoff.saveTemplate(admin, undefined, { orgNodeId: ids.city, requirement: 'R-PRE-7', title: '电源网络安全', checks: 'full', items: [{ text: '备用电源可用 (UPS)', per: 'site' }] });
    await t.app.readiness.signoff.sign(admin, c.id, { itemId: tpl.items[0].id, siteId: ids.site, subject: '', outcome: 'ok', signerName: '李四' });
  });
  afterAll(() => t.close());

  it('Excel: per-city roll-up, sites with contact, every camera result, signed items, signature sheet; scope-filtered', async () => {
    const all = await t.app.readiness.report(admin, ids.campaign, 'xlsx');
    const sum = await sheetText(all, '汇总');
    expect(sum).toContain('南京市|2|0|2|0|2|1');
    const sites = await sheetText(all, '考点');
    expect(sites).toContain('南京市第一中学考点|未就绪');
    expect(sites).toContain('张老师 13800000000');
    const cams = await sheetText(all, '摄像机');
    expect(cams).toMatch(/前\|不合格\|画面质量\|不合格\|亮度 16\|亮度 ≥ 25\|画面过暗/);
    expect(cams).toContain('玄武考点');
    expect(await sheetText(all, '检查表')).toMatch(/R-PRE-7\|电源网络安全\|备用电源可用 \(UPS\)\|\|合格\|李四/);
    expect(await sheetText(all, '签字')).toContain('考点负责人');
    // A district administrator's report holds only their own site; another site is out of scope.
    const mine = await t.app.readiness.report(gulouAdmin, ids.campaign, 'xlsx');
    expect(await sheetText(mine, '摄像机')).not.toContain('玄武考点');
    await expect(t.app.readiness.report(gulouAdmin, ids.campaign, 'xlsx', ids.otherSite)).rejects.toMatchObject({ code: 'not_found' });
    const audit = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'readiness.report.export' });
    expect(audit.records.filter((a) => a.outcome === 'ok').length).toBe(2);
  });

  it('R-PRE-4 bandwidth: measured main-stream bitrates against the site uplink capacity; set by an administrator in scope, audited, published upward', async () => {
    const r = repos(t.app.store.db).readiness;
    await r.upsertResult({ campaign_id: ids.campaign, camera_id: ids.camera, probe: 'profile', verdict: 'pass', value: 'H264 1280×720 25.0 fps 3000 kbit/s', rule: '-', reason: null, measured_at_ms: t.clock.nowMs(), duration_ms: 900, measured_kbps: 3000 });
    const site = async () => (await t.app.readiness.campaigns.get(admin, ids.campaign)).sites.find((s) => s.siteId === ids.site)!;
    // No capacity entered: shown as unset, not a reason by itself.
    expect((await site()).bandwidth).toEqual({ requiredKbps: 3000, measuredCameras: 1, capacityKbps: null, verdict: 'unset' });
    await t.app.readiness.campaigns.setUplink(gulouAdmin, ids.site, 2000);
    let s = await site();
    expect(s.bandwidth).toMatchObject({ capacityKbps: 2000, verdict: 'fail' });
    expect(s.reasons.join(' ')).toContain('上行带宽不足：1 路主码流需 3.0 Mbit/s，链路 2.0 Mbit/s');
    // The upper level sees the same verdict on the channel.
    const up = (await t.app.readiness.reported(admin)).find((x) => x.campaignName === '联调 报告' && x.siteName === '南京市第一中学考点')!;
    expect(up.reasons.join(' ')).toContain('上行带宽不足');
    await t.app.readiness.campaigns.setUplink(gulouAdmin, ids.site, 3500);
    expect((await site()).bandwidth.verdict).toBe('warn');
    await t.app.readiness.campaigns.setUplink(gulouAdmin, ids.site, 10_000);
    s = await site();
    expect(s.bandwidth.verdict).toBe('pass');
    expect(s.reasons.join(' ')).not.toContain('带宽');
    // Another district's site is out of this administrator's scope; each set is audited.
    await expect(t.app.readiness.campaigns.setUplink(gulouAdmin, ids.otherSite, 1000)).rejects.toMatchObject({ code: 'not_found' });
    const audit = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'readiness.uplink.set' });
    expect(audit.records.filter((a) => a.outcome === 'ok').map((a) => JSON.parse(a.detail!).capacityKbps).sort()).toEqual([10_000, 2000, 3500]);
  });

  it('PDF of one site: A4 pages with the failing result, the signer and signature lines (R-PRE-3)', async () => {
    const pdf = await t.app.readiness.report(admin, ids.campaign, 'pdf', ids.site);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(path.join(tmpdir(), 'readiness-pdf-'));
    writeFileSync(path.join(dir, 'r.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('考前检测报告');
    expect(text).toContain('画面过暗');
    expect(text).toContain('李四');
    expect(text).toContain('考点负责人');
    expect(text).not.toContain('玄武考点');
  });
});
