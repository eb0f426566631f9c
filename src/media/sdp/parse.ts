// SDP parser (RFC 4566), limited to what an RTSP client needs: session name, control URLs and,
// per m-line, one payload type with its rtpmap/fmtp. Lenient on unknown lines (cameras emit many
// vendor attributes), strict on the structure we rely on (v= present, well-formed m= lines).
import type { SdpMedia, SessionDescription } from '../types.ts';

/** Upper bound on SDP text; real camera SDPs are < 4 KiB, so anything larger is garbage or hostile. */
export const MAX_SDP_CHARS = 64 * 1024;

export class SdpError extends Error {
  override readonly name = 'SdpError';
}

/** Static payload types (RFC 3551) we accept without an rtpmap. */
const STATIC_PAYLOADS: Record<number, { encoding: string; clockRate: number; channels: number }> = {
  0: { encoding: 'PCMU', clockRate: 8000, channels: 1 },
  8: { encoding: 'PCMA', clockRate: 8000, channels: 1 },
};

interface RtpMap {
  encoding: string;
  clockRate: number;
  channels?: number;
}

interface MediaDraft {
  type: string;
  port: number;
  protocol: string;
  formats: number[];
  rtpmaps: Map<number, RtpMap>;
  fmtps: Map<number, string>;
  control?: string;
  direction?: SdpMedia['direction'];
}

const DIRECTIONS = new Set(['sendonly', 'recvonly', 'sendrecv', 'inactive']);

export function parseSdp(text: string): SessionDescription {
  if (typeof text !== 'string') throw new SdpError('SDP must be a string');
  if (text.length > MAX_SDP_CHARS) throw new SdpError(`SDP too large: ${text.length} chars > ${MAX_SDP_CHARS}`);
  const session: SessionDescription = { media: [] };
  const drafts: MediaDraft[] = [];
  let current: MediaDraft | undefined;
  let sawVersion = false;

  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    // "x=value": anything else is a vendor oddity we skip rather than reject the whole stream for.
    if (trimmed.length < 2 || trimmed[1] !== '=') continue;
    const kind = trimmed[0];
    const value = trimmed.slice(2);
    switch (kind) {
      case 'v':
        if (value.trim() !== '0') throw new SdpError(`unsupported SDP version "${value}"`);
        sawVersion = true;
        break;
      case 's':
        if (!current) session.sessionName = value;
        break;
      case 'm':
        current = parseMediaLine(value);
        drafts.push(current);
        break;
      case 'a':
        parseAttribute(value, session, current);
        break;
      default:
        break; // o=, c=, b=, t=, i=... carry nothing the client needs
    }
  }
  if (!sawVersion) throw new SdpError('missing v= line: not an SDP');
  for (const d of drafts) session.media.push(finishMedia(d));
  return session;
}

function parseMediaLine(value: string): MediaDraft {
  const parts = value.split(' ').filter((p) => p !== '');
  if (parts.length < 3) throw new SdpError(`malformed m= line "${value.slice(0, 80)}"`);
  const portText = parts[1].split('/')[0];
  const port = parseUint(portText, 65535);
  if (port === undefined) throw new SdpError(`malformed m= port "${parts[1].slice(0, 20)}"`);
  const formats: number[] = [];
  for (const f of parts.slice(3)) {
    const pt = parseUint(f, 127);
    if (pt !== undefined) formats.push(pt); // non-numeric fmts (non-RTP protocols) are ignored
  }
  return { type: parts[0], port, protocol: parts[2], formats, rtpmaps: new Map(), fmtps: new Map() };
}

function parseAttribute(value: string, session: SessionDescription, media: MediaDraft | undefined): void {
  const colon = value.indexOf(':');
  const name = (colon < 0 ? value : value.slice(0, colon)).trim().toLowerCase();
  const arg = colon < 0 ? '' : value.slice(colon + 1).trim();
  if (name === 'control') {
    if (media) media.control = arg;
    else session.control = arg;
    return;
  }
  if (!media) return;
  if (DIRECTIONS.has(name)) {
    media.direction = name as SdpMedia['direction'];
    return;
  }
  if (name === 'rtpmap') {
    const { pt, rest } = splitPayloadType(arg, 'rtpmap');
    const fields = rest.split('/');
    const encoding = fields[0].trim().toUpperCase();
    if (encoding === '') throw new SdpError(`rtpmap ${pt} without encoding name`);
    let clockRate: number | undefined;
    if (fields.length > 1) {
      clockRate = parseUint(fields[1].trim(), 0xffffffff);
      if (clockRate === undefined || clockRate === 0) throw new SdpError(`rtpmap ${pt} bad clock rate`);
    }
    // Some cameras omit the clock rate; default to the RFC 3551 convention for the media type.
    clockRate ??= media.type === 'audio' ? 8000 : 90000;
    const map: RtpMap = { encoding, clockRate };
    if (fields.length > 2) {
      const channels = parseUint(fields[2].trim(), 255);
      if (channels !== undefined && channels > 0) map.channels = channels;
    }
    if (!media.rtpmaps.has(pt)) media.rtpmaps.set(pt, map);
  } else if (name === 'fmtp') {
    const { pt, rest } = splitPayloadType(arg, 'fmtp');
    if (!media.fmtps.has(pt)) media.fmtps.set(pt, rest);
  }
}

function splitPayloadType(arg: string, what: string): { pt: number; rest: string } {
  const space = arg.search(/[ \t]/);
  const ptText = space < 0 ? arg : arg.slice(0, space);
  const pt = parseUint(ptText, 127);
  if (pt === undefined) throw new SdpError(`${what} with bad payload type "${ptText.slice(0, 20)}"`);
  return { pt, rest: space < 0 ? '' : arg.slice(space + 1).trim() };
}

function finishMedia(d: MediaDraft): SdpMedia {
  // Pick the first format we can describe: an rtpmap, else a well-known static payload type.
  let payloadType = -1;
  let map: RtpMap | undefined;
  for (const pt of d.formats) {
    map = d.rtpmaps.get(pt) ?? STATIC_PAYLOADS[pt];
    if (map) {
      payloadType = pt;
      break;
    }
  }
  const media: SdpMedia = {
    type: d.type,
    port: d.port,
    protocol: d.protocol,
    // Undescribable m-lines (no rtpmap, dynamic PT) keep the first format with encoding '' and
    // clockRate 0 so callers can skip them instead of losing the whole session.
    payloadType: map ? payloadType : (d.formats[0] ?? -1),
    encoding: map ? map.encoding : '',
    clockRate: map ? map.clockRate : 0,
    fmtp: map ? parseFmtp(d.fmtps.get(payloadType) ?? '') : {},
  };
  if (map?.channels !== undefined) media.channels = map.channels;
  if (d.control !== undefined) media.control = d.control;
  if (d.direction !== undefined) media.direction = d.direction;
  return media;
}

/** "a; b=c; sprop-parameter-sets=Z0..,aM==" -> { a: '', b: 'c', 'sprop-parameter-sets': 'Z0..,aM==' } */
export function parseFmtp(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of text.split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (key === '') continue;
    out[key] = eq < 0 ? '' : p.slice(eq + 1).trim(); // split on the first '=' only: base64 ends in '='
  }
  return out;
}

function parseUint(text: string, max: number): number | undefined {
  if (text.length === 0 || text.length > 10) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = Number(text);
  return n <= max ? n : undefined;
}

/**
 * Resolve an a=control value against the presentation base URL (Content-Base, Content-Location
 * or the DESCRIBE URL). Follows ffmpeg/gortsplib practice rather than strict RFC 3986: a relative
 * control is appended after a '/', because cameras send bases like ".../101" or "...?channel=1"
 * and expect "trackID=1" to go after them, not replace the last path segment.
 */
export function resolveControlUrl(base: string, control: string | undefined): string {
  const c = (control ?? '').trim();
  if (c === '' || c === '*') return base;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(c)) return c;
  if (c.startsWith('/')) {
    // Absolute path: keep scheme and authority of the base.
    const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(base);
    return m ? m[1] + c : c;
  }
  return base.endsWith('/') ? base + c : `${base}/${c}`;
}
