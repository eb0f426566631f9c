// The GB/T 28181-2022 device queries (A.2.4 queries, A.2.6 responses) that came after PresetQuery:
// HomePositionQuery (看守位), CruiseTrackListQuery / CruiseTrackQuery (巡航轨迹), PTZPosition
// (云台位置) and SDCardStatus (存储卡状态). A Response carries CmdType, SN, DeviceID and then:
//   HomePositionQuery:    <HomePosition><Enabled/><ResetTime/><PresetIndex/></HomePosition> (optional)
//   CruiseTrackListQuery: <SumNum/> <CruiseTrackList Num=""><CruiseTrack><Number/><Name/></CruiseTrack>…
//   CruiseTrackQuery:     <Number/> <Name/> <SumNum/> <CruisePointList Num=""><CruisePoint>
//                         <PresetIndex/><StayTime/><Speed/></CruisePoint>…
//   PTZPosition:          <Pan/><Tilt/><Zoom/><HorizontalFieldAngle/><VerticalFieldAngle/>
//                         <MaxViewDistance/>, each optional (a fixed camera has none)
//   SDCardStatus:         <SumNum/> <SDCardStatusInfo Num=""><Item><ID/><HddName/><Status/>
//                         <FormatProgress/>(formatting only)<Capacity/><FreeSpace/></Item>… (MB)
// The standard spells the PTZ position and card queries without "Query" (CmdType PTZPosition,
// SDCardStatus); peers that add it are answered under the CmdType they asked with.
import { parseIntField, textOf } from './fields.ts';
import type { OtherMessage } from './messages.ts';
import { ManscdpError, xmlDocument } from './xml.ts';
import type { ManscdpCharset, XmlElement } from './xml.ts';

export type DeviceQueryKind = 'home-position' | 'cruise-track-list' | 'cruise-track' | 'ptz-position' | 'sd-card-status';

const KINDS: Record<string, DeviceQueryKind> = {
  HomePositionQuery: 'home-position',
  CruiseTrackListQuery: 'cruise-track-list',
  CruiseTrackQuery: 'cruise-track',
  PTZPosition: 'ptz-position',
  PTZPositionQuery: 'ptz-position',
  SDCardStatus: 'sd-card-status',
  SDCardStatusQuery: 'sd-card-status',
};

export interface DeviceQuery {
  kind: DeviceQueryKind;
  /** The CmdType as asked (the answer uses the same). */
  cmdType: string;
  sn: number;
  deviceId: string;
  /** CruiseTrackQuery: the track asked for. */
  number?: number;
}

/** One of these queries, or undefined for any other message. A CruiseTrackQuery without Number is refused. */
export function readDeviceQuery(msg: OtherMessage): DeviceQuery | undefined {
  const kind = msg.root === 'Query' ? KINDS[msg.cmdType] : undefined;
  if (!kind) return undefined;
  const q: DeviceQuery = { kind, cmdType: msg.cmdType, sn: msg.sn, deviceId: msg.deviceId };
  if (kind === 'cruise-track') {
    const n = textOf(msg.tree, 'Number');
    if (n === undefined) throw new ManscdpError('CruiseTrackQuery needs <Number>');
    q.number = parseIntField(n, 'Number');
  }
  return q;
}

export interface HomePosition {
  enabled: boolean;
  /** Seconds before the camera returns to the home position. */
  resetTimeS?: number;
  presetIndex?: number;
}
export interface CruiseTrack {
  number: number;
  name?: string;
  points: Array<{ presetIndex: number; stayTimeS: number; speed: number }>;
}
export interface PtzPosition {
  pan?: number;
  tilt?: number;
  zoom?: number;
  horizontalFieldAngle?: number;
  verticalFieldAngle?: number;
  maxViewDistance?: number;
}
export interface StorageCard {
  id: number;
  name: string;
  /** ok, formatting, unformatted, idle, error, unknown (lower case, as the standard writes them). */
  status: 'ok' | 'formatting' | 'unformatted' | 'idle' | 'error' | 'unknown';
  formatProgress?: number;
  capacityMb: number;
  freeMb: number;
}

/** What the device has: undefined / empty where it has none (answered with the empty form). */
export interface DeviceQueryFacts {
  homePosition?: HomePosition;
  cruiseTracks?: CruiseTrack[];
  ptzPosition?: PtzPosition;
  storageCards?: StorageCard[];
}

const el = (name: string, text: string | number): XmlElement => ({ name, text });
const opt = (name: string, v: number | string | undefined): XmlElement[] => (v === undefined ? [] : [el(name, v)]);

/** The Response to `q` from `facts`, as a document in `charset` (GB2312 unless the peer said otherwise). */
export function answerDeviceQuery(q: DeviceQuery, facts: DeviceQueryFacts, charset: ManscdpCharset = 'GB2312'): string {
  const body: XmlElement[] = [];
  switch (q.kind) {
    case 'home-position': {
      const h = facts.homePosition;
      if (h) body.push({ name: 'HomePosition', children: [el('Enabled', h.enabled ? 1 : 0), ...opt('ResetTime', h.resetTimeS), ...opt('PresetIndex', h.presetIndex)] });
      break;
    }
    case 'cruise-track-list': {
      const tracks = facts.cruiseTracks ?? [];
      body.push(el('SumNum', tracks.length), { name: 'CruiseTrackList', attrs: { Num: tracks.length }, children: tracks.map((t) => ({ name: 'CruiseTrack', children: [el('Number', t.number), ...opt('Name', t.name)] })) });
      break;
    }
    case 'cruise-track': {
      const t = (facts.cruiseTracks ?? []).find((x) => x.number === q.number);
      const points = t?.points ?? [];
      body.push(el('Number', q.number ?? 0), ...opt('Name', t?.name), el('SumNum', points.length), {
        name: 'CruisePointList', attrs: { Num: points.length },
        children: points.map((p) => ({ name: 'CruisePoint', children: [el('PresetIndex', p.presetIndex), el('StayTime', p.stayTimeS), el('Speed', p.speed)] })),
      });
      break;
    }
    case 'ptz-position': {
      const p = facts.ptzPosition ?? {};
      body.push(...opt('Pan', p.pan), ...opt('Tilt', p.tilt), ...opt('Zoom', p.zoom), ...opt('HorizontalFieldAngle', p.horizontalFieldAngle), ...opt('VerticalFieldAngle', p.verticalFieldAngle), ...opt('MaxViewDistance', p.maxViewDistance));
      break;
    }
    case 'sd-card-status': {
      const cards = (facts.storageCards ?? []).slice(0, 8); // the schema allows at most 8 Items
      body.push(el('SumNum', cards.length), {
        name: 'SDCardStatusInfo', attrs: { Num: cards.length },
        children: cards.map((c) => ({
          name: 'Item',
          children: [el('ID', c.id), el('HddName', c.name), el('Status', c.status), ...(c.status === 'formatting' ? opt('FormatProgress', c.formatProgress) : []), el('Capacity', Math.floor(c.capacityMb)), el('FreeSpace', Math.floor(c.freeMb))],
        })),
      });
      break;
    }
  }
  return xmlDocument({ name: 'Response', children: [el('CmdType', q.cmdType), el('SN', q.sn), el('DeviceID', q.deviceId), ...body] }, charset);
}
