// 存为预置位 (R-DIS-2; docs/design/duty.md "PTZ lock", storing presets from the console), through the
// real HTTP stack on both databases against the simulator's ONVIF PTZ service: an administrator,
// outside the camera's exam/custody windows, stores the current position as a named preset (SetPreset
// arrives at the camera with the name) and it is approved for the windows in the same step (audited
// ptz.preset.store); in a window it is refused (403 ptz_locked, audited, nothing reaches the camera);
// an operator is refused (403); a camera without ONVIF is not approved (409, audited as error).
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { startOnvifSim, startSimulator } from '../../src/sim/index.ts';
import type { OnvifSim, Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { PASSWORD, bj, closeDay, examDay } from '../exams/fixture.ts';

describe.each(DIALECTS)('duty: an administrator stores a named preset and approves it, outside windows only, on %s (R-DIS-2)', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  let sim: Simulator;
  let onvif: OnvifSim;
  const u: Record<string, string> = {};
  const login: Record<string, { cookie: string; csrf: string }> = {};
  const call = (who: string, url: string, payload: Record<string, unknown>) => server.inject({ method: 'POST', url, headers: { cookie: login[who].cookie, 'x-csrf-token': login[who].csrf }, payload });
  const records = async (action: string) => (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action, limit: 50 })).records.map((r) => `${r.username}:${r.outcome}`);
  async function loginAll() {
    for (const [key, username] of Object.entries(u)) {
      const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: key === 'admin' ? ADMIN_PASSWORD : PASSWORD } });
      login[key] = { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
    }
  }

  beforeAll(async () => {
    d = await examDay(dialect);
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    u.admin = 'admin';
    u.op1 = (await d.user('operator', '南京市第一中学考点')).username;
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

  it('R-DIS-2: in the exam window the store is refused and nothing reaches the camera; outside it the administrator stores 全景 (SetPreset with the name) and it is approved; an operator cannot', async () => {
    const cam = d.cameras.r1front;
    const url = `/api/cameras/${cam}/ptz-presets/store`;
    d.t.clock.set(bj('2026-06-07 10:00'));
    await loginAll();
    const inWindow = await call('admin', url, { presetNo: 3, label: '讲台全景' });
    expect(inWindow.statusCode).toBe(403);
    expect(inWindow.json()).toMatchObject({ details: { rule: 'ptz_locked' } });
    expect(onvif.calls.get('SetPreset') ?? 0).toBe(0);
    expect(await repos(d.t.app.store.db).dutyCases.approvedPresets(cam)).toHaveLength(0);
    expect(await records('ptz.command')).toContain('admin:denied');

    d.t.clock.set(bj('2026-06-07 20:00'));
    await loginAll();
    expect((await call('op1', url, { presetNo: 3, label: '讲台全景' })).statusCode).toBe(403);
    expect(onvif.calls.get('SetPreset') ?? 0).toBe(0);
    const ok = await call('admin', url, { presetNo: 3, label: '讲台全景' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ via: 'onvif', presets: [{ presetNo: 3, label: '讲台全景', approvedBy: 'admin' }] });
    expect(onvif.ptz('ptz-1').stored).toEqual({ '3': '讲台全景' });
    expect(await records('ptz.preset.store')).toEqual(expect.arrayContaining(['admin:ok', `${u.op1}:denied`]));

    // A camera without an ONVIF address cannot store it: not approved, audited as an error.
    const plain = await call('admin', `/api/cameras/${d.cameras.r1rear}/ptz-presets/store`, { presetNo: 1, label: '全景' });
    expect(plain.statusCode).toBe(409);
    expect((plain.json() as { message: string }).message).toContain('未配置 ONVIF 地址');
    expect(await repos(d.t.app.store.db).dutyCases.approvedPresets(d.cameras.r1rear)).toHaveLength(0);
    expect(await records('ptz.preset.store')).toContain('admin:error');

    // Back in the window the stored, approved preset is callable; moving is not.
    d.t.clock.set(bj('2026-06-07 10:00'));
    await loginAll();
    expect((await call('op1', `/api/cameras/${cam}/ptz`, { kind: 'preset', action: 'call', preset: 3 })).json()).toMatchObject({ allowed: true, forwarded: true });
    expect((await call('op1', `/api/cameras/${cam}/ptz`, { kind: 'ptz', pan: 'left' })).statusCode).toBe(403);
  });
});
