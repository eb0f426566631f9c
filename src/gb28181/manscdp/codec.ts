// parseManscdp / encodeManscdp: bytes ⇄ typed MANSCDP messages. Every failure is a ManscdpError
// (bad charset, refused DOCTYPE, malformed XML, missing/ill-typed fields, invalid PTZCmd).
import { decodePtz, PtzError } from '../ptz.ts';
import { catalogItemElements, readCatalogItems } from './catalog.ts';
import { childOf, flatStrings, itemsOf, parseIntField, readFields, textOf, writeFields } from './fields.ts';
import { ALARM_FIELDS, ALARM_QUERY_FIELDS, DEVICE_INFO_FIELDS, DEVICE_STATUS_FIELDS, KIND_NAMES, RECORD_ITEM_FIELDS, RECORD_QUERY_FIELDS } from './messages.ts';
import { parseKeepaliveFast } from './keepalive-fast.ts';
import { normaliseCatalogEvents } from './subscription.ts';
import { decodeManscdpBody, encodeManscdpText, ManscdpError, parseXmlTree, xmlDocument } from './xml.ts';
import type { ManscdpMessage, RecordItem } from './messages.ts';
import type { CharsetNote, ManscdpCharset, XmlElement, XmlNode } from './xml.ts';

const ROOTS = ['Query', 'Response', 'Notify', 'Control'];

/** Parses a MANSCDP body; `note` (optional) receives what decoding found about its charset. */
export function parseManscdp(body: Uint8Array | string, note?: CharsetNote): ManscdpMessage {
  const text = typeof body === 'string' ? body : decodeManscdpBody(body, note);
  // Plain keepalives, the bulk of an upper's traffic, are read without the XML parser.
  return parseKeepaliveFast(text) ?? parseManscdpText(text);
}

/** The full parse of decoded MANSCDP text (what `parseManscdp` does for all but plain keepalives). */
export function parseManscdpText(text: string): ManscdpMessage {
  const tree = parseXmlTree(text);
  const rootName = Object.keys(tree).find((k) => ROOTS.includes(k));
  if (!rootName) throw new ManscdpError(`MANSCDP root must be one of ${ROOTS.join('/')}`);
  const root = tree[rootName];
  if (Array.isArray(root) || typeof root !== 'object') throw new ManscdpError(`<${rootName}> must have children`);
  const cmdType = textOf(root, 'CmdType');
  const snText = textOf(root, 'SN');
  // A Broadcast notification names no DeviceID: its TargetID (the audio output) is the device addressed.
  const deviceId = textOf(root, 'DeviceID') ?? (rootName === 'Notify' && cmdType === 'Broadcast' ? textOf(root, 'TargetID') : undefined);
  if (!cmdType || snText === undefined || !deviceId) throw new ManscdpError('MANSCDP message lacks CmdType, SN or DeviceID');
  const head = { sn: parseIntField(snText, 'SN'), deviceId };
  const kind = (Object.keys(KIND_NAMES) as Array<keyof typeof KIND_NAMES>).find((k) => KIND_NAMES[k][0] === rootName && KIND_NAMES[k][1] === cmdType);
  const f = <T>(specs: Parameters<typeof readFields>[1]): T => readFields(root, specs) as T;
  switch (kind) {
    case 'catalog-query': case 'device-info-query': case 'device-status-query':
      return { kind, ...head };
    case 'record-info-query': {
      const q = f<{ startTime?: string; endTime?: string }>(RECORD_QUERY_FIELDS);
      if (!q.startTime || !q.endTime) throw new ManscdpError('RecordInfo query needs StartTime and EndTime');
      return { kind, ...head, ...q, startTime: q.startTime, endTime: q.endTime };
    }
    case 'catalog-response':
      return { kind, ...head, sumNum: sumNumOf(root), items: readCatalogItems(root) };
    case 'device-info-response':
      return { kind, ...head, result: 'OK', ...f<object>(DEVICE_INFO_FIELDS) };
    case 'device-status-response': {
      const alarms = itemsOf(root, 'Alarmstatus').map((n) => {
        const s = flatStrings(n);
        return { deviceId: s.DeviceID ?? '', dutyStatus: s.DutyStatus ?? '' };
      });
      const base = { result: 'OK', online: 'ONLINE', status: 'OK', ...f<object>(DEVICE_STATUS_FIELDS) };
      return alarms.length > 0 ? { kind, ...head, ...base, alarmStatus: alarms } : { kind, ...head, ...base };
    }
    case 'record-info-response': {
      const items = itemsOf(root, 'RecordList').map((n) => {
        const it = readFields(n, RECORD_ITEM_FIELDS) as unknown as RecordItem;
        if (!it.deviceId || !it.startTime || !it.endTime) throw new ManscdpError('RecordList Item needs DeviceID, StartTime, EndTime');
        return it;
      });
      const name = textOf(root, 'Name');
      return { kind, ...head, ...(name !== undefined ? { name } : {}), sumNum: sumNumOf(root), items };
    }
    case 'control-response':
      return { kind, ...head, result: textOf(root, 'Result') ?? '' };
    case 'keepalive': {
      const info = childOf(root, 'Info');
      const ids = info === undefined || typeof info === 'string' ? [] : ([] as XmlNode[]).concat(info.DeviceID ?? []).filter((x): x is string => typeof x === 'string');
      return { kind, ...head, status: textOf(root, 'Status') ?? 'OK', ...(ids.length > 0 ? { faultyDeviceIds: ids } : {}) };
    }
    case 'alarm': {
      const a = f<{ alarmPriority?: number; alarmMethod?: number; alarmTime?: string }>(ALARM_FIELDS);
      if (a.alarmPriority === undefined || a.alarmMethod === undefined || !a.alarmTime) throw new ManscdpError('Alarm needs AlarmPriority, AlarmMethod, AlarmTime');
      const typeText = textOf(childOf(root, 'Info'), 'AlarmType');
      return { kind, ...head, ...a, alarmPriority: a.alarmPriority, alarmMethod: a.alarmMethod, alarmTime: a.alarmTime, ...(typeText ? { alarmType: parseIntField(typeText, 'AlarmType') } : {}) };
    }
    case 'device-control':
      return parseDeviceControl(root, head);
    case 'media-status': {
      const t = textOf(root, 'NotifyType');
      if (t === undefined) throw new ManscdpError('MediaStatus needs NotifyType');
      return { kind, ...head, notifyType: parseIntField(t, 'NotifyType') };
    }
    case 'catalog-notify':
      return { kind, ...head, sumNum: sumNumOf(root), items: normaliseCatalogEvents(readCatalogItems(root)) };
    case 'alarm-query':
      return { kind, ...head, ...f<object>(ALARM_QUERY_FIELDS) };
    default:
      return { kind: 'other', ...head, root: rootName, cmdType, tree: root };
  }
}

function sumNumOf(root: XmlNode): number {
  const t = textOf(root, 'SumNum');
  return t === undefined ? 0 : parseIntField(t, 'SumNum');
}

function parseDeviceControl(root: XmlNode, head: { sn: number; deviceId: string }): ManscdpMessage {
  const other: Record<string, string> = flatStrings(root);
  for (const k of ['CmdType', 'SN', 'DeviceID', 'PTZCmd']) delete other[k];
  // Commands with parameters (HomePosition, DragZoomIn/Out…) one level deep, as `Command.Param`.
  if (typeof root === 'object') {
    for (const [k, v] of Object.entries(root)) {
      if (k === 'Info' || k.startsWith('@_') || typeof v !== 'object' || Array.isArray(v)) continue;
      for (const [ck, cv] of Object.entries(flatStrings(v))) other[`${k}.${ck}`] = cv;
    }
  }
  const ptzCmd = textOf(root, 'PTZCmd');
  const priority = textOf(childOf(root, 'Info'), 'ControlPriority');
  const msg: ManscdpMessage = { kind: 'device-control', ...head };
  if (ptzCmd !== undefined) {
    try {
      msg.ptz = decodePtz(ptzCmd);
    } catch (e) {
      if (e instanceof PtzError) throw new ManscdpError(`invalid PTZCmd: ${e.message}`);
      throw e;
    }
    msg.ptzCmd = ptzCmd.toUpperCase();
  }
  if (priority !== undefined) msg.controlPriority = parseIntField(priority, 'ControlPriority');
  if (Object.keys(other).length > 0) msg.other = other;
  return msg;
}

/** Builds the XML text (with declaration) for a message. */
export function buildManscdpXml(msg: ManscdpMessage, charset: ManscdpCharset = 'GB2312'): string {
  const [rootName, cmdType] = msg.kind === 'other' ? [msg.root, msg.cmdType] : KIND_NAMES[msg.kind];
  const children: XmlElement[] = [{ name: 'CmdType', text: cmdType }, { name: 'SN', text: msg.sn }, { name: 'DeviceID', text: msg.deviceId }];
  switch (msg.kind) {
    case 'record-info-query':
      children.push(...writeFields(msg, RECORD_QUERY_FIELDS));
      break;
    case 'catalog-response':
    case 'catalog-notify':
      children.push({ name: 'SumNum', text: msg.sumNum }, catalogItemElements(msg.items));
      break;
    case 'alarm-query':
      children.push(...writeFields(msg, ALARM_QUERY_FIELDS));
      break;
    case 'device-info-response':
      children.push(...writeFields(msg, DEVICE_INFO_FIELDS));
      break;
    case 'device-status-response':
      children.push(...writeFields(msg, DEVICE_STATUS_FIELDS));
      if (msg.alarmStatus) {
        children.push({ name: 'Alarmstatus', attrs: { Num: msg.alarmStatus.length }, children: msg.alarmStatus.map((a) => ({ name: 'Item', children: [{ name: 'DeviceID', text: a.deviceId }, { name: 'DutyStatus', text: a.dutyStatus }] })) });
      }
      break;
    case 'record-info-response':
      if (msg.name !== undefined) children.push({ name: 'Name', text: msg.name });
      children.push({ name: 'SumNum', text: msg.sumNum }, { name: 'RecordList', attrs: { Num: msg.items.length }, children: msg.items.map((it) => ({ name: 'Item', children: writeFields(it, RECORD_ITEM_FIELDS) })) });
      break;
    case 'control-response':
      children.push({ name: 'Result', text: msg.result });
      break;
    case 'keepalive':
      children.push({ name: 'Status', text: msg.status });
      if (msg.faultyDeviceIds?.length) children.push({ name: 'Info', children: msg.faultyDeviceIds.map((id) => ({ name: 'DeviceID', text: id })) });
      break;
    case 'alarm':
      children.push(...writeFields(msg, ALARM_FIELDS));
      if (msg.alarmType !== undefined) children.push({ name: 'Info', children: [{ name: 'AlarmType', text: msg.alarmType }] });
      break;
    case 'device-control':
      if (msg.ptzCmd !== undefined) children.push({ name: 'PTZCmd', text: msg.ptzCmd });
      for (const [k, v] of Object.entries(msg.other ?? {})) {
        const [parent, child] = k.split('.', 2);
        if (child === undefined) {
          children.push({ name: k, text: v });
          continue;
        }
        let el = children.find((c) => c.name === parent && c.children);
        if (!el) children.push((el = { name: parent, children: [] }));
        el.children!.push({ name: child, text: v });
      }
      if (msg.controlPriority !== undefined) children.push({ name: 'Info', children: [{ name: 'ControlPriority', text: msg.controlPriority }] });
      break;
    case 'media-status':
      children.push({ name: 'NotifyType', text: msg.notifyType });
      break;
    case 'other':
      throw new ManscdpError('cannot build an unknown MANSCDP message');
    default:
      break;
  }
  return xmlDocument({ name: rootName, children }, charset);
}

/** Encodes a message as a SIP MESSAGE body (Content-Type: Application/MANSCDP+xml). */
export function encodeManscdp(msg: ManscdpMessage, charset: ManscdpCharset = 'GB2312'): Uint8Array {
  return encodeManscdpText(buildManscdpXml(msg, charset), charset);
}

export const MANSCDP_CONTENT_TYPE = 'Application/MANSCDP+xml';
