// SIP-specific event notification (RFC 6665, used by GB/T 28181 §9.11 for catalog and alarm
// subscriptions): the Event and Subscription-State headers, and building SUBSCRIBE (initial and
// in-dialog refresh) and NOTIFY requests. Pure: no timers, no sockets.
import { buildInDialogRequest } from './dialog.ts';
import type { SipDialog } from './dialog.ts';
import { SipParseError } from './message.ts';
import type { SipRequest } from './message.ts';
import { createRequest } from './util.ts';

/** Longest header value these parsers look at; anything longer is refused, never scanned. */
const MAX_VALUE_CHARS = 512;
const TOKEN_RE = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const DELTA_RE = /^\d{1,10}$/;

export interface EventHeader {
  /** Event package as sent ('Catalog', 'presence'; GB devices vary the case). */
  package: string;
  /** The `id` parameter: distinguishes subscriptions in one dialog (RFC 6665 §8.2.1). */
  id?: string;
  /** Every parameter, names lower-cased; flags map to ''. */
  params: Record<string, string>;
}

export type SubscriptionStateValue = 'active' | 'pending' | 'terminated';

export interface SubscriptionState {
  /** Lower-cased; unknown extension values are kept as sent (RFC 6665 §4.1.3: treat as active). */
  state: SubscriptionStateValue | string;
  /** Seconds left on the subscription (active/pending). */
  expiresS?: number;
  /** Why it ended (terminated): deactivated, probation, rejected, timeout, giveup, noresource, invariant. */
  reason?: string;
  /** Seconds before a new subscription may be tried. */
  retryAfterS?: number;
  params: Record<string, string>;
}

function parseParams(parts: string[], what: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of parts) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (!TOKEN_RE.test(name)) throw new SipParseError(`malformed ${what} parameter name`);
    let value = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    params[name] = value;
  }
  return params;
}

function splitValue(value: string, what: string): string[] {
  if (value.length > MAX_VALUE_CHARS) throw new SipParseError(`${what} longer than ${MAX_VALUE_CHARS} characters`);
  return value.split(';');
}

/** Parses `Event: Catalog;id=1234` (RFC 6665 §8.2.1). */
export function parseEventHeader(value: string): EventHeader {
  const [head, ...rest] = splitValue(value, 'Event');
  const pkg = head.trim();
  if (!TOKEN_RE.test(pkg)) throw new SipParseError('malformed Event package');
  const params = parseParams(rest, 'Event');
  const out: EventHeader = { package: pkg, params };
  if (params.id !== undefined) {
    if (!TOKEN_RE.test(params.id)) throw new SipParseError('malformed Event id');
    out.id = params.id;
  }
  return out;
}

export function formatEventHeader(e: { package: string; id?: string }): string {
  if (!TOKEN_RE.test(e.package) || (e.id !== undefined && !TOKEN_RE.test(e.id))) throw new TypeError('Event package and id must be tokens');
  return e.id !== undefined ? `${e.package};id=${e.id}` : e.package;
}

function delta(params: Record<string, string>, name: string, what: string): number | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (!DELTA_RE.test(v)) throw new SipParseError(`${what} ${name} must be delta-seconds`);
  return Number(v);
}

/** Parses `Subscription-State: active;expires=3600` / `terminated;reason=timeout` (RFC 6665 §8.2.3). */
export function parseSubscriptionState(value: string): SubscriptionState {
  const [head, ...rest] = splitValue(value, 'Subscription-State');
  const state = head.trim().toLowerCase();
  if (!TOKEN_RE.test(state)) throw new SipParseError('malformed Subscription-State value');
  const params = parseParams(rest, 'Subscription-State');
  const out: SubscriptionState = { state, params };
  const expiresS = delta(params, 'expires', 'Subscription-State');
  const retryAfterS = delta(params, 'retry-after', 'Subscription-State');
  if (expiresS !== undefined) out.expiresS = expiresS;
  if (retryAfterS !== undefined) out.retryAfterS = retryAfterS;
  if (params.reason !== undefined) {
    if (!TOKEN_RE.test(params.reason)) throw new SipParseError('malformed Subscription-State reason');
    out.reason = params.reason.toLowerCase();
  }
  return out;
}

export function formatSubscriptionState(s: { state: SubscriptionStateValue; expiresS?: number; reason?: string; retryAfterS?: number }): string {
  let v: string = s.state;
  if (s.reason !== undefined) v += `;reason=${s.reason}`;
  if (s.expiresS !== undefined) v += `;expires=${Math.max(0, Math.floor(s.expiresS))}`;
  if (s.retryAfterS !== undefined) v += `;retry-after=${Math.max(0, Math.floor(s.retryAfterS))}`;
  return v;
}

/** Expires of a SUBSCRIBE (seconds), or `fallbackS` when absent; malformed values throw. */
export function subscribeExpiresOf(req: SipRequest, fallbackS: number): number {
  const h = req.headers.get('Expires');
  if (h === undefined) return fallbackS;
  if (!DELTA_RE.test(h.trim())) throw new SipParseError('malformed Expires');
  return Number(h.trim());
}

export interface SubscribeInit {
  uri: string;
  from: string;
  to: string;
  contact: string;
  event: { package: string; id?: string };
  expiresS: number;
  body?: Uint8Array;
  contentType?: string;
}

/** An initial (dialog-creating) SUBSCRIBE; the transport adds the Via. */
export function buildSubscribe(init: SubscribeInit): SipRequest {
  return createRequest({
    method: 'SUBSCRIBE', uri: init.uri, from: init.from, to: init.to,
    headers: { Contact: init.contact, Event: formatEventHeader(init.event), Expires: String(init.expiresS) },
    ...(init.body ? { body: init.body, contentType: init.contentType } : {}),
  });
}

/** SUBSCRIBE inside an existing subscription dialog: refresh, or Expires 0 to unsubscribe. */
export function buildSubscribeRefresh(dialog: SipDialog, init: Omit<SubscribeInit, 'uri' | 'from' | 'to'>): SipRequest {
  return buildInDialogRequest(dialog, 'SUBSCRIBE', {
    headers: { Contact: init.contact, Event: formatEventHeader(init.event), Expires: String(init.expiresS) },
    ...(init.body ? { body: init.body, contentType: init.contentType } : {}),
  });
}

export interface NotifyInit {
  contact: string;
  event: { package: string; id?: string };
  state: { state: SubscriptionStateValue; expiresS?: number; reason?: string; retryAfterS?: number };
  body?: Uint8Array;
  contentType?: string;
}

/** NOTIFY in a subscription dialog (notifier side, RFC 6665 §4.2.2). */
export function buildNotify(dialog: SipDialog, init: NotifyInit): SipRequest {
  return buildInDialogRequest(dialog, 'NOTIFY', {
    headers: { Contact: init.contact, Event: formatEventHeader(init.event), 'Subscription-State': formatSubscriptionState(init.state) },
    ...(init.body ? { body: init.body, contentType: init.contentType } : {}),
  });
}
