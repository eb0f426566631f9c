// Refusals of voice broadcast and talk (GB/T 28181-2016 §9.12, 2022 §9.12; issue 15). Voice to a
// camera that has a speaker is carried by voice-broadcast.ts (ONVIF back channel); this module
// answers what cannot be carried — a node without that module, a target that is not one of our
// cameras — clearly instead of leaving it unanswered: the Broadcast notification with a Response
// Result ERROR and a Reason, an INVITE s=Talk (or any audio-only INVITE) with 488 and a Warning 304
// "Media type not available" (RFC 3261 §20.43). Each attempt is audited like a live view
// (`cascade.broadcast` / `cascade.talk`, outcome denied).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { readBroadcast } from '../gb28181/index.ts';
import type { OtherMessage } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { responseXml } from './lower-commands.ts';

/**
 * One voice leg running now, as the 级联 page lists it (issue 15: what the system knows, a person
 * can see): our upper's voice into one of our rooms, or ours down to a lower platform's channel.
 */
export interface VoiceLegStatus {
  callId: string;
  direction: 'from_upper' | 'to_lower';
  kind: 'broadcast' | 'talk';
  /** The room's microphone goes up in the same session (a two-way talk). */
  twoWay: boolean;
  /** Our camera: the room spoken into (from_upper), or the camera row that pulls the lower's channel (to_lower). */
  cameraId?: number;
  cameraName?: string;
  /** The 20-digit channel id addressed. */
  channelId: string;
  /** The SIP id of the other platform: our upper, or the lower. */
  peerId: string;
  transport: 'udp' | 'tcp';
  startedAtMs: number;
  /** Where the leg belongs (the camera's site, else the lower's org node): a caller sees only legs in scope. */
  scopePath: string;
}

export const NO_AUDIO_OUTPUT = 'no audio output at this node: voice broadcast and talk are not supported';

/** Warning header value for a refused talk/broadcast INVITE. */
export function noAudioWarning(host: string, reason = NO_AUDIO_OUTPUT): string {
  // A quoted-string (RFC 3261 §25.1): no raw double quotes or line breaks inside.
  return `304 ${host} "Media type not available: ${reason.replace(/["\\\r\n]/g, ' ')}"`;
}

export function isBroadcast(msg: OtherMessage): boolean {
  return msg.root === 'Notify' && msg.cmdType === 'Broadcast';
}

/** Answers a Broadcast notification (always ERROR) and audits it; returns the Response XML. */
export async function answerBroadcast(msg: OtherMessage, deps: { store: Store; audit: AuditService; selfId?: string }, actor: Actor): Promise<string> {
  let target: { sourceId: string; targetId: string } | undefined;
  let reason = NO_AUDIO_OUTPUT;
  try {
    target = readBroadcast(msg.tree);
  } catch (e) {
    reason = (e as Error).message;
  }
  const camera = target ? await repos(deps.store.db).cameras.getByGbCode({ kind: 'all' }, target.targetId) : undefined;
  // A target that is neither this node nor one of its cameras: say so, it is not an audio question.
  if (target && !camera && target.targetId !== deps.selfId) reason = `unknown target ${target.targetId}: not a camera of this node`;
  await deps.audit.record(actor, {
    action: 'cascade.broadcast', objectType: camera ? 'camera' : 'device', objectId: camera?.id ?? msg.deviceId, outcome: 'denied',
    ...(camera ? { scopePath: camera.site_path } : {}), detail: { sourceId: target?.sourceId, targetId: target?.targetId ?? msg.deviceId, reason },
  });
  return responseXml('Broadcast', msg.sn, target?.targetId ?? msg.deviceId, [{ name: 'Result', text: 'ERROR' }, { name: 'Reason', text: reason }]);
}
