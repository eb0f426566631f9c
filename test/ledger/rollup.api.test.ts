// Roll-up per level, in process (issue 19 items 3 and 5; R-FN-3: the city sees per lower site the
// online rate, recording, open faults; R-SEC-2: the site's health is tracked and reported above; R-FLT-1:
// open tickets counted at the upper level). A site and a city, each a real app with its own SQLite
// database and a manual clock; the site's outbox is delivered to the city's real batch endpoint
// (fastify inject, signed as the site's sender signs) instead of over a socket. The city shows the
// site's summary and health in its tree, and marks both stale when the site falls silent.
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import type { HealthView, RollupRow, RollupView } from '../../src/ledger/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { BATCH_PATH } from '../../src/uplink/wire.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { CITY, PASSWORD, SITE, settingsOf } from '../uplink/levels.ts';
import { batchBody, signed } from '../uplink/signing.ts';

const ledger = { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000, disk: { measure: () => Promise.resolve({ freeBytes: 600, totalBytes: 1000 }) } };

describe('roll-up per level: a city sees its site (R-FN-3, R-SEC-2, R-FLT-1)', () => {
  let site: TestApp;
  let city: TestApp;
  let cityServer: FastifyInstance;
  let auth = { cookie: '', csrf: '' };
  const cameraIds: number[] = [];
  const get = async <T,>(url: string): Promise<T> => {
    const res = await cityServer.inject({ method: 'GET', url, headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf } });
    expect(res.statusCode).toBe(200);
    return res.json<T>();
  };

  /** What the site's sender does once: its outbox as one signed batch to the city, acknowledged rows dropped. */
  async function deliver(): Promise<number> {
    const r = repos(site.app.store.db).uplink;
    const rows = await r.outboxPage(500);
    const items = rows.map((row) => ({ seq: Number(row.seq), originCode: row.origin_code, originSeq: Number(row.origin_seq), topic: row.topic, key: row.item_key, body: row.body, updatedAtMs: Number(row.updated_at_ms) }));
    const req = signed(batchBody(items, { epoch: (await r.state()).epoch }), { sipId: SITE.id, realm: CITY.domain, password: PASSWORD }, { timeMs: city.clock.nowMs() });
    const res = await cityServer.inject({ method: 'POST', url: BATCH_PATH, headers: req.headers, payload: req.body });
    expect(res.statusCode, res.body).toBe(200);
    await r.ackOutbox(res.json<{ ackSeq: number }>().ackSeq);
    return items.length;
  }

  const find = (rows: readonly RollupRow[], name: string): RollupRow | undefined => {
    for (const r of rows) {
      if (r.name === name) return r;
      const below = find(r.children ?? [], name);
      if (below) return below;
    }
    return undefined;
  };

  beforeAll(async () => {
    city = await createTestApp('sqlite', { config: { gb28181: settingsOf(CITY) }, app: { ledger } });
    site = await createTestApp('sqlite', { config: { gb28181: settingsOf(SITE, { id: CITY.id, url: 'http://127.0.0.1:9' }) }, app: { ledger } });
    const gulou = (await city.app.org.tree(SYSTEM_ACTOR)).find((n) => n.name === '鼓楼区')!;
    await createCascadeModule(city.app).service.createLower(SYSTEM_ACTOR, { sipId: SITE.id, name: '第一中学考点平台', kind: 'platform', password: PASSWORD, orgNodeId: gulou.id });
    cityServer = await buildServer(city.app, pino({ level: 'silent' }));
    const res = await cityServer.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    auth = { cookie: res.headers['set-cookie']!.toString().split(';')[0]!, csrf: res.json<{ csrfToken: string }>().csrfToken };
    const rooms = await repos(site.app.store.db).rooms.list(SYSTEM_ACTOR.scope);
    for (const [i, room] of rooms.slice(0, 2).entries()) {
      for (const position of ['front', 'rear'] as const) cameraIds.push((await site.app.devices.createCamera(SYSTEM_ACTOR, { roomId: room.id, name: `${room.name}${position}`, position, sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: `10.0.0.${10 + i}` })).id);
    }
    await site.app.ledger.start();
  }, 60_000);

  afterAll(async () => {
    await cityServer?.close();
    for (const t of [site, city]) {
      await t?.app.ledger.stop();
      await t?.close();
    }
  });

  it('the site\'s summary and health reach the city: 3 of 4 cameras online, 1 open fault, under 鼓楼区', async () => {
    const status = (cameraId: number, state: 'online' | 'error', recording: boolean) => site.app.events.emit('camera.status', { cameraId, state, recording, atMs: site.clock.nowMs() });
    status(cameraIds[0]!, 'online', true);
    status(cameraIds[1]!, 'online', true);
    status(cameraIds[2]!, 'online', false);
    status(cameraIds[3]!, 'error', false);
    const admin = await site.actor('admin');
    const device = (await site.app.ledger.ledger.list(admin)).find((d) => d.cameraId === cameraIds[3])!;
    await site.app.ledger.faults.open(admin, { deviceId: device.id, kind: 'manual', summary: '镜头松动' });
    await site.app.ledger.tick();
    expect(await deliver()).toBeGreaterThan(0);

    const view = await get<RollupView>('/api/ledger/rollup');
    const row = find(view.tree, '南京市第一中学考点')!;
    expect(row).toMatchObject({ kind: 'site', stale: false, sites: 1, cameras: 4, online: 3, recording: 2, onlineRate: 0.75, recordingRate: 0.5, unverified: 1, staleSites: 0 });
    // The figures roll up the tree: the district and the city carry the same site.
    expect(find(view.tree, '鼓楼区')).toMatchObject({ sites: 1, cameras: 4, online: 3, unverified: 1 });
    expect(find(view.tree, '南京市')).toMatchObject({ sites: 1, onlineRate: 0.75 });
    expect(find(view.tree, '玄武区')).toBeUndefined(); // nothing reported there: not shown as healthy or empty
    expect(view.lowers).toEqual([expect.objectContaining({ code: SITE.id, stale: false })]);
    expect(row.oldestReportAtMs).toBe(city.clock.nowMs()); // as of the site's last contact
    // Drill-down to the site: its devices as the site reported them (R-SEC-1: each with its responsible person field).
    const devices = await get<{ devices: Array<{ deviceClass: string; name: string; nodeCode: string }>; stale: boolean }>(`/api/ledger/site-devices?code=${row.code}`);
    expect(devices.stale).toBe(false);
    expect(devices.devices.filter((d) => d.deviceClass === 'camera')).toHaveLength(4);
    expect(devices.devices.every((d) => d.nodeCode === row.code)).toBe(true);
    const health = await get<HealthView>('/api/ledger/health');
    expect(health.reported).toEqual([expect.objectContaining({ stale: false, sample: expect.objectContaining({ disk: expect.objectContaining({ freeRatio: 0.6 }) }) })]);
  });

  it('today\'s exam recording completeness reaches the city as the site measured it, and rolls up (issue 19 item 3, R-FN-3, R-REC-1)', async () => {
    const admin = await site.actor('admin');
    const siteNode = (await site.app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    const gulou = (await site.app.org.tree(admin)).find((n) => n.name === '鼓楼区')!;
    const exam = await site.app.exams.exams.create(admin, { name: '今日完整率测试考试', kind: 'adult', ownerNodeId: gulou.id });
    await site.app.exams.exams.setSites(admin, exam.id, [{ siteId: siteNode.id }]);
    const now = site.clock.nowMs();
    // Starts in 10 min: the exam rooms' entry windows opened 20 min ago, the custody rooms' earlier.
    await site.app.exams.exams.createSessions(admin, exam.id, [{ subject: '数学', startMs: now + 10 * 60_000, endMs: now + 130 * 60_000 }]);
    const windows = await repos(site.app.store.db).exams.windowsOf(SYSTEM_ACTOR.scope, { examId: exam.id });
    expect(windows.length).toBeGreaterThan(0);
    const entry = Math.min(...windows.map((w) => w.start_ms));
    // Cameras 2 and 3 are the first exam room's (0 and 1 are in the monitoring room, which takes no
    // part): camera 2 recorded the whole time so far, camera 3 the first half; other rooms have no camera.
    const run = (cameraId: number, fromMs: number, toMs: number | null) => repos(site.app.store.db).recordings.insertRun({ camera_id: cameraId, stream: 'main', started_at_ms: fromMs, duration_90k: 0, ended_at_ms: toMs, end_reason: toMs === null ? null : 'camera lost', end_detail: null, video_codec: 'h264', width: 1920, height: 1080, rfc6381: 'avc1.640028', audio_codec: null, clock_offset_ms: null, frame_count: 0 });
    await run(cameraIds[2]!, entry - 60_000, null);
    await run(cameraIds[3]!, entry - 60_000, entry + Math.round((now - entry) / 2));
    // What the site's own completeness report says for the same moment (the lines of windows started by now).
    const report = await site.app.exams.reports.build(admin, exam.id);
    const lines = report.lines.filter((l) => l.windowStartMs <= now);
    const required = lines.reduce((a, l) => a + l.requiredMs, 0);
    const recorded = lines.reduce((a, l) => a + l.recordedMs, 0);
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThan(required);

    // As each health sample does (once a minute): the summaries afresh, then the sender's batch.
    await site.app.ledger.refreshSiteSummaries();
    await deliver();
    const view = await get<RollupView>('/api/ledger/rollup');
    const row = find(view.tree, '南京市第一中学考点')!;
    expect(row).toMatchObject({ examSites: 1, examLines: lines.length, examLinesWithGaps: lines.filter((l) => l.gaps.length > 0).length, examRequiredMs: required, examRecordedMs: recorded, examCoverage: Math.floor((recorded / required) * 1000) / 1000 });
    expect(row.examCoverage!).toBeLessThan(1);
    // The district and the city above carry the same figures (one site with an exam today).
    expect(find(view.tree, '鼓楼区')).toMatchObject({ examSites: 1, examCoverage: row.examCoverage, examRequiredMs: required });
    expect(find(view.tree, '南京市')).toMatchObject({ examSites: 1, examCoverage: row.examCoverage });

    // A minute on, camera 2 still recording: the figures follow the site's own report again.
    site.clock.advance(60_000);
    const again = (await site.app.exams.reports.build(admin, exam.id)).lines.filter((l) => l.windowStartMs <= site.clock.nowMs());
    const required2 = again.reduce((a, l) => a + l.requiredMs, 0);
    const recorded2 = again.reduce((a, l) => a + l.recordedMs, 0);
    await site.app.ledger.refreshSiteSummaries();
    await deliver();
    const later = find((await get<RollupView>('/api/ledger/rollup')).tree, '南京市第一中学考点')!;
    expect(later.examCoverage).toBe(Math.floor((recorded2 / required2) * 1000) / 1000);
    expect(later.examCoverage).not.toBe(row.examCoverage);
  });

  it('the weekly report (xlsx) carries the roll-up per level and the site\'s open ticket, audited', async () => {
    const res = await cityServer.inject({ method: 'GET', url: '/api/ledger/report.xlsx?period=week', headers: { cookie: auth.cookie } });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(res.rawPayload).buffer);
    const rows = (name: string) => (wb.getWorksheet(name)!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1).map(String));
    // 2026-06-07 08:00 Beijing is a Sunday: the last full week is Monday 05-25 to Monday 06-01.
    expect(rows('分级汇总')[0]![0]).toContain('周报：2026-05-25 00:00:00 至 2026-06-01 00:00:00');
    // No health history of that week: its rates are '—' (no record), never the rates of now (75 % online).
    expect(rows('分级汇总').find((r) => r[0]!.trim() === '南京市第一中学考点')?.slice(1, 9)).toEqual(['考点', '1', '0', '4', '—', '—', '—', '—']);
    expect(rows('故障统计').find((r) => r[0] === '南京市第一中学考点')?.slice(0, 6)).toEqual(['南京市第一中学考点', '第一中学考点平台', '0', '0', '0', '1']);
    expect(rows('工单明细').find((r) => r[5] === '镜头松动')?.[4]).toBe('待确认');
    const audit = await repos(city.app.store.db).audit.list({ kind: 'all' }, { action: 'ledger.report.export' });
    expect(audit.records.map((r) => r.action)).toEqual(['ledger.report.export']);
  });

  it('a change at the site is sent when it happens; nothing is re-sent while nothing changes', async () => {
    site.app.events.emit('camera.status', { cameraId: cameraIds[3]!, state: 'online', recording: true, atMs: site.clock.nowMs() });
    await site.app.ledger.tick();
    expect(await deliver()).toBe(1);
    expect(find((await get<RollupView>('/api/ledger/rollup')).tree, '南京市第一中学考点')).toMatchObject({ online: 4, recording: 3, onlineRate: 1 });
    await site.app.ledger.tick();
    expect(await deliver()).toBe(0);
  });

  it('the site falls silent: the city shows its figures stale, left out of the online rate, and its health stale; a heartbeat makes it fresh again', async () => {
    city.clock.advance(121_000);
    const view = await get<RollupView>('/api/ledger/rollup');
    expect(find(view.tree, '南京市第一中学考点')).toMatchObject({ stale: true, staleSites: 1, camerasStale: 4, online: 0, onlineRate: null, unverified: 1 });
    expect(find(view.tree, '南京市')).toMatchObject({ sites: 1, staleSites: 1, onlineRate: null });
    expect(view.lowers).toEqual([expect.objectContaining({ code: SITE.id, stale: true })]);
    expect((await get<HealthView>('/api/ledger/health')).reported.map((r) => r.stale)).toEqual([true]);
    await deliver(); // an empty batch: the channel's heartbeat
    expect(find((await get<RollupView>('/api/ledger/rollup')).tree, '南京市第一中学考点')).toMatchObject({ stale: false, onlineRate: 1 });
  });

  it('R-FN-3, R-ORG-2: after each Beijing day, week and month the city writes the health report (PDF and Excel) of its whole tree and of the site, lists them, serves them audited, writes no duplicate, and makes one on demand', async () => {
    type Stored = { id: string; period: string; nodeName: string; fromMs: number; toMs: number; origin: string; by: string; sites: number };
    const list = async () => (await get<{ reports: Stored[] }>('/api/ledger/reports')).reports;
    // The city's clock reads Sunday 2026-06-07 08:02 Beijing: the last full day is 06-06, the last full week 05-25 to 06-01, the last full month May.
    await city.app.ledger.reports.runDue();
    const first = await list();
    const top = (await city.app.org.tree(SYSTEM_ACTOR)).find((n) => n.parentId === null)!;
    expect(first.map((r) => `${r.period} ${r.nodeName}`).sort()).toEqual([`day ${top.name}`, 'day 南京市第一中学考点', `week ${top.name}`, 'week 南京市第一中学考点', `month ${top.name}`, 'month 南京市第一中学考点'].sort());
    expect(first.find((r) => r.period === 'month')).toMatchObject({ fromMs: Date.UTC(2026, 3, 30, 16), toMs: Date.UTC(2026, 4, 31, 16) }); // May, Beijing
    const daySite = first.find((r) => r.period === 'day' && r.nodeName === '南京市第一中学考点')!;
    expect(daySite).toMatchObject({ fromMs: Date.UTC(2026, 5, 5, 16), toMs: Date.UTC(2026, 5, 6, 16), origin: 'schedule', sites: 1 });
    city.clock.advance(60_000);
    await city.app.ledger.reports.runDue();
    expect(await list()).toHaveLength(6); // the next check: the same periods are not written twice

    const pdf = await cityServer.inject({ method: 'GET', url: `/api/ledger/reports/${daySite.id}/pdf`, headers: { cookie: auth.cookie } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const xlsx = await cityServer.inject({ method: 'GET', url: `/api/ledger/reports/${daySite.id}/xlsx`, headers: { cookie: auth.cookie } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(xlsx.rawPayload).buffer);
    const rows = (wb.getWorksheet('分级汇总')!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1).map(String));
    expect(rows[0]![0]).toContain('日报：2026-06-06 00:00:00 至 2026-06-07 00:00:00');
    expect(rows.find((r) => r[0]!.trim() === '南京市第一中学考点')?.slice(1, 3)).toEqual(['考点', '1']);
    expect((await cityServer.inject({ method: 'GET', url: '/api/ledger/reports/day-20260606-n99999/pdf', headers: { cookie: auth.cookie } })).statusCode).toBe(404);
    const downloads = await repos(city.app.store.db).audit.list({ kind: 'all' }, { action: 'ledger.report.download', outcome: 'ok' });
    expect(downloads.records.map((r) => r.object_id)).toEqual([daySite.id, daySite.id]);

    // On demand: the district's daily report, kept and listed beside the scheduled ones, audited.
    const gulou = (await city.app.org.tree(SYSTEM_ACTOR)).find((n) => n.name === '鼓楼区')!;
    const made = await cityServer.inject({ method: 'POST', url: '/api/ledger/reports', headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf }, payload: { period: 'day', nodeId: gulou.id } });
    expect(made.statusCode, made.body).toBe(200);
    expect(made.json<Stored>()).toMatchObject({ nodeName: '鼓楼区', origin: 'request', by: 'admin', sites: 1 });
    expect((await list()).map((r) => r.id)).toContain(made.json<Stored>().id);
    expect((await repos(city.app.store.db).audit.list({ kind: 'all' }, { action: 'ledger.report.generate' })).records).toHaveLength(1);

    // Someone whose scope is another district (玄武区) sees none of them, cannot fetch one, nor write 鼓楼区's: 404, audited as denied.
    const xuanwu = (await repos(city.app.store.db).org.list({ kind: 'all' })).find((n) => n.name === '玄武区')!;
    const outside = { ...(await city.actor('admin')), scope: { kind: 'subtree' as const, path: xuanwu.path } };
    expect(await city.app.ledger.reports.list(outside)).toEqual([]);
    await expect(city.app.ledger.reports.file(outside, daySite.id, 'pdf')).rejects.toMatchObject({ code: 'not_found' });
    await expect(city.app.ledger.reports.generate(outside, 'day', gulou.id)).rejects.toMatchObject({ code: 'not_found' });
    const denied = await repos(city.app.store.db).audit.list({ kind: 'all' }, { outcome: 'denied' });
    expect(denied.records.map((r) => r.action)).toEqual(expect.arrayContaining(['ledger.report.download', 'ledger.report.generate']));
  }, 60_000);
});
