// RTSP/1.0 message serialization. Refuses CR/LF inside start-line fields and header values so a
// hostile URL or header value (from config or a camera) cannot inject extra headers.
import { RtspHeaders } from './headers.ts';

export interface RtspRequestInit {
  method: string;
  uri: string;
  headers?: RtspHeaders | Record<string, string | number | undefined>;
  body?: Uint8Array | string;
}

export interface RtspResponseInit {
  statusCode: number;
  reason?: string;
  headers?: RtspHeaders | Record<string, string | number | undefined>;
  body?: Uint8Array | string;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export function serializeRequest(req: RtspRequestInit): Buffer {
  checkToken(req.method, 'method');
  checkText(req.uri, 'uri');
  if (req.uri === '' || req.uri.includes(' ')) throw new RangeError('RTSP uri must be non-empty without spaces');
  return serialize(`${req.method} ${req.uri} RTSP/1.0`, req.headers, req.body);
}

export function serializeResponse(res: RtspResponseInit): Buffer {
  if (!Number.isInteger(res.statusCode) || res.statusCode < 100 || res.statusCode > 999) {
    throw new RangeError(`bad RTSP status ${res.statusCode}`);
  }
  const reason = res.reason ?? REASONS[res.statusCode] ?? 'Unknown';
  checkText(reason, 'reason');
  return serialize(`RTSP/1.0 ${res.statusCode} ${reason}`, res.headers, res.body);
}

/** "$" + channel + u16 length + data (RFC 2326 §10.12). */
export function serializeInterleaved(channel: number, data: Uint8Array): Buffer {
  if (!Number.isInteger(channel) || channel < 0 || channel > 255) throw new RangeError(`bad channel ${channel}`);
  if (data.length > 0xffff) throw new RangeError(`interleaved frame too large: ${data.length}`);
  const out = Buffer.allocUnsafe(4 + data.length);
  out[0] = 0x24;
  out[1] = channel;
  out.writeUInt16BE(data.length, 2);
  out.set(data, 4);
  return out;
}

function serialize(
  startLine: string,
  headersInit: RtspHeaders | Record<string, string | number | undefined> | undefined,
  bodyInit: Uint8Array | string | undefined,
): Buffer {
  const headers = headersInit instanceof RtspHeaders ? headersInit : new RtspHeaders(headersInit ?? {});
  const body = typeof bodyInit === 'string' ? Buffer.from(bodyInit, 'utf8') : (bodyInit ?? new Uint8Array(0));
  let head = startLine + '\r\n';
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'content-length') continue; // always derived from the body
    checkToken(name, 'header name');
    checkText(value, `header ${name}`);
    head += `${name}: ${value}\r\n`;
  }
  if (body.length > 0) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  const headBytes = Buffer.from(head, 'utf8');
  return body.length === 0 ? headBytes : Buffer.concat([headBytes, body]);
}

function checkToken(s: string, what: string): void {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s)) throw new RangeError(`invalid RTSP ${what}`);
}

function checkText(s: string, what: string): void {
  if (/[\r\n\0]/.test(s)) throw new RangeError(`CR/LF/NUL not allowed in RTSP ${what}`);
}
