// The ONVIF part of a camera probe (issue 17, R-PRE-6): the camera's clock offset as it states it
// (GetSystemDateAndTime), its device facts (maker, model, firmware, serial), and — when the clock
// is off by more than a second — one attempt to set it to Beijing time (this node's clock, UTC,
// time zone CST-8), read back to confirm. A camera that refuses is reported with the reason, never
// asked again in a loop; the runner audits every attempt. The camera's media profiles (GetProfiles)
// are read too, for the `config` probe (configured vs delivered, config-verdict.ts).
import { OnvifClient } from '../onvif/client.ts';
import type { DeviceInformation, MediaProfile } from '../onvif/parse.ts';
import type { Judgement } from './profile.ts';
import { judgeClock } from './clock-verdict.ts';

export interface OnvifTarget {
  url: string;
  username?: string;
  password?: string;
}

export interface ClockSetAttempt {
  beforeMs: number;
  /** Offset read back after the set; undefined when refused. */
  afterMs?: number;
  error?: string;
}

export interface OnvifCheck {
  /** Undefined when the camera did not answer GetSystemDateAndTime (the RTCP offset is used instead). */
  clock?: Judgement;
  /** Why the clock could not be read over ONVIF. */
  clockError?: string;
  device: Judgement;
  /** The answer itself, or why it could not be read/parsed (the ledger records either, R-SEC-1). */
  facts?: DeviceInformation;
  factsError?: string;
  set?: ClockSetAttempt;
  /** The camera's media profiles, main stream first (undefined with `profilesError`). */
  profiles?: MediaProfile[];
  profilesError?: string;
}

const DEVICE_RULE = 'ONVIF GetDeviceInformation 可读 (device facts readable)';
const SET_THRESHOLD_MS = 1000;
const sec = (ms: number) => `${ms >= 0 ? '+' : ''}${(ms / 1000).toFixed(1)} 秒`;

export async function onvifCheck(t: OnvifTarget, opts: { nowMs: () => number; timeoutMs?: number; setClock?: boolean }): Promise<OnvifCheck> {
  const client = new OnvifClient({ url: t.url, username: t.username, password: t.password, timeoutMs: opts.timeoutMs ?? 4000, nowMs: opts.nowMs });
  let before: number | undefined;
  let clockError: string | undefined;
  try {
    before = (await client.getSystemDateAndTime()).offsetMs;
  } catch (err) {
    clockError = (err as Error).message;
  }
  let device: Judgement;
  let facts: DeviceInformation | undefined;
  let factsError: string | undefined;
  try {
    const d = await client.getDeviceInformation();
    facts = d;
    device = { verdict: 'pass', value: `${d.manufacturer} ${d.model} 固件 ${d.firmwareVersion} 序列号 ${d.serialNumber}`.trim(), rule: DEVICE_RULE, reason: null };
  } catch (err) {
    factsError = (err as Error).message.slice(0, 300);
    device = { verdict: 'warn', value: '未读取 (not read)', rule: DEVICE_RULE, reason: `ONVIF 设备信息读取失败：${(err as Error).message}`.slice(0, 500) };
  }
  let profiles: MediaProfile[] | undefined;
  let profilesError: string | undefined;
  try {
    profiles = await client.getProfiles();
  } catch (err) {
    profilesError = `ONVIF 码流配置读取失败 (GetProfiles)：${(err as Error).message}`.slice(0, 500);
  }
  const media = { profiles, profilesError, facts, factsError };
  if (before === undefined) return { device, clockError, ...media };
  if (Math.abs(before) <= SET_THRESHOLD_MS || opts.setClock === false) return { clock: judgeClock(before, 'ONVIF'), device, ...media };
  try {
    await client.setSystemDateAndTime(opts.nowMs());
    const after = (await client.getSystemDateAndTime()).offsetMs;
    const j = judgeClock(after, 'ONVIF');
    const value = `校时前 ${sec(before)} → 校时后 ${sec(after)} (ONVIF 已校准为北京时间)`;
    return { clock: { ...j, value, reason: j.reason ?? null }, device, set: { beforeMs: before, afterMs: after }, ...media };
  } catch (err) {
    const msg = (err as Error).message;
    const j = judgeClock(before, 'ONVIF');
    return { clock: { ...j, verdict: 'fail', reason: `摄像机拒绝校时 (refused to set its clock)：${msg}；时钟偏差 ${sec(before)}，请到现场校准`.slice(0, 500) }, device, set: { beforeMs: before, error: msg.slice(0, 300) }, ...media };
  }
}
