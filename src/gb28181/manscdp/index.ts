// Public MANSCDP API.
export { parseKeepaliveFast } from './keepalive-fast.ts';
export { parseManscdp, parseManscdpText, encodeManscdp, buildManscdpXml, MANSCDP_CONTENT_TYPE } from './codec.ts';
export { splitCatalog, CATALOG_ITEM_FIELDS } from './catalog.ts';
export { splitToFit, UDP_BODY_BUDGET_BYTES } from './split.ts';
export type { SplitLimits } from './split.ts';
export { CATALOG_EVENTS, isCatalogEvent, normaliseCatalogEvents, splitCatalogNotify, alarmMatchesQuery, encodeResultResponse, GB_EVENT_PACKAGES, gbSubscriptionKind } from './subscription.ts';
export type { CatalogEvent, GbSubscriptionKind } from './subscription.ts';
export { ManscdpError, decodeManscdpBody, isGb18030, MANSCDP_MAX_BYTES, MANSCDP_MAX_DEPTH } from './xml.ts';
export { formatGbTime, parseGbTime } from './time.ts';
export type { CharsetNote, ManscdpCharset, XmlElement } from './xml.ts';
export { xmlDocument } from './xml.ts';
export type * from './messages.ts';
export { readDeviceConfig } from './device-config.ts';
export { readBroadcast } from './broadcast.ts';
export type { BroadcastNotify } from './broadcast.ts';
export type { BasicParamConfig, DeviceConfigRequest } from './device-config.ts';
