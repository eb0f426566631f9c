// The kept health reports carry the period's figures (issue 19 item 3; R-FN-3: per level online
// rate and recording completeness; R-SEC-2: the health history is what the report averages;
// R-REC-1: exam recording completeness as the completeness report counts it; R-ORG-2: the kept
// daily / weekly report). A site and a city, each a real app on SQLite with a manual clock; the
// site's health history is written by the real sampler over a Beijing day (camera states fed per
// sample), its exam window recorded in part; after midnight the site sends its summary up (signed
// batch to the city's real endpoint) and both nodes write the day's report. The rates must be the
// day's time-weighted averages, not the state at generation (all cameras online then), and the exam
// completeness must equal the site's own completeness report.
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import { DeviceHealthSampler } from '../../src/ledger/device-health.ts';
import { HOUR_MS } from '../../src/store/repos/device-health-repo.ts';
import { repos } from '../../src/store/repos/index.ts';
import { BATCH_PATH } from '../../src/uplink/wire.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { CITY, PASSWORD, SITE, settingsOf } from '../uplink/levels.ts';
import { batchBody, signed } from '../uplink/signing.ts';

const ledger = { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000, disk: { measure: () => Promise.resolve({ freeBytes: 600, totalBytes: 1000 }) } };
const SITE_NAME = '南京市第一中学考点';
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

describe('kept health reports: period averages from the health history and the period\'s exam completeness (R-FN-3, R-SEC-2, R-REC-1, R-ORG-2)', () => {
  let site: TestApp;
  let city: TestApp;
  let cityServer: FastifyInstance;
  const cameraIds: number[] = [];

  async function deliver(): Promise<void> {
    const r = repos(site.app.store.db).uplink;
    const rows = await r.outboxPage(500);
    const items = rows.map((row) => ({ seq: Number(row.seq), originCode: row.origin_code, originSeq: Number(row.origin_seq), topic: row.topic, key: row.item_key, body: row.body, updatedAtMs: Number(row.updated_at_ms) }));
    const req = signed(batchBody(items, { epoch: (await r.state()).epoch }), { sipId: SITE.id, realm: CITY.domain, password: PASSWORD }, { timeMs: city.clock.nowMs() });
    const res = await cityServer.inject({ method: 'POST', url: BATCH_PATH, headers: req.headers, payload: req.body });
    expect(res.statusCode, res.body).toBe(200);
    await r.ackOutbox(res.json<{ ackSeq: number }>().ackSeq);
  }

  /** The 分级汇总 row of a node in a report's Excel: [name, level, sites, stale, cameras, online, recording, exam coverage, gaps/lines, …]. */
  async function rollupRow(xlsx: Buffer, name: string): Promise<string[] | undefined> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(xlsx).buffer);
    const rows = (wb.getWorksheet('分级汇总')!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1).map(String));
    return rows.find((r) => r[0]!.trim() === name);
  }

  beforeAll(async () => {
    city = await createTestApp('sqlite', { config: { gb28181: settingsOf(CITY) }, app: { ledger } });
    site = await createTestApp('sqlite', { config: { gb28181: settingsOf(SITE, { id: CITY.id, url: 'http://127.0.0.1:9' }) }, app: { ledger } });
    const gulou = (await city.app.org.tree(SYSTEM_ACTOR)).find((n) => n.name === '鼓楼区')!;
    await createCascadeModule(city.app).service.createLower(SYSTEM_ACTOR, { sipId: SITE.id, name: '第一中学考点平台', kind: 'platform', password: PASSWORD, orgNodeId: gulou.id });
    cityServer = await buildServer(city.app, pino({ level: 'silent' }));
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

  it('the day\'s report at the site and at the city: time-weighted online and recording rates of the day, and the exam completeness of the site\'s own completeness report', async () => {
    const admin = await site.actor('admin');
    const siteNode = (await site.app.org.tree(admin)).find((n) => n.name === SITE_NAME)!;
    const gulou = (await site.app.org.tree(admin)).find((n) => n.name === '鼓楼区')!;
    // The clocks read 2026-06-07 08:00 Beijing. An exam 10:00–12:00 today; cameras 2 and 3 are its first room's.
    const start = site.clock.nowMs();
    const exam = await site.app.exams.exams.create(admin, { name: '期间完整率测试考试', kind: 'adult', ownerNodeId: gulou.id });
    await site.app.exams.exams.setSites(admin, exam.id, [{ siteId: siteNode.id }]);
    await site.app.exams.exams.createSessions(admin, exam.id, [{ subject: '语文', startMs: start + 2 * HOUR_MS, endMs: start + 4 * HOUR_MS }]);
    const windows = await repos(site.app.store.db).exams.windowsOf(SYSTEM_ACTOR.scope, { examId: exam.id });
    const entry = Math.min(...windows.map((w) => w.start_ms));
    const run = (cameraId: number, fromMs: number, toMs: number) => repos(site.app.store.db).recordings.insertRun({ camera_id: cameraId, stream: 'main', started_at_ms: fromMs, duration_90k: 0, ended_at_ms: toMs, end_reason: 'camera lost', end_detail: null, video_codec: 'h264', width: 1920, height: 1080, rfc6381: 'avc1.640028', audio_codec: null, clock_offset_ms: null, frame_count: 0 });
    await run(cameraIds[2]!, entry - 60_000, start + 5 * HOUR_MS);
    await run(cameraIds[3]!, entry - 60_000, start + 3 * HOUR_MS);

    // The day's history, a sample every 30 min from 08:00 to 23:30 (rows 07:30–23:30, all on 06-07):
    // camera 0 always online and recording; 1 offline one sample in four; 2 online, recording the
    // first half; 3 offline all day.
    const state = new Map<number, { state: string; recording: boolean }>();
    const sampler = new DeviceHealthSampler({ store: site.app.store, clock: site.clock, log: pino({ level: 'silent' }), faults: site.app.ledger.faults, cameraState: (id) => state.get(id), nodeOffsetMs: () => null, sampleIntervalMs: HOUR_MS / 2, opts: { rawRetentionMs: 48 * HOUR_MS, hourRetentionMs: 400 * 24 * HOUR_MS, cameraClockDriftMs: 3000 } });
    let online = 0;
    let recording = 0;
    const n = 32;
    for (let i = 0; i < n; i++) {
      const st = [{ state: 'online', recording: true }, { state: i % 4 === 0 ? 'error' : 'online', recording: i % 4 !== 0 }, { state: 'online', recording: i < n / 2 }, { state: 'error', recording: false }];
      st.forEach((s, k) => state.set(cameraIds[k]!, s));
      online += st.filter((s) => s.state === 'online').length;
      recording += st.filter((s) => s.recording).length;
      await sampler.sample();
      site.clock.advance(HOUR_MS / 2);
    }
    sampler.stop();
    // At generation every camera is online and recording: the report must not show that.
    for (const id of cameraIds) site.app.events.emit('camera.status', { cameraId: id, state: 'online', recording: true, atMs: site.clock.nowMs() });
    // To 2026-06-08 00:30 Beijing on both nodes: the last full day is 06-07, the last full week 06-01 to 06-08.
    site.clock.advance(start + 16.5 * HOUR_MS - site.clock.nowMs());
    city.clock.advance(site.clock.nowMs() - city.clock.nowMs());
    const dayFrom = start - 8 * HOUR_MS;
    const devices = (await site.app.ledger.ledger.list(admin)).filter((d) => d.cameraId !== null);
    const rows = (await Promise.all(devices.map((d) => repos(site.app.store.db).deviceHealth.list(SYSTEM_ACTOR.scope, d.id, dayFrom)))).flat();
    expect(rows).toHaveLength(4 * n); // only the sampler's rows: nothing else measured these cameras

    const report = await site.app.exams.reports.build(admin, exam.id);
    const required = report.lines.reduce((a, l) => a + l.requiredMs, 0);
    const recorded = report.lines.reduce((a, l) => a + l.recordedMs, 0);
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThan(required);
    const expected = ['1', '0', '4', pct(online / (4 * n)), pct(recording / (4 * n)), pct(Math.floor((recorded / required) * 1000) / 1000), `${report.lines.filter((l) => l.gaps.length > 0).length}/${report.lines.length}`];
    expect(expected[3]).not.toBe('100.0%');

    // The site's own report (its history read locally).
    const own = await site.app.ledger.reports.generate(admin, 'day', siteNode.id);
    expect(own).toMatchObject({ fromMs: dayFrom, toMs: dayFrom + 24 * HOUR_MS });
    expect((await rollupRow((await site.app.ledger.reports.file(admin, own.id, 'xlsx')).bytes, SITE_NAME))?.slice(2, 9)).toEqual(expected);

    // The city's, from the figures the site sent up with its summary; the city and district rows carry the same.
    await site.app.ledger.refreshSiteSummaries();
    await deliver();
    const cityAdmin = await city.actor('admin');
    const cityTop = (await city.app.org.tree(SYSTEM_ACTOR)).find((x) => x.parentId === null)!;
    const made = await city.app.ledger.reports.generate(cityAdmin, 'day', cityTop.id);
    const xlsx = (await city.app.ledger.reports.file(cityAdmin, made.id, 'xlsx')).bytes;
    expect((await rollupRow(xlsx, SITE_NAME))?.slice(2, 9)).toEqual(expected);
    expect((await rollupRow(xlsx, '鼓楼区'))?.slice(2, 9)).toEqual(expected);
    expect((await city.app.ledger.reports.file(cityAdmin, made.id, 'pdf')).bytes.subarray(0, 5).toString()).toBe('%PDF-');

    // The weekly Excel at the city: the week holds only that day's history, so the same averages.
    expect((await rollupRow(await city.app.ledger.report(cityAdmin, 'week'), SITE_NAME))?.slice(2, 9)).toEqual(expected);
  }, 60_000);
});
