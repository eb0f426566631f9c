// Catalog change events applied to a lower's remote channels on both databases (R-FN-3, R-FLT-1):
// ADD/UPDATE upsert one item (no duplicate when the item is already there, as after the full
// catalog query), DEL removes it, ON/OFF set its status and VLOST/DEFECT mark it OFF, the lower's
// channel count follows, and an UPDATE naming the lower itself asks for a full query instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCatalogEvents } from '../../src/cascade/catalog-events.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const LOWER = '32010600002000000001';
const ROOM = '32010600002160000002';
const CH = ['32010600001310000001', '32010600001310000002'];

describe.each(DIALECTS)('catalog events applied to remote channels on %s', (dialect) => {
  let t: TestApp;
  let lower = { id: 0, sipId: LOWER };
  const now = Date.UTC(2026, 5, 7, 8, 0, 0);
  const channels = async () => (await repos(t.app.store.db).cascade.channels(lower.id)).map((c) => ({ id: c.device_id, name: c.name, kind: c.item_kind, status: c.status, parent: c.parent_id }));
  const count = async () => Number((await repos(t.app.store.db).cascade.getLower({ kind: 'all' }, lower.id))!.channel_count);

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const root = (await repos(t.app.store.db).org.list({ kind: 'all' }))[0];
    const id = await repos(t.app.store.db).cascade.insertLower({ sip_id: LOWER, name: '考点', kind: 'platform', org_node_id: root.id, ha1: '0'.repeat(32), enabled: 1, online: 1, channel_count: 0, created_at_ms: now, updated_at_ms: now });
    lower = { id, sipId: LOWER };
  });
  afterAll(async () => t?.close());

  it('R-FN-3: ADD inserts items once, UPDATE changes them in place, and the channel count follows', async () => {
    const add = [{ deviceId: ROOM, name: '第01考场', parental: 1, parentId: LOWER, event: 'ADD' }, { deviceId: CH[0], name: '前门', parentId: ROOM, status: 'ON', event: 'ADD' }, { deviceId: CH[1], name: '后门', parentId: `${LOWER}/${ROOM}`, status: 'ONLINE' }];
    expect(await applyCatalogEvents(t.app.store, lower, add, now)).toEqual({ applied: 3, fullQuery: false });
    expect(await applyCatalogEvents(t.app.store, lower, add, now)).toEqual({ applied: 3, fullQuery: false }); // again: no duplicates
    expect(await channels()).toEqual([
      { id: ROOM, name: '第01考场', kind: 'group', status: null, parent: LOWER },
      { id: CH[0], name: '前门', kind: 'channel', status: 'ON', parent: ROOM },
      { id: CH[1], name: '后门', kind: 'channel', status: 'ON', parent: ROOM },
    ]);
    expect(await count()).toBe(2);
    const rowId = (await repos(t.app.store.db).cascade.channels(lower.id)).find((c) => c.device_id === CH[0])!.id;
    await applyCatalogEvents(t.app.store, lower, [{ deviceId: CH[0], name: '侧门', parentId: ROOM, status: 'ON', event: 'UPDATE' }], now + 1000);
    const row = (await repos(t.app.store.db).cascade.channels(lower.id)).find((c) => c.device_id === CH[0])!;
    expect([row.id, row.name, Number(row.updated_at_ms)]).toEqual([rowId, '侧门', now + 1000]);
  });

  it('R-FLT-1: OFF, VLOST and DEFECT mark a channel OFF, ON brings it back', async () => {
    for (const event of ['OFF', 'ON', 'VLOST', 'ON', 'DEFECT']) {
      await applyCatalogEvents(t.app.store, lower, [{ deviceId: CH[1], event }], now);
      expect((await channels()).find((c) => c.id === CH[1])?.status).toBe(event === 'ON' ? 'ON' : 'OFF');
    }
  });

  it('R-FN-3: DEL removes the item; the lower naming itself asks for a full catalog query', async () => {
    expect(await applyCatalogEvents(t.app.store, lower, [{ deviceId: CH[1], event: 'DEL' }, { deviceId: LOWER, event: 'UPDATE' }], now)).toEqual({ applied: 1, fullQuery: true });
    expect((await channels()).map((c) => c.id)).toEqual([ROOM, CH[0]]);
    expect(await count()).toBe(1);
    expect(await applyCatalogEvents(t.app.store, lower, [{ deviceId: CH[1], event: 'DEL' }], now)).toEqual({ applied: 1, fullQuery: false }); // already gone: harmless
    expect(await count()).toBe(1);
  });
});
