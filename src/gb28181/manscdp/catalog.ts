// Catalog items (GB/T 28181-2016 A.2.4.4, with 2022 additions) and splitting a large catalog
// into several Response messages: every part carries the total SumNum so the receiver knows
// when it has them all, and each part's DeviceList Num counts only its own items.
import { catalogInfoElement, readCatalogInfo } from './catalog-info.ts';
import type { CatalogInfo, CatalogInfoField } from './catalog-info.ts';
import { itemsOf, readFields, writeFields } from './fields.ts';
import { ManscdpError } from './xml.ts';
import { splitToFit } from './split.ts';
import type { FieldSpec } from './fields.ts';
import type { XmlElement, XmlNode } from './xml.ts';

export interface CatalogItem {
  deviceId: string;
  name?: string;
  manufacturer?: string;
  model?: string;
  owner?: string;
  civilCode?: string;
  block?: string;
  address?: string;
  /** 1 when the item has children (NVR, organisation), else 0. */
  parental?: number;
  parentId?: string;
  safetyWay?: number;
  /** 1 = RFC 3261 registration, 2 = password-based, 3 = certificate. */
  registerWay?: number;
  certNum?: string;
  certifiable?: number;
  errCode?: number;
  endTime?: string;
  /** 0 = not secret, 1 = secret. */
  secrecy?: number;
  ipAddress?: string;
  port?: number;
  password?: string;
  /** 'ON' | 'OFF' (devices also send 'ONLINE'/'OFFLINE'). */
  status?: string;
  longitude?: number;
  latitude?: number;
  /** The item's business group (215): Item level in 2022, inside <Info> in 2016 (read from either). */
  businessGroupId?: string;
  /** 2022 security level code of the item (Item level), as sent. */
  securityLevelCode?: string;
  /** <Info> fields of 2016 and 2022 (catalog-info.ts), well-formed ones only, as text. */
  info?: CatalogInfo;
  /** Info fields of a received item left out as malformed (for the receiver's warn line). */
  infoRejected?: CatalogInfoField[];
  /** Catalog change notifications only (§9.11.2): ADD, DEL, ON, OFF, UPDATE, VLOST, DEFECT. */
  event?: string;
}

export const CATALOG_ITEM_FIELDS: readonly FieldSpec[] = [
  ['deviceId', 'DeviceID', 'str'], ['name', 'Name', 'str'], ['manufacturer', 'Manufacturer', 'str'], ['model', 'Model', 'str'],
  ['owner', 'Owner', 'str'], ['civilCode', 'CivilCode', 'str'], ['block', 'Block', 'str'], ['address', 'Address', 'str'],
  ['parental', 'Parental', 'int'], ['parentId', 'ParentID', 'str'], ['safetyWay', 'SafetyWay', 'int'],
  ['registerWay', 'RegisterWay', 'int'], ['certNum', 'CertNum', 'str'], ['certifiable', 'Certifiable', 'int'],
  ['errCode', 'ErrCode', 'int'], ['endTime', 'EndTime', 'str'], ['secrecy', 'Secrecy', 'int'], ['ipAddress', 'IPAddress', 'str'],
  ['port', 'Port', 'int'], ['password', 'Password', 'str'], ['status', 'Status', 'str'], ['longitude', 'Longitude', 'num'],
  ['latitude', 'Latitude', 'num'], ['businessGroupId', 'BusinessGroupID', 'str'], ['securityLevelCode', 'SecurityLevelCode', 'str'], ['event', 'Event', 'str'],
];

export function readCatalogItems(root: XmlNode): CatalogItem[] {
  return itemsOf(root, 'DeviceList').map((node) => {
    const item = readFields(node, CATALOG_ITEM_FIELDS) as unknown as CatalogItem;
    if (typeof item.deviceId !== 'string' || item.deviceId === '') throw new ManscdpError('catalog Item without DeviceID');
    const raw = typeof node === 'string' ? undefined : node.Info;
    if (raw !== undefined) {
      const { info, rejected } = readCatalogInfo(raw);
      if (Object.keys(info).length > 0) item.info = info;
      if (rejected.length > 0) item.infoRejected = rejected;
      // 2016 peers name the business group inside <Info> only.
      if (item.businessGroupId === undefined && info.BusinessGroupID !== undefined) item.businessGroupId = info.BusinessGroupID;
    }
    return item;
  });
}

export function catalogItemElements(items: readonly CatalogItem[]): XmlElement {
  return {
    name: 'DeviceList',
    attrs: { Num: items.length },
    children: items.map((it) => {
      const children = writeFields(it, CATALOG_ITEM_FIELDS);
      const info = it.info && catalogInfoElement(it.info);
      if (info) children.push(info);
      // One line per item: ~10 bytes less per field than indented lines, so a long-named camera still fits one UDP message (RFC 3261 §18.1.1).
      return { name: 'Item', children, inline: true };
    }),
  };
}

export interface CatalogResponse {
  kind: 'catalog-response';
  sn: number;
  deviceId: string;
  sumNum: number;
  items: CatalogItem[];
}

/** Splits a catalog into responses of at most `perMessage` items, each with SumNum = total. */
export function splitCatalog(items: readonly CatalogItem[], perMessage: number, head: { sn: number; deviceId: string }, maxBodyBytes?: number): CatalogResponse[] {
  return splitToFit(items, (slice) => ({ kind: 'catalog-response' as const, sn: head.sn, deviceId: head.deviceId, sumNum: items.length, items: slice }), { maxItems: perMessage, maxBodyBytes });
}
