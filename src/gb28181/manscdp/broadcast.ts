// Voice broadcast notification (GB/T 28181-2016 §9.12 and A.2.5.5; 2022 likewise): the upper
// names the audio source (SourceID, usually its own id) and the target (TargetID, a device's
// audio output channel). The message carries no DeviceID — the target takes its place — so the
// codec files it as an `other` Notify whose deviceId is the TargetID; this reads its fields so a
// device can answer it (issue 15 "Missing": a real peer waits for the Response). The upper's side
// (this node sending voice down to a lower platform's channel) builds the Notify and reads the answer.
import { textOf } from './fields.ts';
import { ManscdpError, xmlDocument } from './xml.ts';
import type { XmlNode } from './xml.ts';
import type { ManscdpMessage } from './messages.ts';

export interface BroadcastNotify {
  /** Who will send the audio (the upper platform or its talk source). */
  sourceId: string;
  /** The audio output channel that is to play it. */
  targetId: string;
}

const ID = /^[0-9A-Za-z]{1,64}$/;

/** Reads the root element (`<Notify>`) of a Broadcast message. */
export function readBroadcast(root: XmlNode): BroadcastNotify {
  const sourceId = textOf(root, 'SourceID')?.trim();
  const targetId = textOf(root, 'TargetID')?.trim();
  if (!sourceId || !ID.test(sourceId)) throw new ManscdpError('Broadcast needs a SourceID');
  if (!targetId || !ID.test(targetId)) throw new ManscdpError('Broadcast needs a TargetID');
  return { sourceId, targetId };
}

/** The Broadcast notification an upper sends (§A.2.5.5): it names no DeviceID, only source and target. */
export function buildBroadcastNotify(n: BroadcastNotify & { sn: number }): string {
  return xmlDocument({ name: 'Notify', children: [
    { name: 'CmdType', text: 'Broadcast' }, { name: 'SN', text: n.sn }, { name: 'SourceID', text: n.sourceId }, { name: 'TargetID', text: n.targetId },
  ] }, 'GB2312');
}

export interface BroadcastAnswer {
  ok: boolean;
  /** The Reason of a Result ERROR (bounded; absent when the device gave none). */
  reason?: string;
}

/** The device's answer to a Broadcast (Response, CmdType Broadcast, Result OK/ERROR); undefined when `msg` is not one. */
export function readBroadcastAnswer(msg: ManscdpMessage): BroadcastAnswer | undefined {
  if (msg.kind !== 'other' || msg.root !== 'Response' || msg.cmdType !== 'Broadcast') return undefined;
  const result = textOf(msg.tree, 'Result')?.trim().toUpperCase();
  if (result === 'OK') return { ok: true };
  const reason = textOf(msg.tree, 'Reason')?.trim().slice(0, 200);
  return { ok: false, ...(reason ? { reason } : result ? {} : { reason: 'the answer has no Result' }) };
}
