// Device health history (issue 19 item 2, docs/design/ledger.md "Health history"; R-SEC-2, R-FLT-1).
// On every health sample the node's own server and each registered GB/T 28181 device or lower
// platform of the ledger get a row online or not (otherDevices), and each camera of the ledger that
// this node's recorder supervises gets one row: online or not, recording or not
// (the recorder's state at the sample), bitrate, frame rate and RTP packets lost since the previous
// sample (the recorder's own session, StreamMeter), and its latest clock offset (RTCP sender
// report) corrected by this node's offset from its time source when known. Raw rows are kept for
// `rawRetentionMs` (48 h), then folded into hour rows kept for `hourRetentionMs` (400 days: a whole
// exam year with the previous one's end). The camera's clock offset beyond `cameraClockDriftMs`
// opens its one clock_drift ticket; back within the limit starts the healthy span it is verified from.
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { HOUR_MS } from '../store/repos/device-health-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { FaultService } from './fault-service.ts';
import { NODE_SERVER_CODE } from './node-health.ts';
import { StreamMeter } from './stream-meter.ts';
import type { StreamLike } from './stream-meter.ts';
import type { Reachability } from './reachability.ts';

export interface DeviceHealthOptions {
  rawRetentionMs: number;
  hourRetentionMs: number;
  /** |camera clock − time source| above this opens the camera's clock_drift ticket, ms. */
  cameraClockDriftMs: number;
}

export const DEVICE_HEALTH_DEFAULTS: DeviceHealthOptions = { rawRetentionMs: 48 * HOUR_MS, hourRetentionMs: 400 * 24 * HOUR_MS, cameraClockDriftMs: 3_000 };

export interface DeviceHealthDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  faults: FaultService;
  /** The recorder's view of a camera (undefined = not managed by this node's recorder). */
  cameraState?: (cameraId: number) => { state: string; recording: boolean } | undefined;
  /** The recorder's session of a camera, for stream statistics. */
  stream?: (cameraId: number) => StreamLike | undefined;
  /** This node's offset from its time source (source − node, ms), when measured. */
  nodeOffsetMs?: () => number | null;
  /** Probes devices that name a probe host (switch, UPS, …); absent = they stay not measured. */
  reach?: Reachability;
  /** How often `sample` is called, ms: a row covers at most this (a longer pause is a gap, not a long row). */
  sampleIntervalMs: number;
  opts: DeviceHealthOptions;
}

export class DeviceHealthSampler {
  private readonly meter = new StreamMeter();
  private lastAtMs: number | null = null;
  private foldedBeforeMs = 0;

  constructor(private readonly d: DeviceHealthDeps) {}

  /** One row per camera device; folds and prunes old rows once per hour. Returns rows written. */
  async sample(): Promise<number> {
    const now = this.d.clock.nowMs();
    // A row covers the time since the previous sample, but never more than about one interval:
    // after a pause (node down, event loop stalled) the unsampled time stays a gap ("unknown").
    const nominal = Math.min(HOUR_MS - 1, this.d.sampleIntervalMs);
    const since = this.lastAtMs === null ? nominal : now - this.lastAtMs;
    const spanMs = Math.max(1, since <= nominal * 1.5 ? since : nominal);
    this.lastAtMs = now;
    const r = repos(this.d.store.db);
    const all = await r.ledger.listDevices(SYSTEM_ACTOR.scope);
    const devices = all.filter((x) => x.camera_id !== null);
    const nodeOffset = this.d.nodeOffsetMs?.() ?? null;
    const rows = [];
    const judged: Array<{ deviceId: number; offsetMs: number }> = [];
    for (const dev of devices) {
      const cameraId = dev.camera_id!;
      const st = this.d.cameraState?.(cameraId);
      // Not supervised by this node's recorder (e.g. a lower's camera seen through the cascade):
      // not measured here, so no row — the card shows the period as unknown, never as offline.
      if (!st) continue;
      const online = st?.state === 'online';
      const reading = this.meter.read(cameraId, online ? this.d.stream?.(cameraId) : undefined, now);
      // camera − source = (camera − node) − (source − node)
      const offset = reading?.clockOffsetMs == null ? null : Math.round(reading.clockOffsetMs - (nodeOffset ?? 0));
      rows.push({
        device_id: dev.id, at_ms: now - spanMs, span_ms: spanMs, samples: 1,
        online_permille: online ? 1000 : 0, recording_permille: st?.recording ? 1000 : 0,
        bitrate_kbps: reading ? Math.round(reading.bitrateKbps) : null, fps_x100: reading ? Math.round(reading.fps * 100) : null,
        lost_packets: reading ? reading.lostPackets : null, clock_offset_ms: offset,
      });
      if (offset !== null) judged.push({ deviceId: dev.id, offsetMs: offset });
    }
    this.meter.detachAll(new Set(devices.map((x) => x.camera_id!)));
    rows.push(...(await this.otherDevices(all.filter((x) => x.camera_id === null))).map(({ id, online }) => ({
      device_id: id, at_ms: now - spanMs, span_ms: spanMs, samples: 1, online_permille: online ? 1000 : 0, recording_permille: 0,
      bitrate_kbps: null, fps_x100: null, lost_packets: null, clock_offset_ms: null,
    })));
    await r.deviceHealth.insert(rows);
    for (const j of judged) await this.judgeClock(j.deviceId, j.offsetMs);
    const foldBefore = Math.floor((now - this.d.opts.rawRetentionMs) / HOUR_MS) * HOUR_MS;
    if (foldBefore > this.foldedBeforeMs) {
      const n = await r.deviceHealth.foldMinutes(foldBefore);
      await r.deviceHealth.pruneHours(now - this.d.opts.hourRetentionMs);
      this.foldedBeforeMs = foldBefore;
      if (n > 0) this.d.log.debug({ rows: n, beforeMs: foldBefore }, 'device health rows folded into hours');
    }
    return rows.length;
  }

  /**
   * Online or not of the devices that are not cameras, where something measures it: this node's own
   * server row (it is up: it is sampling), a device with a probe host (reachability.ts: TCP connect
   * or ping), and a device whose code is the SIP id of a GB/T 28181 lower platform or device
   * registered here (online while registered and sending keepalives). Others (a switch or a UPS
   * without a probe host) are not measured: no row, the card says so.
   */
  private async otherDevices(devices: ReadonlyArray<{ id: number; code: string; name: string; probe_host?: string | null; probe_tcp_port?: number | null }>): Promise<Array<{ id: number; online: boolean }>> {
    if (devices.length === 0) return [];
    const probed = this.d.reach ? await this.d.reach.probe(devices.filter((x) => x.code !== NODE_SERVER_CODE)) : new Map<number, boolean>();
    const lowers = new Map((await repos(this.d.store.db).cascade.listLowers(SYSTEM_ACTOR.scope)).map((l) => [l.sip_id, l.online === 1]));
    return devices.flatMap((x) => (x.code === NODE_SERVER_CODE ? [{ id: x.id, online: true }] : probed.has(x.id) ? [{ id: x.id, online: probed.get(x.id)! }] : lowers.has(x.code) ? [{ id: x.id, online: lowers.get(x.code)! }] : []));
  }

  stop(): void {
    this.meter.detachAll();
  }

  /** One clock_drift ticket per camera: opened beyond the limit, healthy span started within it. */
  async judgeClock(deviceId: number, offsetMs: number): Promise<void> {
    const limit = this.d.opts.cameraClockDriftMs;
    const open = await repos(this.d.store.db).ledger.unverifiedTicket(SYSTEM_ACTOR.scope, deviceId, 'clock_drift');
    if (Math.abs(offsetMs) <= limit) {
      if (open && open.healthy_since_ms === null) await this.d.faults.recordHealthy(deviceId, 'clock_drift');
      return;
    }
    // Still off: one ticket, no count per sample — unless someone marked it repaired (back to repairing).
    if (open && open.healthy_since_ms === null && open.state !== 'repaired') return;
    await this.d.faults.recordFault(deviceId, 'clock_drift', `摄像机时钟偏差 ${(offsetMs / 1000).toFixed(1)} 秒（超过 ${(limit / 1000).toFixed(0)} 秒），需校准为北京时间 (camera clock drift)`);
  }
}
