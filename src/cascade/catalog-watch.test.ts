import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../gb28181/index.ts';
import { CatalogWatcher, diffCatalog } from './catalog-watch.ts';

const SITE = { deviceId: '32010600002160000001', name: '考点', parental: 1 };
const ROOM = { deviceId: '32010600002160000002', name: '第01考场', parentId: SITE.deviceId, parental: 1 };
const CAM = { deviceId: '32010600001310000001', name: '前门', parentId: ROOM.deviceId, parental: 0, status: 'ON' };
const map = (items: CatalogItem[]) => new Map(items.map((i) => [i.deviceId, i]));
const log = pino({ level: 'silent' });

describe('catalog changes as GB catalog events (R-FN-3, R-FLT-1)', () => {
  it('R-FN-3: new items are ADD with their details, vanished ones DEL (children first), renames UPDATE', () => {
    expect(diffCatalog(map([SITE, ROOM, CAM]), [SITE, ROOM, CAM])).toEqual([]);
    expect(diffCatalog(map([SITE]), [SITE, ROOM, CAM])).toEqual([{ ...ROOM, event: 'ADD' }, { ...CAM, event: 'ADD' }]);
    expect(diffCatalog(map([SITE, ROOM, CAM]), [SITE])).toEqual([{ deviceId: CAM.deviceId, event: 'DEL' }, { deviceId: ROOM.deviceId, event: 'DEL' }]);
    expect(diffCatalog(map([SITE, ROOM, CAM]), [SITE, ROOM, { ...CAM, name: '后门', status: 'OFF' }])).toEqual([{ ...CAM, name: '后门', status: 'OFF', event: 'UPDATE' }]);
  });

  it('R-FLT-1: a status change alone is ON/OFF with the DeviceID only', () => {
    expect(diffCatalog(map([CAM]), [{ ...CAM, status: 'OFF' }])).toEqual([{ deviceId: CAM.deviceId, event: 'OFF' }]);
    expect(diffCatalog(map([{ ...CAM, status: 'OFF' }]), [CAM])).toEqual([{ deviceId: CAM.deviceId, event: 'ON' }]);
    const { status: _s, ...noStatus } = CAM;
    expect(diffCatalog(map([noStatus]), [CAM])).toEqual([{ ...CAM, event: 'UPDATE' }]); // a status appearing is more than ON/OFF
  });

  it('R-FN-3: the watcher takes a baseline, turns a burst of triggers into one diff, and full() resets the baseline', async () => {
    let current: CatalogItem[] = [SITE, ROOM, CAM];
    let builds = 0;
    const changes: CatalogItem[][] = [];
    const w = new CatalogWatcher({ build: () => Promise.resolve((builds++, current)), onChanges: (c) => changes.push(c), log, debounceMs: 20, resyncMs: 60_000 });
    await w.start();
    current = [SITE, ROOM, { ...CAM, status: 'OFF' }];
    for (let i = 0; i < 5; i++) w.trigger();
    await new Promise((r) => setTimeout(r, 80));
    expect(changes).toEqual([[{ deviceId: CAM.deviceId, event: 'OFF' }]]);
    expect(builds).toBe(2);
    current = [SITE, ROOM];
    expect(await w.full()).toEqual([SITE, ROOM]); // sent whole to a new subscriber…
    w.trigger();
    await new Promise((r) => setTimeout(r, 80));
    expect(changes).toHaveLength(1); // …so nothing more to tell
    w.stop();
  });
});
