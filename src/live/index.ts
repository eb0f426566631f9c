// Live patrol module (docs/design/live.md): hubs per camera stream, the multiplexed fMP4 socket,
// WebRTC, H.265 → H.264 transcoding while watched. Built from the App; routes in
// src/api/routes/live.ts.
import type { App } from '../app.ts';
import type { CameraOpener } from '../ingest/source.ts';
import { streamSpecOf } from '../recording/camera-spec.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { HubLimits } from './hub.ts';
import { LiveSources } from './sources.ts';
import type { HubLease, LiveStream } from './sources.ts';
import { Transcoders } from './transcode.ts';
import { AudioFeeds } from './audio.ts';
import { TalkSessions } from './talk.ts';
import { WebRtcSessions } from './webrtc.ts';
import type { LiveSocketSession } from './ws-session.ts';

export type { HubLease, LiveStream } from './sources.ts';

export interface LiveModuleOptions {
  opener?: CameraOpener;
  lingerMs?: number;
  limits?: HubLimits;
  /**
   * Recorded main streams kept warm (hub attached to the recorder's supervisor, GOP held) so the
   * first viewer starts at once; 0 disables. Default XUNCHA_LIVE_WARM_MAX or 256.
   */
  warmMax?: number;
  /** How often the warm set follows the camera list, ms. */
  warmIntervalMs?: number;
}

export interface LiveStats {
  hubs: Array<{ key: string; viewers: number; framesIn: number; gopFrames: number; gopBytes: number; state: string }>;
  ownConnections: number;
  warmHubs: number;
  transcoders: number;
  /** ffmpeg processes turning AAC camera audio into G.711 for listeners now. */
  audioTranscoders: number;
  sockets: number;
  webrtc: number;
  /** 喊话 sessions now. */
  talks: number;
  skippedFrames: number;
  sentFrames: number;
}

export class LiveModule {
  readonly sources: LiveSources;
  readonly transcoders: Transcoders;
  readonly webrtc: WebRtcSessions;
  /** 喊话: the console's microphone to a camera's speaker (src/live/talk.ts). */
  readonly talks: TalkSessions;
  /** Camera audio for the wall's per-tile sound (G.711 over WebRTC; AAC through one ffmpeg per camera). */
  readonly audio: AudioFeeds;
  readonly sockets = new Set<LiveSocketSession>();

  constructor(
    readonly app: App,
    opts: LiveModuleOptions = {},
  ) {
    this.sources = new LiveSources({
      clock: app.clock,
      opener: opts.opener ?? app.opener,
      recorderSupervisor: (id) => app.recorder.supervisor(id),
      lingerMs: opts.lingerMs,
      limits: opts.limits,
    });
    this.transcoders = new Transcoders(this.sources, app.log, opts.lingerMs);
    this.webrtc = new WebRtcSessions(this);
    this.talks = new TalkSessions(this);
    this.audio = new AudioFeeds((cam) => this.acquire(cam, 'main'));
    this.warmMax = opts.warmMax ?? Number(process.env.XUNCHA_LIVE_WARM_MAX ?? '256');
    if (this.warmMax > 0) {
      const every = opts.warmIntervalMs ?? 10_000;
      this.warmFirst = setTimeout(() => void this.warm(), Math.min(every, 1000));
      this.warmTimer = setInterval(() => void this.warm(), every);
      this.warmFirst.unref();
      this.warmTimer.unref();
    }
  }

  private readonly warmMax: number;
  private warmFirst?: NodeJS.Timeout;
  private warmTimer?: NodeJS.Timeout;
  private closed = false;
  warmHubs = 0;

  /** Follows the camera list: every recorded main stream keeps a hub attached (see LiveSources.keepWarm). */
  async warm(): Promise<void> {
    try {
      const cams = await repos(this.app.store.db).cameras.list({ kind: 'all' });
      if (this.closed) return;
      const specs = cams.flatMap((c) => {
        const spec = streamSpecOf(c, this.app.box, 'main');
        return spec ? [spec] : [];
      });
      this.warmHubs = this.sources.keepWarm(specs, this.warmMax);
    } catch (err) {
      this.app.log.warn({ err }, 'live: warming main-stream hubs failed');
    }
  }

  /** A lease on the camera stream's hub as the camera sends it (H.264 or H.265). */
  acquire(cam: CameraRow, stream: LiveStream): HubLease | undefined {
    const spec = streamSpecOf(cam, this.app.box, stream);
    return spec ? this.sources.acquire(spec) : undefined;
  }

  /** A lease on an H.264 hub of the camera stream: transcoded by one shared ffmpeg while watched. */
  acquireH264(cam: CameraRow, stream: LiveStream): HubLease | undefined {
    const spec = streamSpecOf(cam, this.app.box, stream);
    return spec ? this.transcoders.acquire(spec) : undefined;
  }

  stats(): LiveStats {
    let skipped = 0;
    let sent = 0;
    for (const h of [...this.sources.hubs(), ...this.transcoders.hubs()]) {
      for (const q of h.viewerQueues()) {
        skipped += q.skippedFrames;
        sent += q.sentFrames;
      }
    }
    return {
      hubs: this.sources.hubs().map((h) => ({ key: h.key, viewers: h.viewerCount, framesIn: h.framesIn, gopFrames: h.gopFrames, gopBytes: h.gopBytesHeld, state: h.status.state })),
      ownConnections: this.sources.ownConnections(),
      warmHubs: this.warmHubs,
      transcoders: this.transcoders.running(),
      audioTranscoders: this.audio.transcoding(),
      sockets: this.sockets.size,
      webrtc: this.webrtc.count(),
      talks: this.talks.count(),
      skippedFrames: skipped,
      sentFrames: sent,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.warmFirst);
    clearInterval(this.warmTimer);
    await Promise.all([...this.sockets].map((s) => s.close()));
    await this.webrtc.closeAll();
    await this.talks.closeAll();
    await this.transcoders.stop();
    await this.sources.stop();
  }
}

export function createLiveModule(app: App, opts: LiveModuleOptions = {}): LiveModule {
  return new LiveModule(app, opts);
}
