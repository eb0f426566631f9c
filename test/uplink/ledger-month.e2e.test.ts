// A month report at the upper carries each lower site's own figures (issue 19 item 3; R-FN-3: per
// level online rate and recording completeness; R-SEC-2: the health history the figures average;
// R-REC-1: exam recording completeness as the completeness report counts it). Two real nodes, a
// site and a city, each a real app with its own database, the site's summary going up over the
// real node-to-node channel (signed HTTP batches, test/uplink/levels.ts). One manual clock for both
// (the channel signs with the node's clock). The site's health history is written by the real
// sampler over a June day (camera states fed per sample) and an exam window recorded in part; on
// 1 July the city's month report must show, on the site's row, the site's averages for June — the
// same as the site's own month report — not '—' and not the state at generation (all online then).
import ExcelJS from 'exceljs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { actorFor } from '../../src/auth/auth-service.ts';
import { DeviceHealthSampler } from '../../src/ledger/device-health.ts';
import { HOUR_MS } from '../../src/store/repos/device-health-repo.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { CLIENT } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { CITY, SITE, addLower, close, open, settingsOf } from './levels.ts';
import type { Node } from './levels.ts';

const SITE_NAME = '南京市第一中学考点';
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
// Sampled hourly at most by the module itself: the test's own sampler writes the history.
const ledger = { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000, disk: { measure: () => Promise.resolve({ freeBytes: 600, totalBytes: 1000 }) } };

/** The 分级汇总 row of a node in a report's Excel: [name, level, sites, stale, cameras, online, recording, exam coverage, gaps/lines, …]. */
async function rollupRow(xlsx: Buffer, name: string): Promise<string[] | undefined> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(new Uint8Array(xlsx).buffer);
  const rows = (wb.getWorksheet('分级汇总')!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1).map(String));
  return rows.find((r) => r[0]!.trim() === name);
}

async function actorOf(n: Node, username: string) {
  const u = await repos(n.app.store.db).users.byUsername(username);
  return actorFor(u!, CLIENT);
}

describe('month report at the city from the site\'s own June figures, over the node-to-node channel (R-FN-3, R-SEC-2, R-REC-1)', () => {
  const dbs: TestDatabase[] = [];
  let city: Node;
  let site: Node;
  // 2026-06-10 08:00 Beijing.
  const clock = new ManualClock(Date.UTC(2026, 5, 10, 0, 0, 0));
  const cameraIds: number[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) dbs.push(await createTestDatabase('sqlite'));
    city = await open(dbs[0]!, settingsOf(CITY), 0, {}, { clock, ledger });
    await addLower(city, SITE.id, '第一中学考点平台', '鼓楼区');
    site = await open(dbs[1]!, settingsOf(SITE, { id: CITY.id, url: city.url }), undefined, {}, { clock, ledger });
    const rooms = await repos(site.app.store.db).rooms.list(SYSTEM_ACTOR.scope);
    for (const [i, room] of rooms.slice(0, 2).entries()) {
      for (const position of ['front', 'rear'] as const) cameraIds.push((await site.app.devices.createCamera(SYSTEM_ACTOR, { roomId: room.id, name: `${room.name}${position}`, position, sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: `10.0.0.${10 + i}` })).id);
    }
    await site.app.ledger.start();
  }, 60_000);

  afterAll(async () => {
    for (const n of [site, city]) {
      await n?.app.ledger.stop().catch(() => undefined);
      await close(n).catch(() => undefined);
    }
    for (const d of dbs) await d.drop();
  });

  it('the site\'s row in the city\'s June report equals the site\'s own June report: time-weighted rates and the exam completeness', async () => {
    const admin = await actorOf(site, 'admin');
    const siteNode = (await site.app.org.tree(admin)).find((n) => n.name === SITE_NAME)!;
    const gulou = (await site.app.org.tree(admin)).find((n) => n.name === '鼓楼区')!;
    const start = clock.nowMs();
    // An exam 10:00–12:00 on 06-10; cameras 2 and 3 are its first room's, 3 stops recording at 11:00.
    const exam = await site.app.exams.exams.create(admin, { name: '月报完整率测试考试', kind: 'adult', ownerNodeId: gulou.id });
    await site.app.exams.exams.setSites(admin, exam.id, [{ siteId: siteNode.id }]);
    await site.app.exams.exams.createSessions(admin, exam.id, [{ subject: '数学', startMs: start + 2 * HOUR_MS, endMs: start + 4 * HOUR_MS }]);
    const windows = await repos(site.app.store.db).exams.windowsOf(SYSTEM_ACTOR.scope, { examId: exam.id });
    const entry = Math.min(...windows.map((w) => w.start_ms));
    const run = (cameraId: number, fromMs: number, toMs: number) => repos(site.app.store.db).recordings.insertRun({ camera_id: cameraId, stream: 'main', started_at_ms: fromMs, duration_90k: 0, ended_at_ms: toMs, end_reason: 'camera lost', end_detail: null, video_codec: 'h264', width: 1920, height: 1080, rfc6381: 'avc1.640028', audio_codec: null, clock_offset_ms: null, frame_count: 0 });
    await run(cameraIds[2]!, entry - 60_000, start + 5 * HOUR_MS);
    await run(cameraIds[3]!, entry - 60_000, start + 3 * HOUR_MS);

    // 06-10's history, a sample every 30 min from 08:00 to 23:30: camera 0 always online and
    // recording; 1 offline one sample in four; 2 online, recording the first half; 3 offline.
    const state = new Map<number, { state: string; recording: boolean }>();
    const sampler = new DeviceHealthSampler({ store: site.app.store, clock, log: pino({ level: 'silent' }), faults: site.app.ledger.faults, cameraState: (id) => state.get(id), nodeOffsetMs: () => null, sampleIntervalMs: HOUR_MS / 2, opts: { rawRetentionMs: 48 * HOUR_MS, hourRetentionMs: 400 * 24 * HOUR_MS, cameraClockDriftMs: 3000 } });
    let online = 0;
    let recording = 0;
    const n = 32;
    for (let i = 0; i < n; i++) {
      const st = [{ state: 'online', recording: true }, { state: i % 4 === 0 ? 'error' : 'online', recording: i % 4 !== 0 }, { state: 'online', recording: i < n / 2 }, { state: 'error', recording: false }];
      st.forEach((s, k) => state.set(cameraIds[k]!, s));
      online += st.filter((s) => s.state === 'online').length;
      recording += st.filter((s) => s.recording).length;
      await sampler.sample();
      clock.advance(HOUR_MS / 2);
    }
    sampler.stop();
    // At generation every camera is online and recording: the report must not show that.
    for (const id of cameraIds) site.app.events.emit('camera.status', { cameraId: id, state: 'online', recording: true, atMs: clock.nowMs() });
    // To 2026-07-01 00:30 Beijing: the last full month is June.
    clock.set(Date.UTC(2026, 5, 30, 16, 30));
    const june = { fromMs: Date.UTC(2026, 4, 31, 16), toMs: Date.UTC(2026, 5, 30, 16) };

    const report = await site.app.exams.reports.build(admin, exam.id);
    const required = report.lines.reduce((a, l) => a + l.requiredMs, 0);
    const recorded = report.lines.reduce((a, l) => a + l.recordedMs, 0);
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThan(required);
    const expected = ['1', '0', '4', pct(online / (4 * n)), pct(recording / (4 * n)), pct(Math.floor((recorded / required) * 1000) / 1000), `${report.lines.filter((l) => l.gaps.length > 0).length}/${report.lines.length}`];
    expect(expected[3]).not.toBe('100.0%');

    // The site's own month report (its history read locally), kept and listed.
    const own = await site.app.ledger.reports.generate(admin, 'month', siteNode.id);
    expect(own).toMatchObject({ ...june, label: '月报' });
    expect((await rollupRow((await site.app.ledger.reports.file(admin, own.id, 'xlsx')).bytes, SITE_NAME))?.slice(2, 9)).toEqual(expected);

    // The site's summary goes up by itself over the channel; the city then has the site's June figures.
    await site.app.ledger.refreshSiteSummaries();
    const cityAdmin = await actorOf(city, 'admin');
    await expect.poll(async () => (await city.app.ledger.periodFigures(cityAdmin, 'month', { ...june, label: '月报' }))[siteNode.gbCode]?.cameras, { timeout: 30_000, interval: 200 }).toBe(4);

    // The city's month report, kept (PDF and Excel), shows the site's row with the site's figures;
    // the district above carries the same (its only site), and the on-demand Excel agrees.
    const cityTop = (await city.app.org.tree(SYSTEM_ACTOR)).find((x) => x.parentId === null)!;
    const made = await city.app.ledger.reports.generate(cityAdmin, 'month', cityTop.id);
    expect(made).toMatchObject({ ...june, period: 'month' });
    const xlsx = (await city.app.ledger.reports.file(cityAdmin, made.id, 'xlsx')).bytes;
    expect((await rollupRow(xlsx, SITE_NAME))?.slice(2, 9)).toEqual(expected);
    expect((await rollupRow(xlsx, '鼓楼区'))?.slice(2, 9)).toEqual(expected);
    expect((await city.app.ledger.reports.file(cityAdmin, made.id, 'pdf')).bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await rollupRow(await city.app.ledger.report(cityAdmin, 'month'), SITE_NAME))?.slice(2, 9)).toEqual(expected);
  }, 120_000);
});
