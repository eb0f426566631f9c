// MANSCDP message types (GB/T 28181-2016 Annex A) this system sends and receives. `kind` is the
// discriminator; unknown root/CmdType pairs come back as kind 'other' with the raw tree.
import type { CatalogItem, CatalogResponse } from './catalog.ts';
import type { PtzDecoded } from '../ptz.ts';
import type { FieldSpec } from './fields.ts';
import type { XmlNode } from './xml.ts';

interface Head {
  sn: number;
  /** Target (query/control) or source (response/notify) 20-digit ID. */
  deviceId: string;
}

export interface SimpleQuery extends Head {
  kind: 'catalog-query' | 'device-info-query' | 'device-status-query';
}

export interface RecordInfoQuery extends Head {
  kind: 'record-info-query';
  /** YYYY-MM-DDTHH:mm:ss Beijing time (see time.ts). */
  startTime: string;
  endTime: string;
  filePath?: string;
  address?: string;
  secrecy?: number;
  /** 'time' | 'alarm' | 'manual' | 'all'. */
  type?: string;
  recorderId?: string;
}

export interface DeviceInfoResponse extends Head {
  kind: 'device-info-response';
  result: string;
  deviceName?: string;
  manufacturer?: string;
  model?: string;
  firmware?: string;
  channel?: number;
  /** The camera's resolution as GB/T 28181 Annex F (SDP f field) codes, '/'-separated (resolutionCode()). */
  resolution?: string;
}

export interface DeviceStatusResponse extends Head {
  kind: 'device-status-response';
  result: string;
  /** 'ONLINE' | 'OFFLINE'. */
  online: string;
  /** 'OK' | 'ERROR'. */
  status: string;
  reason?: string;
  encode?: string;
  record?: string;
  deviceTime?: string;
  alarmStatus?: Array<{ deviceId: string; dutyStatus: string }>;
}

export interface RecordItem {
  deviceId: string;
  name?: string;
  filePath?: string;
  address?: string;
  startTime: string;
  endTime: string;
  secrecy?: number;
  type?: string;
  recorderId?: string;
  fileSize?: number;
}

export interface RecordInfoResponse extends Head {
  kind: 'record-info-response';
  name?: string;
  sumNum: number;
  items: RecordItem[];
}

export interface ControlResponse extends Head {
  kind: 'control-response';
  result: string;
}

export interface Keepalive extends Head {
  kind: 'keepalive';
  status: string;
  /** Faulty sub-device IDs from <Info><DeviceID>…. */
  faultyDeviceIds?: string[];
}

export interface AlarmNotify extends Head {
  kind: 'alarm';
  /** 1 = level 1 (highest) … 4. */
  alarmPriority: number;
  /** 1 phone, 2 device, 3 SMS, 4 GPS, 5 video, 6 device fault, 7 other. */
  alarmMethod: number;
  alarmTime: string;
  alarmDescription?: string;
  longitude?: number;
  latitude?: number;
  alarmType?: number;
}

/** Catalog change notification (§9.11.2, NOTIFY body): each item carries its <Event>. */
export interface CatalogNotify extends Head {
  kind: 'catalog-notify';
  sumNum: number;
  items: CatalogItem[];
}

/** Alarm query, also the body of an alarm SUBSCRIBE (§9.11.1): which alarms the subscriber wants. */
export interface AlarmQuery extends Head {
  kind: 'alarm-query';
  /** 0 or absent = all; 1 (highest) … 4. */
  startAlarmPriority?: number;
  endAlarmPriority?: number;
  /** Digits of the wanted AlarmMethods ('0' = all, '12' = phone or device). */
  alarmMethod?: string;
  alarmType?: string;
  startAlarmTime?: string;
  endAlarmTime?: string;
}

export interface DeviceControl extends Head {
  kind: 'device-control';
  /** Raw <PTZCmd> hex, and its decoding (R-DIS-2: policed before forwarding). */
  ptzCmd?: string;
  ptz?: PtzDecoded;
  controlPriority?: number;
  /** Other control commands (TeleBoot, RecordCmd, GuardCmd, AlarmCmd, IFameCmd, …) as text. */
  other?: Record<string, string>;
}

/**
 * MediaStatus notification (2016 §9.9 / Annex A.2.5): the sender of a Playback/Download stream
 * tells the receiver the file is done (NotifyType 121); DeviceID is the channel. Sent inside the
 * INVITE dialog, so the receiver matches it to the session by Call-ID.
 */
export interface MediaStatusNotify extends Head {
  kind: 'media-status';
  /** 121 = end of the file (the only type the standards define). */
  notifyType: number;
}

export interface OtherMessage extends Head {
  kind: 'other';
  root: string;
  cmdType: string;
  tree: XmlNode;
}

export type ManscdpMessage =
  | SimpleQuery | RecordInfoQuery | CatalogResponse | DeviceInfoResponse | DeviceStatusResponse | RecordInfoResponse
  | ControlResponse | Keepalive | AlarmNotify | DeviceControl | MediaStatusNotify | CatalogNotify | AlarmQuery | OtherMessage;

export type { CatalogItem, CatalogResponse };

/** kind → [root element, CmdType]. */
export const KIND_NAMES: Record<Exclude<ManscdpMessage['kind'], 'other'>, readonly [string, string]> = {
  'catalog-query': ['Query', 'Catalog'],
  'device-info-query': ['Query', 'DeviceInfo'],
  'device-status-query': ['Query', 'DeviceStatus'],
  'record-info-query': ['Query', 'RecordInfo'],
  'catalog-response': ['Response', 'Catalog'],
  'device-info-response': ['Response', 'DeviceInfo'],
  'device-status-response': ['Response', 'DeviceStatus'],
  'record-info-response': ['Response', 'RecordInfo'],
  'control-response': ['Response', 'DeviceControl'],
  keepalive: ['Notify', 'Keepalive'],
  alarm: ['Notify', 'Alarm'],
  'media-status': ['Notify', 'MediaStatus'],
  'device-control': ['Control', 'DeviceControl'],
  'catalog-notify': ['Notify', 'Catalog'],
  'alarm-query': ['Query', 'Alarm'],
};

export const RECORD_QUERY_FIELDS: readonly FieldSpec[] = [
  ['startTime', 'StartTime', 'str'], ['endTime', 'EndTime', 'str'], ['filePath', 'FilePath', 'str'], ['address', 'Address', 'str'],
  ['secrecy', 'Secrecy', 'int'], ['type', 'Type', 'str'], ['recorderId', 'RecorderID', 'str'],
];
export const RECORD_ITEM_FIELDS: readonly FieldSpec[] = [
  ['deviceId', 'DeviceID', 'str'], ['name', 'Name', 'str'], ['filePath', 'FilePath', 'str'], ['address', 'Address', 'str'],
  ['startTime', 'StartTime', 'str'], ['endTime', 'EndTime', 'str'], ['secrecy', 'Secrecy', 'int'], ['type', 'Type', 'str'],
  ['recorderId', 'RecorderID', 'str'], ['fileSize', 'FileSize', 'int'],
];
export const DEVICE_INFO_FIELDS: readonly FieldSpec[] = [
  ['deviceName', 'DeviceName', 'str'], ['result', 'Result', 'str'], ['manufacturer', 'Manufacturer', 'str'],
  ['model', 'Model', 'str'], ['firmware', 'Firmware', 'str'], ['channel', 'Channel', 'int'], ['resolution', 'Resolution', 'str'],
];
export const DEVICE_STATUS_FIELDS: readonly FieldSpec[] = [
  ['result', 'Result', 'str'], ['online', 'Online', 'str'], ['status', 'Status', 'str'], ['reason', 'Reason', 'str'],
  ['encode', 'Encode', 'str'], ['record', 'Record', 'str'], ['deviceTime', 'DeviceTime', 'str'],
];
export const ALARM_QUERY_FIELDS: readonly FieldSpec[] = [
  ['startAlarmPriority', 'StartAlarmPriority', 'int'], ['endAlarmPriority', 'EndAlarmPriority', 'int'], ['alarmMethod', 'AlarmMethod', 'str'],
  ['alarmType', 'AlarmType', 'str'], ['startAlarmTime', 'StartAlarmTime', 'str'], ['endAlarmTime', 'EndAlarmTime', 'str'],
];
export const ALARM_FIELDS: readonly FieldSpec[] = [
  ['alarmPriority', 'AlarmPriority', 'int'], ['alarmMethod', 'AlarmMethod', 'int'], ['alarmTime', 'AlarmTime', 'str'],
  ['alarmDescription', 'AlarmDescription', 'str'], ['longitude', 'Longitude', 'num'], ['latitude', 'Latitude', 'num'],
];
