// SDP for GB/T 28181 INVITE (Annex F): RFC 4566 plus the GB y= (SSRC) and f= (media format)
// lines; s= is Play/Playback/Download, u= the channel for history, t= start/end Unix seconds,
// a=setup for RTP over TCP (RFC 4145). Pure text in/out.

export class GbSdpError extends Error {
  override readonly name = 'GbSdpError';
}

export interface GbRtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
}

export interface GbSdp {
  sessionName: string;
  /** o= username: the sender's 20-digit ID. */
  originId: string;
  ip: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** RFC 4145 role for TCP: active = this side connects. */
  setup?: 'active' | 'passive' | 'actpass';
  direction: 'recvonly' | 'sendonly' | 'sendrecv';
  /** u= value, e.g. "34020000001320000001:0" for Playback/Download. */
  uri?: string;
  startSec: number;
  endSec: number;
  rtpMaps: GbRtpMap[];
  /** y= 10-digit SSRC. */
  ssrc?: string;
  /** f= media description, kept verbatim (v/codec/resolution/fps/.../a/...). */
  format?: string;
  downloadSpeed?: number;
  fileSize?: number;
  /** Parsed offers only: true when it has no m=video line (voice broadcast or talk, audio alone). */
  audioOnly?: boolean;
  /** Built SDPs: the m= line's media (default video; 'audio' for a broadcast's or talk's G.711 leg). */
  media?: 'video' | 'audio';
}

export const DEFAULT_RTP_MAPS: GbRtpMap[] = [{ payloadType: 96, encoding: 'PS', clockRate: 90000 }];

export function buildGbSdp(s: GbSdp): string {
  const proto = s.transport === 'tcp' ? 'TCP/RTP/AVP' : 'RTP/AVP';
  const maps = s.rtpMaps.length > 0 ? s.rtpMaps : DEFAULT_RTP_MAPS;
  const lines = [
    'v=0',
    `o=${s.originId} 0 0 IN IP4 ${s.ip}`,
    `s=${s.sessionName}`,
  ];
  if (s.uri !== undefined) lines.push(`u=${s.uri}`);
  lines.push(`c=IN IP4 ${s.ip}`, `t=${s.startSec} ${s.endSec}`, `m=${s.media ?? 'video'} ${s.port} ${proto} ${maps.map((m) => m.payloadType).join(' ')}`, `a=${s.direction}`);
  for (const m of maps) lines.push(`a=rtpmap:${m.payloadType} ${m.encoding}/${m.clockRate}`);
  if (s.transport === 'tcp') lines.push(`a=setup:${s.setup ?? 'passive'}`, 'a=connection:new');
  if (s.downloadSpeed !== undefined) lines.push(`a=downloadspeed:${s.downloadSpeed}`);
  if (s.fileSize !== undefined) lines.push(`a=filesize:${s.fileSize}`);
  if (s.ssrc !== undefined) lines.push(`y=${s.ssrc}`);
  if (s.format !== undefined) lines.push(`f=${s.format}`);
  return lines.join('\r\n') + '\r\n';
}

export function parseGbSdp(text: string): GbSdp {
  if (text.length > 8192) throw new GbSdpError('SDP longer than 8192 characters');
  const out: Partial<GbSdp> & { rtpMaps: GbRtpMap[] } = { rtpMaps: [], startSec: 0, endSec: 0, direction: 'sendrecv' };
  let inVideo = false;
  let sawVideo = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line[1] !== '=') throw new GbSdpError('SDP line must be <type>=<value>');
    const type = line[0];
    const value = line.slice(2);
    if (type === 'm') {
      inVideo = false;
      const m = /^(video|audio) (\d{1,5}) (RTP\/AVP|TCP\/RTP\/AVP|RTP\/AVP\/TCP) ([\d ]+)$/.exec(value);
      if (!m) throw new GbSdpError('malformed m= line');
      if (m[1] === 'video' || !sawVideo) {
        inVideo = true;
        sawVideo = sawVideo || m[1] === 'video';
        out.port = Number(m[2]);
        if (out.port > 65535) throw new GbSdpError('m= port out of range');
        out.transport = m[3] === 'RTP/AVP' ? 'udp' : 'tcp';
        out.rtpMaps = [];
      }
      continue;
    }
    switch (type) {
      case 'o': {
        const parts = value.split(' ');
        if (parts.length < 6) throw new GbSdpError('malformed o= line');
        out.originId = parts[0];
        out.ip ??= parts[5];
        break;
      }
      case 's': out.sessionName = value; break;
      case 'u': out.uri = value; break;
      case 'c': {
        const m = /^IN IP[46] (\S+)$/.exec(value);
        if (!m) throw new GbSdpError('malformed c= line');
        out.ip = m[1];
        break;
      }
      case 't': {
        const m = /^(\d{1,12}) (\d{1,12})$/.exec(value);
        if (!m) throw new GbSdpError('malformed t= line');
        out.startSec = Number(m[1]);
        out.endSec = Number(m[2]);
        break;
      }
      case 'y':
        if (!/^\d{1,10}$/.test(value)) throw new GbSdpError('y= SSRC must be up to 10 digits');
        out.ssrc = value.padStart(10, '0');
        break;
      case 'f': out.format = value; break;
      case 'a': if (inVideo || !sawVideo) parseAttribute(value, out); break;
      default: break; // v=, b=, others: not needed for GB media setup
    }
  }
  if (out.sessionName === undefined || out.originId === undefined || out.ip === undefined || out.port === undefined || out.transport === undefined) {
    throw new GbSdpError('SDP lacks s=, o=, c= or m= line');
  }
  if (!sawVideo) out.audioOnly = true;
  return out as GbSdp;
}

function parseAttribute(value: string, out: Partial<GbSdp> & { rtpMaps: GbRtpMap[] }): void {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const arg = colon < 0 ? '' : value.slice(colon + 1).trim();
  if (name === 'recvonly' || name === 'sendonly' || name === 'sendrecv') out.direction = name;
  else if (name === 'rtpmap') {
    const m = /^(\d{1,3}) ([\w.-]+)\/(\d{1,6})/.exec(arg);
    if (!m) throw new GbSdpError('malformed a=rtpmap');
    out.rtpMaps.push({ payloadType: Number(m[1]), encoding: m[2].toUpperCase(), clockRate: Number(m[3]) });
  } else if (name === 'setup') {
    if (arg !== 'active' && arg !== 'passive' && arg !== 'actpass') throw new GbSdpError('a=setup must be active|passive|actpass');
    out.setup = arg;
  } else if (name === 'downloadspeed' && /^\d{1,4}$/.test(arg)) out.downloadSpeed = Number(arg);
  else if (name === 'filesize' && /^\d{1,15}$/.test(arg)) out.fileSize = Number(arg);
}
