// The node's own ledger row (NODE-SERVER) and its tickets seen at the upper, two lowers seeded with
// the same org tree (R-ORG-2, R-FLT-1; docs/design/ledger.md "Upward flow"). Both servers stand
// for the tree's root, so their `ledger.device` items and their tickets arrive with the same origin
// code; under the key `NODE-SERVER` and the ticket id alone they overwrote each other at the upper
// (one server, one ticket seen where there are two of each). Real nodes over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import type { DeviceView } from '../../src/ledger/index.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { CITY, PROVINCE, SITE, addLower, close, open, settingsOf } from './levels.ts';
import type { Node } from './levels.ts';

describe('NODE-SERVER rows of two lowers with the same root at one upper (R-ORG-2, R-FLT-1)', () => {
  const dbs: TestDatabase[] = [];
  let upper: Node | undefined;
  let a: Node | undefined;
  let b: Node | undefined;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dbs.push(await createTestDatabase('sqlite'));
    upper = await open(dbs[0], settingsOf(PROVINCE), 0);
    await addLower(upper, CITY.id, '南京市平台', '南京市');
    await addLower(upper, SITE.id, '鼓楼区平台', '鼓楼区');
    a = await open(dbs[1], settingsOf(CITY, { id: PROVINCE.id, url: upper.url }));
    b = await open(dbs[2], settingsOf(SITE, { id: PROVINCE.id, url: upper.url }));
  }, 60_000);

  afterAll(async () => {
    for (const n of [a, b, upper]) await close(n).catch(() => undefined);
    for (const d of dbs) await d.drop();
  });

  it('each lower\'s server and each server\'s ticket is its own row at the upper, named by the lower it came from', async () => {
    const ids: number[] = [];
    for (const n of [a!, b!]) {
      const id = (await n.app.ledger.health.ensureServerRow())!;
      ids.push(id);
      // A ticket on each server: on fresh databases both have the same ticket id.
      await n.app.ledger.faults.recordFault(id, 'disk', `磁盘剩余空间不足 (${n.settings.id})`);
    }
    const servers = async () => (await upper!.uplink.service.list(SYSTEM_ACTOR, { topic: 'ledger.device' }))
      .filter((it) => (it.body as DeviceView | null)?.code === 'NODE-SERVER').map((it) => it.viaLowerId).sort();
    await expect.poll(servers, { timeout: 30_000, interval: 200 }).toHaveLength(2);
    expect(new Set(await servers()).size).toBe(2);
    const tickets = async () => (await upper!.app.ledger.reported(SYSTEM_ACTOR)).tickets.map((t) => [t.via, t.ticket.summary]).sort();
    await expect.poll(tickets, { timeout: 30_000, interval: 200 }).toEqual([
      ['南京市平台', `磁盘剩余空间不足 (${CITY.id})`],
      ['鼓楼区平台', `磁盘剩余空间不足 (${SITE.id})`],
    ]);
    // A later change of one lower's ticket changes that row only.
    const [t] = await a!.app.ledger.faults.list(SYSTEM_ACTOR, { deviceId: ids[0] });
    await a!.app.ledger.faults.act(SYSTEM_ACTOR, t!.id, 'acknowledge');
    await expect.poll(async () => (await upper!.app.ledger.reported(SYSTEM_ACTOR)).tickets.map((x) => [x.via, x.ticket.state]).sort(), { timeout: 30_000, interval: 200 })
      .toEqual([['南京市平台', 'acknowledged'], ['鼓楼区平台', 'open']]);
  }, 120_000);
});
