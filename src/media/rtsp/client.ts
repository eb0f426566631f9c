// RTSP/1.0 client: OPTIONS, DESCRIBE (with Basic/Digest retry), SETUP per track (TCP interleaved
// or UDP), PLAY, then keep-alive, RTCP receiver reports (UDP) and a no-media watchdog (R-REC-4).
// Every failure ends in exactly one 'close' event; nothing is thrown outside start()/stop().
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { RtpPacket, SdpMedia } from '../types.ts';
import { parseSdp, resolveControlUrl, SdpError } from '../sdp/parse.ts';
import { ClientAuthenticator, parseWwwAuthenticate } from './auth.ts';
import type { Credentials } from './auth.ts';
import { connectTcp, RtspConnection } from './connection.ts';
import type { RtspResponse } from './message.ts';
import { RtspClientError } from './errors.ts';
import type { RtspCloseReason } from './errors.ts';
import { parseRtspUrl, RtspUrlError } from './url.ts';
import type { ParsedRtspUrl } from './url.ts';
import { parsePublic, parseSession, parseTransport } from './transport.ts';
import { MediaReceiver } from './receiver.ts';
import { SlabReader } from './read-slab.ts';
import type { TrackStatsSnapshot } from './track-stats.ts';
import { parseRtspDate, statedClock } from './date-clock.ts';
import type { DateSample, StatedClock } from './date-clock.ts';
import { BACKCHANNEL_REQUIRE, BackchannelPacketizer, backchannelLaw, findBackchannel } from './backchannel.ts';
import type { BackchannelStats } from './backchannel.ts';
import type { G711Law } from '../g711/level.ts';

export type { RtspCloseReason, RtspCloseCode } from './errors.ts';
export { RtspClientError } from './errors.ts';

export interface RtspClientOptions {
  /** rtsp://[user:pass@]host[:port]/path; credentials here are used for auth, never sent or logged. */
  url: string;
  username?: string;
  password?: string;
  /** 'tcp' = RTP interleaved on the RTSP connection (default); 'udp' = RTP/RTCP on UDP port pairs. */
  transport?: 'tcp' | 'udp';
  /** Per-request timeout and no-media timeout. Default 10000. */
  timeoutMs?: number;
  /** Keep-alive period. Default: session timeout / 2 (session timeout defaults to 60 s). */
  keepAliveMs?: number;
  /** RTCP receiver report period on UDP. Default 5000. */
  rtcpIntervalMs?: number;
  userAgent?: string;
  /** Clock for receivedAtMs and timeouts. Default Date.now. */
  now?: () => number;
  /** Which SDP media to SETUP. Default: video and audio with a known clock rate. */
  trackFilter?: (media: SdpMedia) => boolean;
  /**
   * Ask for the camera's ONVIF audio back channel (its speaker; see backchannel.ts): 'with-media'
   * also plays the tracks trackFilter selects, 'only' sets up the back channel alone (no receive
   * tracks, so no no-media watchdog: keep-alives detect a dead camera). TCP transport only.
   */
  backchannel?: 'with-media' | 'only';
}

export interface RtspTrack {
  media: SdpMedia;
  controlUrl: string;
}

export interface SenderReportInfo {
  ntpMs: number;
  rtpTimestamp: number;
  receivedAtMs: number;
}

export interface RtspClientEvents {
  rtp: [trackIndex: number, packet: RtpPacket, receivedAtMs: number];
  sr: [trackIndex: number, report: SenderReportInfo];
  close: [reason: RtspCloseReason];
}

const DEFAULT_SESSION_TIMEOUT_S = 60;
const TEARDOWN_MAX_WAIT_MS = 2000;
/** Date samples kept (a session's setup plus a few keep-alives). */
const MAX_DATES = 12;

export class RtspClient extends EventEmitter<RtspClientEvents> {
  readonly url: string;
  tracks: RtspTrack[] = [];
  /** Methods from the OPTIONS Public header. */
  publicMethods = new Set<string>();
  /** Index in `tracks` of the back channel when one was asked for and set up. */
  backchannelIndex: number | undefined;
  private backchannelSender: BackchannelPacketizer | undefined;
  private backchannelRtpChannel: number | undefined;
  private readonly target: ParsedRtspUrl | undefined;
  private readonly credentials: Credentials | undefined;
  private readonly transport: 'tcp' | 'udp';
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly userAgent: string;
  private socket: Socket | undefined;
  private conn: RtspConnection | undefined;
  private auth: ClientAuthenticator | undefined;
  private receiver: MediaReceiver | undefined;
  private sessionId: string | undefined;
  private sessionTimeoutS = DEFAULT_SESSION_TIMEOUT_S;
  private aggregateUrl = '';
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private abortConnect: (() => void) | undefined;
  private closeReason: RtspCloseReason | undefined;
  private started = false;
  private playing = false;
  /** After stop(): whatever ends the session (TEARDOWN reply, server FIN) reports 'stopped'. */
  private stopRequested = false;
  /** The newest replies' Date headers (the camera's clock where it sends no RTCP SR). */
  private readonly dates: DateSample[] = [];

  constructor(private readonly options: RtspClientOptions) {
    super();
    this.transport = options.transport ?? 'tcp';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.userAgent = options.userAgent ?? 'xuncha';
    let target: ParsedRtspUrl | undefined;
    try {
      target = parseRtspUrl(options.url);
    } catch {
      target = undefined; // reported by start() as 'unsupported'
    }
    this.target = target;
    this.url = target?.href ?? '<invalid url>';
    const username = options.username ?? target?.username;
    const password = options.password ?? target?.password;
    this.credentials = username !== undefined ? { username, password: password ?? '' } : undefined;
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Bytes from the camera that were neither RTSP messages nor interleaved frames (skipped). */
  get garbageBytes(): number {
    return this.conn?.parserGarbageBytes ?? 0;
  }

  /** Per-track receive statistics (loss, reorder, jitter). */
  get stats(): TrackStatsSnapshot[] {
    return this.receiver?.stats() ?? [];
  }

  /** The camera's clock as its replies' Date headers state it (undefined: no parseable Date). */
  get statedClock(): StatedClock | undefined {
    return statedClock(this.dates);
  }

  /** The back channel's law and what went out on it (undefined: none set up). */
  get backchannel(): ({ law: G711Law; payloadType: number } & BackchannelStats) | undefined {
    const b = this.backchannelSender;
    return b ? { law: b.law, payloadType: b.payloadType, ...b.stats } : undefined;
  }

  /**
   * Sends G.711 audio (`from` law; re-encoded when the camera takes the other) to the camera's
   * speaker on the back channel, in 20 ms RTP packets. False when there is no back channel or the
   * session is not playing (yet or any more).
   */
  sendAudio(from: G711Law, payload: Uint8Array): boolean {
    const sender = this.backchannelSender;
    const ch = this.backchannelRtpChannel;
    if (!sender || ch === undefined || this.closed || !this.playing || !this.conn) return false;
    for (const packet of sender.packetize(from, payload)) if (!this.conn.writeInterleaved(ch, packet)) return false;
    return true;
  }

  /** Connect and negotiate up to PLAY. Rejects with RtspClientError (after emitting 'close'). */
  async start(): Promise<void> {
    if (this.started) throw new RtspClientError('internal', 'start() called twice');
    this.started = true;
    try {
      if (this.closeReason) throw new RtspClientError(this.closeReason.code, this.closeReason.message);
      if (!this.target) throw new RtspClientError('unsupported', new RtspUrlError('invalid RTSP URL').message);
      if (this.options.backchannel && this.transport !== 'tcp') throw new RtspClientError('unsupported', 'the audio back channel is sent interleaved on the RTSP connection: use TCP transport');
      await this.connect(this.target);
      await this.fetchOptions();
      await this.describe();
      this.receiver = new MediaReceiver(this.tracks, this.now, {
        onRtp: (i, p, t) => this.emit('rtp', i, p, t),
        onSr: (i, sr) => this.emit('sr', i, sr),
        onFatal: (err) => this.closeWith(this.garbageInstead(err).reason),
        sendInterleaved: (ch, data) => this.conn?.writeInterleaved(ch, data) ?? false,
      }, this.options.rtcpIntervalMs);
      for (let i = 0; i < this.tracks.length; i++) await this.setup(i);
      await this.request('PLAY', this.aggregateUrl, { Range: 'npt=0.000-', ...this.requireHeader() });
      this.playing = true;
      this.afterPlay();
    } catch (e) {
      const err = this.toClientError(e);
      const ours = err.reason;
      this.closeWith(ours);
      // If something else closed us first (stop(), socket EOF), report that reason.
      const reason = this.closeReason ?? ours;
      throw reason === ours ? err : new RtspClientError(reason.code, reason.message);
    }
  }

  /** TEARDOWN (best effort, bounded wait) and close with reason 'stopped'. Never rejects. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.stopRequested = true;
    if (this.conn && this.sessionId !== undefined) {
      try {
        await this.request('TEARDOWN', this.aggregateUrl || this.url, {}, Math.min(this.timeoutMs, TEARDOWN_MAX_WAIT_MS));
      } catch {
        // best effort: the server may already be gone
      }
    }
    this.closeWith({ code: 'stopped', message: 'stopped by caller' });
  }

  /**
   * Asks the camera for a keyframe now: RTCP PLI + FIR (RFC 4585/5104) on the first video track's
   * RTCP channel. Returns the channel used, or undefined when there is none (not playing yet, no
   * video packet seen, UDP without a server RTCP port).
   */
  requestKeyframe(): 'udp' | 'tcp' | undefined {
    if (this.closed || !this.receiver) return undefined;
    const video = this.tracks.findIndex((t) => t.media.type === 'video');
    return video < 0 ? undefined : this.receiver.requestKeyframe(video);
  }

  private async connect(target: ParsedRtspUrl): Promise<void> {
    // The socket reads into slabs: no allocation and copy per read (read-slab.ts).
    const reader = new SlabReader();
    const pending = connectTcp(target.host, target.port, this.timeoutMs, reader);
    this.abortConnect = pending.abort;
    const socket = await pending.socket;
    this.abortConnect = undefined;
    this.socket = socket;
    this.conn = new RtspConnection(socket, {
      onInterleaved: (ch, data) => this.receiver?.onInterleaved(ch, data),
      onClose: (err) => this.closeWith(err.reason),
    }, this.userAgent, reader);
    if (this.closed) this.conn.close(new RtspClientError('stopped', 'closed while connecting'));
  }

  /** OPTIONS learns Public (for keep-alive). A non-2xx reply is tolerated: some cameras 404 it yet play. */
  private async fetchOptions(): Promise<void> {
    try {
      const res = await this.request('OPTIONS', this.url, {});
      this.publicMethods = parsePublic(res.headers.get('public'));
    } catch (e) {
      if (!(e instanceof RtspClientError && e.code === 'rtsp-status')) throw e;
    }
  }

  /** ONVIF: every request of a back-channel session carries the Require tag (Streaming spec §5.3.1). */
  private requireHeader(): Record<string, string> {
    return this.options.backchannel ? { Require: BACKCHANNEL_REQUIRE } : {};
  }

  private async describe(): Promise<void> {
    let res: RtspResponse;
    try {
      res = await this.request('DESCRIBE', this.url, { Accept: 'application/sdp', ...this.requireHeader() });
    } catch (e) {
      if (this.options.backchannel && e instanceof RtspClientError && e.statusCode === 551) {
        throw new RtspClientError('unsupported', `the camera has no audio back channel (551 Option not supported for ${BACKCHANNEL_REQUIRE})`, 551);
      }
      throw e;
    }
    const sdpText = Buffer.from(res.body).toString('utf8');
    const sdp = parseSdp(sdpText);
    const base = res.headers.get('content-base') ?? res.headers.get('content-location') ?? this.url;
    // A sendonly track is the camera's input (a back channel), never something to receive.
    const filter = this.options.trackFilter ?? ((m: SdpMedia) => (m.type === 'video' || m.type === 'audio') && m.clockRate > 0);
    const receive = this.options.backchannel === 'only' ? [] : sdp.media.filter((m) => m.direction !== 'sendonly' && filter(m));
    this.tracks = receive.map((media) => ({ media, controlUrl: resolveControlUrl(base, media.control) }));
    if (this.options.backchannel) {
      const back = findBackchannel(sdp.media);
      if (!back) throw new RtspClientError('unsupported', 'the camera accepted the back-channel request but its SDP has no sendonly audio track');
      const law = backchannelLaw(back);
      if ('error' in law) throw new RtspClientError('unsupported', law.error);
      this.backchannelIndex = this.tracks.length;
      this.backchannelSender = new BackchannelPacketizer(law.law, back.payloadType);
      this.tracks.push({ media: back, controlUrl: resolveControlUrl(base, back.control) });
    }
    if (this.tracks.length === 0) throw new RtspClientError('unsupported', 'SDP has no usable video/audio track');
    this.aggregateUrl = resolveControlUrl(base, sdp.control);
  }

  private async setup(index: number): Promise<void> {
    const receiver = this.receiver as MediaReceiver;
    let transport: string;
    if (this.transport === 'tcp') {
      transport = `RTP/AVP/TCP;unicast;interleaved=${index * 2}-${index * 2 + 1}`;
    } else {
      const port = await receiver.bindUdp(index, (this.socket?.remoteAddress ?? '').replace(/^::ffff:/, ''));
      if (this.closed) throw new RtspClientError('stopped', 'closed during SETUP');
      transport = `RTP/AVP;unicast;client_port=${port}-${port + 1}`;
    }
    const res = await this.request('SETUP', this.tracks[index].controlUrl, { Transport: transport, ...this.requireHeader() });
    const sessionHeader = res.headers.get('session');
    if (sessionHeader !== undefined && this.sessionId === undefined) {
      const s = parseSession(sessionHeader);
      this.sessionId = s.id;
      if (s.timeoutS !== undefined) this.sessionTimeoutS = s.timeoutS;
    }
    const t = parseTransport(res.headers.get('transport') ?? '');
    if (this.transport === 'tcp') {
      const channels = t.interleaved ?? [index * 2, index * 2 + 1];
      receiver.mapInterleaved(index, channels);
      if (index === this.backchannelIndex) this.backchannelRtpChannel = channels[0];
    } else {
      receiver.setUdpPeer(index, t.source, t.serverPort);
    }
  }

  private afterPlay(): void {
    // A back channel alone receives nothing: no no-media watchdog (keep-alives and the socket tell).
    const receiving = this.tracks.length - (this.backchannelIndex === undefined ? 0 : 1);
    if (receiving > 0) this.receiver?.start(this.timeoutMs);
    this.scheduleKeepAlive();
  }

  private scheduleKeepAlive(): void {
    const periodMs = this.options.keepAliveMs ?? (this.sessionTimeoutS * 1000) / 2;
    this.keepAliveTimer = setTimeout(() => void this.keepAlive(), Math.max(10, periodMs));
  }

  private async keepAlive(): Promise<void> {
    if (this.closed) return;
    const method = this.publicMethods.has('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS';
    try {
      await this.request(method, method === 'OPTIONS' ? this.url : this.aggregateUrl, {});
    } catch (e) {
      const err = this.toClientError(e);
      if (err.code === 'rtsp-status' && method === 'GET_PARAMETER') {
        this.publicMethods.delete('GET_PARAMETER'); // advertised but refused: fall back to OPTIONS
      } else {
        this.closeWith(err.reason);
        return;
      }
    }
    if (!this.closed) this.scheduleKeepAlive();
  }

  /** Send a request with Session/Authorization; on 401 retry once with the server's challenge. */
  private async request(method: string, uri: string, headers: Record<string, string>, timeoutMs = this.timeoutMs): Promise<RtspResponse> {
    for (let attempt = 0; ; attempt++) {
      const conn = this.conn;
      if (!conn || this.closed) throw new RtspClientError(this.closeReason?.code ?? 'internal', this.closeReason?.message ?? 'not connected');
      const h = { ...headers };
      if (this.sessionId !== undefined) h.Session = this.sessionId;
      if (this.auth) h.Authorization = this.auth.authorize(method, uri);
      const sentAtMs = this.now();
      const res = await conn.request(method, uri, h, timeoutMs);
      const dateMs = parseRtspDate(res.headers.get('date'));
      if (dateMs !== undefined) {
        this.dates.push({ dateMs, sentAtMs, receivedAtMs: this.now() });
        if (this.dates.length > MAX_DATES) this.dates.shift();
      }
      if (res.statusCode === 401) {
        if (!this.credentials) throw new RtspClientError('auth', `${method}: 401 Unauthorized and no credentials configured`, 401);
        if (attempt > 0 && !(this.auth?.stale ?? false)) throw new RtspClientError('auth', `${method}: credentials rejected (401)`, 401);
        if (attempt > 1) throw new RtspClientError('auth', `${method}: still 401 after stale nonce retry`, 401);
        try {
          this.auth = new ClientAuthenticator(parseWwwAuthenticate(res.headers.getAll('www-authenticate')), this.credentials);
        } catch (e) {
          throw new RtspClientError('auth', `${method}: ${(e as Error).message}`, 401);
        }
        continue;
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new RtspClientError('rtsp-status', `${method} ${uri} failed: ${res.statusCode} ${res.reason}`.slice(0, 300), res.statusCode);
      }
      return res;
    }
  }

  /**
   * A timeout while the camera was sending bytes that are not RTSP/RTP is a protocol error, not
   * silence: say so, so that a camera sending garbage is not reported as unreachable (issue 12).
   */
  private garbageInstead(err: RtspClientError): RtspClientError {
    const junk = this.garbageBytes;
    if (err.code !== 'timeout' || junk === 0) return err;
    return new RtspClientError('protocol', `${err.message}; the camera sent ${junk} bytes that are not RTSP or RTP`);
  }

  private toClientError(e: unknown): RtspClientError {
    if (e instanceof RtspClientError) return this.garbageInstead(e);
    if (e instanceof SdpError) return new RtspClientError('protocol', `bad SDP: ${e.message}`);
    return new RtspClientError('internal', e instanceof Error ? e.message : String(e));
  }

  /** The single exit: release everything, then emit 'close' once. */
  private closeWith(closeReason: RtspCloseReason): void {
    if (this.closeReason) return;
    const reason: RtspCloseReason = this.stopRequested ? { code: 'stopped', message: 'stopped by caller' } : closeReason;
    this.closeReason = reason;
    clearTimeout(this.keepAliveTimer);
    this.receiver?.close();
    const err = new RtspClientError(reason.code, reason.message);
    if (this.conn) this.conn.close(err);
    else this.abortConnect?.();
    this.emit('close', reason);
  }
}
