// Duty store on both databases (issue 18, docs/design/duty.md): workstations found only by the hash
// of their credential and never once revoked (R-DIS-1), roster/check-ins scoped to the room's
// site path, a check-out closes once (R-DIS-1), a view request decides once and is active only in
// its period (R-DIS-3), incidents and patrol notes scoped (R-FN-2), handling at the upper scoped by
// the received item's path, approved presets replace (R-DIS-2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { Repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const T0 = Date.UTC(2026, 5, 7, 0, 0, 0);
const H = 3_600_000;

describe.each(DIALECTS)('duty repositories on %s', (dialect) => {
  let t: TestApp;
  let r: Repos;
  let siteScope: Scope;
  let xwScope: Scope;
  let monitoringRoom = 0;
  let siteId = 0;
  let siteNodeId = 0;
  let wsId = 0;
  let adminId = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    r = repos(t.app.store.db);
    const admin = await t.actor('admin');
    adminId = admin.userId!;
    const nodes = await t.app.org.tree(admin);
    const site = nodes.find((n) => n.name === '南京市第一中学考点')!;
    siteId = site.id;
    siteNodeId = site.id;
    monitoringRoom = site.rooms!.find((x) => x.kind === 'monitoring')!.id;
    const pathOf = async (id: number) => (await t.app.store.db.selectFrom('org_node').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path;
    siteScope = { kind: 'subtree', path: await pathOf(site.id) };
    xwScope = { kind: 'subtree', path: await pathOf(nodes.find((n) => n.name === '玄武区')!.id) };
    wsId = await r.duty.insertWorkstation({ room_id: monitoringRoom, name: '监控室1号机', credential_sha256: 'a'.repeat(64), enrolled_by: 'admin', enrolled_at_ms: T0, last_seen_at_ms: null, revoked_at_ms: null });
  });
  afterAll(() => t?.close());

  it('R-DIS-1 a workstation is found by its credential hash only while enrolled, and listed only in scope', async () => {
    const found = await r.duty.workstationByCredential('a'.repeat(64));
    expect(found?.id).toBe(wsId);
    expect(found?.site_path).toBe(siteScope.kind === 'subtree' ? siteScope.path : '');
    expect(await r.duty.workstationByCredential('b'.repeat(64))).toBeUndefined();
    expect((await r.duty.listWorkstations(siteScope)).map((w) => w.id)).toEqual([wsId]);
    expect(await r.duty.listWorkstations(xwScope)).toEqual([]);
    await r.duty.touchWorkstation(wsId, T0 + 5);
    expect((await r.duty.listWorkstations({ kind: 'all' }))[0].last_seen_at_ms).toBe(T0 + 5);
    const other = await r.duty.insertWorkstation({ room_id: monitoringRoom, name: '旧机', credential_sha256: 'c'.repeat(64), enrolled_by: 'admin', enrolled_at_ms: T0, last_seen_at_ms: null, revoked_at_ms: null });
    await r.duty.revokeWorkstation(other, T0 + 1);
    expect(await r.duty.workstationByCredential('c'.repeat(64))).toBeUndefined();
  });

  it('R-DIS-1 the credential hash is unique: a second workstation cannot share it', async () => {
    await expect(r.duty.insertWorkstation({ room_id: monitoringRoom, name: '重复', credential_sha256: 'a'.repeat(64), enrolled_by: 'admin', enrolled_at_ms: T0, last_seen_at_ms: null, revoked_at_ms: null })).rejects.toThrow();
  });

  it('R-DIS-1 roster by instant and scope; check-ins open, close once, and are scoped', async () => {
    const id = await r.duty.insertRoster({ room_id: monitoringRoom, session_id: null, user_id: adminId, duty_role: 'leader', from_ms: T0, to_ms: T0 + 4 * H, created_by: 'admin', created_at_ms: T0 });
    expect((await r.duty.roster(siteScope, { atMs: T0 + H })).map((x) => [x.id, x.user_name, x.to_ms])).toEqual([[id, '系统管理员', T0 + 4 * H]]);
    expect(await r.duty.roster(siteScope, { atMs: T0 + 5 * H })).toEqual([]);
    expect(await r.duty.roster(xwScope, {})).toEqual([]);
    expect(await r.duty.deleteRoster(xwScope, id)).toBe(false);

    const c1 = await r.duty.insertCheckin({ room_id: monitoringRoom, workstation_id: wsId, user_id: adminId, user_name: '系统管理员', checked_in_at_ms: T0, checked_out_at_ms: null, out_reason: null });
    const c2 = await r.duty.insertCheckin({ room_id: monitoringRoom, workstation_id: wsId, user_id: 999, user_name: '值班员乙', checked_in_at_ms: T0 + 10, checked_out_at_ms: null, out_reason: null });
    expect((await r.duty.openCheckins(siteScope, { roomId: monitoringRoom })).map((c) => c.id)).toEqual([c1, c2]);
    expect(await r.duty.openCheckins(xwScope)).toEqual([]);
    expect(await r.duty.checkout(c2, T0 + H, 'manual')).toBe(true);
    expect(await r.duty.checkout(c2, T0 + 2 * H, 'idle')).toBe(false);
    const open = await r.duty.openCheckins(siteScope, { roomId: monitoringRoom });
    expect(open.map((c) => c.id)).toEqual([c1]);
    const all = await r.duty.checkins(siteScope, { fromMs: T0 + 30 * 60_000, toMs: T0 + 3 * H });
    expect(all.map((c) => [c.id, c.checked_out_at_ms, c.out_reason])).toEqual([[c1, null, null], [c2, T0 + H, 'manual']]);
    expect(await r.duty.checkins(siteScope, { fromMs: T0 + 2 * H, toMs: T0 + 3 * H })).toHaveLength(1);
    expect(await r.duty.deleteRoster(siteScope, id)).toBe(true);
  });

  it('R-DIS-3 a view request is decided once and is active only inside its period, in scope', async () => {
    const id = await r.dutyCases.insertViewRequest({ org_node_id: siteNodeId, requester_id: 7, requester_name: '张三', camera_ids_json: '[1]', room_ids_json: '[]', reason: '远程巡查', from_ms: T0, to_ms: T0 + H, state: 'pending', decided_by: null, decided_by_user_id: null, decided_at_ms: null, decision_note: null, created_at_ms: T0 });
    expect(await r.dutyCases.viewRequests(xwScope)).toEqual([]);
    expect(await r.dutyCases.decideViewRequest(id, { state: 'approved', decidedBy: 'nj_admin', decidedByUserId: 3, atMs: T0 + 1, note: '同意' })).toBe(true);
    expect(await r.dutyCases.decideViewRequest(id, { state: 'refused', decidedBy: 'x', decidedByUserId: 4, atMs: T0 + 2, note: null })).toBe(false);
    const [row] = await r.dutyCases.viewRequests(siteScope, { id });
    expect([row.state, row.decided_by, row.decided_at_ms]).toEqual(['approved', 'nj_admin', T0 + 1]);
    expect(await r.dutyCases.viewRequests(siteScope, { requesterId: 7, state: 'approved', activeAtMs: T0 + 30 * 60_000 })).toHaveLength(1);
    expect(await r.dutyCases.viewRequests(siteScope, { requesterId: 7, state: 'approved', activeAtMs: T0 + H })).toHaveLength(0);
  });

  it('R-FN-2 incidents, handling at the upper and patrol notes are scoped', async () => {
    const id = await r.dutyCases.insertIncident({ site_id: siteId, camera_ids_json: '[1,2]', from_ms: T0, to_ms: T0 + 60_000, category: 'cheating', description: '疑似传递纸条', reported_by: 'admin', hold_ids_json: '[]', created_at_ms: T0 });
    await r.dutyCases.setIncidentHolds(id, [5, 6]);
    const [inc] = await r.dutyCases.incidents(siteScope, { id });
    expect([inc.hold_ids_json, inc.site_name, inc.to_ms]).toEqual(['[5,6]', '南京市第一中学考点', T0 + 60_000]);
    expect(await r.dutyCases.incidents(xwScope)).toEqual([]);

    const path = siteScope.kind === 'subtree' ? siteScope.path : '';
    await r.dutyCases.insertHandling({ origin_code: '32010600002160000099', item_key: String(id), scope_path: path, state: 'received', note: null, handled_by: 'nj_admin', handled_at_ms: T0 + 5 });
    await r.dutyCases.insertHandling({ origin_code: '32010600002160000099', item_key: String(id), scope_path: path, state: 'confirmed', note: '已核实', handled_by: 'nj_admin', handled_at_ms: T0 + 9 });
    expect((await r.dutyCases.handling(siteScope, { itemKey: String(id) })).map((h) => [h.state, h.handled_at_ms])).toEqual([['received', T0 + 5], ['confirmed', T0 + 9]]);
    expect(await r.dutyCases.handling(xwScope)).toEqual([]);

    await r.dutyCases.insertNote({ site_id: siteId, room_id: null, camera_id: 1, user_id: adminId, user_name: '系统管理员', text: '第01考场秩序正常', at_ms: T0 + 7 });
    expect((await r.dutyCases.notes(siteScope, { fromMs: T0, toMs: T0 + 8 })).map((n) => n.text)).toEqual(['第01考场秩序正常']);
    expect(await r.dutyCases.notes(xwScope)).toEqual([]);
  });

  it('R-DIS-2 an approved preset replaces an earlier approval of the same number', async () => {
    await r.dutyCases.approvePreset({ camera_id: 42, preset_no: 1, label: '全景', approved_by: 'admin', approved_at_ms: T0 });
    await r.dutyCases.approvePreset({ camera_id: 42, preset_no: 1, label: '全景(新)', approved_by: 'admin', approved_at_ms: T0 + 1 });
    expect((await r.dutyCases.approvedPresets(42)).map((p) => [p.preset_no, p.label, p.approved_at_ms])).toEqual([[1, '全景(新)', T0 + 1]]);
  });
});
