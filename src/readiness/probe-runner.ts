// Runs camera probes for a campaign with limited concurrency (docs/design/readiness.md: probes
// never hurt recording). Each camera's results replace its previous ones in one transaction; a
// camera whose verdict changes is logged at info. The newest picture of each camera is kept in
// memory for the console and for signing a reference.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { CameraOpener } from '../ingest/source.ts';
import { streamSpecOf } from '../recording/camera-spec.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { lastRunClockOffset } from '../store/repos/readiness-repo.ts';
import type { ProbeCameraRow } from '../store/repos/readiness-repo.ts';
import type { Clock } from '../util/clock.ts';
import type { FrameEmitter } from './capture.ts';
import type { GrayFrame } from './picture-metrics.ts';
import { THUMB_H, THUMB_W } from './picture-verdict.ts';
import { probeCamera } from './prober.ts';
import { DecodeBatcher, DECODE_MAX_BATCH, DECODE_WAIT_MS } from './decode-batcher.ts';
import type { ProbeOutcome, ProbeResult } from './prober.ts';
import type { StandardProfile } from './profile.ts';
import type { NodeClockOffset } from './clock-verdict.ts';
import { referenceStale } from './views.ts';
import { openNetwork } from '../org/network-config.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { judgeTestRecording, scheduleTestRecordings } from './test-recording.ts';
import { TEST_WINDOW_MS } from './test-recording.ts';
import type { TestRecordingDeps, TestWindow } from './test-recording.ts';
import { judgeGbRecording, judgeGbStatus, ownerClock } from './gb-cascade-check.ts';
import type { GbCascadeCalls } from './gb-cascade-check.ts';

export interface Snapshot { jpeg?: Buffer; gray: GrayFrame; atMs: number }

/** What a device said about itself during the probe (ONVIF GetDeviceInformation or GB/T 28181 DeviceInfo). */
export interface ProbedFacts {
  via: 'ONVIF GetDeviceInformation' | 'GB/T 28181 DeviceInfo';
  answer: { manufacturer?: string; model?: string; firmware?: string; serial?: string } | { error: string };
}
/** One camera's probe, after its results are stored: the ledger takes device facts and faults from it. */
export interface ProbedCamera { campaignId: number; cameraId: number; outcomes: readonly ProbeOutcome[]; facts?: ProbedFacts }
/** GB/T 28181 DeviceInfo of a channel through the cascade (the answer's fields; `result` 'OK' or not). */
export type GbClock = (channelId: string) => Promise<{ offsetMs: number; atMs: number; via: string; accuracyMs?: number; samples?: number } | undefined>;
export type GbDeviceInfo = (channelId: string) => Promise<{ result: string; manufacturer?: string; model?: string; firmware?: string }>;

export interface RunnerDeps {
  store: Store;
  box: SecretBox;
  clock: Clock;
  log: Logger;
  opener: CameraOpener;
  sharedSession(cameraId: number): FrameEmitter | undefined;
  /** Cameras probed at once on this node. */
  concurrency?: number;
  captureMaxMs?: number;
  /** Clock sets over ONVIF are audited (as the system, R-PRE-6). */
  audit?: AuditService;
  /** Test recordings (R-PRE-3): without it, full checks have no `recording` result. */
  testRecording?: TestRecordingDeps;
  /** This node's offset from its SNTP time source (ledger node health), for the clock check. */
  nodeClock?: () => NodeClockOffset | undefined;
  /** Called in the transaction that stored a camera's results (publishes the site's state upward). */
  afterResults?: (trx: Kysely<Database>, campaignId: number, siteId: number) => Promise<void>;
  /** Called after a camera's results are stored (the ledger listens); its errors are logged only. */
  afterProbe?: (p: ProbedCamera) => Promise<void>;
  /** Asks a GB/T 28181 camera (source gb28181) for DeviceInfo through the cascade. */
  gbDeviceInfo?: GbDeviceInfo;
  /** The clock of a GB/T 28181 camera's device as its answers' or last REGISTER/keepalive's Date stated it. */
  gbClock?: GbClock;
  /** DeviceStatus, catalog Status and RecordInfo of a GB/T 28181 camera through the cascade (an upper probing a lower's camera). */
  gbCascade?: () => GbCascadeCalls | undefined;
}

export class ProbeRunner {
  private readonly queue: Array<() => Promise<void>> = [];
  private active = 0;
  private readonly runningByCampaign = new Map<number, Set<number>>();
  readonly snapshots = new Map<number, Snapshot>();
  private readonly concurrency: number;
  /** The probes running at once share their keyframe decoders (one ffmpeg for several cameras). */
  private readonly decoder: DecodeBatcher;

  constructor(private readonly d: RunnerDeps) {
    this.concurrency = Math.max(1, d.concurrency ?? 4);
    this.decoder = new DecodeBatcher({ maxBatch: Math.min(this.concurrency, DECODE_MAX_BATCH), maxWaitMs: DECODE_WAIT_MS });
  }

  running(campaignId: number): ReadonlySet<number> {
    return this.runningByCampaign.get(campaignId) ?? new Set();
  }

  /** Queues every camera (skipping those already running in this campaign); resolves when all are done. */
  run(campaignId: number, profile: StandardProfile, cameras: readonly ProbeCameraRow[], opts: { testRecording?: boolean } = {}): { queued: number; done: Promise<void> } {
    const set = this.runningByCampaign.get(campaignId) ?? new Set<number>();
    this.runningByCampaign.set(campaignId, set);
    const todo = cameras.filter((c) => !set.has(c.id));
    for (const c of todo) set.add(c.id);
    // Every camera of the run records its test window at once, while the other probes run. A lower's
    // camera (source gb28181) is recorded at its site: the upper asks RecordInfo over the same
    // window through the cascade instead of recording the channel itself.
    const tr = this.d.testRecording;
    const runStartedMs = this.d.clock.nowMs();
    const remote = (c: ProbeCameraRow) => c.source_kind === 'gb28181' && Boolean(this.d.gbCascade?.());
    const local = todo.filter((c) => !remote(c));
    const gbWindow = opts.testRecording && todo.some(remote) ? { fromMs: runStartedMs, toMs: runStartedMs + TEST_WINDOW_MS } : undefined;
    const window = tr && opts.testRecording && local.length
      ? scheduleTestRecordings(tr, local.map((c) => c.id), campaignId).catch((err: unknown) => {
          this.d.log.warn({ err, campaignId }, 'readiness test recordings could not be scheduled');
          return undefined;
        })
      : undefined;
    const done = Promise.all(
      todo.map(
        (cam) =>
          new Promise<void>((resolve) => {
            this.queue.push(async () => {
              try {
                await this.probeOne(campaignId, profile, cam, remote(cam) ? undefined : window, remote(cam) ? gbWindow : undefined, runStartedMs);
              } catch (err) {
                this.d.log.warn({ err, cameraId: cam.id, campaignId }, 'readiness probe failed');
              } finally {
                set.delete(cam.id);
                resolve();
              }
            });
            this.pump();
          }),
      ),
    ).then(() => undefined);
    return { queued: todo.length, done };
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length) {
      const job = this.queue.shift()!;
      this.active++;
      void job().finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async probeOne(campaignId: number, profile: StandardProfile, cam: ProbeCameraRow, window?: Promise<TestWindow | undefined>, gbWindow?: TestWindow, runStartedMs?: number): Promise<void> {
    const r = repos(this.d.store.db);
    const row = await r.cameras.get({ kind: 'all' }, cam.id);
    if (!row) return;
    const ref = (await r.readiness.references([cam.id]))[0];
    const reference = ref ? { thumb: { width: THUMB_W, height: THUMB_H, data: new Uint8Array(Buffer.from(ref.thumb_gray_b64, 'base64')) }, stale: referenceStale(ref, cam) } : undefined;
    const net = openNetwork(this.d.box, row.network_enc);
    const onvif = net?.onvifUrl ? { url: net.onvifUrl, username: net.username || undefined, password: net.password || undefined } : undefined;
    // A lower's camera: DeviceStatus first, so its answer's Date also gives a fresh clock sample.
    const gb = row.source_kind === 'gb28181' ? this.d.gbCascade?.() : undefined;
    const status = gb ? await judgeGbStatus(gb, row.main_stream, runStartedMs, () => this.d.clock.nowMs()) : undefined;
    // The answers' Date, unless the channel's owner is further down (DeviceTime disagrees).
    const gbClock = row.source_kind === 'gb28181' ? ownerClock(await gbClockOf(this.d.gbClock, row.main_stream, this.d.clock.nowMs()), status?.deviceTime) : undefined;
    const result: ProbeResult = await probeCamera(
      { clock: this.d.clock, opener: this.d.opener, sharedSession: this.d.sharedSession, captureMaxMs: this.d.captureMaxMs, nodeClock: this.d.nodeClock, decoder: this.decoder },
      profile,
      { cameraId: cam.id, roomKind: cam.room_kind, spec: streamSpecOf(row, this.d.box, 'main'), reference, lastKnownOffset: await lastRunClockOffset(this.d.store.db, cam.id), onvif, gbClock },
    );
    if (gb && status) result.outcomes.push({ probe: 'device', verdict: status.verdict, value: status.value, rule: status.rule, reason: status.reason });
    if (gb && gbWindow) result.outcomes.push({ probe: 'recording', ...(await judgeGbRecording(gb, row.main_stream, gbWindow, gbClock?.offsetMs, () => this.d.clock.nowMs())) });
    if (window && this.d.testRecording) {
      const w = await window;
      const j = w ? await judgeTestRecording(this.d.testRecording, cam.id, w) : { verdict: 'fail' as const, value: '未试录', rule: '计划试录', reason: '无法安排试录 (test recording could not be scheduled)' };
      result.outcomes.push({ probe: 'recording', ...j });
    }
    if (result.gray) this.snapshots.set(cam.id, { jpeg: result.jpeg, gray: result.gray, atMs: this.d.clock.nowMs() });
    const now = this.d.clock.nowMs();
    const before = (await r.readiness.results({ kind: 'all' }, campaignId)).filter((x) => x.camera_id === cam.id);
    await this.d.store.db.transaction().execute(async (trx) => {
      const tr = repos(trx);
      for (const o of result.outcomes) await tr.readiness.upsertResult({ campaign_id: campaignId, camera_id: cam.id, probe: o.probe, verdict: o.verdict, value: o.value.slice(0, 256), rule: o.rule.slice(0, 256), reason: o.reason?.slice(0, 512) ?? null, measured_at_ms: now, duration_ms: result.durationMs, measured_kbps: o.measuredKbps !== undefined && Number.isFinite(o.measuredKbps) ? Math.round(o.measuredKbps) : null });
      const set = result.clockSet;
      if (set && this.d.audit) {
        await this.d.audit.append(trx, SYSTEM_ACTOR, { action: 'camera.clock.set', objectType: 'camera', objectId: cam.id, scopePath: cam.site_path, outcome: set.error ? 'error' : 'ok', detail: { camera: cam.name, campaignId, offsetBeforeMs: set.beforeMs, offsetAfterMs: set.afterMs ?? null, error: set.error ?? null, via: 'ONVIF SetSystemDateAndTime', timeZone: 'CST-8' } });
      }
      await this.d.afterResults?.(trx, campaignId, cam.site_id);
    });
    const worst = (vs: string[]) => (vs.includes('fail') ? 'fail' : vs.includes('warn') ? 'warn' : vs.length ? 'pass' : 'unchecked');
    const was = worst(before.map((x) => x.verdict));
    const is = worst(result.outcomes.map((o) => o.verdict));
    if (result.clockSet) this.d.log.info({ campaignId, cameraId: cam.id, camera: cam.name, offsetBeforeMs: result.clockSet.beforeMs, offsetAfterMs: result.clockSet.afterMs, error: result.clockSet.error }, result.clockSet.error ? 'camera refused to set its clock (ONVIF)' : 'camera clock set to Beijing time (ONVIF)');
    if (this.d.afterProbe) {
      const facts = result.deviceFacts ? onvifFacts(result.deviceFacts) : row.source_kind === 'gb28181' && this.d.gbDeviceInfo ? await gbFacts(this.d.gbDeviceInfo, row.main_stream) : undefined;
      await this.d.afterProbe({ campaignId, cameraId: cam.id, outcomes: result.outcomes, facts }).catch((err: unknown) => this.d.log.warn({ err, cameraId: cam.id }, 'readiness after-probe hook failed'));
    }
    if (was !== is) this.d.log.info({ campaignId, cameraId: cam.id, camera: cam.name, site: cam.site_name, from: was, to: is, reasons: result.outcomes.filter((o) => o.reason).map((o) => `${o.probe}: ${o.reason}`) }, 'readiness camera verdict changed');
  }
}

function onvifFacts(f: NonNullable<ProbeResult['deviceFacts']>): ProbedFacts {
  const via = 'ONVIF GetDeviceInformation';
  if (!f.facts) return { via, answer: { error: f.error ?? '无应答 (no answer)' } };
  return { via, answer: { manufacturer: f.facts.manufacturer, model: f.facts.model, firmware: f.facts.firmwareVersion, serial: f.facts.serialNumber } };
}

async function gbFacts(ask: GbDeviceInfo, channelId: string): Promise<ProbedFacts> {
  const via = 'GB/T 28181 DeviceInfo';
  try {
    const a = await ask(channelId);
    if (a.result !== 'OK') return { via, answer: { error: `Result ${a.result.slice(0, 32)}` } };
    return { via, answer: { manufacturer: a.manufacturer, model: a.model, firmware: a.firmware } };
  } catch (err) {
    return { via, answer: { error: (err as Error).message.slice(0, 300) } };
  }
}

/**
 * A GB device's Date-stated clock, when read within the last 10 minutes (keepalives come every
 * minute or so; the probe's own queries give fresh answers). The source text says which Date it
 * was: the answers to our requests carry their ± (bounded by our send and receive times), a
 * request of the device's own (REGISTER / keepalive) is late by an unknown transit.
 */
async function gbClockOf(ask: GbClock | undefined, channelId: string, nowMs: number): Promise<{ offsetMs: number; accuracyMs?: number; via: string } | undefined> {
  const c = ask ? await ask(channelId).catch(() => undefined) : undefined;
  if (!c || nowMs - c.atMs > 600_000) return undefined;
  const via = c.via === '200 OK' ? `应答 Date ±${((c.accuracyMs ?? 0) / 1000).toFixed(2)} 秒，${c.samples ?? 1} 次应答 (200 OK)` : `${c.via} Date`;
  return { offsetMs: c.offsetMs, via, ...(c.via === '200 OK' ? { accuracyMs: c.accuracyMs ?? 0 } : {}) };
}
