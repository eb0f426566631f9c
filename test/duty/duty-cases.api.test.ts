// PTZ lock, roster, patrol log and incidents through the real HTTP stack on both databases
// (issue 18, docs/design/duty.md). R-DIS-2: in the gaokao window only approved presets move a
// camera — through the API and through the cascade's policePtz — every attempt audited, a refused
// one raises a ptz_refused alarm, and never reaches the camera; allowed ones move it (the
// simulator's ONVIF PTZ service observes each command arrive); outside windows PTZ is free. R-DIS-1: the roster is edited by
// administrators only and decides who may check in. R-FN-2: an incident puts an evidence hold on the
// footage and goes upward (duty.incident), and is handled received → confirmed → closed.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { gbActor, policePtz } from '../../src/cascade/ptz-policy.ts';
import { encodePtz } from '../../src/gb28181/index.ts';
import { startOnvifSim, startSimulator } from '../../src/sim/index.ts';
import type { OnvifSim, Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { PASSWORD, bj, closeDay, examDay } from '../exams/fixture.ts';

describe.each(DIALECTS)('duty: PTZ lock, roster, patrol log, incidents on %s', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  let sim: Simulator;
  let onvif: OnvifSim;
  const u: Record<string, string> = {};
  const login: Record<string, { cookie: string; csrf: string }> = {};
  const call = (who: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    server.inject({ method, url, headers: { cookie: login[who].cookie, 'x-csrf-token': login[who].csrf }, payload });
  const audits = async (action: string, outcome: 'ok' | 'denied') => (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action, outcome, limit: 500 })).total;
  async function loginAll() {
    for (const [key, username] of Object.entries(u)) {
      const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: key === 'admin' ? ADMIN_PASSWORD : PASSWORD } });
      expect(res.statusCode, res.body).toBe(200);
      login[key] = { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
    }
  }

  beforeAll(async () => {
    d = await examDay(dialect);
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    u.admin = 'admin';
    u.op1 = (await d.user('operator', '南京市第一中学考点')).username;
    u.city = (await d.user('admin', '南京市')).username;
    d.t.clock.set(bj('2026-06-07 10:00'));
    await loginAll();
    // r1front is an ONVIF PTZ camera (the simulator's, with its own credentials).
    sim = await startSimulator({ cameras: [{ id: 'ptz-1', audio: 'none' }] });
    onvif = await startOnvifSim(sim, { auth: { username: 'onvif', password: 'ptz-secret' } });
    await d.t.app.devices.updateCamera(await d.t.actor('admin'), d.cameras.r1front, { onvifUrl: onvif.url('ptz-1'), username: 'onvif', password: 'ptz-secret' });
  });
  afterAll(async () => {
    await onvif?.close();
    await sim?.close();
    await server.close();
    await closeDay(d);
  });

  it('R-DIS-2: in the exam window PTZ is locked to approved presets (API), refused attempts audited and alarmed once; outside the window free', async () => {
    const cam = d.cameras.r1front;
    const state = (await call('op1', 'GET', `/api/cameras/${cam}/ptz`)).json() as { locked: boolean; reason: string };
    expect(state).toMatchObject({ locked: true, presets: [] });
    expect(state.reason).toContain('云台已锁定');
    // Only an administrator approves presets.
    expect((await call('op1', 'POST', `/api/cameras/${cam}/ptz-presets`, { presetNo: 1, label: '全景' })).statusCode).toBe(403);
    const ok = await call('admin', 'POST', `/api/cameras/${cam}/ptz-presets`, { presetNo: 1, label: '全景' });
    expect(ok.statusCode, ok.body).toBe(200);
    const deniedBefore = await audits('ptz.command', 'denied');
    const move = await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'ptz', pan: 'left' });
    expect(move.statusCode).toBe(403);
    // Refused: nothing reached the camera.
    expect(onvif.calls.get('ContinuousMove') ?? 0).toBe(0);
    expect(move.json()).toMatchObject({ details: { rule: 'ptz_locked', approvedPresets: [1] } });
    expect((move.json() as { message: string }).message).toContain('只能调用管理员事先批准的预置位（1）');
    expect((await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', preset: 2 })).statusCode).toBe(403);
    expect((await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', action: 'set', preset: 1 })).statusCode).toBe(403);
    expect([onvif.ptz('ptz-1').moving, onvif.ptz('ptz-1').preset, onvif.calls.get('GotoPreset') ?? 0]).toEqual([false, undefined, 0]);
    const preset = await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', preset: 1 });
    expect(preset.statusCode, preset.body).toBe(200);
    // The approved preset went to the camera over ONVIF (GotoPreset on its first profile).
    expect(preset.json()).toEqual({ allowed: true, forwarded: true, via: 'onvif' });
    expect(onvif.ptz('ptz-1')).toMatchObject({ preset: '1', profileToken: 'Profile_1' });
    expect(await audits('ptz.command', 'denied')).toBe(deniedBefore + 3);
    const alarms = await d.t.app.store.db.selectFrom('alarm').selectAll().where('kind', '=', 'ptz_refused').execute();
    expect(alarms.map((a) => [a.camera_id, a.cleared_at_ms])).toEqual([[cam, null]]);
    const listed = (await call('op1', 'GET', '/api/alarms?open=true')).json() as { alarms: Array<{ kind: string }> };
    expect(listed.alarms.some((a) => a.kind === 'ptz_refused')).toBe(true);
    // Outside the window the lock is off.
    d.t.clock.set(bj('2026-06-07 20:00'));
    await loginAll();
    expect((await call('op1', 'GET', `/api/cameras/${cam}/ptz`)).json()).toMatchObject({ locked: false });
    const free = await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'ptz', pan: 'left', panSpeed: 255 });
    expect(free.json()).toEqual({ allowed: true, forwarded: true, via: 'onvif' });
    expect(onvif.ptz('ptz-1')).toMatchObject({ moving: true, pan: -1, tilt: 0 });
    expect((await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'stop' })).json()).toMatchObject({ forwarded: true });
    expect(onvif.ptz('ptz-1')).toMatchObject({ moving: false });
    // A camera without an ONVIF address: allowed, audited, but says it could not move it.
    const plain = (await call('op1', 'POST', `/api/cameras/${d.cameras.r1rear}/ptz`, { kind: 'stop' })).json() as { forwarded: boolean; error: string };
    expect(plain.forwarded).toBe(false);
    expect(plain.error).toContain('未配置 ONVIF 地址');
    d.t.clock.set(bj('2026-06-07 10:00'));
    await loginAll();
  });

  it('R-DIS-2: presets are stored and removed over ONVIF (SetPreset/RemovePreset) outside windows; an approved preset only by an administrator; during the window refused, audited, nothing reaches the camera', async () => {
    const cam = d.cameras.r1front;
    const stored = () => onvif.ptz('ptz-1').stored ?? {};
    const sets = () => (onvif.calls.get('SetPreset') ?? 0) + (onvif.calls.get('RemovePreset') ?? 0);
    // Preset 1 is approved for the window (as in the test above; approving again keeps one row).
    expect((await call('admin', 'POST', `/api/cameras/${cam}/ptz-presets`, { presetNo: 1, label: '全景' })).statusCode).toBe(200);
    // In the exam window: even the administrator cannot store or remove a preset; audited, alarmed, nothing sent.
    const deniedBefore = await audits('ptz.command', 'denied');
    const sentBefore = sets();
    const inWindow = await call('admin', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', action: 'set', preset: 1 });
    expect(inWindow.statusCode).toBe(403);
    expect(inWindow.json()).toMatchObject({ details: { rule: 'ptz_locked' } });
    expect((await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', action: 'delete', preset: 2 })).statusCode).toBe(403);
    expect(await audits('ptz.command', 'denied')).toBe(deniedBefore + 2);
    expect(sets()).toBe(sentBefore);
    // Outside the window: an operator stores and removes an ordinary preset on the camera.
    d.t.clock.set(bj('2026-06-07 20:00'));
    await loginAll();
    expect((await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', action: 'set', preset: 2 })).json()).toEqual({ allowed: true, forwarded: true, via: 'onvif' });
    expect(stored()).toEqual({ '2': '预置位2' });
    // Redefining the approved preset 1 is an administrator's act: the operator is refused (audited, nothing sent) …
    const opDenied = await audits('ptz.command', 'denied');
    const refused = await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', action: 'set', preset: 1 });
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { message: string }).message).toContain('只有管理员可以设置或删除');
    expect(await audits('ptz.command', 'denied')).toBe(opDenied + 1);
    expect(stored()).toEqual({ '2': '预置位2' });
    // … the administrator stores it.
    expect((await call('admin', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', action: 'set', preset: 1 })).json()).toMatchObject({ forwarded: true });
    expect((await call('op1', 'POST', `/api/cameras/${cam}/ptz`, { kind: 'preset', action: 'delete', preset: 2 })).json()).toMatchObject({ forwarded: true });
    expect(stored()).toEqual({ '1': '预置位1' });
    const last = await d.t.app.store.db.selectFrom('audit_log').select(['username', 'outcome', 'detail']).where('action', '=', 'ptz.command').orderBy('seq', 'desc').limit(3).execute();
    expect(last.map((a) => [a.username, a.outcome])).toEqual([[u.op1, 'ok'], ['admin', 'ok'], [u.op1, 'denied']]);
    expect(last[2].detail).toContain('"approvedPresetChange":true');
    d.t.clock.set(bj('2026-06-07 10:00'));
    await loginAll();
  });

  it('R-DIS-2: the cascade PTZ path goes through the same lock: an approved preset passes, a move is refused', async () => {
    const cam = (await repos(d.t.app.store.db).cameras.get({ kind: 'all' }, d.cameras.r1front))!;
    const deps = { store: d.t.app.store, audit: d.t.app.audit, clock: d.t.clock };
    const actor = gbActor('32010000002000000001', '127.0.0.1');
    expect((await policePtz(deps, actor, cam, encodePtz({ kind: 'preset', action: 'call', preset: 1 }))).allowed).toBe(true);
    expect((await policePtz(deps, actor, cam, encodePtz({ kind: 'ptz', zoom: 'in', panSpeed: 0, tiltSpeed: 0, zoomSpeed: 3 }))).allowed).toBe(false);
    const viaCascade = await d.t.app.store.db.selectFrom('audit_log').select(['outcome', 'detail']).where('action', '=', 'ptz.command').where('username', '=', actor.username).orderBy('seq').execute();
    expect(viaCascade.map((a) => [a.outcome, (JSON.parse(a.detail!) as { via: string }).via])).toEqual([['ok', 'cascade'], ['denied', 'cascade']]);
  });

  it('R-DIS-1: the roster is edited by administrators, only for monitoring rooms; off-roster people cannot check in', async () => {
    const monitoring = d.rooms['监控室'];
    const op1 = (await repos(d.t.app.store.db).users.byUsername(u.op1))!;
    const body = { roomId: monitoring, userId: op1.id, dutyRole: 'watcher', fromMs: bj('2026-06-07 07:00'), toMs: bj('2026-06-07 18:00'), sessionId: d.sessionId };
    expect((await call('op1', 'POST', '/api/duty/roster', body)).statusCode).toBe(403);
    expect((await call('admin', 'POST', '/api/duty/roster', { ...body, roomId: d.rooms['第01考场'] })).statusCode).toBe(400);
    const res = await call('admin', 'POST', '/api/duty/roster', body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: u.op1, dutyRoleLabel: '值班员' });
    const list = (await call('op1', 'GET', `/api/duty/roster?roomId=${monitoring}&atMs=${bj('2026-06-07 10:00')}`)).json() as { roster: Array<{ id: number }> };
    expect(list.roster).toHaveLength(1);
    expect(await audits('duty.roster.add', 'ok')).toBe(1);
  });

  it('R-FN-2: an incident holds the footage, goes upward as duty.incident and is handled received → confirmed → closed', async () => {
    const from = bj('2026-06-07 09:50');
    const bad = await call('op1', 'POST', '/api/duty/incidents', { cameraIds: [d.cameras.r1front], fromMs: from, toMs: from - 1, category: 'cheating', description: '可疑' });
    expect(bad.statusCode).toBe(400);
    const res = await call('op1', 'POST', '/api/duty/incidents', { cameraIds: [d.cameras.r1front, d.cameras.r1rear], fromMs: from, toMs: from + 10 * 60_000, category: 'cheating', description: '第01考场 考生疑似传递纸条' });
    expect(res.statusCode, res.body).toBe(200);
    const inc = res.json() as { id: number; holdIds: number[]; categoryLabel: string };
    expect(inc.categoryLabel).toBe('疑似作弊');
    expect(inc.holdIds).toHaveLength(2);
    const holds = await d.t.app.store.db.selectFrom('evidence_hold').selectAll().where('id', 'in', inc.holdIds).execute();
    expect(holds.map((h) => [Number(h.from_ms), Number(h.to_ms), h.released_at_ms])).toEqual([[from, from + 600_000, null], [from, from + 600_000, null]]);
    const item = await d.t.app.store.db.selectFrom('uplink_item').selectAll().where('topic', '=', 'duty.incident').executeTakeFirstOrThrow();
    expect(JSON.parse(item.body!)).toMatchObject({ id: inc.id, category: 'cheating', cameras: [{ id: d.cameras.r1front }, { id: d.cameras.r1rear }] });
    const rec = ((await call('city', 'GET', '/api/duty/incidents/received')).json() as { incidents: Array<{ originCode: string; key: string; state: string }> }).incidents;
    expect(rec).toHaveLength(1);
    expect(rec[0].state).toBe('new');
    const at = `/api/duty/incidents/received/${rec[0].originCode}/${rec[0].key}/handling`;
    expect((await call('city', 'POST', at, { state: 'closed', note: '跳步' })).statusCode).toBe(409);
    expect((await call('city', 'POST', at, { state: 'received' })).statusCode).toBe(200);
    expect((await call('city', 'POST', at, { state: 'confirmed' })).statusCode).toBe(200);
    expect((await call('city', 'POST', at, { state: 'closed' })).statusCode).toBe(400);
    const closed = await call('city', 'POST', at, { state: 'closed', note: '经核实，已按规定处理' });
    expect(closed.json()).toMatchObject({ state: 'closed', steps: [{ state: 'received' }, { state: 'confirmed' }, { state: 'closed', note: '经核实，已按规定处理' }] });
  });

  it('R-FN-2: marking from a live tile holds now ±5 min; from a playback position holds that moment; each carries its evidence reference upward', async () => {
    const now = d.t.clock.nowMs();
    const live = await call('op1', 'POST', '/api/duty/incidents/mark', { cameraIds: [d.cameras.r1rear], source: 'live', category: 'emergency', description: '考生突发身体不适' });
    expect(live.statusCode, live.body).toBe(200);
    const l = live.json() as { id: number; fromMs: number; toMs: number; holdIds: number[]; evidence: { source: string; atMs: number; holdIds: number[]; playbackLink: string } };
    expect([l.fromMs, l.toMs]).toEqual([now - 300_000, now + 300_000]);
    expect(l.evidence).toEqual({ source: 'live', atMs: now, holdIds: l.holdIds, playbackLink: `#/playback?cameraId=${d.cameras.r1rear}&atMs=${now}` });
    const hold = await d.t.app.store.db.selectFrom('evidence_hold').selectAll().where('id', '=', l.holdIds[0]).executeTakeFirstOrThrow();
    expect([hold.camera_id, Number(hold.from_ms), Number(hold.to_ms), hold.released_at_ms]).toEqual([d.cameras.r1rear, now - 300_000, now + 300_000, null]);
    // A playback position an hour ago: that moment, not now.
    const at = now - 3600_000;
    const pb = (await call('op1', 'POST', '/api/duty/incidents/mark', { cameraIds: [d.cameras.r1front], source: 'playback', atMs: at, category: 'cheating', description: '回放发现考生交头接耳' })).json() as typeof l;
    expect([pb.fromMs, pb.toMs, pb.evidence.source, pb.evidence.atMs]).toEqual([at - 300_000, at + 300_000, 'playback', at]);
    const item = await d.t.app.store.db.selectFrom('uplink_item').selectAll().where('topic', '=', 'duty.incident').where('item_key', '=', String(pb.id)).executeTakeFirstOrThrow();
    expect(JSON.parse(item.body!)).toMatchObject({ id: pb.id, mark: { source: 'playback', atMs: at, playbackLink: `#/playback?cameraId=${d.cameras.r1front}&atMs=${at}` }, holdIds: pb.holdIds });
    const audit = (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'duty.incident.create', limit: 10 })).records.find((a) => a.object_id === String(pb.id))!;
    expect(JSON.parse(audit.detail!)).toMatchObject({ mark: { source: 'playback', atMs: at } });
    // A position in the future, or none, is refused.
    expect((await call('op1', 'POST', '/api/duty/incidents/mark', { cameraIds: [d.cameras.r1front], source: 'playback', atMs: now + 60_000, category: 'cheating', description: '未来时刻' })).statusCode).toBe(400);
    expect((await call('op1', 'POST', '/api/duty/incidents/mark', { cameraIds: [d.cameras.r1front], source: 'playback', category: 'cheating', description: '没有位置' })).statusCode).toBe(400);
  });

  it('issue 18 item 6: the patrol log shows notes written while watching (viewings come from the video.live.end audit)', async () => {
    expect((await call('op1', 'POST', '/api/duty/patrol-notes', { cameraId: d.cameras.r1front, text: '第01考场秩序正常' })).statusCode).toBe(200);
    await d.t.app.audit.record(await d.t.actor(u.op1), { action: 'video.live.end', objectType: 'camera', objectId: d.cameras.r1front, scopePath: (await repos(d.t.app.store.db).cameras.get({ kind: 'all' }, d.cameras.r1front))!.site_path, detail: { durationMs: 90_000, startedAtMs: bj('2026-06-07 09:58') } });
    const log = (await call('city', 'GET', `/api/duty/patrol-log?fromMs=${bj('2026-06-07 00:00')}&toMs=${bj('2026-06-08 00:00')}`)).json() as { viewings: unknown[]; totals: unknown[]; notes: unknown[] };
    expect(log.viewings).toEqual([expect.objectContaining({ username: u.op1, cameraName: '前置', roomName: '第01考场', durationMs: 90_000 })]);
    expect(log.totals).toEqual([expect.objectContaining({ username: u.op1, roomName: '第01考场', viewings: 1, durationMs: 90_000 })]);
    expect(log.notes).toEqual([expect.objectContaining({ username: u.op1, text: '第01考场秩序正常' })]);
  });
});
