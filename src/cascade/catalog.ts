// What this node shows its upper level: the org tree as virtual organisations (216) with
// ParentID, rooms under their site, cameras as channels with ON/OFF, and — when this node is
// itself an upper — its lower platforms and their remote channels (ParentIDs kept), so a
// province sees sites through a city (R-FN-3).
import { cleanCatalogInfo, resolutionCode } from '../gb28181/index.ts';
import type { CatalogInfo, CatalogItem } from '../gb28181/index.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { openNetwork } from '../org/network-config.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { RoomRow } from '../store/repos/room-repo.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { RemoteChannelRow } from '../store/repos/cascade-repo.ts';

export interface CatalogDeps {
  store: Store;
  /** Live state of a local camera: ON when frames flow. */
  cameraOnline(cameraId: number): boolean;
  /** True when the camera has an ONVIF address (an allowed PTZ command may move it); unknown when absent. */
  onvifCapable?(camera: CameraRow): boolean | undefined;
}

export interface CatalogOptions {
  includeRemote: boolean;
  /** The upper's GB version: a 2016 upper reads BusinessGroupID inside <Info> (2016 A.2.4.4), so it goes there too. */
  gbVersion?: '2016' | '2022';
}

/** Name of the one business group this node shows (the exam patrol). */
export const BUSINESS_GROUP_NAME = '考试巡查';

/** The business group's id: this node's 10-digit domain, type 215, serial 1. */
export function businessGroupId(selfId: string): string {
  return `${selfId.slice(0, 10)}2150000001`;
}

export async function buildCatalog(deps: CatalogDeps, selfId: string, opts: CatalogOptions): Promise<CatalogItem[]> {
  const r = repos(deps.store.db);
  const all = { kind: 'all' } as const;
  const [nodes, rooms, cameras, sizes] = await Promise.all([r.org.list(all), r.rooms.list(all), r.cameras.list(all), r.recordings.latestVideoSizes()]);
  const nodeCode = new Map(nodes.map((n) => [n.id, n.gb_code]));
  const roomById = new Map(rooms.map((x) => [x.id, x]));
  // A camera pulled from a lower's channel (gb28181://<id>) describes itself as that channel did.
  // Read once: relayed below (includeRemote) and the source of a pulled camera's Info (gb28181://<id>).
  const pulls = cameras.some((c) => c.source_kind === 'gb28181');
  const channels = opts.includeRemote || pulls ? await r.cascade.allChannels() : [];
  const remoteInfo = new Map<string, CatalogInfo>();
  if (pulls) for (const ch of channels) if (ch.info_json) remoteInfo.set(ch.device_id, storedCatalogInfo(ch.info_json));
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
    const info = cameraInfo(c, room, { size: sizes.get(c.id), remote: remoteInfo.get(c.main_stream), onvif: deps.onvifCapable?.(c) });
    if (opts.gbVersion === '2016') info.BusinessGroupID = group;
    items.push({
      deviceId: c.gb_code, name: c.name, manufacturer: 'xuncha', model: c.source_kind, owner: 'xuncha', civilCode: c.gb_code.slice(0, 6),
      address: room?.name ?? '', parental: 0, parentId: room?.gb_code ?? selfId, registerWay: 1, secrecy: 0,
      status: deps.cameraOnline(c.id) ? 'ON' : 'OFF', businessGroupId: group, info,
    });
  }
  if (!opts.includeRemote) return items;
  const seen = new Set(items.map((i) => i.deviceId));
  const lowers = await r.cascade.listLowers(all);
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
      if (ch.info_json) it.info = storedCatalogInfo(ch.info_json);
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

/** `CatalogDeps.onvifCapable` from the node's secret box: whether the camera's sealed network config names an ONVIF address. */
export function onvifCapability(box: SecretBox | undefined): (c: CameraRow) => boolean | undefined {
  return (c) => {
    if (!box) return undefined;
    try {
      return Boolean(openNetwork(box, c.network_enc)?.onvifUrl);
    } catch {
      return undefined; // unreadable (key changed): unknown, so PTZType is left out
    }
  };
}

/**
 * The 2016/2022 <Info> of one of our cameras: only what this node knows, nothing invented (a
 * peer treats a present field as fact). Unknown here: PositionType, UseType, SupplyLightType,
 * DirectionType, PhotoelectricImagingType, CapturePositionType, field angles, MAC, install time.
 */
export function cameraInfo(
  c: Pick<CameraRow, 'source_kind'>, room: Pick<RoomRow, 'kind'> | undefined,
  known: { size?: { width: number; height: number }; remote?: CatalogInfo; onvif?: boolean },
): CatalogInfo {
  const info: CatalogInfo = {};
  // PTZType 3 (fixed) when nothing can move it: no ONVIF address and not a lower's channel (whose own type is relayed).
  if (c.source_kind === 'gb28181') {
    if (known.remote?.PTZType) info.PTZType = known.remote.PTZType;
  } else if (known.onvif === false && c.source_kind === 'rtsp') info.PTZType = '3';
  // Exam rooms, labs, offices and monitoring rooms are indoors (2 = 室内); an 'other' place may not be.
  if (room && room.kind !== 'other') info.RoomType = '2';
  // Annex F code of the latest main-stream recording: stable, so a reconnect is no catalog change.
  const resolution = known.size ? resolutionCode(known.size.width, known.size.height) : undefined;
  if (resolution !== undefined) info.Resolution = String(resolution);
  else if (known.remote?.Resolution) info.Resolution = known.remote.Resolution;
  info.DownloadSpeed = '1/2/4/8'; // the Download speeds our INVITE serves
  // 2022: "000000" when not built by a grassroots organisation; 9 = a point outside the public-security classes.
  info.GrassrootsCode = '000000';
  info.PointType = '9';
  // Known but not sent, to keep a camera item in one UDP message (RFC 3261 §18.1.1, issue 15 defect 5):
  // StreamNumberList 0 and SVC modes 0 (absent means the same to a peer), ManagementUnit (the site is the 216 parent).
  return info;
}

/** A remote channel's stored Info (remote_channel.info_json), re-checked field by field. */
export function storedCatalogInfo(json: string): CatalogInfo {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' ? cleanCatalogInfo(v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
