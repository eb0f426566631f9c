// Voice broadcast notification (GB/T 28181-2016 §9.12 and A.2.5.5; 2022 likewise): the upper
// names the audio source (SourceID, usually its own id) and the target (TargetID, a device's
// audio output channel). The message carries no DeviceID — the target takes its place — so the
// codec files it as an `other` Notify whose deviceId is the TargetID; this reads its fields so a
// device can answer it (issue 15 "Missing": a real peer waits for the Response).
import { textOf } from './fields.ts';
import { ManscdpError } from './xml.ts';
import type { XmlNode } from './xml.ts';

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
