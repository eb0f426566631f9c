// SNTP client (RFC 4330): how far this node's clock is from its time source, for the node-health
// sampler (issue 19, clock drift → fault ticket; docs/design/ledger.md). One request, one reply:
// offset = ((T2 − T1) + (T3 − T4)) / 2, round-trip delay = (T4 − T1) − (T3 − T2). The reply comes
// from the network and is checked before use (fuzz target `sntp-reply`): a reply that is short,
// not from a server, unsynchronised, a kiss-o'-death, or not an answer to our request is refused.
import { createSocket } from 'node:dgram';
import type { Clock } from './clock.ts';

/** Seconds between 1900-01-01 (NTP era 0) and 1970-01-01. */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
export const SNTP_PACKET_BYTES = 48;

export interface SntpReply {
  leap: number;
  version: number;
  stratum: number;
  /** Our request's transmit time echoed back (T1), ms since the Unix epoch. */
  originateMs: number;
  /** When the server received the request (T2), ms. */
  receiveMs: number;
  /** When the server sent the reply (T3), ms. */
  transmitMs: number;
}

export interface SntpResult {
  /** Time source minus this node's clock, ms (positive: this node is behind). */
  offsetMs: number;
  /** Round-trip delay of the exchange, ms. */
  delayMs: number;
  stratum: number;
  server: string;
}

export class SntpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SntpError';
  }
}

/** Reads a 64-bit NTP timestamp at `offset` as ms since the Unix epoch (era 0). */
function readTimestampMs(buf: Uint8Array, offset: number): number {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const seconds = v.getUint32(offset);
  const fraction = v.getUint32(offset + 4);
  return (seconds - NTP_UNIX_OFFSET_S) * 1000 + (fraction * 1000) / 2 ** 32;
}

function writeTimestampMs(buf: Buffer, offset: number, ms: number): void {
  const seconds = Math.floor(ms / 1000) + NTP_UNIX_OFFSET_S;
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  buf.writeUInt32BE(seconds >>> 0, offset);
  buf.writeUInt32BE(fraction >>> 0, offset + 4);
}

/** A client request (mode 3, version 4) whose transmit timestamp is `nowMs`. */
export function sntpRequest(nowMs: number): Buffer {
  const b = Buffer.alloc(SNTP_PACKET_BYTES);
  b[0] = (0 << 6) | (4 << 3) | 3;
  writeTimestampMs(b, 40, nowMs);
  return b;
}

/**
 * Parses and checks a server's reply. `requestTransmit` is the 8 bytes our request carried at
 * offset 40: the reply must echo them (otherwise it answers someone else, or is forged).
 */
export function parseSntpReply(buf: Uint8Array, requestTransmit?: Uint8Array): SntpReply {
  if (buf.length < SNTP_PACKET_BYTES) throw new SntpError(`SNTP 应答过短 (reply of ${buf.length} bytes, need ${SNTP_PACKET_BYTES})`);
  const leap = buf[0]! >> 6;
  const version = (buf[0]! >> 3) & 7;
  const mode = buf[0]! & 7;
  const stratum = buf[1]!;
  if (mode !== 4 && mode !== 5) throw new SntpError(`不是服务器应答 (mode ${mode}, expected 4)`);
  if (version < 1 || version > 4) throw new SntpError(`不支持的 NTP 版本 (version ${version})`);
  if (stratum === 0) throw new SntpError(`服务器拒绝服务 (kiss-o'-death ${Buffer.from(buf.subarray(12, 16)).toString('latin1').replace(/[^\x20-\x7e]/g, '?')})`);
  if (stratum > 15) throw new SntpError(`服务器未同步 (stratum ${stratum})`);
  if (leap === 3) throw new SntpError('服务器时钟未同步 (leap indicator 3: unsynchronised)');
  if (requestTransmit && !Buffer.from(buf.subarray(24, 32)).equals(Buffer.from(requestTransmit))) throw new SntpError('应答与请求不符 (originate timestamp does not match our request)');
  const transmitMs = readTimestampMs(buf, 40);
  const receiveMs = readTimestampMs(buf, 32);
  if (buf.subarray(40, 48).every((x) => x === 0)) throw new SntpError('应答缺少发送时间 (transmit timestamp is zero)');
  if (transmitMs < receiveMs - 1000) throw new SntpError('应答时间戳不一致 (server sent before it received)');
  return { leap, version, stratum, originateMs: readTimestampMs(buf, 24), receiveMs, transmitMs };
}

/** Offset and delay from the four timestamps (ms). */
export function sntpOffset(t1: number, t2: number, t3: number, t4: number): { offsetMs: number; delayMs: number } {
  return { offsetMs: (t2 - t1 + (t3 - t4)) / 2, delayMs: Math.max(0, t4 - t1 - (t3 - t2)) };
}

/** One SNTP exchange over UDP with `server` ("host" or "host:port", default port 123). */
export function sntpQuery(server: string, opts: { clock: Clock; timeoutMs?: number }): Promise<SntpResult> {
  const m = /^(.*?)(?::(\d+))?$/.exec(server.trim())!;
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const port = m[2] ? Number(m[2]) : 123;
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise<SntpResult>((resolve, reject) => {
    const done = (err: Error | null, r?: SntpResult) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(r!);
    };
    const timer = setTimeout(() => done(new SntpError(`时间服务器无应答 (no reply from ${server} in ${opts.timeoutMs ?? 2000} ms)`)), opts.timeoutMs ?? 2000);
    const t1 = opts.clock.nowMs();
    const req = sntpRequest(t1);
    socket.on('error', (err) => done(err));
    socket.on('message', (msg) => {
      const t4 = opts.clock.nowMs();
      let reply: SntpReply;
      try {
        reply = parseSntpReply(msg, req.subarray(40, 48));
      } catch (err) {
        done(err as Error);
        return;
      }
      done(null, { ...sntpOffset(t1, reply.receiveMs, reply.transmitMs, t4), stratum: reply.stratum, server });
    });
    socket.send(req, port, host, (err) => { if (err) done(err); });
  });
}

/** Builds a server reply to `request` (tests and the demo's time source). */
export function sntpReplyTo(request: Uint8Array, receiveMs: number, transmitMs: number, stratum = 2): Buffer {
  const b = Buffer.alloc(SNTP_PACKET_BYTES);
  b[0] = (0 << 6) | (4 << 3) | 4;
  b[1] = stratum;
  Buffer.from(request.subarray(40, 48)).copy(b, 24);
  writeTimestampMs(b, 32, receiveMs);
  writeTimestampMs(b, 40, transmitMs);
  return b;
}
