// DeviceConfig (GB/T 28181-2016 A.2.3.2 / 2022 A.2.3.2): what an upper asks a device to change.
// Only BasicParam is typed here (name, registration expiry, heartbeat interval and count); other
// configuration types are listed by name so the answer can say they are not applied. Ill-typed
// or out-of-range numbers are a ManscdpError (the device answers Result ERROR).
import { childOf, parseIntField, textOf } from './fields.ts';
import { ManscdpError } from './xml.ts';
import type { XmlNode } from './xml.ts';

export interface BasicParamConfig {
  name?: string;
  /** Registration expiry (s). */
  expirationS?: number;
  /** Keepalive interval (s). */
  heartBeatIntervalS?: number;
  /** Missed keepalives before the peer counts the device offline. */
  heartBeatCount?: number;
}

export interface DeviceConfigRequest {
  basicParam?: BasicParamConfig;
  /** Names of the other configuration elements (SVACEncodeConfig, VideoParamAttribute…). */
  otherTypes: string[];
}

const HEAD = new Set(['CmdType', 'SN', 'DeviceID']);

function ranged(text: string | undefined, tag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = parseIntField(text.trim(), tag);
  if (n < min || n > max) throw new ManscdpError(`${tag} must be ${min}..${max}`);
  return n;
}

/** Reads the root element (`<Control>`) of a DeviceConfig message. */
export function readDeviceConfig(root: XmlNode): DeviceConfigRequest {
  if (typeof root !== 'object') throw new ManscdpError('DeviceConfig must have children');
  const otherTypes = Object.keys(root).filter((k) => !HEAD.has(k) && k !== 'BasicParam' && !k.startsWith('@_') && k !== '#text');
  const basic = childOf(root, 'BasicParam');
  if (basic === undefined) return { otherTypes };
  if (typeof basic !== 'object') throw new ManscdpError('BasicParam must have children');
  const name = textOf(basic, 'Name');
  const p: BasicParamConfig = {};
  if (name !== undefined) {
    if (name.length > 64) throw new ManscdpError('Name longer than 64 characters');
    p.name = name;
  }
  const exp = ranged(textOf(basic, 'Expiration'), 'Expiration', 60, 86_400);
  const hbi = ranged(textOf(basic, 'HeartBeatInterval'), 'HeartBeatInterval', 5, 3600);
  const hbc = ranged(textOf(basic, 'HeartBeatCount'), 'HeartBeatCount', 1, 100);
  if (exp !== undefined) p.expirationS = exp;
  if (hbi !== undefined) p.heartBeatIntervalS = hbi;
  if (hbc !== undefined) p.heartBeatCount = hbc;
  return { basicParam: p, otherTypes };
}
