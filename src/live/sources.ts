// Leases live hubs by camera stream. The main stream reuses the recorder's supervisor (one
// connection per camera stream); the sub stream (or a main stream nobody records) gets its own
// supervisor, shared by every viewer and stopped `lingerMs` after the last one leaves.
import type { CameraSupervisor } from '../ingest/supervisor.ts';
import { CameraSupervisor as Supervisor } from '../ingest/supervisor.ts';
import type { CameraOpener, StreamSpec } from '../ingest/source.ts';
import { h264VideoParams } from '../media/h264/params.ts';
import { h265VideoParams } from '../media/h265/params.ts';
import type { VideoFrame, VideoParams } from '../media/types.ts';
import type { Clock } from '../util/clock.ts';
import { DEFAULT_HUB_LIMITS, LiveHub } from './hub.ts';
import type { HubLimits } from './hub.ts';

export type LiveStream = 'main' | 'sub';

export interface SourcesDeps {
  clock: Clock;
  opener: CameraOpener;
  /** The recorder's supervisor of a camera's main stream, if it runs one. */
  recorderSupervisor(cameraId: number): CameraSupervisor | undefined;
  lingerMs?: number;
  limits?: HubLimits;
  /** Extra hubs fed from another hub (H.265 → H.264); created lazily by the module. */
}

interface Entry {
  key: string;
  hub: LiveHub;
  refs: number;
  supervisor: CameraSupervisor;
  own: boolean;
  /** Kept attached to the recorder's supervisor without viewers (holds the GOP for the first one). */
  warm?: boolean;
  detach: () => void;
  linger?: NodeJS.Timeout;
}

export interface HubLease {
  readonly hub: LiveHub;
  /** The camera connection feeding the hub (audio listeners take its audio frames); absent for transcoded hubs. */
  readonly supervisor?: CameraSupervisor;
  release(): void;
}

/** Parameters from in-band SPS/PPS(/VPS) of a keyframe, when a hub joins a session already running. */
export function inBandParams(frame: VideoFrame): VideoParams | undefined {
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  let vps: Uint8Array | undefined;
  let h265 = false;
  for (const n of frame.nalus) {
    if (n.length < 2) continue;
    const t264 = n[0] & 0x1f;
    const t265 = (n[0] >> 1) & 0x3f;
    if (t265 === 32 && (n[0] & 0x81) === 0) {
      vps = n;
      h265 = true;
    } else if (h265 && t265 === 33) sps = n;
    else if (h265 && t265 === 34) pps = n;
    else if (!h265 && t264 === 7) sps = n;
    else if (!h265 && t264 === 8) pps = n;
  }
  try {
    if (h265 && vps && sps && pps) return h265VideoParams(Uint8Array.from(vps), Uint8Array.from(sps), Uint8Array.from(pps));
    if (!h265 && sps && pps) return h264VideoParams(Uint8Array.from(sps), Uint8Array.from(pps));
  } catch {
    return undefined;
  }
  return undefined;
}

/** Feeds a hub from a supervisor; returns the function that stops feeding it. */
export function attachHub(hub: LiveHub, sup: CameraSupervisor): () => void {
  let known = Boolean(hub.currentParams);
  const onStart = (source: { video?: VideoParams }) => {
    if (source.video) {
      hub.setParams(source.video);
      known = true;
    }
  };
  const onFrame = (f: { kind: string }) => {
    if (f.kind !== 'video') return;
    const frame = f as VideoFrame;
    if (!known && !frame.newParams && frame.keyframe) {
      const p = inBandParams(frame);
      if (p) hub.setParams(p);
      known = Boolean(p);
    }
    if (frame.newParams) known = true;
    if (known) hub.pushFrame(frame);
  };
  const onEnd = () => hub.sessionEnded();
  const onStatus = (s: CameraSupervisor['status']) => hub.setStatus({ state: s.state, reason: s.reason, detail: s.detail, atMs: s.sinceMs });
  sup.on('session-start', onStart);
  sup.on('frame', onFrame);
  sup.on('session-end', onEnd);
  sup.on('status', onStatus);
  onStatus(sup.status);
  return () => {
    sup.off('session-start', onStart);
    sup.off('frame', onFrame);
    sup.off('session-end', onEnd);
    sup.off('status', onStatus);
  };
}

export class LiveSources {
  private readonly entries = new Map<string, Entry>();
  private readonly lingerMs: number;

  constructor(private readonly deps: SourcesDeps) {
    this.lingerMs = deps.lingerMs ?? 10_000;
  }

  /** Hubs currently open (tests, stats). */
  hubs(): LiveHub[] {
    return [...this.entries.values()].map((e) => e.hub);
  }

  /** Own supervisors running now (sub streams, unrecorded main streams). */
  ownConnections(): number {
    return [...this.entries.values()].filter((e) => e.own).length;
  }

  acquire(spec: StreamSpec): HubLease {
    const key = `${spec.cameraId}:${spec.stream}`;
    let e = this.entries.get(key);
    const recSup = spec.stream === 'main' ? this.deps.recorderSupervisor(spec.cameraId) : undefined;
    if (e && !e.own && recSup && e.supervisor !== recSup) {
      // The recorder replaced its supervisor (camera reconfigured): follow it.
      e.detach();
      e.supervisor = recSup;
      e.detach = attachHub(e.hub, recSup);
    } else if (e && e.own && e.supervisor.spec.url !== spec.url) {
      this.close(e);
      e = undefined;
    }
    if (!e) {
      const hub = new LiveHub(key, this.deps.limits ?? DEFAULT_HUB_LIMITS, this.deps.clock.nowMs());
      const own = !recSup;
      const supervisor = recSup ?? new Supervisor(spec, this.deps.opener, this.deps.clock);
      e = { key, hub, refs: 0, supervisor, own, detach: attachHub(hub, supervisor) };
      this.entries.set(key, e);
      if (own) supervisor.start();
    }
    const entry = e;
    clearTimeout(entry.linger);
    entry.linger = undefined;
    entry.refs++;
    let released = false;
    return {
      hub: entry.hub,
      supervisor: entry.supervisor,
      release: () => {
        if (released) return;
        released = true;
        entry.refs--;
        if (entry.refs > 0 || entry.warm) return;
        entry.linger = setTimeout(() => this.close(entry), this.lingerMs);
      },
    };
  }

  /**
   * Keeps a hub on each of these recorded main streams attached to the recorder's supervisor, so
   * that the first viewer, too, starts at the last keyframe instead of waiting up to a GOP (2 s)
   * for the next one. Costs one copy of each frame and the GOP in memory (≈0.5 MB at 2 Mb/s, at
   * most the hub limit). Warm hubs of streams not named, or no longer recorded, are released.
   * Returns how many are warm.
   */
  keepWarm(specs: StreamSpec[], max: number): number {
    const want = new Set<string>();
    for (const spec of specs) {
      if (spec.stream !== 'main' || want.size >= max) continue;
      const recSup = this.deps.recorderSupervisor(spec.cameraId);
      if (!recSup) continue;
      const key = `${spec.cameraId}:${spec.stream}`;
      want.add(key);
      const e = this.entries.get(key);
      if (e?.warm && e.supervisor === recSup) continue;
      if (e && e.own) continue; // an own connection serves viewers now; warm it on a later pass
      const lease = this.acquire(spec); // attaches (or follows a replaced supervisor)
      const entry = this.entries.get(key)!;
      entry.warm = true;
      lease.release();
    }
    for (const e of [...this.entries.values()]) {
      if (!e.warm || want.has(e.key)) continue;
      e.warm = false;
      if (e.refs === 0) this.close(e);
    }
    return [...this.entries.values()].filter((e) => e.warm).length;
  }

  private close(e: Entry): void {
    clearTimeout(e.linger);
    if (this.entries.get(e.key) === e) this.entries.delete(e.key);
    e.detach();
    e.hub.setStatus({ state: 'stopped', atMs: this.deps.clock.nowMs() });
    if (e.own) void e.supervisor.stop();
  }

  async stop(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) {
      clearTimeout(e.linger);
      e.detach();
      if (e.own) await e.supervisor.stop();
    }
  }
}
