// Lower side of the channel: sends the outbox to the upper in sequence order, signed with the key
// derived from our GB/T 28181 registration password, and deletes only what the upper acknowledged.
// Failures back off (1 s → 60 s); an idle link still sends an empty batch (heartbeat) so the upper
// can tell a quiet lower from a dead one.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { computeHa1 } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { BATCH_PATH, HEADER, MAX_BATCH_BYTES, MAX_BATCH_ITEMS, channelKey, downAnswerSchema, downSignatureMatches, signRequest } from './wire.ts';
import type { DownItem, WireItem, WirePeer } from './wire.ts';

export interface SenderOptions {
  /** Base URL of the upper's API. */
  url: string;
  /** Our SIP id (the lower platform id the upper knows us by) and registration password. */
  sipId: string;
  password: string;
  /** Upper's SIP domain (realm of our HA1); default: the first 10 digits of its id, corrected from its 401 answers. */
  realm: string;
  /** How often the outbox is looked at when idle (ms; default 1000). */
  pollMs?: number;
  /** Empty batch after this long without sending (ms; default 30 000). */
  heartbeatMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Request timeout (ms; default 15 000). */
  timeoutMs?: number;
  /** While someone here waits for an answer from above (`DownReceiver.waiting`), an empty batch this often (ms; default 2000). */
  downPollMs?: number;
}

/** What the sender does with the messages in the upper's answers (docs/design/uplink.md "Downward by answer"). */
export interface DownReceiver {
  /** True while an answer from above is awaited (a pending request): the sender then asks every `downPollMs`. */
  waiting(): Promise<boolean>;
  /** One message, in sequence order; `verified` = its signature matches our channel key. Throwing stops here (retried next answer). */
  handle(item: DownItem, verified: boolean, upperEpoch: string): Promise<void>;
}

export interface SenderStatus {
  url: string;
  state: 'idle' | 'sending' | 'failing';
  lastSuccessAtMs: number | null;
  lastAttemptAtMs: number | null;
  lastError: string | null;
  /** Items queued and not yet acknowledged. */
  backlog: number;
  ackedSeq: number;
}

export class UplinkSender {
  readonly status: SenderStatus;
  private realm: string;
  private key: Buffer;
  private timer?: NodeJS.Timeout;
  private running = false;
  private loop?: Promise<void>;
  private backoffMs: number;
  private lastSentAtMs = 0;
  private abort?: AbortController;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly o: SenderOptions,
    /** Our own lowers' freshness, reported upward with each batch. */
    private readonly peers: () => Promise<WirePeer[]>,
    private readonly down?: DownReceiver,
  ) {
    this.realm = o.realm;
    this.key = channelKey(computeHa1(o.sipId, this.realm, o.password, 'MD5'));
    this.backoffMs = o.backoffMinMs ?? 1000;
    this.status = { url: o.url, state: 'idle', lastSuccessAtMs: null, lastAttemptAtMs: null, lastError: null, backlog: 0, ackedSeq: 0 };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.abort?.abort();
    await this.loop;
  }

  /** Look at the outbox now (after a publish committed). */
  kick(): void {
    if (this.running && !this.loop) this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.loop = this.tick().finally(() => (this.loop = undefined));
    }, ms);
  }

  private async tick(): Promise<void> {
    let next = this.o.pollMs ?? 1000;
    try {
      const more = await this.sendOnce();
      this.backoffMs = this.o.backoffMinMs ?? 1000;
      if (more) next = 0;
    } catch (err) {
      const msg = (err as Error).message;
      if (this.status.state !== 'failing') this.log.info({ url: this.o.url, err: msg }, `上级通道中断 uplink to upper failing: ${msg}`);
      this.status.state = 'failing';
      this.status.lastError = msg;
      next = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.o.backoffMaxMs ?? 60_000);
    }
    if (this.running) this.schedule(next);
  }

  /** One batch (or heartbeat) if due. True when more items wait. */
  private async sendOnce(): Promise<boolean> {
    const r = repos(this.store.db).uplink;
    const rows = await r.outboxPage(MAX_BATCH_ITEMS);
    const now = this.clock.nowMs();
    if (rows.length === 0 && now - this.lastSentAtMs < (this.o.heartbeatMs ?? 30_000) && this.status.state !== 'failing') {
      this.status.backlog = 0;
      // Someone waits for a decision from above: ask more often than the heartbeat.
      const ask = this.down && now - this.lastSentAtMs >= (this.o.downPollMs ?? 2000) && (await this.down.waiting());
      if (!ask) return false;
    }
    const state = await r.state();
    const items: WireItem[] = [];
    let bytes = 512;
    for (const row of rows) {
      const it: WireItem = { seq: Number(row.seq), originCode: row.origin_code, originSeq: Number(row.origin_seq), topic: row.topic, key: row.item_key, body: row.body, updatedAtMs: Number(row.updated_at_ms) };
      const size = Buffer.byteLength(JSON.stringify(it)) + 1;
      if (items.length > 0 && bytes + size > MAX_BATCH_BYTES - 64 * 1024) break;
      bytes += size;
      items.push(it);
    }
    const lastSeq = items.at(-1)?.seq ?? 0;
    const backlog = await r.outboxCount(lastSeq);
    const downAck = await r.downAck();
    const body = Buffer.from(JSON.stringify({ v: 1, epoch: state.epoch, items, backlog, peers: await this.peers(), ...(downAck.epoch ? { downAck: downAck.seq, downEpoch: downAck.epoch } : {}) }));
    this.status.lastAttemptAtMs = now;
    this.status.state = 'sending';
    const answer = await this.post(body);
    const ackSeq = answer.ackSeq;
    await r.ackOutbox(ackSeq);
    await this.takeDown(answer.json, downAck);
    const was = this.status.lastError;
    this.status.lastSuccessAtMs = this.clock.nowMs();
    this.status.lastError = null;
    this.status.ackedSeq = ackSeq;
    this.status.backlog = await r.outboxCount();
    this.status.state = 'idle';
    this.lastSentAtMs = now;
    if (was !== null) this.log.info({ url: this.o.url, backlog: this.status.backlog }, '上级通道恢复 uplink to upper restored');
    return this.status.backlog > 0 && ackSeq >= lastSeq;
  }

  /** Hands the answer's messages to the receiver in order, acknowledging each once handled. */
  private async takeDown(json: unknown, ack: { epoch: string | null; seq: number }): Promise<void> {
    if (!this.down) return;
    const parsed = downAnswerSchema.safeParse(json);
    if (!parsed.success) return; // an upper without downward answers
    const { downEpoch, down } = parsed.data;
    const r = repos(this.store.db).uplink;
    let after = ack.seq;
    if (downEpoch !== ack.epoch) {
      after = 0;
      await r.saveDownAck(downEpoch, 0);
    }
    for (const item of [...down].sort((a, b) => a.seq - b.seq)) {
      if (item.seq <= after) continue;
      await this.down.handle(item, downSignatureMatches(this.key, downEpoch, item), downEpoch);
      after = item.seq;
      await r.saveDownAck(downEpoch, after);
    }
  }

  private async post(body: Buffer, retried = false): Promise<{ ackSeq: number; json: unknown }> {
    const timeMs = this.clock.nowMs();
    const nonce = randomBytes(16).toString('hex');
    const signature = signRequest(this.key, { method: 'POST', path: BATCH_PATH, id: this.o.sipId, timeMs, nonce }, body);
    this.abort = new AbortController();
    const t = setTimeout(() => this.abort?.abort(), this.o.timeoutMs ?? 15_000);
    let res: Response;
    try {
      res = await fetch(new URL(BATCH_PATH, this.o.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [HEADER.id]: this.o.sipId, [HEADER.time]: String(timeMs), [HEADER.nonce]: nonce, [HEADER.signature]: signature },
        body: new Uint8Array(body),
        signal: this.abort.signal,
      });
    } catch (err) {
      throw new Error(`upper unreachable: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(t);
    }
    const text = await res.text();
    let json: { ackSeq?: unknown; reason?: unknown; message?: unknown; realm?: unknown } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      /* non-JSON answer: reported below */
    }
    if (res.status === 200 && typeof json.ackSeq === 'number') return { ackSeq: json.ackSeq, json };
    if (res.status === 401 && !retried && typeof json.realm === 'string' && /^\d{10}$/.test(json.realm) && json.realm !== this.realm) {
      // We guessed the upper's SIP domain from its id; it told us the right one.
      this.realm = json.realm;
      this.key = channelKey(computeHa1(this.o.sipId, this.realm, this.o.password, 'MD5'));
      return this.post(body, true);
    }
    throw new Error(`upper answered ${res.status}${typeof json.reason === 'string' ? ` ${json.reason}` : ''}${typeof json.message === 'string' ? `: ${json.message}` : ''}`);
  }
}
