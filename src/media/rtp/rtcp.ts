// RTCP (RFC 3550 §6): compound packet parsing, Sender Report decoding (NTP -> Unix ms) and
// builders for Receiver Reports (client keep-alive/feedback over UDP) and Sender Reports (simulator).

export class RtcpError extends Error {
  override readonly name = 'RtcpError';
}

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2208988800;
const TWO_POW_32 = 0x1_0000_0000;

export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, 0..255 (= lost/expected * 256). */
  fractionLost: number;
  /** Cumulative packets lost (signed 24-bit on the wire). */
  cumulativeLost: number;
  extendedHighestSequence: number;
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received (0 if none). */
  lastSr: number;
  /** Delay since that SR in 1/65536 s. */
  delaySinceLastSr: number;
}

export interface SenderReport {
  type: 'sr';
  ssrc: number;
  /** Sender wall clock in ms since the Unix epoch (fractional). */
  ntpMs: number;
  /** Middle 32 bits of the NTP timestamp, echoed as LSR in receiver reports. */
  ntpMiddle32: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
}

export interface ReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: ReportBlock[];
}

export interface Bye {
  type: 'bye';
  ssrcs: number[];
}

export interface OtherRtcp {
  type: 'other';
  packetType: number;
}

export type RtcpPacket = SenderReport | ReceiverReport | Bye | OtherRtcp;

/** NTP 64-bit timestamp -> ms since Unix epoch. Seconds with MSB 0 are era 1 (2036+), per RFC 4330 §3. */
export function ntpToUnixMs(seconds: number, fraction: number): number {
  const s = seconds >= 0x8000_0000 ? seconds : seconds + TWO_POW_32;
  return (s - NTP_UNIX_OFFSET_S) * 1000 + (fraction / TWO_POW_32) * 1000;
}

export function unixMsToNtp(ms: number): { seconds: number; fraction: number } {
  const wholeS = Math.floor(ms / 1000);
  const fraction = Math.min(TWO_POW_32 - 1, Math.round(((ms - wholeS * 1000) / 1000) * TWO_POW_32));
  return { seconds: (wholeS + NTP_UNIX_OFFSET_S) % TWO_POW_32, fraction };
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function parseRtcpCompound(buf: Uint8Array): RtcpPacket[] {
  const out: RtcpPacket[] = [];
  let o = 0;
  if (buf.length < 4) throw new RtcpError(`RTCP packet too short: ${buf.length} bytes`);
  while (o < buf.length) {
    if (buf.length - o < 4) throw new RtcpError('truncated RTCP header');
    const b0 = buf[o];
    if (b0 >> 6 !== 2) throw new RtcpError(`RTCP version ${b0 >> 6} != 2`);
    const count = b0 & 0x1f;
    const pt = buf[o + 1];
    const len = (((buf[o + 2] << 8) | buf[o + 3]) + 1) * 4;
    if (o + len > buf.length) throw new RtcpError(`RTCP length ${len} exceeds remaining ${buf.length - o}`);
    if (pt === RTCP_SR || pt === RTCP_RR) {
      const fixed = pt === RTCP_SR ? 28 : 8;
      if (len < fixed + count * 24) throw new RtcpError(`RTCP ${pt} too short for ${count} report blocks`);
      const ssrc = u32(buf, o + 4);
      const reports = parseReportBlocks(buf, o + fixed, count);
      if (pt === RTCP_SR) {
        const sec = u32(buf, o + 8);
        const frac = u32(buf, o + 12);
        out.push({
          type: 'sr', ssrc, ntpMs: ntpToUnixMs(sec, frac), ntpMiddle32: (((sec & 0xffff) << 16) | (frac >>> 16)) >>> 0,
          rtpTimestamp: u32(buf, o + 16), packetCount: u32(buf, o + 20), octetCount: u32(buf, o + 24), reports,
        });
      } else {
        out.push({ type: 'rr', ssrc, reports });
      }
    } else if (pt === RTCP_BYE) {
      if (len < 4 + count * 4) throw new RtcpError('RTCP BYE too short');
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(u32(buf, o + 4 + i * 4));
      out.push({ type: 'bye', ssrcs });
    } else {
      out.push({ type: 'other', packetType: pt });
    }
    o += len;
  }
  return out;
}

function parseReportBlocks(buf: Uint8Array, o: number, count: number): ReportBlock[] {
  const reports: ReportBlock[] = [];
  for (let i = 0; i < count; i++, o += 24) {
    const lost24 = (buf[o + 5] << 16) | (buf[o + 6] << 8) | buf[o + 7];
    reports.push({
      ssrc: u32(buf, o),
      fractionLost: buf[o + 4],
      cumulativeLost: lost24 & 0x80_0000 ? lost24 - 0x100_0000 : lost24,
      extendedHighestSequence: u32(buf, o + 8),
      jitter: u32(buf, o + 12),
      lastSr: u32(buf, o + 16),
      delaySinceLastSr: u32(buf, o + 20),
    });
  }
  return reports;
}

function writeReportBlocks(view: DataView, o: number, reports: ReportBlock[]): void {
  for (const r of reports) {
    view.setUint32(o, r.ssrc >>> 0);
    const lost = Math.max(-0x80_0000, Math.min(0x7f_ffff, Math.trunc(r.cumulativeLost))) & 0xff_ffff;
    view.setUint32(o + 4, (((r.fractionLost & 0xff) << 24) | lost) >>> 0);
    view.setUint32(o + 8, r.extendedHighestSequence >>> 0);
    view.setUint32(o + 12, r.jitter >>> 0);
    view.setUint32(o + 16, r.lastSr >>> 0);
    view.setUint32(o + 20, r.delaySinceLastSr >>> 0);
    o += 24;
  }
}

function header(view: DataView, count: number, pt: number, totalBytes: number): void {
  view.setUint8(0, 0x80 | count);
  view.setUint8(1, pt);
  view.setUint16(2, totalBytes / 4 - 1);
}

export function buildReceiverReport(ssrc: number, reports: ReportBlock[] = []): Uint8Array {
  if (reports.length > 31) throw new RtcpError('at most 31 report blocks');
  const out = new Uint8Array(8 + reports.length * 24);
  const view = new DataView(out.buffer);
  header(view, reports.length, RTCP_RR, out.length);
  view.setUint32(4, ssrc >>> 0);
  writeReportBlocks(view, 8, reports);
  return out;
}

export interface SenderInfo {
  ssrc: number;
  ntpMs: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports?: ReportBlock[];
}

export function buildSenderReport(info: SenderInfo): Uint8Array {
  const reports = info.reports ?? [];
  if (reports.length > 31) throw new RtcpError('at most 31 report blocks');
  const out = new Uint8Array(28 + reports.length * 24);
  const view = new DataView(out.buffer);
  header(view, reports.length, RTCP_SR, out.length);
  const ntp = unixMsToNtp(info.ntpMs);
  view.setUint32(4, info.ssrc >>> 0);
  view.setUint32(8, ntp.seconds);
  view.setUint32(12, ntp.fraction);
  view.setUint32(16, info.rtpTimestamp >>> 0);
  view.setUint32(20, info.packetCount >>> 0);
  view.setUint32(24, info.octetCount >>> 0);
  writeReportBlocks(view, 28, reports);
  return out;
}

/** SDES with one CNAME chunk: RFC 3550 requires it in every compound packet. */
export function buildSdesCname(ssrc: number, cname: string): Uint8Array {
  const text = Buffer.from(cname.slice(0, 255), 'utf8').subarray(0, 255);
  // chunk = ssrc(4) + type(1) + len(1) + text + terminating null(s) to a 32-bit boundary
  const chunkLen = Math.ceil((4 + 2 + text.length + 1) / 4) * 4;
  const out = new Uint8Array(4 + chunkLen);
  const view = new DataView(out.buffer);
  header(view, 1, RTCP_SDES, out.length);
  view.setUint32(4, ssrc >>> 0);
  out[8] = 1; // CNAME
  out[9] = text.length;
  out.set(text, 10);
  return out;
}

export function buildBye(ssrc: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  header(view, 1, RTCP_BYE, 8);
  view.setUint32(4, ssrc >>> 0);
  return out;
}

export { concatBytes } from '../bytes.ts';
