// Parses ONVIF device-service responses (network input: a camera may answer anything). Size
// bounded, no entity expansion, namespace prefixes removed (every vendor picks its own). Throws
// OnvifError with a Chinese reason for faults and for answers that are not what was asked.
import { XMLParser } from 'fast-xml-parser';

export const MAX_RESPONSE_BYTES = 256 * 1024;

export class OnvifError extends Error {
  constructor(
    message: string,
    /** 'fault' (the device said no, e.g. NotAuthorized), 'parse' (not a valid answer), 'http', 'timeout', 'network'. */
    readonly kind: 'fault' | 'parse' | 'http' | 'timeout' | 'network',
    readonly subcode?: string,
  ) {
    super(message);
    this.name = 'OnvifError';
  }
}

// Attributes kept (prefix '@_'): profile and preset tokens are attributes (`<trt:Profiles token="…">`).
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseAttributeValue: false, parseTagValue: false, processEntities: false, trimValues: true, ignoreDeclaration: true, ignorePiTags: true });

type Node = Record<string, unknown>;
const obj = (v: unknown): Node | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : obj(v) && typeof obj(v)!['#text'] === 'string' ? (obj(v)!['#text'] as string) : undefined);

/** The Body's first child named `op` (e.g. 'GetSystemDateAndTimeResponse'); a SOAP Fault throws. */
export function parseBody(xml: string, op: string): Node {
  if (xml.length > MAX_RESPONSE_BYTES) throw new OnvifError(`应答过大 (${xml.length} bytes)`, 'parse');
  let doc: unknown;
  try {
    doc = parser.parse(xml, true); // validated: a truncated or unbalanced answer is refused, not half-read
  } catch (err) {
    throw new OnvifError(`应答不是有效 XML: ${(err as Error).message.slice(0, 200)}`, 'parse');
  }
  const body = obj(obj(obj(doc)?.Envelope)?.Body);
  if (!body) throw new OnvifError('应答不是 SOAP 信封 (no SOAP Body)', 'parse');
  const fault = obj(body.Fault);
  if (fault) {
    const subcode = text(obj(obj(obj(fault.Code)?.Subcode))?.Value) ?? text(obj(fault.Code)?.Value) ?? text(fault.faultcode);
    const reason = text(obj(fault.Reason)?.Text) ?? text(fault.faultstring) ?? '';
    throw new OnvifError(`设备拒绝: ${subcode ?? 'Fault'} ${reason}`.trim().slice(0, 300), 'fault', subcode?.replace(/^.*:/, ''));
  }
  const answer = body[op];
  if (answer === undefined) throw new OnvifError(`应答缺少 ${op}`, 'parse');
  return obj(answer) ?? {};
}

function int(v: unknown, lo: number, hi: number, what: string): number {
  const s = text(v);
  const n = s !== undefined && /^\s*-?\d{1,6}\s*$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < lo || n > hi) throw new OnvifError(`时间字段 ${what} 无效 (${String(s).slice(0, 20)})`, 'parse');
  return n;
}

export interface DeviceDateTime {
  /** The device's UTC clock, ms since the epoch (1 s resolution). */
  utcMs: number;
  /** 'NTP' or 'Manual'. */
  dateTimeType: string;
  /** POSIX TZ string, e.g. 'CST-8'; '' when absent. */
  tz: string;
}

export function parseSystemDateAndTime(xml: string): DeviceDateTime {
  const r = obj(parseBody(xml, 'GetSystemDateAndTimeResponse').SystemDateAndTime);
  const utc = obj(r?.UTCDateTime);
  const date = obj(utc?.Date);
  const time = obj(utc?.Time);
  if (!r || !date || !time) throw new OnvifError('应答缺少 UTCDateTime (device gave no UTC time)', 'parse');
  const utcMs = Date.UTC(int(date.Year, 1970, 9999, 'Year'), int(date.Month, 1, 12, 'Month') - 1, int(date.Day, 1, 31, 'Day'), int(time.Hour, 0, 23, 'Hour'), int(time.Minute, 0, 59, 'Minute'), int(time.Second, 0, 60, 'Second'));
  return { utcMs, dateTimeType: (text(r.DateTimeType) ?? '').slice(0, 16), tz: (text(obj(r.TimeZone)?.TZ) ?? '').slice(0, 64) };
}

export interface DeviceInformation {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
}

export function parseDeviceInformation(xml: string): DeviceInformation {
  const r = parseBody(xml, 'GetDeviceInformationResponse');
  const f = (k: string) => (text(r[k]) ?? '').slice(0, 128);
  return { manufacturer: f('Manufacturer'), model: f('Model'), firmwareVersion: f('FirmwareVersion'), serialNumber: f('SerialNumber'), hardwareId: f('HardwareId') };
}

/** SetSystemDateAndTimeResponse is empty; only a fault matters. */
export function parseSetSystemDateAndTime(xml: string): void {
  parseBody(xml, 'SetSystemDateAndTimeResponse');
}

/** Media service address from GetCapabilities (Category Media); undefined when the device names none. */
export function parseMediaXAddr(xml: string): string | undefined {
  const caps = obj(parseBody(xml, 'GetCapabilitiesResponse').Capabilities);
  const x = text(obj(caps?.Media)?.XAddr)?.trim();
  return x && /^https?:\/\/[^\s]{1,500}$/.test(x) ? x : undefined;
}

/** A media profile's video encoder configuration as the camera states it (ONVIF Media ver10 GetProfiles). */
export interface MediaProfile {
  /** The profile's token (attribute `token`), what GetStreamUri and PTZ requests name; absent when the device gave none usable. */
  token?: string;
  name: string;
  /** 'H264', 'H265' or 'JPEG' / 'MPEG4' as the device says it (upper case). */
  encoding: string;
  width: number;
  height: number;
  /** FrameRateLimit, frames/s. */
  fps?: number;
  /** BitrateLimit, kbit/s. */
  bitrateKbps?: number;
  /** GovLength (H264/H265), frames between keyframes. */
  govLength?: number;
}

const MAX_PROFILES = 32;
const optNum = (v: unknown, hi: number): number | undefined => {
  const s = text(v);
  const n = s !== undefined && /^\s*\d{1,9}(\.\d{1,6})?\s*$/.test(s) ? Number(s) : NaN;
  return Number.isFinite(n) && n > 0 && n <= hi ? n : undefined;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * Every profile that has a video encoder configuration, in the device's order (the first is the main
 * stream on Hikvision, Dahua and Uniview). Profiles without video, or with an unreadable resolution,
 * are left out; at most 32.
 */
export function parseProfiles(xml: string): MediaProfile[] {
  const out: MediaProfile[] = [];
  for (const p of list(parseBody(xml, 'GetProfilesResponse').Profiles).slice(0, MAX_PROFILES)) {
    const v = obj(obj(p)?.VideoEncoderConfiguration);
    const res = obj(v?.Resolution);
    const width = optNum(res?.Width, 16384);
    const height = optNum(res?.Height, 16384);
    if (!v || !width || !height) continue;
    const rc = obj(v.RateControl);
    const enc = (text(v.Encoding) ?? '').trim().toUpperCase().slice(0, 16);
    const gov = optNum(obj(v[enc === 'H265' ? 'H265' : 'H264'])?.GovLength, 10_000);
    const token = text(obj(p)?.['@_token']);
    out.push({ token: token !== undefined && /^[\w.:-]{1,64}$/.test(token) ? token : undefined, name: (text(obj(p)?.Name) ?? '').slice(0, 64), encoding: enc, width, height, fps: optNum(rc?.FrameRateLimit, 1000), bitrateKbps: optNum(rc?.BitrateLimit, 1_000_000), govLength: gov });
  }
  return out;
}

/** The RTSP address GetStreamUri gives (MediaUri/Uri); only rtsp:// URIs of sane length are taken. */
export function parseStreamUri(xml: string): string {
  const uri = text(obj(obj(parseBody(xml, 'GetStreamUriResponse').MediaUri))?.Uri)?.trim();
  if (!uri || !/^rtsps?:\/\/[^\s]{1,500}$/i.test(uri)) throw new OnvifError(`应答的码流地址无效 (${String(uri ?? '').slice(0, 80)})`, 'parse');
  return uri;
}

/** PTZ service address from GetCapabilities (Category PTZ); undefined when the device names none (no PTZ). */
export function parsePtzXAddr(xml: string): string | undefined {
  const caps = obj(parseBody(xml, 'GetCapabilitiesResponse').Capabilities);
  const x = text(obj(caps?.PTZ)?.XAddr)?.trim();
  return x && /^https?:\/\/[^\s]{1,500}$/.test(x) ? x : undefined;
}

/** PTZ answers (ContinuousMoveResponse, StopResponse, GotoPresetResponse) are empty; only a fault matters. */
export function parseEmptyResponse(xml: string, op: string): void {
  parseBody(xml, op);
}

/** The five predefined entities (the parser keeps entities as written: no expansion attacks). */
const unescapeXml = (s: string): string => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);

/** A preset the camera holds (GetPresets): its token (attribute `token`) and name. */
export interface PtzPreset {
  token: string;
  /** The name the camera gives ('' when none), at most 64 characters. */
  name: string;
}

/** More than GB/T 28181's 255 preset slots plus margin: an answer with more is not believed. */
export const MAX_PRESETS = 512;

/**
 * GetPresetsResponse: every Preset with its token and name. A malformed answer is refused as a
 * whole (a preset without a usable token, the same token twice, too many presets, a Preset that is
 * text): half-reading it would tell the upper of presets that cannot be called.
 */
export function parsePresets(xml: string): PtzPreset[] {
  const all = list(parseBody(xml, 'GetPresetsResponse').Preset);
  if (all.length > MAX_PRESETS) throw new OnvifError(`预置位过多 (${all.length} presets)`, 'parse');
  const out: PtzPreset[] = [];
  const seen = new Set<string>();
  for (const p of all) {
    const node = obj(p);
    const token = text(node?.['@_token'])?.trim();
    if (!node || token === undefined || !/^[\w.:-]{1,64}$/.test(token)) throw new OnvifError(`预置位缺少有效 token (${String(token ?? '').slice(0, 40)})`, 'parse');
    if (seen.has(token)) throw new OnvifError(`预置位 token 重复 (${token})`, 'parse');
    seen.add(token);
    const name = text(node.Name);
    if (node.Name !== undefined && name === undefined) throw new OnvifError(`预置位 ${token} 的名称无效`, 'parse');
    out.push({ token, name: unescapeXml(name ?? '').trim().slice(0, 64) });
  }
  return out;
}
