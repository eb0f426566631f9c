// SIP message model, datagram parser and serializer (RFC 3261 §7). Bodies stay bytes because
// MANSCDP bodies are GB2312/GB18030, not UTF-8; headers are decoded as UTF-8.
import { canonicalHeaderName, SipHeaders } from './headers.ts';

export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}

/** A received message the transport dropped (it does not parse): who sent it and why, for the log. */
export class SipDroppedError extends Error {
  override readonly name = 'SipDroppedError';
  constructor(
    /** The sender's address (no port: one peer, whatever source port it uses). */
    readonly peerHost: string,
    readonly peer: string,
    readonly reason: string,
    what = 'dropped SIP message',
  ) {
    super(`${what} from ${peer}: ${reason}`);
  }
}

/** Upper bound for one message (headers + body); anything larger is refused, never buffered. */
export const SIP_MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_HEADER_LINES = 256;

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Uint8Array;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Uint8Array;
}

export type SipMessage = SipRequest | SipResponse;

/** Headers every request and response must carry (RFC 3261 §8.1.1); checked by the parser. */
const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
const TOKEN_RE = /^[A-Za-z0-9.!%*_+`'~-]+$/;

/** Index just past the header block's blank line, and where the block ends; -1 if incomplete. */
export function findHeaderEnd(buf: Uint8Array, from = 0): { headerEnd: number; bodyStart: number } | undefined {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    // Accept CRLF CRLF (standard) and bare LF LF (lenient, some embedded stacks).
    if (buf[i + 1] === 0x0a) return { headerEnd: i, bodyStart: i + 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { headerEnd: i, bodyStart: i + 3 };
  }
  return undefined;
}

/**
 * Raw header name → canonical name, for names the parser has accepted (a token): every header of
 * every received message is named here, so the token check and canonicalisation run once per
 * distinct spelling. Bounded: a peer sending ever new names cannot grow it.
 */
const acceptedNames = new Map<string, string>();
const ACCEPTED_NAMES_MAX = 512;

function acceptedName(raw: string, lineNo: number): string {
  const known = acceptedNames.get(raw);
  if (known !== undefined) return known;
  const name = raw.trim();
  if (!TOKEN_RE.test(name)) throw new SipParseError(`malformed header name on line ${lineNo}`);
  const canon = canonicalHeaderName(name);
  if (acceptedNames.size < ACCEPTED_NAMES_MAX) acceptedNames.set(raw, canon);
  return canon;
}

/** Parses a start line and header block (without the blank line); body attached by the caller. */
export function parseHead(text: string): { start: SipRequest | SipResponse; contentLength?: number } {
  // Lines split on LF with one CR before it dropped (what split(/\r?\n/) gave, without the regex);
  // a CR anywhere else would let a value smuggle a line break into what we serialize later.
  const end = text.endsWith('\r') ? text.length - 1 : text.length;
  const lines: string[] = [];
  for (let at = 0; ;) {
    let nl = text.indexOf('\n', at);
    const last = nl < 0 || nl >= end;
    if (last) nl = end;
    const line = text.slice(at, nl > at && text.charCodeAt(nl - 1) === 0x0d && !last ? nl - 1 : nl);
    if (line.includes('\r')) throw new SipParseError('bare CR in header block');
    // Folded header (RFC 3261 §7.3.1): continuation lines start with whitespace.
    const first = line.charCodeAt(0);
    if ((first === 0x20 || first === 0x09) && lines.length > 1) lines[lines.length - 1] += ' ' + line.trim();
    else lines.push(line);
    if (last) break;
    at = nl + 1;
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0 || lines[0] === '') throw new SipParseError('empty start line');
  if (lines.length > MAX_HEADER_LINES) throw new SipParseError(`more than ${MAX_HEADER_LINES} header lines`);
  const headers = new SipHeaders();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line ${i}: no name`);
    headers.appendParsed(acceptedName(line.slice(0, colon), i), line.slice(colon + 1).trim());
  }
  const start = parseStartLine(lines[0], headers);
  for (const h of MANDATORY) if (!headers.has(h)) throw new SipParseError(`missing mandatory header ${h}`);
  const cseq = headers.get('CSeq') ?? '';
  if (!/^\d{1,10}\s+[A-Za-z0-9.!%*_+`'~-]+$/.test(cseq)) throw new SipParseError('malformed CSeq');
  let contentLength: number | undefined;
  const cl = headers.get('Content-Length');
  if (cl !== undefined) {
    if (!/^\d{1,10}$/.test(cl)) throw new SipParseError('malformed Content-Length');
    contentLength = Number(cl);
    if (contentLength > SIP_MAX_MESSAGE_BYTES) throw new SipParseError(`Content-Length ${contentLength} exceeds ${SIP_MAX_MESSAGE_BYTES}`);
  }
  return { start, contentLength };
}

function parseStartLine(line: string, headers: SipHeaders): SipRequest | SipResponse {
  const empty = new Uint8Array(0);
  if (line.startsWith('SIP/')) {
    const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(line);
    if (!m) throw new SipParseError('malformed status line');
    const status = Number(m[1]);
    if (status < 100 || status > 699) throw new SipParseError(`status ${status} out of range`);
    return { kind: 'response', status, reason: m[2], headers, body: empty };
  }
  const m = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/2\.0$/.exec(line);
  if (!m) throw new SipParseError('malformed request line');
  return { kind: 'request', method: m[1], uri: m[2], headers, body: empty };
}

const utf8 = new TextDecoder('utf-8');

/**
 * Parses one complete message (a UDP datagram). Without Content-Length the body is the rest of
 * the datagram (RFC 3261 §18.3); a Content-Length longer than the data is an error.
 */
export function parseSipMessage(buf: Uint8Array): SipMessage {
  if (buf.length > SIP_MAX_MESSAGE_BYTES) throw new SipParseError(`message of ${buf.length} bytes exceeds ${SIP_MAX_MESSAGE_BYTES}`);
  let offset = 0;
  while (offset < buf.length && (buf[offset] === 0x0d || buf[offset] === 0x0a)) offset++; // keepalive CRLFs
  const end = findHeaderEnd(buf, offset);
  const headText = utf8.decode(buf.subarray(offset, end ? end.headerEnd : buf.length));
  const { start, contentLength } = parseHead(headText);
  if (end) {
    const rest = buf.subarray(end.bodyStart);
    if (contentLength !== undefined && contentLength > rest.length) {
      throw new SipParseError(`body truncated: Content-Length ${contentLength}, have ${rest.length}`);
    }
    start.body = rest.subarray(0, contentLength ?? rest.length);
  } else if (contentLength) {
    throw new SipParseError('no blank line after headers but Content-Length > 0');
  }
  return start;
}

/** Serializes a message; Content-Length is always (re)computed from the body. */
export function serializeSipMessage(msg: SipMessage): Uint8Array {
  // One string, one buffer: every response of the upper (200 a second in bench:sip) comes through here.
  let head = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  for (const [k, v] of msg.headers.pairs()) if (k !== 'Content-Length') head += `${k}: ${v}\r\n`;
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  if (msg.body.length === 0) return Buffer.from(head, 'utf8');
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + msg.body.length);
  out.write(head, 0, 'utf8');
  out.set(msg.body, headBytes);
  return out;
}

/** Body as text for logging and SDP (UTF-8; MANSCDP callers decode with its charset instead). */
export function bodyText(msg: SipMessage): string {
  return utf8.decode(msg.body);
}
