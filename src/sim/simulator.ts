// Camera simulator: one RTSP/1.0 server (RFC 2326) on one TCP port serving many simulated
// Hikvision/Dahua-like cameras by path (rtsp://host:port/cam/<id>/main|sub|h265), with TCP
// interleaved and UDP unicast transports, real-time pacing from one shared timer, RTCP SRs,
// optional Basic/Digest auth and per-camera fault injection.
import net from 'node:net';
import dgram from 'node:dgram';
import { randomBytes, randomFillSync, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadClips, DEFAULT_CLIPS_DIR, type AudioClip, type ClipSet, type VideoClip } from './clips.ts';
import { loadFaultClips, PICTURE_FAULTS, type FaultClips, type PictureFault } from './fault-clips.ts';
import { instantiate, rtpPackets, type PacketTemplate } from './rtp-template.ts';
import { buildSdp } from './sdp.ts';
import { buildSdesCname, buildSenderReport, concatBytes } from '../media/rtp/rtcp.ts';
import { keyframeRequestsIn } from '../media/rtp/rtcp-feedback.ts';
import { serializeInterleaved } from '../media/rtsp/message.ts';
import { RtspAuthenticator, type AuthConfig } from './auth.ts';
import { parseTransports } from './transport.ts';
import { RtspMessageParser, serializeResponse, type RtspRequest } from '../media/rtsp/message.ts';
import { RtspHeaders } from '../media/rtsp/headers.ts';
import { startControlServer, type ControlServer } from './control.ts';
import { SpeakerLog, type SpeakerReport } from './speaker.ts';
import { BACKCHANNEL_REQUIRE } from '../media/rtsp/backchannel.ts';

export type StreamName = 'main' | 'sub' | 'h265';
export const STREAM_NAMES: readonly StreamName[] = ['main', 'sub', 'h265'];
export type SimAudio = 'aac' | 'pcma' | 'none';

export interface SimCameraConfig {
  id: string;
  /** Audio track of every stream of this camera (default 'aac'). */
  audio?: SimAudio;
  /** Offset added to the wall clock in this camera's RTCP SRs and RTSP Date headers (a camera whose clock is wrong). */
  clockOffsetMs?: number;
  /** false: the camera sends no RTCP sender reports (its clock shows only in its replies' Date headers). Default true. */
  rtcpSr?: boolean;
  /**
   * true: the camera has a speaker, reached over the ONVIF audio back channel (a PCMA track 3 in
   * the SDP when DESCRIBE carries `Require: www.onvif.org/ver20/backchannel`). Without one such a
   * DESCRIBE is answered 551 Option not supported, as real cameras do. Default false.
   */
  speaker?: boolean;
}

export interface SimulatorOptions {
  /** RTSP TCP port; 0 (default) = random. */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  cameras: SimCameraConfig[];
  auth?: AuthConfig;
  /** Directory with the clips made by scripts/make-clips.sh (default assets/clips). */
  clipsDir?: string;
  /** Wall clock (ms since epoch) used in RTCP SRs, Date headers and digest nonces (default Date.now). Pacing uses a monotonic clock. */
  now?: () => number;
  /** Port of the HTTP fault/control API; 0 = random; undefined = no control API. */
  controlPort?: number;
  /** RTSP session timeout announced and enforced (default 60 s). */
  sessionTimeoutSec?: number;
  /** RTCP SR period (default 5000 ms). */
  srIntervalMs?: number;
  /** Pacing timer period (default 10 ms). */
  tickMs?: number;
}

export type FaultType =
  | 'drop'
  | 'stall'
  | 'refuse'
  | 'garbage'
  | 'garbage-rtp'
  | 'resolution'
  | 'loss'
  | 'clock'
  | 'timestamp-jump'
  | 'lying-sdp'
  | 'password'
  | 'picture'
  | 'silence'
  | 'clear';
export const FAULT_TYPES: readonly FaultType[] = ['drop', 'stall', 'refuse', 'garbage', 'garbage-rtp', 'resolution', 'loss', 'clock', 'timestamp-jump', 'lying-sdp', 'password', 'picture', 'silence', 'clear'];

export interface FaultSpec {
  type: FaultType;
  /**
   * How long the fault lasts. drop: refuse (reset) new connections for this long; garbage: repeat for
   * this long; others: until 'clear' when absent. Requests that reach a stalled camera are answered
   * when the stall ends (as TCP delivers them after a network partition).
   */
  durationMs?: number;
  /** loss: percentage of RTP packets dropped (0-100). */
  lossPct?: number;
  /** clock: clock offset used in SRs from now on. timestamp-jump: RTP timestamps jump by this much at the next keyframe (an encoder restart). */
  offsetMs?: number;
  /** lying-sdp: what the camera sends while its SDP announces H.264 (default h265). */
  sends?: 'h265' | 'garbage';
  /** stall: false = requests that reach the stalled camera are discarded, never answered (default: answered when the stall ends). */
  holdRequests?: boolean;
  /** password: the camera's new password (default: a random one), so the configured one is refused with 401. */
  password?: string;
  /** picture: what the main stream shows from its next keyframe (src/sim/fault-clips.ts). */
  picture?: PictureFault;
}

/** What one camera's main stream delivered (wall ms, each frame at its own time — when it was due, as its timestamp says — not when it left): the ground truth a recording is checked against. */
export interface DeliveryLog {
  /** Intervals in which every video frame went out complete, with continuous timestamps, from a keyframe on. */
  intervals: Array<[number, number]>;
  /** Windows where the sim cannot know what the client could parse (raw garbage bytes in the TCP stream). */
  uncertain: Array<[number, number]>;
}

export interface StreamStats {
  /** Video frames sent (summed over sessions). */
  framesSent: number;
  audioFramesSent: number;
  packetsSent: number;
  /** Packets deliberately dropped by the 'loss' fault. */
  packetsLost: number;
  /** Frames skipped because a TCP client could not keep up. */
  framesDropped: number;
  bytesSent: number;
  /** Sessions currently playing or set up on this stream. */
  sessions: number;
  /** Sessions ever set up on this stream. */
  sessionsTotal: number;
  /** Requests answered 401 (wrong or missing credentials). */
  authRefusals: number;
  /** RTCP keyframe requests (PLI or FIR, RFC 4585/5104) received from clients (counted; the clip's GOP is not changed). */
  keyframeRequests: number;
}

export interface CameraStats {
  id: string;
  audio: SimAudio;
  clockOffsetMs: number;
  sessions: number;
  streams: Record<StreamName, StreamStats>;
  faults: string[];
}

export interface Simulator {
  readonly port: number;
  readonly host: string;
  /** Port of the HTTP control API when `controlPort` was given. */
  readonly controlPort: number | undefined;
  /** rtsp:// URL of a camera stream; `withAuth` embeds the configured credentials. */
  url(id: string, stream?: StreamName, opts?: { withAuth?: boolean }): string;
  addCamera(cfg: SimCameraConfig): void;
  removeCamera(id: string): boolean;
  cameraIds(): string[];
  stats(id: string): CameraStats | undefined;
  /** Injects a fault on one camera (R-REC-4 interruptions, R-PRE-6 clock offset). Throws on unknown camera. */
  fault(id: string, spec: FaultSpec): void;
  /** What the camera's main stream delivered so far (see DeliveryLog). */
  delivered(id: string): DeliveryLog | undefined;
  /** What the camera's speaker received on the back channel; level and pitch over the last `windowMs` (default 1000). */
  speaker(id: string, windowMs?: number): SpeakerReport | undefined;
  close(): Promise<void>;
}

interface TcpDest {
  rtp: number;
  rtcp: number;
}
interface UdpDest {
  host: string;
  rtpPort: number;
  rtcpPort: number;
}

interface Track {
  trackId: 1 | 2;
  kind: 'video' | 'audio';
  video?: VideoClip;
  audio?: AudioClip;
  clockRate: number;
  ticksPerFrame: number;
  frameDurationMs: number;
  tcp?: TcpDest;
  udp?: UdpDest;
  ssrc: number;
  seq: number;
  tsBase: number;
  /** Next frame index (monotonic, not wrapped to the clip length). */
  next: number;
  startMono: number;
  packets: number;
  octets: number;
  nextSrMono: number;
}

interface Session {
  id: string;
  camera: Camera;
  stream: StreamName;
  conn: Connection;
  tracks: Track[];
  playing: boolean;
  stalled: boolean;
  pausedMono: number;
  lastActivity: number;
  /** Interleaved channels of this session's back channel (its speaker), when set up. */
  backchannel?: TcpDest;
  /** Main-stream video: wall ms (frame time, see sendFrame) since when every frame went out intact (undefined = broken, waiting for a keyframe). */
  goodSinceMs?: number;
  goodUntilMs: number;
}

interface Connection {
  socket: net.Socket;
  parser?: RtspMessageParser;
  sessions: Map<string, Session>;
  lastActivity: number;
  closed: boolean;
  /** Requests that reached a stalled camera, answered when the stall ends. */
  held: RtspRequest[];
}

interface Camera {
  id: string;
  audio: SimAudio;
  baseClockOffsetMs: number;
  clockOffsetMs: number;
  rtcpSr: boolean;
  speaker: SpeakerLog;
  sessions: Set<Session>;
  dropUntil: number;
  refuseUntil: number;
  stallUntil: number;
  resolutionUntil: number;
  lossPct: number;
  lossUntil: number;
  garbageUntil: number;
  lastGarbage: number;
  garbageRtpUntil: number;
  stallHolds: boolean;
  lieUntil: number;
  lieSends: 'h265' | 'garbage';
  pictureUntil: number;
  picture: PictureFault;
  silenceUntil: number;
  /** Pending RTP timestamp jump (90 kHz ticks), applied at the next keyframe. */
  tsJump90k: number;
  passwordUntil: number;
  auth?: RtspAuthenticator;
  log: DeliveryLog;
  stats: Record<StreamName, StreamStats>;
}

const PUBLIC = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER';
const SERVER = 'xuncha-sim/1.0 (Hikvision-like Rtsp Server/3.0)';
const MAX_TCP_BACKLOG = 4 * 1024 * 1024;
const MAX_CATCH_UP_MS = 1000;

function emptyStreamStats(): StreamStats {
  return { framesSent: 0, audioFramesSent: 0, packetsSent: 0, packetsLost: 0, framesDropped: 0, bytesSent: 0, sessions: 0, sessionsTotal: 0, authRefusals: 0, keyframeRequests: 0 };
}

/** Track id of the back channel (the camera's speaker) in the SDP and SETUP URLs. */
const BACKCHANNEL_TRACK = 3;

const PATH_RE = /^\/cam\/([^/]+)\/(main|sub|h265)(?:\/(?:trackID=(\d+))?)?\/?$/;

function parseUri(uri: string): { cameraId: string; stream: StreamName; trackId?: number } | null {
  let pathname: string;
  try {
    pathname = new URL(uri).pathname;
  } catch {
    return null;
  }
  const m = PATH_RE.exec(pathname);
  if (!m) return null;
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  return { cameraId: id, stream: m[2] as StreamName, ...(m[3] !== undefined ? { trackId: Number(m[3]) } : {}) };
}

function formatHost(h: string): string {
  if (h === '0.0.0.0' || h === '') return '127.0.0.1';
  if (h === '::') return '[::1]';
  return h.includes(':') ? `[${h}]` : h;
}

async function bindUdpPair(host: string): Promise<[dgram.Socket, dgram.Socket]> {
  const type = host.includes(':') ? 'udp6' : 'udp4';
  const bind = (s: dgram.Socket, port: number) =>
    new Promise<void>((resolve, reject) => {
      const onErr = (e: Error) => reject(e);
      s.once('error', onErr);
      s.bind(port, host, () => {
        s.off('error', onErr);
        resolve();
      });
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const rtp = dgram.createSocket(type);
    try {
      await bind(rtp, 0);
    } catch (e) {
      rtp.close();
      throw e;
    }
    const port = rtp.address().port;
    if (port % 2 !== 0 || port >= 65535) {
      rtp.close();
      continue;
    }
    const rtcp = dgram.createSocket(type);
    try {
      await bind(rtcp, port + 1);
      return [rtp, rtcp];
    } catch {
      rtp.close();
      rtcp.close();
    }
  }
  throw new Error('could not bind an even/odd UDP port pair');
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const clips = await loadClips(opts.clipsDir ?? DEFAULT_CLIPS_DIR);
  const sim = new SimulatorImpl(opts, clips, await loadFaultClips(opts.clipsDir ?? DEFAULT_CLIPS_DIR));
  try {
    await sim.listen();
  } catch (e) {
    await sim.close();
    throw e;
  }
  return sim;
}

class SimulatorImpl implements Simulator {
  port = 0;
  readonly host: string;
  controlPort: number | undefined;
  private readonly cameras = new Map<string, Camera>();
  private readonly connections = new Set<Connection>();
  private readonly playing = new Set<Session>();
  private readonly udpPeers = new Map<string, Session>();
  private readonly server: net.Server;
  private udpRtp?: dgram.Socket;
  private udpRtcp?: dgram.Socket;
  private control?: ControlServer;
  private timer?: NodeJS.Timeout;
  private readonly auth?: RtspAuthenticator;
  private readonly now: () => number;
  private readonly timeoutSec: number;
  private readonly srIntervalMs: number;
  private lastHousekeeping = 0;
  private closed = false;

  constructor(
    private readonly opts: SimulatorOptions,
    private readonly clips: ClipSet,
    private readonly faultClips: FaultClips = {},
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.now = opts.now ?? Date.now;
    this.timeoutSec = opts.sessionTimeoutSec ?? 60;
    this.srIntervalMs = opts.srIntervalMs ?? 5000;
    if (opts.auth) this.auth = new RtspAuthenticator(opts.auth, this.now);
    for (const c of opts.cameras) this.addCamera(c);
    this.server = net.createServer((s) => this.onConnection(s));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    [this.udpRtp, this.udpRtcp] = await bindUdpPair(this.host);
    this.udpRtp.on('message', (_m, r) => this.onUdp(r));
    this.udpRtcp.on('message', (m, r) => this.onUdp(r, m));
    this.udpRtp.on('error', () => undefined);
    this.udpRtcp.on('error', () => undefined);
    if (this.opts.controlPort !== undefined) {
      this.control = await startControlServer(this, this.opts.controlPort, this.host);
      this.controlPort = this.control.port;
    }
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 10);
  }

  // ---------------------------------------------------------------- public API

  url(id: string, stream: StreamName = 'main', o?: { withAuth?: boolean }): string {
    const a = o?.withAuth && this.opts.auth ? `${encodeURIComponent(this.opts.auth.username)}:${encodeURIComponent(this.opts.auth.password)}@` : '';
    return `rtsp://${a}${formatHost(this.host)}:${this.port}/cam/${encodeURIComponent(id)}/${stream}`;
  }

  addCamera(cfg: SimCameraConfig): void {
    if (!cfg.id || cfg.id.includes('/')) throw new Error(`bad camera id: ${JSON.stringify(cfg.id)}`);
    if (this.cameras.has(cfg.id)) throw new Error(`camera already exists: ${cfg.id}`);
    const audio = cfg.audio ?? 'aac';
    if (audio !== 'aac' && audio !== 'pcma' && audio !== 'none') throw new Error(`bad audio: ${String(audio)}`);
    const offset = cfg.clockOffsetMs ?? 0;
    this.cameras.set(cfg.id, {
      id: cfg.id,
      audio,
      baseClockOffsetMs: offset,
      clockOffsetMs: offset,
      rtcpSr: cfg.rtcpSr ?? true,
      speaker: new SpeakerLog(cfg.speaker === true),
      sessions: new Set(),
      dropUntil: 0,
      refuseUntil: 0,
      stallUntil: 0,
      resolutionUntil: 0,
      lossPct: 0,
      lossUntil: 0,
      garbageUntil: 0,
      lastGarbage: 0,
      garbageRtpUntil: 0,
      stallHolds: true,
      lieUntil: 0,
      lieSends: 'h265',
      pictureUntil: 0,
      picture: 'black',
      silenceUntil: 0,
      tsJump90k: 0,
      passwordUntil: 0,
      log: { intervals: [], uncertain: [] },
      stats: { main: emptyStreamStats(), sub: emptyStreamStats(), h265: emptyStreamStats() },
    });
  }

  removeCamera(id: string): boolean {
    const cam = this.cameras.get(id);
    if (!cam) return false;
    for (const s of [...cam.sessions]) this.destroyConnection(s.conn);
    this.cameras.delete(id);
    return true;
  }

  cameraIds(): string[] {
    return [...this.cameras.keys()];
  }

  stats(id: string): CameraStats | undefined {
    const cam = this.cameras.get(id);
    if (!cam) return undefined;
    const mono = performance.now();
    const streams = {} as Record<StreamName, StreamStats>;
    for (const n of STREAM_NAMES) streams[n] = { ...cam.stats[n], sessions: 0 };
    for (const s of cam.sessions) streams[s.stream].sessions++;
    const faults: string[] = [];
    if (cam.dropUntil > mono) faults.push('drop');
    if (cam.refuseUntil > mono) faults.push('refuse');
    if (cam.stallUntil > mono) faults.push('stall');
    if (cam.resolutionUntil > mono) faults.push('resolution');
    if (cam.pictureUntil > mono) faults.push(`picture:${cam.picture}`);
    if (cam.silenceUntil > mono) faults.push('silence');
    if (cam.lossUntil > mono && cam.lossPct > 0) faults.push('loss');
    if (cam.garbageUntil > mono) faults.push('garbage');
    if (cam.garbageRtpUntil > mono) faults.push('garbage-rtp');
    if (cam.lieUntil > mono) faults.push('lying-sdp');
    if (cam.passwordUntil > mono) faults.push('password');
    if (cam.tsJump90k !== 0) faults.push('timestamp-jump');
    if (cam.clockOffsetMs !== cam.baseClockOffsetMs) faults.push('clock');
    return { id, audio: cam.audio, clockOffsetMs: cam.clockOffsetMs, sessions: cam.sessions.size, streams, faults };
  }

  fault(id: string, spec: FaultSpec): void {
    const cam = this.cameras.get(id);
    if (!cam) throw new Error(`unknown camera: ${id}`);
    const mono = performance.now();
    const d = spec.durationMs;
    if (d !== undefined && !(Number.isFinite(d) && d >= 0)) throw new Error('durationMs must be a non-negative number');
    const until = d === undefined ? Infinity : mono + d;
    switch (spec.type) {
      case 'drop':
        cam.dropUntil = d === undefined ? 0 : until;
        for (const s of [...cam.sessions]) this.destroyConnection(s.conn);
        break;
      case 'stall':
        cam.stallUntil = until;
        cam.stallHolds = spec.holdRequests !== false;
        break;
      case 'refuse':
        cam.refuseUntil = until;
        break;
      case 'garbage':
        cam.garbageUntil = d === undefined ? 0 : until;
        cam.lastGarbage = mono;
        cam.log.uncertain.push([this.now(), this.now() + (d ?? 0)]);
        this.sendGarbage(cam);
        break;
      case 'garbage-rtp':
        cam.garbageRtpUntil = until;
        break;
      case 'timestamp-jump':
        if (spec.offsetMs === undefined || !Number.isFinite(spec.offsetMs)) throw new Error('timestamp-jump fault needs offsetMs');
        cam.tsJump90k = Math.round(spec.offsetMs * 90);
        break;
      case 'lying-sdp':
        if (spec.sends !== undefined && spec.sends !== 'h265' && spec.sends !== 'garbage') throw new Error('sends must be h265 or garbage');
        cam.lieUntil = until;
        cam.lieSends = spec.sends ?? 'h265';
        break;
      case 'password': {
        if (spec.password !== undefined && typeof spec.password !== 'string') throw new Error('password must be a string');
        const cfg = this.opts.auth ?? { username: 'admin', password: '', scheme: 'digest' as const };
        cam.auth = new RtspAuthenticator({ ...cfg, password: spec.password ?? randomBytes(9).toString('base64url') }, this.now);
        cam.passwordUntil = until;
        break;
      }
      case 'resolution':
        cam.resolutionUntil = until;
        break;
      case 'picture': {
        const kind = spec.picture;
        if (!kind || !PICTURE_FAULTS.includes(kind)) throw new Error(`picture must be one of ${PICTURE_FAULTS.join(', ')}`);
        if (!this.faultClips[kind]) throw new Error(`no clip for picture fault ${kind} (run scripts/make-fault-clips.sh)`);
        cam.picture = kind;
        cam.pictureUntil = until;
        break;
      }
      case 'silence':
        if (cam.audio === 'none') throw new Error('camera has no audio');
        if (!this.faultClips.silence?.[cam.audio]) throw new Error('no silence clip (run scripts/make-fault-clips.sh)');
        cam.silenceUntil = until;
        break;
      case 'loss': {
        const pct = spec.lossPct ?? 10;
        if (!(Number.isFinite(pct) && pct >= 0 && pct <= 100)) throw new Error('lossPct must be within 0..100');
        cam.lossPct = pct;
        cam.lossUntil = until;
        break;
      }
      case 'clock':
        if (spec.offsetMs === undefined || !Number.isFinite(spec.offsetMs)) throw new Error('clock fault needs offsetMs');
        cam.clockOffsetMs = spec.offsetMs;
        break;
      case 'clear':
        cam.dropUntil = cam.refuseUntil = cam.stallUntil = cam.resolutionUntil = cam.lossUntil = cam.garbageUntil = 0;
        cam.garbageRtpUntil = cam.lieUntil = cam.passwordUntil = cam.tsJump90k = cam.pictureUntil = cam.silenceUntil = 0;
        cam.lossPct = 0;
        cam.clockOffsetMs = cam.baseClockOffsetMs;
        break;
      default:
        throw new Error(`unknown fault type: ${String((spec as { type: unknown }).type)}`);
    }
  }

  delivered(id: string): DeliveryLog | undefined {
    const cam = this.cameras.get(id);
    if (!cam) return undefined;
    const intervals = [...cam.log.intervals];
    for (const s of cam.sessions) if (s.goodSinceMs !== undefined) intervals.push([s.goodSinceMs, s.goodUntilMs]);
    intervals.sort((a, b) => a[0] - b[0]);
    return { intervals, uncertain: [...cam.log.uncertain] };
  }

  speaker(id: string, windowMs?: number): SpeakerReport | undefined {
    return this.cameras.get(id)?.speaker.report(windowMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const c of [...this.connections]) this.destroyConnection(c);
    const waits: Promise<unknown>[] = [];
    if (this.server.listening) waits.push(new Promise<void>((r) => this.server.close(() => r())));
    for (const s of [this.udpRtp, this.udpRtcp]) if (s) waits.push(new Promise<void>((r) => s.close(() => r())));
    if (this.control) waits.push(this.control.close());
    await Promise.all(waits);
  }

  // ---------------------------------------------------------------- connections

  private onConnection(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn: Connection = { socket, sessions: new Map(), lastActivity: performance.now(), closed: false, held: [] };
    conn.parser = new RtspMessageParser({
      onMessage: (m) => {
        if (conn.closed || m.kind !== 'request') return;
        try {
          this.onRequest(conn, m);
        } catch {
          this.write(conn, serializeResponse({ statusCode: 500, headers: { Server: SERVER } }));
          this.destroyConnection(conn);
        }
      },
      onInterleaved: (ch, data) => this.onInterleaved(conn, ch, data),
    });
    this.connections.add(conn);
    socket.on('data', (chunk: Buffer) => {
      if (conn.closed) return;
      try {
        conn.parser!.push(chunk);
      } catch {
        this.write(conn, serializeResponse({ statusCode: 400, headers: { Server: SERVER } }));
        socket.end();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.destroyConnection(conn));
  }

  private destroyConnection(conn: Connection): void {
    if (!conn.closed) {
      conn.closed = true;
      conn.socket.destroy();
    }
    this.connections.delete(conn);
    for (const s of conn.sessions.values()) this.endSession(s);
    conn.sessions.clear();
  }

  private endSession(s: Session): void {
    this.breakDelivery(s);
    if (s.backchannel && s.camera.sessions.has(s)) s.camera.speaker.sessions--;
    s.playing = false;
    this.playing.delete(s);
    s.camera.sessions.delete(s);
    s.conn.sessions.delete(s.id);
    for (const t of s.tracks) if (t.udp) this.udpPeers.delete(`${t.udp.host}:${t.udp.rtcpPort}`);
  }

  private onInterleaved(conn: Connection, channel: number, data: Uint8Array): void {
    // RTCP receiver reports from the client keep its sessions alive.
    const mono = performance.now();
    conn.lastActivity = mono;
    for (const s of conn.sessions.values()) {
      s.lastActivity = mono;
      if (s.tracks.some((t) => t.tcp?.rtcp === channel)) this.countKeyframeRequests(s, data);
      // Audio for the speaker: played only once the session plays, as a camera does.
      if (s.backchannel?.rtp === channel && s.playing) s.camera.speaker.receive(data, this.now());
    }
  }

  private onUdp(r: dgram.RemoteInfo, msg?: Uint8Array): void {
    const s = this.udpPeers.get(`${r.address}:${r.port}`);
    if (!s) return;
    s.lastActivity = performance.now();
    if (msg) this.countKeyframeRequests(s, msg);
  }

  private countKeyframeRequests(s: Session, rtcp: Uint8Array): void {
    if (keyframeRequestsIn(rtcp).length > 0) s.camera.stats[s.stream].keyframeRequests++;
  }

  private write(conn: Connection, buf: Buffer): void {
    if (!conn.closed && conn.socket.writable) conn.socket.write(buf);
  }

  // ---------------------------------------------------------------- RTSP requests

  private onRequest(conn: Connection, req: RtspRequest): void {
    const mono = performance.now();
    conn.lastActivity = mono;
    const cseq = req.headers.get('cseq') ?? '0';
    const base: Array<[string, string]> = [
      ['CSeq', cseq],
      ['Server', SERVER],
      ['Date', new Date(this.now()).toUTCString()],
    ];
    const reply = (status: number, extra: Array<[string, string]> = [], body?: string) =>
      this.write(conn, serializeResponse({ statusCode: status, headers: new RtspHeaders([...base, ...extra]), ...(body !== undefined ? { body } : {}) }));
    if (req.version !== 'RTSP/1.0') return reply(505);

    const target = req.uri === '*' ? null : parseUri(req.uri);
    const cam = target ? this.cameras.get(target.cameraId) : undefined;
    const sessionHeader = req.headers.get('session')?.split(';')[0].trim();
    const session = sessionHeader ? conn.sessions.get(sessionHeader) : undefined;
    if (session) session.lastActivity = mono;
    const fcam = cam ?? session?.camera;
    // A camera writes its own clock into Date (one-second resolution, as toUTCString does).
    if (fcam) base[2] = ['Date', new Date(this.now() + fcam.clockOffsetMs).toUTCString()];
    if (fcam && fcam.stallUntil > mono) {
      // Stalled camera: socket open, no answer until the stall ends (then TCP delivers the request).
      if (fcam.stallHolds && conn.held.length < 16) conn.held.push(req);
      return;
    }
    if (fcam && fcam.dropUntil > mono) {
      this.destroyConnection(conn); // camera offline: connection reset
      return;
    }

    if (req.method === 'OPTIONS') return reply(200, [['Public', PUBLIC]]);

    const auth = fcam && fcam.passwordUntil > mono ? fcam.auth : this.auth;
    if (auth) {
      const v = auth.verify(req.method, req.headers.get('authorization'));
      if (v !== 'ok') {
        if (fcam && target) fcam.stats[target.stream].authRefusals++;
        return reply(401, auth.challenge(v === 'stale').map((c) => ['WWW-Authenticate', c] as [string, string]));
      }
    }

    // RFC 2326 §12.32: a Require tag the server does not implement is refused with 551, naming it
    // in Unsupported (ONVIF: a camera without a speaker refuses the back-channel tag this way).
    if (fcam && this.requireBackchannel(req, fcam) === 'unsupported') return reply(551, [['Unsupported', req.headers.get('require') ?? '']]);

    const sessHdr = (s: Session): [string, string] => ['Session', `${s.id};timeout=${this.timeoutSec}`];
    switch (req.method) {
      case 'DESCRIBE': {
        if (!target || !cam || target.trackId !== undefined) return reply(404);
        if (cam.refuseUntil > mono) return reply(503);
        const backchannel = this.requireBackchannel(req, cam) === true;
        // A lying camera announces H.264 whatever it sends.
        const video = cam.lieUntil > mono && target.stream === 'main' ? this.clips.video.main : this.videoClipFor(cam, target.stream);
        const audio = this.audioClipFor(cam);
        const address = conn.socket.localAddress?.replace(/^::ffff:/, '') ?? this.host;
        const sdp = buildSdp({ sessionId: String(randomInt(1, 2 ** 47)), address, video, ...(audio ? { audio } : {}), backchannel });
        const baseUrl = req.uri.replace(/\/?$/, '/');
        return reply(200, [['Content-Type', 'application/sdp'], ['Content-Base', baseUrl]], sdp);
      }
      case 'SETUP':
        return this.onSetup(conn, req, target, cam, sessionHeader, session, reply, sessHdr);
      case 'PLAY': {
        if (!session) return reply(sessionHeader ? 454 : 455);
        if (session.camera.refuseUntil > mono) return reply(503);
        const wasPlaying = session.playing;
        if (!wasPlaying) {
          for (const t of session.tracks) {
            if (session.pausedMono > 0) t.startMono += mono - session.pausedMono;
            else {
              t.startMono = mono;
              t.nextSrMono = mono;
            }
          }
          session.pausedMono = 0;
        }
        const rtpInfo = session.tracks
          .map((t) => {
            const ts = (t.tsBase + t.next * t.ticksPerFrame) >>> 0;
            return `url=${this.trackUrl(req.uri, session, t)};seq=${t.seq};rtptime=${ts}`;
          })
          .join(',');
        reply(200, [sessHdr(session), ['Range', 'npt=0.000-'], ['RTP-Info', rtpInfo]]);
        if (!wasPlaying) {
          session.playing = true;
          this.playing.add(session);
          this.pump(session, mono);
        }
        return;
      }
      case 'PAUSE': {
        if (!session) return reply(454);
        if (session.playing) {
          session.playing = false;
          session.pausedMono = mono;
          this.playing.delete(session);
        }
        return reply(200, [sessHdr(session)]);
      }
      case 'TEARDOWN': {
        if (!session) return reply(454);
        this.endSession(session);
        return reply(200, [['Session', session.id]]);
      }
      case 'GET_PARAMETER':
      case 'SET_PARAMETER': {
        if (sessionHeader && !session) return reply(454);
        return reply(200, session ? [sessHdr(session)] : []);
      }
      default:
        return reply(501, [['Public', PUBLIC]]);
    }
  }

  private trackUrl(reqUri: string, s: Session, t: Track): string {
    // Absolute track URL on the same host the client used.
    const m = /^(rtsp:\/\/[^/]+)/i.exec(reqUri);
    const origin = m ? m[1] : `rtsp://${formatHost(this.host)}:${this.port}`;
    return `${origin}/cam/${encodeURIComponent(s.camera.id)}/${s.stream}/trackID=${t.trackId}`;
  }

  private onSetup(
    conn: Connection,
    req: RtspRequest,
    target: ReturnType<typeof parseUri>,
    cam: Camera | undefined,
    sessionHeader: string | undefined,
    existing: Session | undefined,
    reply: (status: number, extra?: Array<[string, string]>, body?: string) => void,
    sessHdr: (s: Session) => [string, string],
  ): void {
    const mono = performance.now();
    if (!target || !cam) return reply(404);
    if (cam.refuseUntil > mono) return reply(503);
    const trackId = target.trackId ?? 1;
    if (trackId === BACKCHANNEL_TRACK) return this.onSetupBackchannel(conn, req, target.stream, cam, sessionHeader, existing, reply, sessHdr);
    const audioClip = this.audioClipFor(cam);
    if (trackId !== 1 && !(trackId === 2 && audioClip)) return reply(404);
    if (sessionHeader && !existing) return reply(454);
    if (existing && (existing.camera !== cam || existing.stream !== target.stream)) return reply(459);
    if (existing?.playing) return reply(455);
    if (existing?.tracks.some((t) => t.trackId === trackId)) return reply(459);

    const transports = parseTransports(req.headers.get('transport') ?? '');
    const spec = transports.find((t) => !t.multicast && (t.tcp || t.clientPort));
    if (!spec) return reply(461);

    const session: Session = existing ?? {
      id: String(randomInt(100_000_000, 2_147_483_647)),
      camera: cam,
      stream: target.stream,
      conn,
      tracks: [],
      playing: false,
      stalled: false,
      pausedMono: 0,
      lastActivity: mono,
      goodUntilMs: 0,
    };
    const video = trackId === 1 ? this.videoClipFor(cam, target.stream) : undefined;
    const audio = trackId === 2 ? audioClip : undefined;
    const track: Track = {
      trackId: trackId as 1 | 2,
      kind: video ? 'video' : 'audio',
      ...(video ? { video } : {}),
      ...(audio ? { audio } : {}),
      clockRate: video ? 90000 : audio!.sampleRate,
      ticksPerFrame: video ? video.ticksPerFrame : audio!.ticksPerFrame,
      frameDurationMs: video ? video.frameDurationMs : audio!.frameDurationMs,
      ssrc: randomInt(1, 2 ** 32 - 1),
      seq: randomInt(0, 0x10000),
      tsBase: randomInt(0, 2 ** 32 - 1),
      next: 0,
      startMono: mono,
      packets: 0,
      octets: 0,
      nextSrMono: mono,
    };
    const ssrcHex = track.ssrc.toString(16).toUpperCase().padStart(8, '0');
    let transport: string;
    if (spec.tcp) {
      let ch = spec.interleaved;
      if (!ch) {
        const used = new Set<number>();
        for (const s of conn.sessions.values()) for (const t of s.tracks) if (t.tcp) used.add(t.tcp.rtp);
        for (const t of session.tracks) if (t.tcp) used.add(t.tcp.rtp);
        let c = 0;
        while (used.has(c)) c += 2;
        ch = [c, c + 1];
      }
      if (ch[0] > 255 || ch[1] > 255) return reply(461);
      track.tcp = { rtp: ch[0], rtcp: ch[1] };
      transport = `RTP/AVP/TCP;unicast;interleaved=${ch[0]}-${ch[1]};ssrc=${ssrcHex};mode="play"`;
    } else {
      const cp = spec.clientPort!;
      const host = (conn.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
      track.udp = { host, rtpPort: cp[0], rtcpPort: cp[1] };
      const sp = this.udpRtp!.address().port;
      const src = conn.socket.localAddress?.replace(/^::ffff:/, '');
      transport =
        `${spec.protocol};unicast;client_port=${cp[0]}-${cp[1]};server_port=${sp}-${sp + 1}` +
        `${src ? `;source=${src}` : ''};ssrc=${ssrcHex};mode="play"`;
      this.udpPeers.set(`${host}:${cp[1]}`, session);
    }
    session.tracks.push(track);
    session.tracks.sort((a, b) => a.trackId - b.trackId);
    if (!existing) {
      conn.sessions.set(session.id, session);
      cam.sessions.add(session);
      cam.stats[target.stream].sessionsTotal++;
    }
    reply(200, [['Transport', transport], sessHdr(session)]);
  }

  /** SETUP of the back channel (track 3): TCP interleaved only, and only when asked with the Require tag. */
  private onSetupBackchannel(
    conn: Connection,
    req: RtspRequest,
    stream: StreamName,
    cam: Camera,
    sessionHeader: string | undefined,
    existing: Session | undefined,
    reply: (status: number, extra?: Array<[string, string]>, body?: string) => void,
    sessHdr: (s: Session) => [string, string],
  ): void {
    const mono = performance.now();
    // Without the Require tag the track does not exist (it is not in a plain DESCRIBE either).
    if (this.requireBackchannel(req, cam) !== true) return reply(404);
    if (sessionHeader && !existing) return reply(454);
    if (existing && (existing.camera !== cam || existing.stream !== stream)) return reply(459);
    if (existing?.playing) return reply(455);
    if (existing?.backchannel) return reply(459);
    const spec = parseTransports(req.headers.get('transport') ?? '').find((t) => !t.multicast && t.tcp);
    if (!spec) return reply(461); // UDP back channel: not offered by this simulator
    const used = new Set<number>();
    for (const s of conn.sessions.values()) {
      for (const t of s.tracks) if (t.tcp) used.add(t.tcp.rtp);
      if (s.backchannel) used.add(s.backchannel.rtp);
    }
    let ch = spec.interleaved;
    if (!ch || used.has(ch[0])) {
      let c = 0;
      while (used.has(c)) c += 2;
      ch = [c, c + 1];
    }
    if (ch[0] > 255 || ch[1] > 255) return reply(461);
    const session: Session = existing ?? {
      id: String(randomInt(100_000_000, 2_147_483_647)), camera: cam, stream, conn, tracks: [], playing: false, stalled: false, pausedMono: 0, lastActivity: mono, goodUntilMs: 0,
    };
    session.backchannel = { rtp: ch[0], rtcp: ch[1] };
    if (!existing) {
      conn.sessions.set(session.id, session);
      cam.sessions.add(session);
      cam.stats[stream].sessionsTotal++;
    }
    cam.speaker.sessions++;
    cam.speaker.sessionsTotal++;
    reply(200, [['Transport', `RTP/AVP/TCP;unicast;interleaved=${ch[0]}-${ch[1]};mode="record"`], sessHdr(session)]);
  }

  private videoClipFor(cam: Camera, stream: StreamName): VideoClip {
    if (stream === 'h265') return this.clips.video.h265;
    if (stream === 'sub') return this.clips.video.sub;
    const mono = performance.now();
    if (cam.lieUntil > mono && cam.lieSends === 'h265') return this.clips.video.h265;
    if (cam.resolutionUntil > mono) return this.clips.video.sub;
    return (cam.pictureUntil > mono ? this.faultClips[cam.picture] : undefined) ?? this.clips.video.main;
  }

  /** true: the request asks for the back channel and the camera has a speaker; 'unsupported': a tag it cannot honour. */
  private requireBackchannel(req: RtspRequest, cam: Camera): boolean | 'unsupported' {
    const header = req.headers.get('require');
    if (header === undefined) return false;
    const tags = header.split(',').map((t) => t.trim()).filter((t) => t !== '');
    if (tags.some((t) => t !== BACKCHANNEL_REQUIRE)) return 'unsupported';
    if (tags.length === 0) return false;
    return cam.speaker.speaker ? true : 'unsupported';
  }

  private audioClipFor(cam: Camera): AudioClip | undefined {
    return cam.audio === 'none' ? undefined : this.clips.audio[cam.audio];
  }

  // ---------------------------------------------------------------- media pacing

  private tick(): void {
    const mono = performance.now();
    // Requests held by a stall first: a TEARDOWN sent during the stall ends its session before it plays on.
    for (const conn of this.connections) {
      if (conn.held.length === 0 || conn.closed) continue;
      const req = conn.held[0];
      const target = req.uri === '*' ? null : parseUri(req.uri);
      const sid = req.headers.get('session')?.split(';')[0].trim();
      const cam = (target ? this.cameras.get(target.cameraId) : undefined) ?? (sid ? conn.sessions.get(sid)?.camera : undefined);
      if (cam && cam.stallUntil > mono) continue;
      const held = conn.held;
      conn.held = [];
      for (const r of held) if (!conn.closed) this.onRequest(conn, r);
    }
    for (const s of this.playing) this.pump(s, mono);
    if (mono - this.lastHousekeeping >= 250) {
      this.lastHousekeeping = mono;
      this.housekeeping(mono);
    }
  }

  private housekeeping(mono: number): void {
    const limit = this.timeoutSec * 1000;
    for (const conn of [...this.connections]) {
      for (const s of [...conn.sessions.values()]) if (mono - s.lastActivity > limit) this.endSession(s);
      if (conn.sessions.size === 0 && mono - conn.lastActivity > limit) this.destroyConnection(conn);
    }
    for (const cam of this.cameras.values()) {
      if (cam.garbageUntil > mono && mono - cam.lastGarbage >= 250) {
        cam.lastGarbage = mono;
        this.sendGarbage(cam);
      }
    }
  }

  private sendGarbage(cam: Camera): void {
    for (const s of cam.sessions) {
      const junk = randomBytes(randomInt(1024, 4096));
      if (junk[0] === 0x24) junk[0] = 0xff; // never look like a valid interleaved frame header at the start
      this.write(s.conn, junk);
      for (const t of s.tracks) if (t.udp) this.udpRtp?.send(randomBytes(randomInt(64, 1400)), t.udp.rtpPort, t.udp.host);
    }
  }

  private pump(s: Session, mono: number): void {
    const cam = s.camera;
    if (cam.stallUntil > mono) {
      s.stalled = true;
      this.breakDelivery(s);
      return;
    }
    const wasStalled = s.stalled;
    s.stalled = false;
    const stats = cam.stats[s.stream];
    const loss = cam.lossUntil > mono && cam.lossPct > 0 ? cam.lossPct : 0;
    for (const t of s.tracks) {
      const due = Math.floor((mono - t.startMono) / t.frameDurationMs);
      // After a stall (or a blocked event loop) the camera does not burst: it skips to "now".
      if (wasStalled || due - t.next > MAX_CATCH_UP_MS / t.frameDurationMs) {
        if (due > t.next && t.video) this.breakDelivery(s); // frames skipped: the next P frames are undecodable
        t.next = Math.max(t.next, due);
      }
      while (t.next <= due) {
        this.sendFrame(s, t, stats, loss);
        t.next++;
        if (s.conn.closed) return;
      }
      if (s.camera.rtcpSr && mono >= t.nextSrMono && t.packets > 0) {
        t.nextSrMono = mono + this.srIntervalMs;
        this.sendSr(s, t, mono);
      }
    }
  }

  private sendFrame(s: Session, t: Track, stats: StreamStats, lossPct: number): void {
    let tpl: PacketTemplate;
    const cam = s.camera;
    const mono = performance.now();
    if (t.video) {
      // Resolution fault (and a lying SDP): switch the main stream's clip at a keyframe.
      if (s.stream === 'main') {
        const want = this.videoClipFor(cam, 'main');
        if (want !== t.video && want.frames[t.next % want.frames.length].keyframe) t.video = want;
      }
      tpl = t.video.frames[t.next % t.video.frames.length];
      // Encoder restart: the timestamps jump at a keyframe (what a camera does after a reset).
      if (cam.tsJump90k !== 0 && tpl.keyframe) {
        t.tsBase = (t.tsBase + cam.tsJump90k) >>> 0;
        cam.tsJump90k = 0;
        this.breakDelivery(s);
      }
    } else {
      // Silence fault: same format, silent frames (a dead microphone).
      const silent = cam.silenceUntil > mono && cam.audio !== 'none' ? this.faultClips.silence?.[cam.audio] : undefined;
      const a = silent ?? t.audio!;
      tpl = a.frames[t.next % a.frames.length];
    }
    const ts = (t.tsBase + t.next * t.ticksPerFrame) >>> 0;
    if (t.tcp && s.conn.socket.writableLength > MAX_TCP_BACKLOG) {
      // Slow client: a camera drops frames rather than buffering without bound.
      stats.framesDropped++;
      if (t.video) this.breakDelivery(s);
      return;
    }
    let lostAny = false;
    const lost = lossPct > 0 ? () => (Math.random() * 100 < lossPct ? (lostAny = true) : false) : undefined;
    const { buf, seq, packets } = instantiate(tpl, t.tcp ? t.tcp.rtp : 0, t.seq, ts, t.ssrc, lost);
    const junk = t.video && (cam.garbageRtpUntil > mono || (cam.lieUntil > mono && cam.lieSends === 'garbage'));
    if (junk) scramblePayloads(buf);
    if (t.video && s.stream === 'main') {
      const decodable = !lostAny && !junk && t.video.codec === 'h264' && !(cam.lieUntil > mono);
      if (!decodable) this.breakDelivery(s);
      else {
        // The frame's own time (when it was due: what its timestamp says), in wall ms, not when it
        // left: one tick pumps every camera in turn, so on a loaded machine a frame goes out up to a
        // few hundred ms after its time, and a real camera's frame shows the moment it was taken.
        // The recording index places video by its timestamps, so this is what it is checked against.
        const dueMs = this.now() - (mono - (t.startMono + t.next * t.frameDurationMs));
        if (s.goodSinceMs === undefined && tpl.keyframe) s.goodSinceMs = dueMs;
        if (s.goodSinceMs !== undefined) s.goodUntilMs = dueMs + t.frameDurationMs;
      }
    }
    const total = tpl.offsets.length;
    t.seq = seq;
    t.packets += packets;
    t.octets += tpl.payloadBytes; // approximate under loss
    stats.packetsSent += packets;
    stats.packetsLost += total - packets;
    stats.bytesSent += buf.length;
    if (t.video) stats.framesSent++;
    else stats.audioFramesSent++;
    if (buf.length === 0) return;
    if (t.tcp) this.write(s.conn, buf);
    else if (t.udp && this.udpRtp) for (const p of rtpPackets(buf)) this.udpRtp.send(p, t.udp.rtpPort, t.udp.host);
  }

  /** The session's main-stream video stopped being decodable: close its delivered interval. */
  private breakDelivery(s: Session): void {
    if (s.goodSinceMs === undefined) return;
    if (s.goodUntilMs > s.goodSinceMs) s.camera.log.intervals.push([s.goodSinceMs, s.goodUntilMs]);
    s.goodSinceMs = undefined;
  }

  private sendSr(s: Session, t: Track, mono: number): void {
    const sr = concatBytes([
      buildSenderReport({
        ssrc: t.ssrc,
        ntpMs: this.now() + s.camera.clockOffsetMs,
        rtpTimestamp: (t.tsBase + Math.round(((mono - t.startMono) * t.clockRate) / 1000)) >>> 0,
        packetCount: t.packets,
        octetCount: t.octets,
      }),
      buildSdesCname(t.ssrc, `${s.camera.id}@xuncha-sim`),
    ]);
    if (t.tcp) {
      this.write(s.conn, serializeInterleaved(t.tcp.rtcp, sr));
    } else if (t.udp && this.udpRtcp) {
      this.udpRtcp.send(sr, t.udp.rtcpPort, t.udp.host);
    }
  }
}

/** Replaces every RTP payload of an instantiated frame with random bytes (headers kept: valid RTP, garbage video). */
function scramblePayloads(buf: Buffer): void {
  for (let off = 0; off + 4 <= buf.length; ) {
    const len = buf.readUInt16BE(off + 2);
    if (len > 12) randomFillSync(buf, off + 16, len - 12);
    off += 4 + len;
  }
}
