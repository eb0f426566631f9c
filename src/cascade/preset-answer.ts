// The answer to an upper's PresetQuery (GB/T 28181-2016 A.2.4.8 query, A.2.6.10 response; 2022
// likewise): the presets of the camera asked about, as PresetList Items of PresetID and PresetName,
// split like Catalog/RecordInfo answers (SumNum in every part, Num per part) so each UDP MESSAGE
// stays under the path MTU budget. Where the presets come from, per camera (issue 15):
// - a camera with an ONVIF address: the camera itself (ONVIF PTZ GetPresets); when it does not
//   answer in time or answers something malformed, Result ERROR with the reason — never a guess;
// - a lower platform's channel, relayed as is or pulled as a camera of ours (`gb28181://`): the
//   lower that owns it is asked (UpperCalls.presets, every part of its answer); no answer in time
//   or its Result ERROR: Result ERROR with the reason;
// - a camera without ONVIF, or a GB channel with no lower connection here: the presets this node
//   knows of, those approved for exam windows (duty PTZ table, docs/design/duty.md);
// - the node itself: an empty list.
import { xmlDocument } from '../gb28181/index.ts';
import type { OtherMessage, XmlElement } from '../gb28181/index.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { gbSourceChannel } from './lower-commands.ts';

export interface PresetItem {
  /** PresetID as the camera names the preset (GB: 1…255; an ONVIF token as the camera gives it). */
  id: string;
  name: string;
}

/** Presets of an ONVIF camera: undefined when it has no ONVIF address (PtzForwarder.presets). */
export type OnvifPresets = (camera: CameraRow) => Promise<{ presets: Array<{ token: string; name: string }> } | { error: string } | undefined>;

export interface PresetAnswerDeps {
  store: Store;
  onvifPresets?: OnvifPresets;
  /** This node's lower platforms (when it is also an upper): whether one owns a channel, and its presets. */
  remote?: { owns(deviceId: string): Promise<boolean>; presets?(deviceId: string): Promise<PresetItem[]> };
}

/** Where the listed presets came from (logged at info with the answer). */
export type PresetOrigin = 'camera-onvif' | 'lower' | 'approved-presets' | 'none' | 'error';

export interface PresetLookup {
  origin: PresetOrigin;
  items: PresetItem[];
  /** Set with origin 'error': why no list (sent as Reason). */
  error?: string;
}

/** The presets to answer for `deviceId` (`camera`: our camera with that GB code, if any). */
export async function lookupPresets(deps: PresetAnswerDeps, deviceId: string, camera: CameraRow | undefined, isNode: boolean): Promise<PresetLookup> {
  if (isNode) return { origin: 'none', items: [] };
  // A lower's channel (relayed as is), or our camera pulled from one: the lower knows its presets.
  const channel = camera ? gbSourceChannel(camera) : deviceId;
  if (channel && deps.remote?.presets && (await deps.remote.owns(channel))) {
    try {
      return { origin: 'lower', items: await deps.remote.presets(channel) };
    } catch (err) {
      return { origin: 'error', items: [], error: `lower platform did not list the presets of ${channel}: ${(err as Error).message}`.slice(0, 200) };
    }
  }
  if (!camera) return deps.remote && (await deps.remote.owns(deviceId)) ? { origin: 'none', items: [] } : { origin: 'error', items: [], error: 'unknown device' };
  const onvif = camera.source_kind === 'gb28181' ? undefined : await deps.onvifPresets?.(camera);
  if (onvif && 'error' in onvif) return { origin: 'error', items: [], error: `camera did not list its presets: ${onvif.error}`.slice(0, 200) };
  if (onvif) return { origin: 'camera-onvif', items: onvif.presets.map((p) => ({ id: p.token, name: p.name })) };
  const approved = await repos(deps.store.db).dutyCases.approvedPresets(camera.id);
  return { origin: approved.length > 0 ? 'approved-presets' : 'none', items: approved.map((p) => ({ id: String(p.preset_no), name: p.label })) };
}

const el = (name: string, text: string | number): XmlElement => ({ name, text });

/**
 * The Response MESSAGE bodies: parts of at most `perMessage` items and, when `maxBodyBytes` is
 * given (UDP), of at most that many bytes (UTF-8 length, an upper bound of the GB2312 one). An
 * error is one Response with Result ERROR and the Reason.
 */
export function presetResponses(msg: Pick<OtherMessage, 'sn' | 'deviceId'>, found: PresetLookup, limits: { perMessage: number; maxBodyBytes?: number }): string[] {
  const head = [el('CmdType', 'PresetQuery'), el('SN', msg.sn), el('DeviceID', msg.deviceId)];
  if (found.origin === 'error') return [xmlDocument({ name: 'Response', children: [...head, el('Result', 'ERROR'), el('Reason', found.error ?? 'unknown')] }, 'GB2312')];
  const make = (slice: PresetItem[]) =>
    xmlDocument({ name: 'Response', children: [...head, el('SumNum', found.items.length), { name: 'PresetList', attrs: { Num: slice.length }, children: slice.map((p) => ({ name: 'Item', children: [el('PresetID', p.id), el('PresetName', p.name)] })) }] }, 'GB2312');
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  const out: string[] = [];
  let slice: PresetItem[] = [];
  for (const it of found.items) {
    const next = [...slice, it];
    if (slice.length > 0 && (next.length > limits.perMessage || (limits.maxBodyBytes !== undefined && bytes(make(next)) > limits.maxBodyBytes))) {
      out.push(make(slice));
      slice = [it];
    } else slice = next;
  }
  if (slice.length > 0 || out.length === 0) out.push(make(slice));
  return out;
}
