// Issue 14 item 17 on both databases (R-ACC-1): audit records whose events carry only ids get the
// names of their camera / room / site / exam added when written — as they were at the time — and
// the API view and the CSV show them instead of "摄像机 #11,12".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { auditCsv, auditRecordView } from '../../src/audit/audit-views.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

describe.each(DIALECTS)('audit object names on %s', (dialect) => {
  let t: TestApp;
  let admin: Actor;
  let site: { id: number; name: string };
  let room: { id: number; name: string };
  let cams: Array<{ id: number; name: string }>;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = await t.actor('admin');
    const tree = await t.app.org.tree(admin);
    const s = tree.find((n) => n.kind === 'site' && (n.rooms ?? []).length > 0)!;
    site = { id: s.id, name: s.name };
    room = { id: s.rooms![0].id, name: s.rooms![0].name };
    cams = [];
    for (const name of ['前置', '后置']) cams.push(await t.app.devices.createCamera(admin, { roomId: room.id, name, position: 'front', sourceKind: 'rtsp', mainStream: '/1', subStream: '/2' }));
  });
  afterAll(() => t?.close());

  const last = async (action: string) => {
    const { records } = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action });
    return records.sort((a, b) => Number(b.seq) - Number(a.seq))[0];
  };

  it('ids only: a camera list, an alarm\'s camera, a window\'s room, a site — named in the record', async () => {
    await t.app.audit.record(admin, { action: 'recording.list', objectType: 'camera', objectId: cams.map((c) => c.id).join(',') });
    await t.app.audit.record(admin, { action: 'alarm.ack', objectType: 'alarm', objectId: 99, detail: { kind: 'recording_gap', cameraId: cams[0].id } });
    await t.app.audit.record(admin, { action: 'exam.window.edit', objectType: 'room_window', objectId: 5, detail: { roomId: room.id } });
    await t.app.audit.record(admin, { action: 'exam.settings.update', objectType: 'org_node', objectId: site.id, detail: { before: {}, after: {} } });

    const list = auditRecordView((await last('recording.list'))!);
    expect(list.objectName).toBe(cams.map((c) => `${site.name} ${room.name} ${c.name}`).join('、'));
    expect(auditRecordView((await last('alarm.ack'))!).objectName).toBe(`${site.name} ${room.name} 前置`);
    expect(auditRecordView((await last('exam.window.edit'))!).objectName).toBe(`${site.name} ${room.name}`);
    expect(auditRecordView((await last('exam.settings.update'))!).objectName).toBe(site.name);
    // playback.start lists its cameras as {id, gbCode}: named one by one, and in 对象名称 (seen as "摄像机 #8" on the page).
    await t.app.audit.record(admin, { action: 'playback.start', objectType: 'camera', objectId: String(cams[0].id), detail: { cameras: [{ id: cams[0].id, gbCode: 'g0' }], atMs: 1 } });
    expect(auditRecordView((await last('playback.start'))!).objectName).toBe(`${site.name} ${room.name} 前置`);
    await t.app.audit.record(admin, { action: 'playback.start', objectType: 'camera', objectId: cams.map((c) => c.id).join(','), detail: { cameras: cams.map((c) => ({ id: c.id, gbCode: `g${c.id}` })), atMs: 1 } });
    const both = auditRecordView((await last('playback.start'))!);
    expect(both.objectName).toBe(cams.map((c) => `${site.name} ${room.name} ${c.name}`).join('、'));
    expect(both.detail).toMatchObject({ cameras: cams.map((c) => ({ id: c.id, gbCode: `g${c.id}`, name: `${site.name} ${room.name} ${c.name}` })) });
    const csv = auditCsv([(await last('alarm.ack'))!]).toString('utf8');
    expect(csv).toContain(`,${site.name} ${room.name} 前置,`);
  });

  it('a refusal names its cameras only when all lie in the refused user\'s scope (R-ACC-1)', async () => {
    const { path: sitePath } = await t.app.store.db.selectFrom('org_node').select('path').where('id', '=', site.id).executeTakeFirstOrThrow();
    const ids = cams.map((c) => c.id).join(',');
    const detail = { for: 'video.live.start', reason: 'no remote-viewing grant', cameraIds: cams.map((c) => c.id) };
    await t.app.audit.record({ ...admin, scope: { kind: 'subtree', path: sitePath } }, { action: 'duty.view', objectType: 'camera', objectId: ids, outcome: 'denied', detail });
    expect(auditRecordView((await last('duty.view'))!).objectName).toBe(cams.map((c) => `${site.name} ${room.name} ${c.name}`).join('、'));
    // Refused outside the scope: no name is written.
    await t.app.audit.record({ ...admin, scope: { kind: 'subtree', path: '/999999/' } }, { action: 'video.live.start', objectType: 'camera', objectId: ids, outcome: 'denied', detail: { reason: 'out of scope' } });
    expect(auditRecordView((await last('video.live.start'))!).objectName).toBe('');
  });

  it('the name stays as it was at the time after a rename; an event naming its object keeps its own name', async () => {
    await t.app.audit.record(admin, { action: 'video.live.start', objectType: 'camera', objectId: cams[1].id });
    await t.app.devices.updateCamera(admin, cams[1].id, { name: '后置（新）' });
    expect(auditRecordView((await last('video.live.start'))!).objectName).toBe(`${site.name} ${room.name} 后置`);
    await t.app.audit.record(admin, { action: 'video.live.stop', objectType: 'camera', objectId: cams[1].id, detail: { name: '自带名称' } });
    expect(auditRecordView((await last('video.live.stop'))!).objectName).toBe('自带名称');
    // The chain still verifies with the names inside it.
    expect((await t.app.audit.verify()).ok).toBe(true);
  });
});
