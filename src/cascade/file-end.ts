// End of a Playback/Download stream (GB/T 28181-2016 §9.9, Annex A MediaStatus): the sender
// (lower) sends `<Notify><CmdType>MediaStatus</CmdType>…<NotifyType>121</NotifyType>` inside the
// INVITE dialog once the whole file is out; the receiver (upper) answers 200, takes the stream as
// complete and hangs up with BYE. Sending it in the dialog (same Call-ID and tags, as wvp and
// recorders do) is what lets the receiver tell which of several sessions of a channel ended.
import type { Logger } from 'pino';
import { buildInDialogRequest, encodeManscdp, MANSCDP_CONTENT_TYPE, matchesDialog, parseManscdp } from '../gb28181/index.ts';
import type { SipDialog, SipRequest } from '../gb28181/index.ts';
import type { SipNode } from './sip-node.ts';

/** NotifyType of MediaStatus meaning "end of the file" (the only one the standard defines). */
export const MEDIA_STATUS_FILE_END = 121;

/** How long the sender waits for the receiver's BYE after 121 before hanging up itself. */
export const FILE_END_BYE_WAIT_MS = 5000;

/** Sends MediaStatus 121 for `channelId` in `dialog`; true when the receiver accepted it (2xx). */
export async function sendFileEnd(node: SipNode, dialog: SipDialog, channelId: string, log: Logger): Promise<boolean> {
  const body = encodeManscdp({ kind: 'media-status', sn: node.nextSn(), deviceId: channelId, notifyType: MEDIA_STATUS_FILE_END });
  try {
    const res = await node.transport.request(buildInDialogRequest(dialog, 'MESSAGE', { contentType: MANSCDP_CONTENT_TYPE, body }), dialog.destination);
    if (res.status < 300) return true;
    log.debug({ channelId, status: res.status }, 'MediaStatus 121 refused');
  } catch (err) {
    log.debug({ err, channelId }, 'MediaStatus 121 not answered');
  }
  return false;
}

/**
 * The NotifyType of a MediaStatus MESSAGE inside `dialog` (receiver side), or undefined when the
 * request is not one (another dialog, another MANSCDP message, or an unreadable body).
 */
export function mediaStatusIn(dialog: SipDialog, req: SipRequest): number | undefined {
  if (req.method !== 'MESSAGE' || !matchesDialog(dialog, req)) return undefined;
  try {
    const msg = parseManscdp(req.body);
    return msg.kind === 'media-status' ? msg.notifyType : undefined;
  } catch {
    return undefined;
  }
}
