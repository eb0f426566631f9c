// INVITE dialogs (RFC 3261 §12): identified by Call-ID + local tag + remote tag. GB/T 28181
// live view, playback and download are each one INVITE dialog, ended with BYE.
import { SipHeaders } from './headers.ts';
import { parseCSeq, tagOf } from './util.ts';
import type { SipRequest, SipResponse } from './message.ts';
import type { SipDestination } from './transport.ts';

export interface SipDialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our From (UAC) / To (UAS) header value, including our tag. */
  local: string;
  /** Peer's header value, including its tag. */
  remote: string;
  /** Peer Contact URI: Request-URI of in-dialog requests. */
  remoteTarget: string;
  /** Last CSeq number we used. */
  localSeq: number;
  remoteSeq?: number;
  /** Route set from Record-Route (reversed for the UAC). */
  routeSet: string[];
  /** Where in-dialog requests go. */
  destination: SipDestination;
}

export class SipDialogError extends Error {
  override readonly name = 'SipDialogError';
}

function contactUri(msg: SipRequest | SipResponse, fallback: string): string {
  const c = msg.headers.get('Contact');
  return c ? extractUri(c) : fallback;
}

/** The URI of a Contact/From value ("Name" <uri>;params or bare uri;params). */
function extractUri(v: string): string {
  const lt = v.indexOf('<');
  const gt = v.indexOf('>', lt);
  if (lt >= 0 && gt > lt) return v.slice(lt + 1, gt);
  return v.split(';')[0].trim(); // bare addr-spec: ';' params belong to the header (§20.10)
}

/** Dialog on the calling side, from our INVITE and the peer's 2xx. */
export function createUacDialog(invite: SipRequest, res: SipResponse, destination: SipDestination): SipDialog {
  const localTag = tagOf(invite.headers.get('From'));
  const remoteTag = tagOf(res.headers.get('To'));
  if (!localTag || !remoteTag) throw new SipDialogError('2xx to INVITE without From/To tags');
  return {
    callId: invite.headers.get('Call-ID') ?? '',
    localTag, remoteTag,
    local: invite.headers.get('From') ?? '',
    remote: res.headers.get('To') ?? '',
    remoteTarget: contactUri(res, invite.uri),
    localSeq: parseCSeq(invite.headers.get('CSeq') ?? '').seq,
    routeSet: res.headers.getAll('Record-Route').reverse(),
    destination,
  };
}

/** Dialog on the called side, from the INVITE and the 2xx we answered with (which carries our To tag). */
export function createUasDialog(invite: SipRequest, res: SipResponse, destination: SipDestination): SipDialog {
  const localTag = tagOf(res.headers.get('To'));
  const remoteTag = tagOf(invite.headers.get('From'));
  if (!localTag || !remoteTag) throw new SipDialogError('INVITE/2xx without From/To tags');
  return {
    callId: invite.headers.get('Call-ID') ?? '',
    localTag, remoteTag,
    local: res.headers.get('To') ?? '',
    remote: invite.headers.get('From') ?? '',
    remoteTarget: contactUri(invite, invite.headers.get('From') ?? ''),
    localSeq: 0,
    remoteSeq: parseCSeq(invite.headers.get('CSeq') ?? '').seq,
    routeSet: invite.headers.getAll('Record-Route'),
    destination,
  };
}

/** ACK for a 2xx: its own transaction (new branch), CSeq number of the INVITE (§13.2.2.4). */
export function buildAck(dialog: SipDialog, invite: SipRequest): SipRequest {
  const req = baseRequest(dialog, 'ACK', parseCSeq(invite.headers.get('CSeq') ?? '').seq);
  const auth = invite.headers.get('Authorization');
  if (auth) req.headers.set('Authorization', auth);
  return req;
}

/** In-dialog request (BYE, INFO for playback control); increments the local CSeq. */
export function buildInDialogRequest(dialog: SipDialog, method: string, init: { body?: Uint8Array; contentType?: string; headers?: Record<string, string> } = {}): SipRequest {
  dialog.localSeq++;
  const req = baseRequest(dialog, method, dialog.localSeq);
  for (const [k, v] of Object.entries(init.headers ?? {})) req.headers.append(k, v);
  if (init.contentType) req.headers.set('Content-Type', init.contentType);
  if (init.body) req.body = init.body;
  return req;
}

function baseRequest(dialog: SipDialog, method: string, seq: number): SipRequest {
  const headers = new SipHeaders();
  // No Via: SipTransport.request/sendAck add ours with a fresh branch.
  headers.append('From', dialog.local);
  headers.append('To', dialog.remote);
  headers.append('Call-ID', dialog.callId);
  headers.append('CSeq', `${seq} ${method}`);
  headers.append('Max-Forwards', '70');
  for (const r of dialog.routeSet) headers.append('Route', r);
  return { kind: 'request', method, uri: dialog.remoteTarget, headers, body: new Uint8Array(0) };
}

/** True when an in-dialog request belongs to this dialog (UAS view: request From tag = remote tag). */
export function matchesDialog(dialog: SipDialog, req: SipRequest): boolean {
  return req.headers.get('Call-ID') === dialog.callId && tagOf(req.headers.get('From')) === dialog.remoteTag && tagOf(req.headers.get('To')) === dialog.localTag;
}
