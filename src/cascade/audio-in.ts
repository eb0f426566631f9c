// Receives the G.711 audio of a voice broadcast or talk from the upper (GB/T 28181-2016 §9.12):
// plain RTP with PT 8 (PCMA) or 0 (PCMU) — what wvp-GB28181-pro and the standard's examples send
// (f=v/////a/1/8/1, no PS wrapping) — over UDP, or over TCP with RFC 4571 framing where the upper
// connects to us (a=setup:passive on our side). Packets of another payload type are counted and
// dropped; no packet for `stallMs` ends the leg.
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Rfc4571Deframer } from '../media/ps/index.ts';
import { parseRtpPacket } from '../media/rtp/packet.ts';
import type { G711Law } from '../media/g711/level.ts';

export interface AudioInEvents {
  audio: [law: G711Law, payload: Uint8Array];
  close: [reason: string];
}

export class G711RtpReceiver extends EventEmitter<AudioInEvents> {
  packets = 0;
  bytes = 0;
  /** Malformed RTP or a payload type that is not G.711. */
  dropped = 0;
  private udp?: UdpSocket;
  private server?: Server;
  private conn?: Socket;
  private lastPacketMs = Date.now();
  private timer?: NodeJS.Timeout;
  private closed = false;

  private constructor() {
    super();
  }

  static async listen(transport: 'udp' | 'tcp', bindHost: string, stallMs = 30_000): Promise<{ receiver: G711RtpReceiver; port: number }> {
    const r = new G711RtpReceiver();
    let port: number;
    if (transport === 'udp') {
      const sock = createSocket('udp4');
      await new Promise<void>((resolve, reject) => sock.once('error', reject).bind(0, bindHost, () => resolve()));
      sock.on('message', (buf) => r.onPacket(buf));
      sock.on('error', (e) => r.close(`socket error: ${e.message}`));
      r.udp = sock;
      port = sock.address().port;
    } else {
      const server = createServer((sock) => {
        if (r.conn) return void sock.destroy(); // one sender per leg
        r.conn = sock;
        const deframer = new Rfc4571Deframer();
        sock.on('data', (chunk: Buffer) => {
          try {
            for (const p of deframer.push(chunk)) r.onPacket(p);
          } catch (e) {
            r.close(`bad RFC 4571 framing: ${(e as Error).message}`);
          }
        });
        sock.on('close', () => r.close('the upper closed the audio connection'));
        sock.on('error', () => undefined);
      });
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, bindHost, () => resolve()));
      r.server = server;
      const a = server.address();
      port = typeof a === 'object' && a ? a.port : 0;
    }
    r.timer = setInterval(() => {
      if (Date.now() - r.lastPacketMs > stallMs) r.close(`no audio for ${stallMs} ms`);
    }, Math.min(1000, stallMs));
    return { receiver: r, port };
  }

  private onPacket(buf: Uint8Array): void {
    if (this.closed) return;
    let p;
    try {
      p = parseRtpPacket(buf);
    } catch {
      this.dropped++;
      return;
    }
    const law: G711Law | undefined = p.payloadType === 8 ? 'pcma' : p.payloadType === 0 ? 'pcmu' : undefined;
    if (!law) {
      this.dropped++;
      return;
    }
    this.lastPacketMs = Date.now();
    this.packets++;
    this.bytes += p.payload.length;
    this.emit('audio', law, p.payload);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.udp?.close();
    this.conn?.destroy();
    this.server?.close();
    this.emit('close', reason);
  }
}
