// The upper applies a lower's catalog change events (§9.11.2) to remote_channel one item at a
// time instead of querying the whole catalog again: ADD/UPDATE upsert the item, DEL removes it,
// ON/OFF set its status, VLOST (video lost) and DEFECT (fault) mark it OFF — it cannot be watched.
// An UPDATE/ADD naming the lower itself means "my whole catalog changed": the caller re-queries.
import type { CatalogItem } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { itemKind } from './catalog.ts';

/** remote_channel columns of one catalog item (as sent, clipped to the column sizes). */
export function channelRowOf(it: CatalogItem, nowMs: number) {
  return {
    device_id: it.deviceId.slice(0, 20), parent_id: it.parentId?.split('/').pop()?.slice(0, 20) ?? null, name: (it.name ?? it.deviceId).slice(0, 128),
    item_kind: itemKind(it), status: it.status ? normaliseStatus(it.status) : null, civil_code: it.civilCode?.slice(0, 12) ?? null,
    manufacturer: it.manufacturer?.slice(0, 64) ?? null, model: it.model?.slice(0, 64) ?? null, parental: it.parental ?? 0, updated_at_ms: nowMs,
    business_group_id: it.businessGroupId?.slice(0, 20) ?? null,
    // Only well-formed standard fields reach here (the parser drops the rest), so storing them is safe to relay.
    info_json: it.info && Object.keys(it.info).length > 0 ? JSON.stringify(it.info) : null,
  };
}

/** Devices say ONLINE/OFFLINE as often as ON/OFF; stored as ON/OFF. */
export function normaliseStatus(s: string): string {
  const u = s.trim().toUpperCase();
  return u === 'ONLINE' ? 'ON' : u === 'OFFLINE' ? 'OFF' : u.slice(0, 8);
}

export interface AppliedEvents {
  /** Items whose event was applied (the lower's own item excluded). */
  applied: number;
  /** The lower announced a change of its whole catalog: query it again. */
  fullQuery: boolean;
}

/** Applies the events in one transaction: all of them or, on a database error, none. */
export async function applyCatalogEvents(store: Store, lower: { id: number; sipId: string }, items: readonly CatalogItem[], nowMs: number): Promise<AppliedEvents> {
  let applied = 0;
  let fullQuery = false;
  let membership = false;
  await store.db.transaction().execute(async (trx) => {
    const r = repos(trx).cascade;
    for (const it of items) {
      // Without <Event> an item with its details is what ADD would carry (devices omit it).
      const event = it.event ?? 'ADD';
      if (it.deviceId === lower.sipId) {
        fullQuery ||= event === 'ADD' || event === 'UPDATE';
        continue;
      }
      switch (event) {
        case 'ADD':
        case 'UPDATE':
          await r.upsertChannel(lower.id, channelRowOf(it, nowMs));
          if (it.status === 'ON') await r.clearAlarms(lower.id, [it.deviceId], nowMs);
          membership = true;
          break;
        case 'DEL':
          membership = (await r.deleteChannel(lower.id, it.deviceId)) || membership;
          break;
        case 'ON':
          await r.setChannelStatus(lower.id, it.deviceId, 'ON', nowMs);
          await r.clearAlarms(lower.id, [it.deviceId], nowMs); // the fault reported for it is over (R-FLT-1)
          break;
        default: // OFF, VLOST, DEFECT
          await r.setChannelStatus(lower.id, it.deviceId, 'OFF', nowMs);
      }
      applied++;
    }
    if (membership) await r.setStatus(lower.id, { channel_count: await r.countChannels(lower.id) }, nowMs);
  });
  return { applied, fullQuery };
}
