// The node-to-node channel (docs/design/uplink.md, /UPLINK.md): one module per app, like the
// cascade module. `createUplinkModule(app).service` is what other modules use.
import { AuditCheckpointer, CHECKPOINT_TOPIC, checkpointKey, lastPublishedCheckpointSeq } from '../audit/checkpoints.ts';
import { CheckpointWatch } from '../audit/checkpoint-watch.ts';
import type { Gb28181Settings } from '../config/config.ts';
import { repos } from '../store/repos/index.ts';
import { UplinkReceiver } from './receiver.ts';
import { UplinkSender } from './sender.ts';
import type { SenderOptions, SenderStatus } from './sender.ts';
import { UplinkService } from './uplink-service.ts';
import type { UplinkApp } from './uplink-service.ts';
import type { DownItem, WirePeer } from './wire.ts';
import type { Actor } from '../auth/actor.ts';

export type { DownHandler, PublishInput, SendDownInput, UplinkItemView, UplinkPeerView, UplinkListFilter, UplinkApp } from './uplink-service.ts';
export { UplinkService } from './uplink-service.ts';
export type { SenderStatus } from './sender.ts';

export interface UplinkOptions {
  /** Default: app.config.gb28181. */
  settings?: Gb28181Settings;
  /** Sender timings (tests use short ones). */
  sender?: Pick<SenderOptions, 'pollMs' | 'heartbeatMs' | 'backoffMinMs' | 'backoffMaxMs' | 'timeoutMs'>;
  /** Stale threshold (ms); default gb28181.uplinkStaleS or 120 s. */
  staleAfterMs?: number;
  /** How often peers' staleness and own items are looked at (ms; default 1000). */
  watchMs?: number;
  /** How often the audit head is checkpointed upward when it moved (ms; default audit.checkpointIntervalS). */
  checkpointIntervalMs?: number;
}

export class UplinkModule {
  readonly service: UplinkService;
  readonly receiver: UplinkReceiver;
  readonly sender?: UplinkSender;
  /** Signed audit checkpoints to the upper level (issue 13 item 3); present when an upper channel is configured. */
  readonly checkpoints?: AuditCheckpointer;
  /** Upper side: judges the audit checkpoints lowers send (issue 13). */
  readonly checkpointWatch: CheckpointWatch;
  private watch?: NodeJS.Timeout;
  private watching?: Promise<void>;
  private lastOwnSeq = -1;
  private readonly staleNow = new Map<string, boolean>();

  constructor(
    readonly app: UplinkApp,
    readonly settings: Gb28181Settings | undefined,
    private readonly opts: UplinkOptions = {},
  ) {
    const s = settings;
    const up = s?.upper;
    const staleAfterMs = opts.staleAfterMs ?? (s?.uplinkStaleS ?? 120) * 1000;
    if (s && up?.uplinkUrl) {
      // The upper's SIP domain is, by GB/T 28181 convention, the first 10 digits of its id; its 401 corrects us otherwise.
      const upperId = up.id;
      this.sender = new UplinkSender(app.store, app.clock, app.log, { url: up.uplinkUrl, sipId: s.id, password: up.password, realm: up.id.slice(0, 10), ...opts.sender }, () => this.reportedPeers(), {
        waiting: () => this.service.downWaiting(),
        handle: (item, verified) => this.takeDown(item, verified, upperId),
      });
    }
    this.service = new UplinkService({ app, queueing: () => this.sender !== undefined, staleAfterMs, kick: () => this.sender?.kick() });
    if (this.sender) {
      this.checkpoints = new AuditCheckpointer({
        audit: app.audit,
        lastPublishedSeq: () => lastPublishedCheckpointSeq(app.store.db),
        log: app.log,
        intervalMs: opts.checkpointIntervalMs ?? (app.config.audit?.checkpointIntervalS ?? 300) * 1000,
        publish: async (cp) => {
          const root = await repos(app.store.db).org.rootPath();
          if (!root) throw new Error('no organisation tree: nothing to attach the audit checkpoint to');
          await this.service.publishNow({ topic: CHECKPOINT_TOPIC, key: checkpointKey(cp.seq), body: cp, scopePath: root });
        },
      });
    }
    this.checkpointWatch = new CheckpointWatch({ store: app.store, audit: app.audit, clock: app.clock, log: app.log });
    this.receiver = new UplinkReceiver({
      store: app.store, audit: app.audit, clock: app.clock, log: app.log, events: app.events, realm: s?.domain ?? '', relayUp: () => this.sender !== undefined,
      inspect: (trx, it) => (it.topic === CHECKPOINT_TOPIC ? this.checkpointWatch.inspect(trx, it) : Promise.resolve()),
    });
  }

  /** Starts the sender (when an upper channel is configured) and the watcher of staleness and own items. */
  async start(): Promise<void> {
    if (this.watch) return;
    if (this.sender) await this.snapshotForNewUpper(this.sender.status.url);
    this.lastOwnSeq = await repos(this.app.store.db).uplink.maxOwnSeq();
    this.sender?.start();
    this.checkpoints?.start();
    const tick = () => {
      this.watching = this.check().catch((err: unknown) => this.app.log.warn({ err }, 'uplink watcher failed'));
    };
    this.watch = setInterval(tick, this.opts.watchMs ?? 1000);
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.watch);
    this.watch = undefined;
    await this.watching;
    await this.checkpoints?.stop();
    await this.sender?.stop();
  }

  status(): { sender?: SenderStatus } {
    return { ...(this.sender ? { sender: { ...this.sender.status } } : {}) };
  }

  /**
   * A message from above (docs/design/uplink.md "Downward by answer"). A bad signature is refused,
   * logged and audited, and goes no further. One addressed to a node whose items reach us through
   * a lower is relayed down to that lower (re-signed with its key when it next asks); one for our
   * own node goes to the module that registered the topic.
   */
  private async takeDown(item: DownItem, verified: boolean, upperId: string): Promise<void> {
    const actor: Actor = { userId: null, username: `upper:${upperId}`, role: 'system', ip: '-', workstation: 'uplink', scope: { kind: 'all' } };
    const root = (await repos(this.app.store.db).org.rootPath()) ?? '/';
    const where = { topic: item.topic, key: item.key, originCode: item.originCode, seq: item.seq };
    if (!verified) {
      this.app.log.warn(where, `上级下发条目签名无效，已拒绝 downward message from the upper refused: bad signature (${item.topic}/${item.key})`);
      await this.app.audit.record(actor, { action: 'uplink.down', objectType: 'uplink_down', objectId: `${item.topic}/${item.key}`, outcome: 'denied', scopePath: root, detail: { ...where, reason: 'bad-signature' } });
      return;
    }
    const via = await repos(this.app.store.db).uplink.lowerForOrigin(item.originCode);
    if (via !== undefined) {
      const sent = await this.app.store.db.transaction().execute(async (trx) => {
        const ok = await this.service.sendDown(trx, { lowerId: via, originCode: item.originCode, topic: item.topic, key: item.key, body: JSON.parse(item.body) as unknown });
        if (ok) await this.app.audit.append(trx, actor, { action: 'uplink.down.relay', objectType: 'uplink_down', objectId: `${item.topic}/${item.key}`, scopePath: root, detail: { ...where, toLowerId: via } });
        return ok;
      });
      this.app.log.info({ ...where, toLowerId: via, sent }, `上级下发条目转发下级 downward message relayed to lower ${via}`);
      return;
    }
    const h = this.service.downHandler(item.topic);
    if (!h) {
      this.app.log.warn(where, `上级下发条目无处理者，已忽略 downward message with no handler: ${item.topic}`);
      return;
    }
    await h.handle({ originCode: item.originCode, topic: item.topic, key: item.key, body: JSON.parse(item.body) as unknown, upperId });
  }

  /** Our lowers (direct and what they reported below them), sent upward with each batch. */
  private async reportedPeers(): Promise<WirePeer[]> {
    const views = await this.service.peerViews({ kind: 'all' });
    return views.slice(0, 2000).map((p) => ({ code: p.code, name: p.name.slice(0, 128), lastReceivedAtMs: p.lastReceivedAtMs, backlog: p.backlog, stale: p.stale }));
  }

  /** A different upper than the outbox was filled for gets every live item once (then the outbox goes on). */
  private async snapshotForNewUpper(url: string): Promise<void> {
    await this.app.store.db.transaction().execute(async (trx) => {
      const r = repos(trx).uplink;
      const state = await r.state();
      if (state.upper_url === url) return;
      const now = this.app.clock.nowMs();
      const items = await r.liveItems();
      for (const it of items) {
        const { seq } = await r.nextSeq();
        await r.enqueue({ seq, origin_code: it.origin_code, topic: it.topic, item_key: it.item_key, body: it.body, origin_seq: Number(it.origin_seq), updated_at_ms: Number(it.updated_at_ms), created_at_ms: now });
      }
      await r.setUpperUrl(url);
      await r.saveDownAck(null, 0); // a new upper numbers its messages afresh
      this.app.log.info({ url, items: items.length }, 'uplink: new upper, every item queued once');
    });
  }

  /** Logs each lower's stale/fresh change at info; emits `uplink.item` for own items that committed. */
  private async check(): Promise<void> {
    for (const p of await this.service.peerViews({ kind: 'all' })) {
      const was = this.staleNow.get(p.code);
      if (was !== p.stale) {
        this.staleNow.set(p.code, p.stale);
        if (was !== undefined || !p.stale) {
          const msg = p.stale ? `下级通道失联 uplink from ${p.name} stale` : `下级通道正常 uplink from ${p.name} fresh`;
          this.app.log.info({ code: p.code, via: p.viaCode, lastReceivedAtMs: p.lastReceivedAtMs, backlog: p.backlog }, msg);
        }
      }
    }
    const own = await repos(this.app.store.db).uplink.ownItemsAfter(this.lastOwnSeq);
    for (const it of own) {
      this.lastOwnSeq = Number(it.origin_seq);
      this.app.events.emit('uplink.item', { originCode: it.origin_code, topic: it.topic, key: it.item_key, body: it.body === null ? null : JSON.parse(it.body), receivedAtMs: Number(it.received_at_ms), scopePath: it.scope_path, own: true });
    }
    if (own.length > 0) this.sender?.kick();
  }
}

const modules = new WeakMap<object, UplinkModule>();

/** The uplink module of an app (one per app; options only count on the first call). */
export function createUplinkModule(app: UplinkApp, opts: UplinkOptions = {}): UplinkModule {
  let m = modules.get(app);
  if (!m) {
    m = new UplinkModule(app, opts.settings ?? app.config.gb28181, opts);
    modules.set(app, m);
  }
  return m;
}
