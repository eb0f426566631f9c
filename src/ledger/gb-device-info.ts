// GB/T 28181 DeviceInfo of devices registered directly to this node (issue 19: video devices fill
// model and firmware by themselves; R-SEC-1, R-CITY-4; docs/design/ledger.md "Device facts"). A
// ledger row whose code is the SIP id of a registered device or platform is asked for DeviceInfo
// soon after each registration (a new `registered_at_ms`: a restart or a replaced box registering)
// and again every `intervalMs` while it stays registered. The answer goes through the facts
// recorder (audited, a refused answer recorded with its reason, a new model = a replacement), then
// the conformance check of a replaced device runs. Asks run outside the ticket queue (a device may
// take seconds to answer), a few at a time; recording runs in the queue.
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { ConformanceChecker } from './conformance.ts';
import type { DeviceFacts, DeviceFactsRecorder } from './device-facts.ts';

/** A DeviceInfo answer as received (`result` 'OK' or not). */
export interface GbDeviceInfoAnswer { result: string; manufacturer?: string; model?: string; firmware?: string; channel?: number }
/** Asks the device registered as `sipId`; rejects when it is not registered or does not answer. */
export type GbDeviceInfoAsk = (sipId: string) => Promise<GbDeviceInfoAnswer>;

const PARALLEL = 4;

/** What the ledger records of an answer: its facts, or why it is refused. Pure. */
export function answerFacts(a: GbDeviceInfoAnswer): DeviceFacts | { error: string } {
  if (String(a.result).trim().toUpperCase() !== 'OK') return { error: `DeviceInfo 应答结果为 ${JSON.stringify(a.result).slice(0, 40)}（非 OK）(Result not OK)` };
  return { manufacturer: a.manufacturer, model: a.model, firmware: a.firmware, ...(a.channel !== undefined && { channels: a.channel }) };
}

export class GbDeviceInfoPoller {
  /** Lower id → the registration last asked about and when. */
  private readonly asked = new Map<number, { registeredAtMs: number; askedAtMs: number }>();
  private running?: Promise<number>;

  constructor(private readonly d: { store: Store; clock: Clock; log: Logger; facts: DeviceFactsRecorder; conformance: ConformanceChecker; ask: () => GbDeviceInfoAsk | undefined; enqueue: (fn: () => Promise<unknown>) => Promise<void>; intervalMs: number }) {}

  /** Asks every registered device with a ledger row that is due. Calls while one runs share it. Returns how many were asked. */
  poll(): Promise<number> {
    this.running ??= this.pollOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pollOnce(): Promise<number> {
    const ask = this.d.ask();
    if (!ask) return 0;
    const r = repos(this.d.store.db);
    const now = this.d.clock.nowMs();
    const due: Array<{ sipId: string; deviceIds: number[] }> = [];
    const online = (await r.cascade.listLowers(SYSTEM_ACTOR.scope)).filter((l) => l.online === 1).filter((l) => {
      const seen = this.asked.get(l.id);
      return !seen || seen.registeredAtMs !== Number(l.registered_at_ms ?? 0) || now - seen.askedAtMs >= this.d.intervalMs;
    });
    if (online.length === 0) return 0;
    // One query for all: most lowers of a city are platforms, not ledger rows.
    const byCode = new Map<string, number[]>();
    for (const x of await r.ledger.devicesWithCodes(online.map((l) => l.sip_id))) byCode.set(x.code, [...(byCode.get(x.code) ?? []), x.id]);
    for (const lower of online) {
      const deviceIds = byCode.get(lower.sip_id);
      if (!deviceIds) continue;
      this.asked.set(lower.id, { registeredAtMs: Number(lower.registered_at_ms ?? 0), askedAtMs: now });
      due.push({ sipId: lower.sip_id, deviceIds });
    }
    for (let i = 0; i < due.length; i += PARALLEL) {
      await Promise.all(due.slice(i, i + PARALLEL).map(async ({ sipId, deviceIds }) => {
        const answer = await ask(sipId).then(answerFacts, (err: unknown) => ({ error: (err as Error).message }));
        await this.d.enqueue(async () => {
          for (const id of deviceIds) {
            await this.d.facts.recordDevice(id, 'GB/T 28181 DeviceInfo', answer, { sipId });
            await this.d.conformance.check(id);
          }
        });
      }));
    }
    return due.length;
  }
}
