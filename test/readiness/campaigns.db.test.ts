// Readiness campaigns, checklists and site state on both databases (issue 17): R-PRE-2 (a
// campaign with a deadline per subtree, progress per site), R-CITY-5 (named contact), R-PRE-1,
// R-PRE-5, R-PRE-7, R-SEC-3, R-SEC-8 (checklist items signed by a named person, audited), the
// timetable campaigns (full check 3 days before, clock check 1 day before), scope filtering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { Dialect } from '../../src/store/dialect.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { DEFAULT_PROFILE } from '../../src/readiness/profile.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const DAY = 86_400_000;

describe.each(DIALECTS)('readiness campaigns on %s', (dialect: Dialect) => {
  let t: TestApp;
  let admin: Actor;
  let gulouAdmin: Actor;
  let xuanwuAdmin: Actor;
  let siteOperator: Actor;
  const ids = { city: 0, gulou: 0, xuanwu: 0, site: 0, otherSite: 0, examRoom: 0, camera: 0, otherCamera: 0 };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    ids.city = nodes.find((n) => n.name === '南京市')!.id;
    ids.gulou = nodes.find((n) => n.name === '鼓楼区')!.id;
    ids.xuanwu = nodes.find((n) => n.name === '玄武区')!.id;
    ids.site = nodes.find((n) => n.name === '南京市第一中学考点')!.id;
    ids.otherSite = (await t.app.org.createNode(admin, { parentId: ids.xuanwu, kind: 'site', name: '玄武考点' })).id;
    const rooms = await repos(t.app.store.db).rooms.list({ kind: 'all' });
    ids.examRoom = rooms.find((r) => r.site_id === ids.site && r.kind === 'exam')!.id;
    ids.camera = (await t.app.devices.createCamera(admin, { roomId: ids.examRoom, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.9' })).id;
    const otherRoom = await t.app.devices.createRoom(admin, { siteId: ids.otherSite, kind: 'exam', name: '第01考场', seats: 30 });
    ids.otherCamera = (await t.app.devices.createCamera(admin, { roomId: otherRoom.id, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.10' })).id;
    for (const [u, node, role] of [['gulou_admin', ids.gulou, 'admin'], ['xuanwu_admin', ids.xuanwu, 'admin'], ['site_op', ids.site, 'operator']] as const) {
      await t.app.users.create(admin, { username: u, displayName: u, role, orgNodeId: node, password: 'Readiness-Pw1!' });
    }
    gulouAdmin = await t.actor('gulou_admin');
    xuanwuAdmin = await t.actor('xuanwu_admin');
    siteOperator = await t.actor('site_op');
  });
  afterAll(() => t.close());

  it('a city campaign with a deadline and named contacts is seen per subtree (R-PRE-2, R-CITY-5)', async () => {
    const deadline = t.clock.nowMs() + 3 * DAY;
    const c = await t.app.readiness.campaigns.open(admin, { name: '联调 南京市', orgNodeId: ids.city, checks: 'full', deadlineMs: deadline, contacts: [{ orgNodeId: ids.site, name: '张老师', phone: '13800000000' }] });
    expect(c.deadlineMs).toBe(deadline);
    expect(c.contacts).toEqual([{ orgNodeId: ids.site, nodeName: '南京市第一中学考点', name: '张老师', phone: '13800000000' }]);
    expect(c.cameras.map((x) => x.cameraId).sort()).toEqual([ids.camera, ids.otherCamera].sort());
    // Nothing checked yet: every site is "unchecked", never "ready".
    expect(c.sites.every((s) => s.state === 'unchecked')).toBe(true);
    // A district administrator sees the city's campaign, only their own sites and cameras.
    const seen = await t.app.readiness.campaigns.get(gulouAdmin, c.id);
    expect(seen.cameras.map((x) => x.cameraId)).toEqual([ids.camera]);
    expect(seen.sites.map((s) => s.siteId)).toEqual([ids.site]);
    const other = await t.app.readiness.campaigns.get(xuanwuAdmin, c.id);
    expect(other.cameras.map((x) => x.cameraId)).toEqual([ids.otherCamera]);
    expect(other.contacts).toEqual([]);
    // It cannot be closed from below, and a district campaign is invisible to the other district.
    await expect(t.app.readiness.campaigns.close(gulouAdmin, c.id)).rejects.toMatchObject({ code: 'not_found' });
    const mine = await t.app.readiness.campaigns.open(gulouAdmin, { name: '鼓楼自查', checks: 'full', deadlineMs: deadline, contacts: [] });
    expect(mine.orgNodeId).toBe(ids.gulou);
    await expect(t.app.readiness.campaigns.get(xuanwuAdmin, mine.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await t.app.readiness.campaigns.list(xuanwuAdmin)).map((x) => x.id)).not.toContain(mine.id);
    // Contacts outside the campaign are refused; an operator may not open campaigns.
    await expect(t.app.readiness.campaigns.open(gulouAdmin, { name: 'x', checks: 'full', deadlineMs: deadline, contacts: [{ orgNodeId: ids.otherSite, name: 'a', phone: '123' }] })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(t.app.readiness.campaigns.open(siteOperator, { name: 'x', checks: 'full', deadlineMs: deadline, contacts: [] })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a campaign keeps the standard profile it was opened with; one opened without takes the default (R-CITY-4)', async () => {
    const strict = { ...DEFAULT_PROFILE, codecs: ['h264' as const], minWidth: 1920, minHeight: 1080, minBitrateKbps: 2048 };
    const c = await t.app.readiness.campaigns.open(admin, { name: '1080p 标准', orgNodeId: ids.city, checks: 'full', deadlineMs: t.clock.nowMs() + DAY, contacts: [], profile: strict });
    expect((await t.app.readiness.campaigns.get(admin, c.id)).profile).toEqual(strict);
    const plain = await t.app.readiness.campaigns.open(admin, { name: '默认标准', orgNodeId: ids.city, checks: 'clock', deadlineMs: t.clock.nowMs() + DAY, contacts: [] });
    expect((await t.app.readiness.campaigns.get(admin, plain.id)).profile).toEqual(DEFAULT_PROFILE);
    // The first campaign's profile is its own copy: opening another did not change it.
    expect((await t.app.readiness.campaigns.get(admin, c.id)).profile.minWidth).toBe(1920);
  });

  it('checklist items (R-PRE-1, R-PRE-5, R-PRE-7, R-SEC-3, R-SEC-8) signed by a named person, with file, audited; the site state follows', async () => {
    const c = await t.app.readiness.campaigns.open(gulouAdmin, { name: '清单', checks: 'full', deadlineMs: t.clock.nowMs() + DAY, contacts: [] });
    const tpl = await t.app.readiness.signoff.saveTemplate(admin, undefined, {
      orgNodeId: ids.city,
      requirement: 'R-PRE-7',
      title: '电源网络安全检查',
      checks: 'full',
      items: [
        { text: '备用电源可用 (UPS)', per: 'site' },
        { text: '巡查工作站无恶意软件', per: 'workstation' },
      ],
    });
    expect(tpl.items).toHaveLength(2);
    // Province-level template applies to the district's campaign.
    let d = await t.app.readiness.campaigns.get(gulouAdmin, c.id);
    expect(d.checklistItems.map((i) => i.text)).toEqual(['备用电源可用 (UPS)', '巡查工作站无恶意软件']);
    const site = d.sites.find((s) => s.siteId === ids.site)!;
    expect(site.checklist).toEqual({ needed: 2, signed: 0, failed: 0 });
    const [ups, ws] = tpl.items;
    // A workstation item needs the workstation's name.
    await expect(t.app.readiness.signoff.sign(siteOperator, c.id, { itemId: ws.id, siteId: ids.site, subject: '', outcome: 'ok', signerName: '李四' })).rejects.toMatchObject({ code: 'invalid_input' });
    const photo = Buffer.from('fake-jpeg-bytes-of-the-ups-panel');
    const s1 = await t.app.readiness.signoff.sign(siteOperator, c.id, { itemId: ups.id, siteId: ids.site, subject: '', outcome: 'ok', signerName: '李四', note: 'UPS 满电', file: { name: 'ups.jpg', dataBase64: photo.toString('base64') } });
    await t.app.readiness.signoff.sign(siteOperator, c.id, { itemId: ws.id, siteId: ids.site, subject: '巡查机-01', outcome: 'fail', signerName: '李四' });
    d = await t.app.readiness.campaigns.get(gulouAdmin, c.id);
    expect(d.sites.find((s) => s.siteId === ids.site)!.checklist).toEqual({ needed: 2, signed: 1, failed: 1 });
    // Each signature published the site's state on the node-to-node channel, in its transaction (R-PRE-2).
    const reported = (await t.app.readiness.reported(gulouAdmin)).filter((x) => x.campaignName === '清单');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ siteName: '南京市第一中学考点', state: 'not_ready' });
    expect(reported[0].reasons.join(' ')).toContain('检查表不合格');
    expect((await t.app.readiness.reported(xuanwuAdmin)).filter((x) => x.campaignName === '清单')).toEqual([]);
    expect(d.signatures.find((g) => g.id === s1.id)).toMatchObject({ signerName: '李四', note: 'UPS 满电', fileName: 'ups.jpg' });
    expect((await t.app.readiness.signoff.signatureFile(gulouAdmin, s1.id)).data).toEqual(photo);
    // The other district cannot read the file, nor sign at this site.
    await expect(t.app.readiness.signoff.signatureFile(xuanwuAdmin, s1.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.app.readiness.signoff.sign(xuanwuAdmin, c.id, { itemId: ups.id, siteId: ids.site, subject: '', outcome: 'ok', signerName: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    // Every signature is in the audit chain with the signer's name.
    const audit = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'checklist.sign' });
    expect(audit.records.filter((a) => a.outcome === 'ok').length).toBe(2);
    expect(audit.records.some((a) => (a.detail ?? '').includes('李四') && (a.detail ?? '').includes('R-PRE-7'))).toBe(true);
    expect((await t.app.audit.verify()).ok).toBe(true);
    // Editing the template keeps signed items by id; a removed item is retired, a new one needs signing.
    await t.app.readiness.signoff.saveTemplate(admin, tpl.id, { requirement: 'R-PRE-7', title: '电源网络安全检查', checks: 'full', items: [{ id: ups.id, text: '备用电源可用 (UPS)', per: 'site' }, { text: '应急预案已演练', per: 'site' }] });
    d = await t.app.readiness.campaigns.get(gulouAdmin, c.id);
    expect(d.sites.find((s) => s.siteId === ids.site)!.checklist).toEqual({ needed: 2, signed: 1, failed: 0 });
  });

  it('timetable: a full check 3 days and a clock check 1 day before the first session, opened once', async () => {
    const first = t.clock.nowMs() + 7 * DAY;
    const exam = await t.app.exams.exams.create(gulouAdmin, { name: '2026年高考', kind: 'gaokao' });
    await t.app.exams.exams.createSessions(gulouAdmin, exam.id, [
      { subject: '语文', startMs: first, endMs: first + 9_000_000 },
      { subject: '数学', startMs: first + DAY, endMs: first + DAY + 7_200_000 },
    ]);
    const far = await t.app.exams.exams.create(admin, { name: '远期考试', kind: 'other' });
    await t.app.exams.exams.createSessions(admin, far.id, [{ subject: 'x', startMs: first + 30 * DAY, endMs: first + 30 * DAY + 3600_000 }]);
    const opened = await t.app.readiness.campaigns.openFromTimetable();
    expect(opened).toHaveLength(2);
    expect(await t.app.readiness.campaigns.openFromTimetable()).toEqual([]);
    const list = (await t.app.readiness.campaigns.list(gulouAdmin)).filter((c) => c.examId === exam.id);
    expect(list.map((c) => [c.checks, c.origin, c.deadlineMs]).sort()).toEqual([
      ['clock', 'timetable', first - DAY],
      ['full', 'timetable', first - 3 * DAY],
    ]);
    expect(list.every((c) => c.orgNodeId === exam.ownerNodeId)).toBe(true);
  });

  it('a reference is signed only on a fresh probe picture (R-PRE-3)', async () => {
    await expect(t.app.readiness.signoff.signReference(siteOperator, ids.camera, '王五')).rejects.toMatchObject({ code: 'conflict' });
    await expect(t.app.readiness.signoff.signReference(siteOperator, ids.otherCamera, '王五')).rejects.toMatchObject({ code: 'not_found' });
  });
});
