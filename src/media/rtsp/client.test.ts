import { describe, it, expect, afterEach } from 'vitest';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { RtspClient } from './client.ts';
import type { RtspCloseReason } from './client.ts';
import { RtspMessageParser, serializeInterleaved, serializeResponse } from './message.ts';
import type { RtspRequest } from './message.ts';
import { createDigestChallenge, verifyAuthorization } from './auth.ts';
import { serializeRtpPacket } from '../rtp/packet.ts';
import { buildSenderReport, parseRtcpCompound } from '../rtp/rtcp.ts';
import { keyframeRequestsIn } from '../rtp/rtcp-feedback.ts';
import { SDP_HIKVISION_H264_PCMA } from '../sdp/fixtures.ts';

interface FakeOptions {
  auth?: 'digest' | 'basic';
  publicMethods?: string;
  /** After PLAY: 'stream' media, 'stall' (send nothing), 'close' after a few packets, 'garbage'. */
  afterPlay?: 'stream' | 'stall' | 'close' | 'garbage';
  silentOn?: string;
  optionsStatus?: number;
  describeStatus?: number;
}

const CREDS = { username: 'admin', password: 'S3cret!pw' };

/** A tiny RTSP camera: enough of RFC 2326 to exercise the client. */
class FakeCamera {
  readonly server: Server;
  readonly requests: RtspRequest[] = [];
  readonly rtcpFromClient: Uint8Array[] = [];
  readonly interleavedFromClient: Array<[number, Uint8Array]> = [];
  port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private udp: UdpSocket | undefined;
  private readonly challenge = createDigestChallenge('cam');

  constructor(private readonly opts: FakeOptions = {}) {
    this.server = createServer((s) => this.onConnection(s));
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    this.udp = createSocket('udp4');
    this.udp.on('message', (m) => this.rtcpFromClient.push(m));
    this.udp.bind(0, '127.0.0.1');
    await once(this.udp, 'listening');
  }

  get url(): string {
    return `rtsp://127.0.0.1:${this.port}/Streaming/Channels/101`;
  }

  methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets) s.destroy();
    this.udp?.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const parser = new RtspMessageParser({
      onMessage: (m) => { if (m.kind === 'request') this.onRequest(socket, m); },
      onInterleaved: (ch, data) => this.interleavedFromClient.push([ch, Uint8Array.from(data)]),
    });
    socket.on('data', (d: Buffer) => parser.push(d));
  }

  private onRequest(socket: Socket, req: RtspRequest): void {
    this.requests.push(req);
    const cseq = req.headers.get('cseq') ?? '0';
    if (this.opts.silentOn === req.method) return;
    const reply = (statusCode: number, headers: Record<string, string> = {}, body?: string): void => {
      socket.write(serializeResponse({ statusCode, headers: { CSeq: cseq, ...headers }, body }));
    };
    if (this.opts.auth && req.method !== 'OPTIONS') {
      const ok = verifyAuthorization(req.headers.get('authorization'), req.method, CREDS, 'cam', this.challenge.nonce);
      if (!ok) {
        reply(401, { 'WWW-Authenticate': this.opts.auth === 'digest' ? this.challenge.header : 'Basic realm="cam"' });
        return;
      }
    }
    switch (req.method) {
      case 'OPTIONS':
        if (this.opts.optionsStatus !== undefined) return reply(this.opts.optionsStatus);
        return reply(200, { Public: this.opts.publicMethods ?? 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER' });
      case 'DESCRIBE':
        if (this.opts.describeStatus !== undefined) return reply(this.opts.describeStatus);
        return reply(200, { 'Content-Type': 'application/sdp', 'Content-Base': `rtsp://127.0.0.1:${this.port}/Streaming/Channels/101/` },
          SDP_HIKVISION_H264_PCMA);
      case 'SETUP': {
        const t = req.headers.get('transport') ?? '';
        const udpPorts = /client_port=(\d+)-(\d+)/.exec(t);
        const local = this.udp?.address().port ?? 0;
        const transport = udpPorts ? `RTP/AVP;unicast;client_port=${udpPorts[1]}-${udpPorts[2]};server_port=${local}-${local}` : t;
        (socket as Socket & { udpPorts?: number[] }).udpPorts ??= [];
        if (udpPorts) (socket as Socket & { udpPorts?: number[] }).udpPorts?.push(Number(udpPorts[1]));
        return reply(200, { Session: '12345678;timeout=60', Transport: transport });
      }
      case 'PLAY':
        reply(200, { Session: '12345678', 'RTP-Info': 'url=trackID=1;seq=1' });
        return this.startMedia(socket);
      case 'TEARDOWN':
        reply(200);
        return void socket.end();
      default:
        return reply(200);
    }
  }

  private startMedia(socket: Socket): void {
    const mode = this.opts.afterPlay ?? 'stream';
    if (mode === 'stall') return;
    if (mode === 'garbage') {
      socket.write(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 999999999\r\n\r\n'));
      return;
    }
    const udpPorts = (socket as Socket & { udpPorts?: number[] }).udpPorts ?? [];
    let seq = 65530;
    let sent = 0;
    const timer = setInterval(() => {
      if (mode === 'close' && sent >= 5) {
        clearInterval(timer);
        socket.destroy();
        return;
      }
      for (let track = 0; track < 2; track++) {
        const rtp = serializeRtpPacket({ payloadType: track === 0 ? 96 : 8, sequence: seq & 0xffff, timestamp: sent * 3600, ssrc: 0x1000 + track, marker: true, payload: Buffer.alloc(1200, sent) });
        const sr = buildSenderReport({ ssrc: 0x1000 + track, ntpMs: 1_700_000_000_000 + sent * 40, rtpTimestamp: sent * 3600, packetCount: sent, octetCount: sent * 1200 });
        if (udpPorts.length > 0) {
          this.udp?.send(rtp, udpPorts[track], '127.0.0.1');
          if (sent % 5 === 0) this.udp?.send(sr, udpPorts[track] + 1, '127.0.0.1');
        } else if (!socket.destroyed) {
          socket.write(serializeInterleaved(track * 2, rtp));
          if (sent % 5 === 0) socket.write(serializeInterleaved(track * 2 + 1, sr));
        }
      }
      seq++;
      sent++;
    }, 5);
    this.timers.add(timer);
    socket.on('close', () => { clearInterval(timer); this.timers.delete(timer); });
  }
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

async function camera(opts: FakeOptions = {}): Promise<FakeCamera> {
  const cam = new FakeCamera(opts);
  await cam.listen();
  cleanup.push(() => cam.close());
  return cam;
}

function trackClose(client: RtspClient): { reasons: RtspCloseReason[]; closed: Promise<RtspCloseReason> } {
  const reasons: RtspCloseReason[] = [];
  const closed = new Promise<RtspCloseReason>((resolve) => client.on('close', (r) => { reasons.push(r); resolve(r); }));
  return { reasons, closed };
}

function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error('waitFor timed out'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

function resourceCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

describe('RtspClient', () => {
  it('plays over TCP interleaved, emits rtp and sr, TEARDOWN on stop, closes once', async () => {
    const cam = await camera();
    const client = new RtspClient({ url: cam.url, userAgent: 'test' });
    const { reasons } = trackClose(client);
    const rtp: Array<[number, number]> = [];
    const srs: number[] = [];
    client.on('rtp', (i, p) => rtp.push([i, p.sequence]));
    client.on('sr', (i, sr) => { expect(sr.ntpMs).toBeGreaterThanOrEqual(1_700_000_000_000); srs.push(i); });
    await client.start();
    expect(client.tracks.map((t) => t.media.encoding)).toEqual(['H264', 'PCMA']);
    expect(client.tracks[0].controlUrl).toBe('rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast');
    await waitFor(() => rtp.filter(([i]) => i === 1).length >= 10 && srs.includes(0) && srs.includes(1));
    expect(rtp.filter(([i]) => i === 0).slice(0, 7).map(([, s]) => s)).toEqual([65530, 65531, 65532, 65533, 65534, 65535, 0]);
    expect(client.stats[0].lost).toBe(0);
    await client.stop();
    expect(cam.methods()).toEqual(['OPTIONS', 'DESCRIBE', 'SETUP', 'SETUP', 'PLAY', 'TEARDOWN']);
    expect(cam.requests[2].headers.get('transport')).toBe('RTP/AVP/TCP;unicast;interleaved=0-1');
    expect(cam.requests[3].headers.get('session')).toBe('12345678');
    expect(reasons).toEqual([{ code: 'stopped', message: 'stopped by caller' }]);
    await client.stop(); // idempotent
    expect(reasons).toHaveLength(1);
  });

  it('plays over UDP with even client ports and sends RTCP receiver reports', async () => {
    const cam = await camera();
    const client = new RtspClient({ url: cam.url, transport: 'udp', rtcpIntervalMs: 50 });
    const { closed } = trackClose(client);
    let count = 0;
    let srs = 0;
    client.on('rtp', () => count++);
    client.on('sr', () => srs++);
    await client.start();
    const t = cam.requests.find((r) => r.method === 'SETUP')?.headers.get('transport') ?? '';
    const port = Number(/client_port=(\d+)-/.exec(t)?.[1]);
    expect(port % 2).toBe(0);
    await waitFor(() => count >= 20 && srs >= 2 && cam.rtcpFromClient.length >= 2);
    const rr = parseRtcpCompound(cam.rtcpFromClient[cam.rtcpFromClient.length - 1]);
    expect(rr[0].type).toBe('rr');
    await client.stop();
    expect((await closed).code).toBe('stopped');
  });

  // Issue 15 (IFameCmd): the upper's keyframe request reaches the camera as RTCP PLI + FIR on the
  // video track's RTCP channel, whichever transport the session uses. R-FN-3.
  it('R-FN-3: requestKeyframe sends PLI and FIR for the camera\'s video SSRC over UDP (to the server RTCP port) and over TCP (interleaved RTCP channel)', async () => {
    for (const transport of ['udp', 'tcp'] as const) {
      const cam = await camera();
      const client = new RtspClient({ url: cam.url, transport, rtcpIntervalMs: 60_000 });
      let video = 0;
      client.on('rtp', (i) => { if (i === 0) video++; });
      expect(client.requestKeyframe()).toBeUndefined(); // not playing: nothing to ask
      await client.start();
      await waitFor(() => video >= 1);
      expect(client.requestKeyframe()).toBe(transport);
      const received = (): Uint8Array[] => transport === 'udp' ? cam.rtcpFromClient : cam.interleavedFromClient.filter(([ch]) => ch === 1).map(([, d]) => d);
      await waitFor(() => received().some((p) => keyframeRequestsIn(p).length > 0));
      const packet = received().find((p) => keyframeRequestsIn(p).length > 0)!;
      // A valid compound packet: receiver report first (RFC 3550 §6.1), then the feedback.
      expect(parseRtcpCompound(packet)[0].type).toBe('rr');
      const asks = keyframeRequestsIn(packet);
      expect(asks.map((a) => a.type)).toEqual(['pli', 'fir']);
      expect(asks.every((a) => a.mediaSsrc === 0x1000)).toBe(true); // the video track's SSRC, not audio's
      expect(client.requestKeyframe()).toBe(transport);
      await waitFor(() => received().filter((p) => keyframeRequestsIn(p).length > 0).length >= 2);
      const firs = received().flatMap((p) => keyframeRequestsIn(p)).filter((a) => a.type === 'fir').map((a) => a.seq);
      expect(firs).toEqual([0, 1]); // a new request, not a repeat (RFC 5104 §4.3.1.1)
      await client.stop();
      expect(client.requestKeyframe()).toBeUndefined();
    }
  });

  it('retries DESCRIBE with Digest after 401; R-SEC-5: credentials not logged or sent in URLs', async () => {
    const cam = await camera({ auth: 'digest' });
    const client = new RtspClient({ url: `rtsp://${CREDS.username}:${encodeURIComponent(CREDS.password)}@127.0.0.1:${cam.port}/Streaming/Channels/101` });
    trackClose(client);
    await client.start();
    expect(cam.methods().slice(0, 3)).toEqual(['OPTIONS', 'DESCRIBE', 'DESCRIBE']);
    expect(cam.requests[2].headers.get('authorization')).toMatch(/^Digest /);
    for (const r of cam.requests) {
      expect(r.uri).not.toContain(CREDS.password);
      expect(r.uri).not.toContain('admin@');
      expect(r.headers.get('authorization') ?? '').not.toContain(CREDS.password);
    }
    expect(client.url).not.toContain(CREDS.password);
    await client.stop();
  });

  it('fails with auth on wrong credentials, no password in reason (R-SEC-5)', async () => {
    const cam = await camera({ auth: 'basic' });
    const client = new RtspClient({ url: cam.url, username: 'admin', password: 'wrong-pw-xyz' });
    const { reasons } = trackClose(client);
    await expect(client.start()).rejects.toMatchObject({ code: 'auth' });
    expect(reasons).toHaveLength(1);
    expect(reasons[0].code).toBe('auth');
    expect(JSON.stringify(reasons)).not.toContain('wrong-pw-xyz');
  });

  it('sends GET_PARAMETER keep-alives when advertised, else OPTIONS', async () => {
    for (const [publicMethods, expected] of [['OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER', 'GET_PARAMETER'], ['OPTIONS, DESCRIBE, SETUP, PLAY', 'OPTIONS']] as const) {
      const cam = await camera({ publicMethods });
      const client = new RtspClient({ url: cam.url, keepAliveMs: 30 });
      trackClose(client);
      await client.start();
      await waitFor(() => cam.methods().slice(5).filter((m) => m === expected).length >= 2);
      expect(cam.requests.at(-1)?.headers.get('session')).toBe('12345678');
      await client.stop();
    }
  });

  it('tolerates a failing OPTIONS, falls back to OPTIONS keep-alive; rtsp-status on failing DESCRIBE', async () => {
    const cam = await camera({ optionsStatus: 404 });
    const client = new RtspClient({ url: cam.url, keepAliveMs: 20 });
    trackClose(client);
    await client.start();
    expect(client.publicMethods.size).toBe(0);
    await waitFor(() => cam.methods().slice(5).includes('OPTIONS'));
    await client.stop();
    const notFound = await camera({ describeStatus: 404 });
    const c2 = new RtspClient({ url: notFound.url });
    const r2 = trackClose(c2);
    await expect(c2.start()).rejects.toMatchObject({ code: 'rtsp-status', statusCode: 404 });
    expect(r2.reasons[0].message).toContain('404');
    const c3 = new RtspClient({ url: cam.url, trackFilter: () => false });
    await expect(c3.start()).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('R-REC-4: server closing the connection gives close "eof"', async () => {
    const cam = await camera({ afterPlay: 'close' });
    const client = new RtspClient({ url: cam.url });
    const { closed, reasons } = trackClose(client);
    await client.start();
    expect((await closed).code).toBe('eof');
    await new Promise((r) => setTimeout(r, 20));
    expect(reasons).toHaveLength(1);
  });

  it('R-REC-4: media stall gives close "timeout"', async () => {
    const cam = await camera({ afterPlay: 'stall' });
    const client = new RtspClient({ url: cam.url, timeoutMs: 150 });
    const { closed } = trackClose(client);
    const t0 = Date.now();
    await client.start();
    const reason = await closed;
    expect(reason.code).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('request timeout, garbage and refused connections become close reasons, never throws', async () => {
    const silent = await camera({ silentOn: 'DESCRIBE' });
    const c1 = new RtspClient({ url: silent.url, timeoutMs: 100 });
    await expect(c1.start()).rejects.toMatchObject({ code: 'timeout' });

    const bad = await camera({ afterPlay: 'garbage' });
    const c2 = new RtspClient({ url: bad.url });
    const r2 = trackClose(c2);
    await c2.start();
    expect((await r2.closed).code).toBe('protocol');

    const gone = await camera();
    const port = gone.port;
    await gone.close();
    cleanup = cleanup.slice(0, -1);
    const c3 = new RtspClient({ url: `rtsp://127.0.0.1:${port}/x` });
    await expect(c3.start()).rejects.toMatchObject({ code: 'refused' });

    const c4 = new RtspClient({ url: 'http://x/' });
    await expect(c4.start()).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('stop() during start rejects start with "stopped"', async () => {
    const cam = await camera({ silentOn: 'DESCRIBE' });
    const client = new RtspClient({ url: cam.url, timeoutMs: 5000 });
    const { reasons } = trackClose(client);
    const started = client.start();
    await waitFor(() => cam.methods().includes('DESCRIBE'));
    await client.stop();
    await expect(started).rejects.toMatchObject({ code: 'stopped' });
    expect(reasons.map((r) => r.code)).toEqual(['stopped']);
  });

  it('does not leak sockets or timers', async () => {
    const cam = await camera();
    await new Promise((r) => setTimeout(r, 20));
    const before = resourceCounts();
    for (const transport of ['tcp', 'udp', 'tcp'] as const) {
      const client = new RtspClient({ url: cam.url, transport, keepAliveMs: 20, rtcpIntervalMs: 20 });
      let n = 0;
      client.on('rtp', () => n++);
      await client.start();
      await waitFor(() => n > 4);
      await client.stop();
    }
    const stalled = new RtspClient({ url: cam.url, timeoutMs: 50, transport: 'udp' });
    await stalled.start();
    await stalled.stop();
    await waitFor(() => {
      const after = resourceCounts();
      return ['TCPSocketWrap', 'UDPWrap', 'Timeout'].every((k) => (after[k] ?? 0) <= (before[k] ?? 0));
    }, 2000).catch(() => {
      expect({ before, after: resourceCounts() }).toEqual('no leaked resources');
    });
  });
});
