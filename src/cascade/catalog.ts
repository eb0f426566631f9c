// What this node shows its upper level: the org tree as virtual organisations (216) with
// ParentID, rooms under their site, cameras as channels with ON/OFF, and — when this node is
// itself an upper — its lower platforms and their remote channels (ParentIDs kept), so a
// province sees sites through a city (R-FN-3).
import { resolutionCode } from '../gb28181/index.ts';
import type { CatalogItem } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { RemoteChannelRow } from '../store/repos/cascade-repo.ts';

export interface CatalogDeps {
  store: Store;
  /** Live state of a local camera: ON when frames flow. */
  cameraOnline(cameraId: number): boolean;
}

/** Name of the one business group this node shows (the exam patrol). */
export const BUSINESS_GROUP_NAME = '考试巡查';

/** The business group's id: this node's 10-digit domain, type 215, serial 1. */
export function businessGroupId(selfId: string): string {
  return `${selfId.slice(0, 10)}2150000001`;
}

export async function buildCatalog(deps: CatalogDeps, selfId: string, opts: { includeRemote: boolean }): Promise<CatalogItem[]> {
  const r = repos(deps.store.db);
  const all = { kind: 'all' } as const;
  const [nodes, rooms, cameras, sizes] = await Promise.all([r.org.list(all), r.rooms.list(all), r.cameras.list(all), r.recordings.latestVideoSizes()]);
  const nodeCode = new Map(nodes.map((n) => [n.id, n.gb_code]));
  const roomById = new Map(rooms.map((x) => [x.id, x]));
  // The standard's tree (2016 §9.6 / 2022 Annex O): system → business group (215) → virtual
  // organisations (216) → channels; 216s and channels name their business group.
  const group = businessGroupId(selfId);
  const items: CatalogItem[] = [{ deviceId: group, name: BUSINESS_GROUP_NAME, parentId: selfId, parental: 1 }];
  for (const n of nodes) {
    items.push({ deviceId: n.gb_code, name: n.name, parentId: (n.parent_id !== null ? nodeCode.get(n.parent_id) : undefined) ?? group, parental: 1, civilCode: n.region_code, businessGroupId: group });
  }
  for (const room of rooms) {
    items.push({ deviceId: room.gb_code, name: room.name, parentId: nodeCode.get(room.site_id) ?? group, parental: 1, businessGroupId: group });
  }
  for (const c of cameras) {
    const room = roomById.get(c.room_id);
    // 2022 <Info> Resolution (Annex F code) from the last recording: stable, so a reconnect is no catalog change.
    const size = sizes.get(c.id);
    const resolution = size ? resolutionCode(size.width, size.height) : undefined;
    items.push({
      deviceId: c.gb_code, name: c.name, manufacturer: 'xuncha', model: c.source_kind, owner: 'xuncha', civilCode: c.gb_code.slice(0, 6),
      address: room?.name ?? '', parental: 0, parentId: room?.gb_code ?? selfId, registerWay: 1, secrecy: 0,
      status: deps.cameraOnline(c.id) ? 'ON' : 'OFF', businessGroupId: group,
      // 2022 <Info>: 3 = fixed camera (nothing here moves it: no ONVIF PTZ); Download speeds we serve.
      info: { PTZType: '3', ...(resolution !== undefined ? { Resolution: String(resolution) } : {}), DownloadSpeed: '1/2/4/8' },
    });
  }
  if (!opts.includeRemote) return items;
  const seen = new Set(items.map((i) => i.deviceId));
  const lowers = await r.cascade.listLowers(all);
  const channels = await r.cascade.allChannels();
  const byLower = new Map<number, RemoteChannelRow[]>();
  for (const ch of channels) (byLower.get(ch.lower_id) ?? byLower.set(ch.lower_id, []).get(ch.lower_id)!).push(ch);
  for (const l of lowers) {
    if (seen.has(l.sip_id)) continue;
    seen.add(l.sip_id);
    items.push({ deviceId: l.sip_id, name: l.name, parentId: nodeCode.get(l.org_node_id) ?? selfId, parental: 1, status: l.online ? 'ON' : 'OFF' });
    for (const ch of byLower.get(l.id) ?? []) {
      if (seen.has(ch.device_id)) continue;
      seen.add(ch.device_id);
      const it: CatalogItem = { deviceId: ch.device_id, name: ch.name, parentId: ch.parent_id ?? l.sip_id, parental: ch.parental };
      if (ch.status) it.status = l.online ? ch.status : 'OFF';
      if (ch.civil_code) it.civilCode = ch.civil_code;
      if (ch.manufacturer) it.manufacturer = ch.manufacturer;
      if (ch.model) it.model = ch.model;
      // Relayed as the lower named it (issue 15), so the upper's upper can draw the same tree.
      if (ch.business_group_id) it.businessGroupId = ch.business_group_id;
      items.push(it);
    }
  }
  return items;
}

/** How the upper files a catalog item: a playable channel, a group of the tree, or another device. */
export function itemKind(item: Pick<CatalogItem, 'deviceId' | 'parental'>): 'channel' | 'group' | 'device' {
  const type = /^\d{20}$/.test(item.deviceId) ? item.deviceId.slice(10, 13) : '';
  if (type === '131' || type === '132') return 'channel';
  if (type === '215' || type === '216' || type === '200' || item.parental === 1) return 'group';
  return 'device';
}
