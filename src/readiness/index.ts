// Exam readiness module (考前检测, issue 17, docs/design/readiness.md): campaigns, camera probes,
// reference snapshots and checklists. The composition root builds it with the store, clock,
// opener and the recorder's sessions; `serve` starts the timetable timer.
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { CameraOpener } from '../ingest/source.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { CampaignService } from './campaign-service.ts';
import type { FrameEmitter } from './capture.ts';
import { ProbeRunner } from './probe-runner.ts';
import type { RunnerDeps } from './probe-runner.ts';
import { profileSchema } from './profile.ts';
import type { ProbeBody } from './schemas.ts';
import { SignoffService } from './signoff-service.ts';
import type { UplinkService } from '../uplink/index.ts';
import { SITE_TOPIC, reportedRequiredKbps, reportedSites } from './upward.ts';
import { CascadeBandwidthService } from './cascade-bandwidth-service.ts';
import type { StreamOpener } from './cascade-bandwidth.ts';
import type { ReportedSiteView } from './upward.ts';
import { CAMPAIGN_TOPIC, reportedCampaigns } from './upward-campaigns.ts';
import type { ReportedCampaignView } from './upward-campaigns.ts';
import { BANDWIDTH_TOPIC, reportedBandwidth } from './upward-bandwidth.ts';
import type { ReportedBandwidthView } from './upward-bandwidth.ts';
import type { TestRecordingDeps } from './test-recording.ts';
import { WorkLimiter } from '../util/work-limiter.ts';
import { buildReport } from './report-data.ts';
import { renderReadinessReport } from './report-render.ts';
import type { NodeClockOffset } from './clock-verdict.ts';

export interface ReadinessModuleDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  box: SecretBox;
  log: Logger;
  opener: CameraOpener;
  sharedSession(cameraId: number): FrameEmitter | undefined;
  concurrency?: number;
  captureMaxMs?: number;
  /** How often timetable campaigns are looked for, ms. */
  tickIntervalMs?: number;
  /** The node-to-node channel (docs/design/uplink.md); readiness states go upward through it. */
  uplink?: () => UplinkService;
  /** The recorder's files and schedule reload, for test recordings (R-PRE-3). */
  testRecording?: Pick<TestRecordingDeps, 'files' | 'reconcile'>;
  /** This node's offset from its SNTP time source (the ledger's node health), for the clock check. */
  nodeClock?: () => NodeClockOffset | undefined;
  /** This node's name, for its own sites in the reported view. */
  nodeName?: () => Promise<string>;
  /** Each camera's probe after its results are stored (the ledger: device facts, picture faults). */
  afterProbe?: RunnerDeps['afterProbe'];
  /** GB/T 28181 DeviceInfo through the cascade, for cameras of source gb28181. */
  gbDeviceInfo?: RunnerDeps['gbDeviceInfo'];
  /** GB/T 28181 device clock from its dated REGISTER/keepalive, for cameras of source gb28181. */
  gbClock?: RunnerDeps['gbClock'];
  /** DeviceStatus, catalog Status and RecordInfo through the cascade, for cameras of source gb28181 (issue 17 item 6). */
  gbCascade?: RunnerDeps['gbCascade'];
  /** Pulls a lower's channel live over GB/T 28181, for the bandwidth measured through the cascade (R-PRE-4). */
  gbPull?: () => StreamOpener | undefined;
}

export class ReadinessModule {
  readonly runner: ProbeRunner;
  readonly campaigns: CampaignService;
  readonly signoff: SignoffService;
  /** R-PRE-4 measured through the cascade: an upper pulls a lower's channels at once. */
  readonly cascadeBandwidth: CascadeBandwidthService;
  private timer?: NodeJS.Timeout;
  private readonly pending = new Set<Promise<void>>();
  /** Report renders at once, per user and in total (429 beyond). */
  readonly reportLimiter = new WorkLimiter({ maxPerUser: 2, maxTotal: 4 }, '报告生成');

  constructor(private readonly d: ReadinessModuleDeps) {
    const publish = d.uplink ? (trx: Parameters<UplinkService['publish']>[0], input: Parameters<UplinkService['publish']>[1]) => d.uplink!().publish(trx, input) : undefined;
    this.campaigns = new CampaignService({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, running: (id) => this.runner.running(id), hasSnapshot: (id) => Boolean(this.runner.snapshots.get(id)?.jpeg), publish });
    const publishSites = (trx: Parameters<UplinkService['publish']>[0], campaignId: number | undefined, siteId: number) => this.campaigns.publishSites(trx, campaignId, [siteId]);
    this.runner = new ProbeRunner({ store: d.store, audit: d.audit, box: d.box, clock: d.clock, log: d.log, opener: d.opener, sharedSession: d.sharedSession, concurrency: d.concurrency, captureMaxMs: d.captureMaxMs, nodeClock: d.nodeClock, afterResults: publishSites, afterProbe: d.afterProbe, gbDeviceInfo: d.gbDeviceInfo, gbClock: d.gbClock, gbCascade: d.gbCascade, testRecording: d.testRecording ? { store: d.store, clock: d.clock, log: d.log, ...d.testRecording } : undefined });
    this.signoff = new SignoffService(d.store, d.audit, d.clock, this.runner.snapshots, publishSites);
    this.cascadeBandwidth = new CascadeBandwidthService({
      store: d.store, audit: d.audit, clock: d.clock, log: d.log, opener: () => d.gbPull?.(), publish, nodeName: d.nodeName,
      reportedRequiredKbps: async (actor, lowerId) => (d.uplink ? reportedRequiredKbps(await d.uplink().list(actor, { topic: SITE_TOPIC }), lowerId) : null),
    });
  }

  /**
   * Probes the campaign's cameras in the caller's scope (all, some rooms, or some cameras); answers
   * at once with how many were queued; `done` resolves when they are finished.
   */
  async probe(actor: Actor, campaignId: number, body: ProbeBody): Promise<{ queued: number; done: Promise<void> }> {
    await requirePermission(this.d.audit, actor, 'exam.write', 'readiness.probe', 'readiness_campaign', campaignId);
    const { campaign, cameras } = await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const campaign = await r.readiness.getCampaign(actor.scope, campaignId);
      if (!campaign) throw outOfScope('readiness.probe', 'readiness_campaign', campaignId);
      if (campaign.state !== 'open') throw new AppError('conflict', '检测已结束 (campaign closed)');
      const cameras = await r.readiness.cameras(actor.scope, campaign.node_path, body);
      if ((body.cameraIds?.length || body.roomIds?.length) && cameras.length === 0) throw outOfScope('readiness.probe', body.cameraIds ? 'camera' : 'room', (body.cameraIds ?? body.roomIds ?? []).join(','));
      await this.d.audit.append(trx, actor, { action: 'readiness.probe', objectType: 'readiness_campaign', objectId: campaignId, scopePath: actor.scope.kind === 'all' ? campaign.node_path : actor.scope.path, detail: { cameras: cameras.length, cameraIds: body.cameraIds ?? null, roomIds: body.roomIds ?? null } });
      return { campaign, cameras };
    });
    const run = this.runner.run(campaignId, profileSchema.parse(JSON.parse(campaign.profile_json)), cameras, { testRecording: campaign.checks === 'full' });
    this.pending.add(run.done);
    void run.done.finally(() => this.pending.delete(run.done));
    return run;
  }

  /** Every site reported on the channel (own and lower levels'), ready / not ready / not checked / not reported (R-PRE-2). */
  async reported(actor: Actor): Promise<ReportedSiteView[]> {
    await requirePermission(this.d.audit, actor, 'exam.read', 'readiness.reported', 'readiness_campaign', '*');
    if (!this.d.uplink) return [];
    const u = this.d.uplink();
    const [items, peers] = await Promise.all([u.list(actor, { topic: SITE_TOPIC }), u.peers(actor)]);
    return reportedSites(items, peers, (await this.d.nodeName?.()) ?? '本级');
  }

  /**
   * The readiness report of a campaign (one site or every site the caller may see) as a signed-off
   * printable .pdf or .xlsx, rendered in a worker (issue 17 item 7). Audited as an export.
   */
  async report(actor: Actor, campaignId: number, kind: 'pdf' | 'xlsx', siteId?: number): Promise<Buffer> {
    const detail = await this.campaigns.get(actor, campaignId);
    if (siteId !== undefined && !detail.sites.some((s) => s.siteId === siteId)) throw outOfScope('readiness.report', 'org_node', siteId);
    const r = repos(this.d.store.db);
    const cityNames = new Map<string, string>();
    for (const s of detail.sites) {
      let city = '-';
      // Only the names of the site's ancestors are read (path = ids), as the exam report does.
      for (const id of s.sitePath.split('/').filter(Boolean).map(Number)) {
        const n = await r.org.get({ kind: 'all' }, id);
        if (n?.kind === 'city') city = n.name;
      }
      cityNames.set(s.sitePath, city);
    }
    const report = buildReport(detail, { siteId, cityOf: (p) => cityNames.get(p) ?? '-', nowMs: this.d.clock.nowMs(), user: actor.username });
    await this.d.audit.record(actor, { action: 'readiness.report.export', objectType: 'readiness_campaign', objectId: campaignId, scopePath: actor.scope.kind === 'all' ? undefined : actor.scope.path, detail: { format: kind, siteId: siteId ?? null, sites: report.sites.length, cameras: report.cameras.length } });
    return this.reportLimiter.run(String(actor.userId), () => renderReadinessReport(kind, report));
  }

  /** Every campaign reported on the channel — this node's and every lower level's — with its progress (R-PRE-2). */
  async reportedCampaigns(actor: Actor): Promise<ReportedCampaignView[]> {
    await requirePermission(this.d.audit, actor, 'exam.read', 'readiness.reported', 'readiness_campaign', '*');
    if (!this.d.uplink) return [];
    return reportedCampaigns(await this.d.uplink().list(actor, { topic: CAMPAIGN_TOPIC }));
  }

  /** Every bandwidth measurement through the cascade reported on the channel — this node's and every lower level's (R-PRE-4, R-PRE-2). */
  async reportedBandwidth(actor: Actor): Promise<ReportedBandwidthView[]> {
    await requirePermission(this.d.audit, actor, 'exam.read', 'readiness.reported', 'readiness_campaign', '*');
    if (!this.d.uplink) return [];
    return reportedBandwidth(await this.d.uplink().list(actor, { topic: BANDWIDTH_TOPIC }));
  }

  start(): void {
    const tick = () => void this.campaigns.openFromTimetable().catch((err: unknown) => this.d.log.warn({ err }, 'readiness timetable check failed'));
    tick();
    this.timer = setInterval(tick, this.d.tickIntervalMs ?? 10 * 60_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.pending]);
  }
}

export function createReadinessModule(deps: ReadinessModuleDeps): ReadinessModule {
  return new ReadinessModule(deps);
}

export type { CampaignDetailView, CampaignView, CameraResultView, SiteStateView, TemplateView } from './schemas.ts';
