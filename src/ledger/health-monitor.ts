// Turns measured signals into fault tickets (R-FLT-1, docs/design/ledger.md): a camera offline
// continuously for `offlineAfterMs`, or going down `flapCount` times within `flapWindowMs`, opens
// its "offline" ticket once; while the ticket is unverified every further failure only bumps its
// count; "online" starts the healthy span the system verifies from. Recording-gap and not-ready
// alarms of required windows open "recording_gap" tickets; their clearing starts its healthy span.
// Work is serialised (one at a time).
import type { Logger } from 'pino';
import type { CameraStatusEvent } from '../events/bus.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { FaultService } from './fault-service.ts';
import type { LedgerService } from './ledger-service.ts';

const RECORDING_ALARMS: ReadonlySet<string> = new Set(['recording_gap', 'camera_not_ready']);

export interface HealthMonitorOptions { offlineAfterMs: number; flapCount: number; flapWindowMs: number }

export class HealthMonitor {
  /** Camera id → when it went down (continuously since). */
  private readonly downSince = new Map<number, number>();
  /** Camera id → recent times it went down (flap detection). */
  private readonly downs = new Map<number, number[]>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: { store: Store; clock: Clock; log: Logger; faults: FaultService; ledger: LedgerService; opts: HealthMonitorOptions }) {}

  /** Runs `fn` after everything queued before it; errors are logged, never thrown. */
  enqueue(fn: () => Promise<unknown>): Promise<void> {
    const p = this.chain.then(fn).catch((err: unknown) => this.d.log.error({ err }, '设备健康监测失败 (health monitor failed)'));
    this.chain = p;
    return p.then(() => undefined);
  }

  onCameraStatus = (e: CameraStatusEvent): void => {
    if (e.state === 'online') {
      this.downSince.delete(e.cameraId);
      void this.enqueue(async () => {
        const device = await this.deviceOf(e.cameraId);
        if (device) await this.d.faults.recordHealthy(device, 'offline');
      });
    } else if (e.state === 'error') {
      const now = this.d.clock.nowMs();
      if (!this.downSince.has(e.cameraId)) {
        this.downSince.set(e.cameraId, now);
        const recent = (this.downs.get(e.cameraId) ?? []).filter((t) => now - t < this.d.opts.flapWindowMs);
        recent.push(now);
        this.downs.set(e.cameraId, recent);
      }
      const flapping = (this.downs.get(e.cameraId)?.length ?? 0) >= this.d.opts.flapCount;
      void this.enqueue(() => this.offline(e.cameraId, flapping ? '设备频繁掉线 (flapping)' : null, e.reason));
    }
  };

  /**
   * Recording alarms of required windows (R-REC-4, R-FLT-1): a gap or a camera not ready opens (or
   * adds to) the camera's one "recording_gap" ticket. Other alarm kinds on the same emitter (a
   * refused PTZ command) are not equipment faults.
   */
  onRecordingAlarm = (a: { kind: string; cameraId: number; reason: string }): void => {
    if (!RECORDING_ALARMS.has(a.kind)) return;
    void this.enqueue(async () => {
      const device = await this.deviceOf(a.cameraId);
      const what = a.kind === 'camera_not_ready' ? '考试时段前/中摄像机未就绪 (camera not ready for a required window)' : '录像缺失 (recording gap in a required window)';
      if (device) await this.d.faults.recordFault(device, 'recording_gap', `${what}: ${a.reason}`);
    });
  };

  /** A recording alarm cleared: healthy again once neither kind is open for the camera. */
  onRecordingCleared = (a: { kind: string; cameraId: number }): void => {
    if (!RECORDING_ALARMS.has(a.kind)) return;
    void this.enqueue(async () => {
      const r = repos(this.d.store.db).exams;
      if ((await r.openAlarm(a.cameraId, 'recording_gap')) || (await r.openAlarm(a.cameraId, 'camera_not_ready'))) return;
      const device = await this.deviceOf(a.cameraId);
      if (device) await this.d.faults.recordHealthy(device, 'recording_gap');
    });
  };

  /** Opens offline tickets of cameras down long enough, and verifies repaired tickets. */
  tick(): Promise<void> {
    return this.enqueue(async () => {
      const now = this.d.clock.nowMs();
      for (const [cameraId, since] of this.downSince) {
        if (now - since >= this.d.opts.offlineAfterMs) await this.offline(cameraId, `离线超过 ${Math.round(this.d.opts.offlineAfterMs / 1000)} 秒 (offline for ${Math.round((now - since) / 1000)} s)`);
      }
      await this.d.faults.verifyDue();
    });
  }

  /** Bumps the open ticket, or opens one when `openReason` says the fault is established. */
  private async offline(cameraId: number, openReason: string | null, detail?: string): Promise<void> {
    const device = await this.deviceOf(cameraId);
    if (!device) return;
    const open = await repos(this.d.store.db).ledger.unverifiedTicket(SYSTEM_ACTOR.scope, device, 'offline');
    if (open && open.healthy_since_ms === null && !openReason?.startsWith('设备频繁')) return; // still down: nothing new
    if (!open && !openReason) return;
    await this.d.faults.recordFault(device, 'offline', openReason ?? `摄像机再次离线 (offline again${detail ? `: ${detail}` : ''})`);
  }

  /** The camera's ledger row id (cameras are added to the ledger first when missing). */
  async deviceOf(cameraId: number): Promise<number | undefined> {
    const r = repos(this.d.store.db).ledger;
    let row = await r.deviceOfCamera(SYSTEM_ACTOR.scope, cameraId);
    if (!row && (await this.d.ledger.syncCameras()) > 0) row = await r.deviceOfCamera(SYSTEM_ACTOR.scope, cameraId);
    return row?.id;
  }
}
