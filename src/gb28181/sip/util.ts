// Identifiers and small header helpers: Via (§20.42), CSeq (§20.16), branch/tag/Call-ID
// generation, and building a response from a request (§8.2.6).
import { randomBytes } from 'node:crypto';
import { SipHeaders, splitHeaderList } from './headers.ts';
import { SipParseError } from './message.ts';
import type { SipRequest, SipResponse } from './message.ts';

/** RFC 3261 magic cookie: branches starting with it are unique per transaction (§8.1.1.7). */
export const BRANCH_MAGIC = 'z9hG4bK';

/**
 * Random hex from a pool refilled 4 KiB at a time: every response carries a new To tag, and one
 * randomBytes call per tag was about a tenth of an upper's work per keepalive (issue 15,
 * bench:sip profile). Still the OS's cryptographic randomness, just fetched in bulk.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = POOL_BYTES;
function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString('hex', poolAt - bytes, poolAt);
}

export function newBranch(): string {
  return BRANCH_MAGIC + randomHex(10);
}

export function newTag(): string {
  return randomHex(6);
}

export function newCallId(host?: string): string {
  const id = randomHex(12);
  return host ? `${id}@${host}` : id;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): CSeq {
  const m = /^\s*(\d{1,10})\s+(\S+)\s*$/.exec(value);
  if (!m) throw new SipParseError('malformed CSeq');
  const seq = Number(m[1]);
  if (seq > 0xffffffff) throw new SipParseError('CSeq number exceeds 2^32-1');
  return { seq, method: m[2] };
}

export interface Via {
  /** 'UDP' | 'TCP' | ... upper-cased. */
  transport: string;
  host: string;
  port?: number;
  /** Names lower-cased; flag params (rport without value) map to ''. */
  params: Record<string, string>;
  branch?: string;
}

export function parseVia(value: string): Via {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?:\s*:\s*(\d{1,5}))?\s*(.*)$/.exec(value);
  if (!m) throw new SipParseError('malformed Via');
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of m[4].split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) params[p.toLowerCase()] = '';
    else params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  const via: Via = { transport: m[1].toUpperCase(), host: m[2], params };
  if (m[3] !== undefined) via.port = Number(m[3]);
  if (params.branch !== undefined) via.branch = params.branch;
  return via;
}

export function formatVia(v: { transport: string; host: string; port?: number; params?: Record<string, string> }): string {
  let s = `SIP/2.0/${v.transport.toUpperCase()} ${v.host}${v.port !== undefined ? ':' + v.port : ''}`;
  for (const [k, val] of Object.entries(v.params ?? {})) s += val === '' ? `;${k}` : `;${k}=${val}`;
  return s;
}

/** Default reason phrases for the statuses GB/T 28181 platforms use. */
export const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here', 488: 'Not Acceptable Here', 500: 'Server Internal Error', 503: 'Service Unavailable',
};

export interface ResponseInit {
  reason?: string;
  headers?: Record<string, string | string[]>;
  body?: Uint8Array;
  /** To tag to add when the request's To has none (dialog-creating and final responses). */
  toTag?: string;
}

/** Builds a response copying Via, From, To, Call-ID and CSeq from the request (RFC 3261 §8.2.6.2). */
export function createResponse(req: SipRequest, status: number, init: ResponseInit = {}): SipResponse {
  // One pass over the request's headers (every answer of the upper is built here): each Via element
  // in order, then the first From, To, Call-ID and CSeq. Their values passed the parser or append
  // (no CR/LF), so they are copied unchecked.
  const headers = new SipHeaders();
  let from: string | undefined;
  let to: string | undefined;
  let callId: string | undefined;
  let cseq: string | undefined;
  for (const [k, v] of req.headers.pairs()) {
    if (k === 'Via') {
      if (v.indexOf(',') < 0) {
        const one = v.trim();
        if (one !== '') headers.appendParsed('Via', one);
      } else for (const one of splitHeaderList(v)) headers.appendParsed('Via', one);
    } else if (k === 'From') from ??= v;
    else if (k === 'To') to ??= v;
    else if (k === 'Call-ID') callId ??= v;
    else if (k === 'CSeq') cseq ??= v;
  }
  to ??= '';
  if (status > 100 && init.toTag !== undefined && !/;\s*tag=/i.test(to)) to += `;tag=${init.toTag}`;
  headers.appendParsed('From', from ?? '');
  headers.appendParsed('To', to);
  headers.appendParsed('Call-ID', callId ?? '');
  headers.appendParsed('CSeq', cseq ?? '');
  if (init.headers) for (const k in init.headers) {
    const v = init.headers[k];
    if (Array.isArray(v)) for (const one of v) headers.append(k, one);
    else headers.append(k, v);
  }
  return { kind: 'response', status, reason: init.reason ?? REASONS[status] ?? 'Unknown', headers, body: init.body ?? EMPTY_BODY };
}

/** The body of every response without one (never written to: bodies are replaced, not filled). */
const EMPTY_BODY = new Uint8Array(0);

export interface RequestInit {
  method: string;
  uri: string;
  from: string;
  to: string;
  callId?: string;
  cseq?: number;
  headers?: Record<string, string | string[]>;
  body?: Uint8Array;
  contentType?: string;
}

/** Builds a new out-of-dialog request; the transport adds the top Via (with a fresh branch). */
export function createRequest(init: RequestInit): SipRequest {
  const headers = new SipHeaders();
  headers.append('From', /;\s*tag=/i.test(init.from) ? init.from : `${init.from};tag=${newTag()}`);
  headers.append('To', init.to);
  headers.append('Call-ID', init.callId ?? newCallId());
  headers.append('CSeq', `${init.cseq ?? 1} ${init.method}`);
  headers.append('Max-Forwards', '70');
  for (const [k, v] of Object.entries(init.headers ?? {})) for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  if (init.contentType !== undefined) headers.set('Content-Type', init.contentType);
  return { kind: 'request', method: init.method, uri: init.uri, headers, body: init.body ?? new Uint8Array(0) };
}

/** Tag parameter of a From/To value, without parsing the whole name-addr. */
export function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const gt = value.lastIndexOf('>');
  const m = /;\s*tag\s*=\s*([^;\s,]+)/i.exec(gt >= 0 ? value.slice(gt) : value);
  return m?.[1];
}

/**
 * RFC 3581: fill rport/received in the top Via so responses go back where the request came from.
 * `top`: the top Via already parsed (the transport parses it once per request for the transaction key too).
 */
export function applyRport(req: SipRequest, sourceHost: string, sourcePort: number, top?: Via): void {
  if (top && !('rport' in top.params)) return;
  req.headers.updateFirst('Via', (value) => {
    const via = top ?? parseVia(value);
    if (!('rport' in via.params)) return value;
    return value.replace(/;\s*rport(=\d*)?/i, `;rport=${sourcePort}`) + (via.host !== sourceHost ? `;received=${sourceHost}` : '');
  });
}
