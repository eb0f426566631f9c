// Tickets closing by themselves, on both databases (R-FLT-1; docs/design/ledger.md "Faults that
// cleared by themselves"): an automatic ticket nobody touched whose device has been measured healthy
// for 10 min is closed by the system — stated (its label and event say so), audited, published
// upward, never as if repaired. A ticket a person took up, a hand-opened one, a recording gap, and a
// fault that recurs within a day are not closed by the system. Injected clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { deviceBody } from '../../src/ledger/schemas.ts';
import type { TicketView } from '../../src/ledger/schemas.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const MIN = 60_000;

describe.each(DIALECTS)('tickets that cleared by themselves on %s (R-FLT-1)', (dialect) => {
  let t: TestApp;
  let a = 0;
  let b = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect, { app: { ledger: { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000 } } });
    const admin = await t.actor('admin');
    const siteId = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.id;
    a = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'switch', code: 'SW-A', name: '交换机甲' }))).id;
    b = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'switch', code: 'SW-B', name: '交换机乙' }))).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = async (id: number) => t.app.ledger.faults.get(await t.actor('admin'), id);

  it('an untouched automatic ticket healthy for 10 min is closed by the system, saying so, audited and published', async () => {
    const id = await t.app.ledger.faults.recordFault(a, 'offline', '设备不可达');
    await t.app.ledger.faults.recordHealthy(a, 'offline');
    t.clock.advance(9 * MIN);
    await t.app.ledger.tick();
    expect((await get(id)).state).toBe('open'); // 9 min < 10 min
    // Down again meanwhile: the healthy span starts over.
    await t.app.ledger.faults.recordFault(a, 'offline', '设备不可达');
    await t.app.ledger.faults.recordHealthy(a, 'offline');
    t.clock.advance(9 * MIN);
    await t.app.ledger.tick();
    expect((await get(id)).state).toBe('open');
    t.clock.advance(2 * MIN);
    await t.app.ledger.tick();
    const closed = await get(id);
    expect(closed).toMatchObject({ state: 'verified', stateLabel: '已自行恢复（未经维修）', selfCleared: true, acknowledgedAtMs: null, repairedAtMs: null });
    const ev = closed.events.at(-1)!;
    expect(ev).toMatchObject({ actor: 'system', action: 'self_cleared', fromState: 'open', toState: 'verified' });
    expect(ev.note).toContain('故障已自行恢复：设备连续正常 11 分钟，期间无人处理，系统关闭工单（未经维修');
    const audit = await t.app.store.db.selectFrom('audit_log').select(['object_id', 'username', 'outcome']).where('action', '=', 'fault.ticket.self_cleared').execute();
    expect(audit).toEqual([{ object_id: String(id), username: 'system', outcome: 'ok' }]);
    // What goes upward says so too: the city and the province see it closed by itself, not repaired.
    const items = await repos(t.app.store.db).uplink.listItems(SYSTEM_ACTOR.scope, { topic: 'fault.ticket' });
    const body = JSON.parse(items.find((i) => i.item_key === String(id))!.body!) as TicketView;
    expect(body).toMatchObject({ state: 'verified', selfCleared: true, stateLabel: '已自行恢复（未经维修）' });
  });

  it('the same fault again within a day is not transient: its ticket stays for a person', async () => {
    const id = await t.app.ledger.faults.recordFault(a, 'offline', '设备不可达');
    await t.app.ledger.faults.recordHealthy(a, 'offline');
    t.clock.advance(30 * MIN);
    await t.app.ledger.tick();
    expect((await get(id)).state).toBe('open');
  });

  it('a ticket a person took up, a hand-opened one and a recording gap are never closed by the system', async () => {
    const admin = await t.actor('admin');
    const taken = await t.app.ledger.faults.recordFault(b, 'offline', '设备不可达');
    await t.app.ledger.faults.act(admin, taken, 'acknowledge');
    await t.app.ledger.faults.recordHealthy(b, 'offline');
    const gap = await t.app.ledger.faults.recordFault(b, 'recording_gap', '录像缺失');
    await t.app.ledger.faults.recordHealthy(b, 'recording_gap');
    const manual = (await t.app.ledger.faults.open(admin, { deviceId: b, kind: 'manual', summary: '外壳破损' })).id;
    t.clock.advance(60 * MIN);
    await t.app.ledger.tick();
    expect([(await get(taken)).state, (await get(gap)).state, (await get(manual)).state]).toEqual(['acknowledged', 'open', 'open']);
  });
});
