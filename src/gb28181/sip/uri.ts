// SIP URI (RFC 3261 §19.1) and name-addr (§20.10/20.20/20.39: From, To, Contact) parsing.
// GB/T 28181 URIs look like sip:34020000001320000001@3402000000 (user = 20-digit device ID).
import { SipParseError } from './message.ts';

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  /** URI parameters (;transport=udp;lr), names lower-cased; flag params map to ''. */
  params: Record<string, string>;
  /** ?headers part, raw. */
  headers?: string;
}

export interface NameAddr {
  displayName?: string;
  uri: SipUri;
  /** Header parameters after the URI (;tag=...), names lower-cased. */
  params: Record<string, string>;
  tag?: string;
}

function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of text.split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) params[p.toLowerCase()] = '';
    else params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  return params;
}

export function parseUri(text: string): SipUri {
  const m = /^(sips?):(.*)$/i.exec(text.trim());
  if (!m) throw new SipParseError('URI scheme must be sip: or sips:');
  const scheme = m[1].toLowerCase() as 'sip' | 'sips';
  let rest = m[2];
  let headers: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    user = decodeURIComponentSafe(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    if (colon >= 0) password = userinfo.slice(colon + 1);
  }
  const semi = rest.indexOf(';');
  const hostport = semi >= 0 ? rest.slice(0, semi) : rest;
  const params = parseParams(semi >= 0 ? rest.slice(semi + 1) : '');
  const hp = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(hostport);
  if (!hp) throw new SipParseError('malformed URI host');
  const port = hp[2] === undefined ? undefined : Number(hp[2]);
  if (port !== undefined && port > 65535) throw new SipParseError('URI port out of range');
  const uri: SipUri = { scheme, host: hp[1], params };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (port !== undefined) uri.port = port;
  if (headers !== undefined) uri.headers = headers;
  return uri;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SipParseError('malformed %-escape in URI user');
  }
}

export function formatUri(u: SipUri): string {
  let s = `${u.scheme}:`;
  if (u.user !== undefined) s += `${encodeURIComponent(u.user)}${u.password !== undefined ? ':' + u.password : ''}@`;
  s += u.host;
  if (u.port !== undefined) s += `:${u.port}`;
  for (const [k, v] of Object.entries(u.params)) s += v === '' ? `;${k}` : `;${k}=${v}`;
  if (u.headers !== undefined) s += `?${u.headers}`;
  return s;
}

/** Parses `"Name" <sip:x@y>;tag=1`, `Name <sip:x@y>`, or a bare `sip:x@y;tag=1` (params then belong to the header). */
export function parseNameAddr(text: string): NameAddr {
  const t = text.trim();
  let displayName: string | undefined;
  let uriText: string;
  let paramText: string;
  const lt = findUnquoted(t, '<');
  if (lt >= 0) {
    const gt = t.indexOf('>', lt);
    if (gt < 0) throw new SipParseError('name-addr missing ">"');
    const name = t.slice(0, lt).trim();
    if (name !== '') displayName = name.startsWith('"') && name.endsWith('"') && name.length >= 2
      ? name.slice(1, -1).replace(/\\(.)/g, '$1')
      : name;
    uriText = t.slice(lt + 1, gt);
    paramText = t.slice(gt + 1);
  } else {
    const semi = t.indexOf(';');
    uriText = semi >= 0 ? t.slice(0, semi) : t;
    paramText = semi >= 0 ? t.slice(semi) : '';
  }
  const params = parseParams(paramText);
  const out: NameAddr = { uri: parseUri(uriText), params };
  if (displayName !== undefined) out.displayName = displayName;
  if (params.tag !== undefined) out.tag = params.tag;
  return out;
}

function findUnquoted(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (quoted) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') quoted = false;
    } else if (s[i] === '"') quoted = true;
    else if (s[i] === ch) return i;
  }
  return -1;
}

export function formatNameAddr(a: { displayName?: string; uri: SipUri | string; params?: Record<string, string> }): string {
  const uri = typeof a.uri === 'string' ? a.uri : formatUri(a.uri);
  let s = a.displayName !== undefined ? `"${a.displayName.replace(/["\\]/g, (c) => '\\' + c)}" <${uri}>` : `<${uri}>`;
  for (const [k, v] of Object.entries(a.params ?? {})) s += v === '' ? `;${k}` : `;${k}=${v}`;
  return s;
}
