// Sites picked whole include rooms added later (issue 14 item 11): when a room or camera is created,
// changed, moved or deleted (or an org import ran), every session not yet over is recomputed, so a
// new exam room of a participating site gets its window and its cameras are armed without anyone
// pressing 重新计算. Rooms picked individually stay as picked (participatingRooms). Sessions already
// over are left alone: a report must not demand recordings from before a room existed.
import type { EventBus, OrgChangedEvent } from '../events/bus.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { syncSession } from './window-sync.ts';

export interface FollowLog { warn(obj: object, msg: string): void }

export class OrgFollower {
  private chain: Promise<void> = Promise.resolve();
  private readonly onChanged = (e: OrgChangedEvent): void => {
    if (e.kind !== 'room' && e.kind !== 'camera' && e.kind !== 'import') return;
    // One pass at a time, in order (SQLite has one writer; later changes see earlier ones).
    this.chain = this.chain.then(() => this.resync()).catch((err: unknown) => this.log.warn({ err, event: e }, 'exam windows not recomputed after an org change'));
  };

  constructor(private readonly store: Store, private readonly events: EventBus, private readonly clock: Clock, private readonly log: FollowLog) {}

  start(): void {
    this.events.on('org.changed', this.onChanged);
  }
  stop(): Promise<void> {
    this.events.off('org.changed', this.onChanged);
    return this.chain;
  }
  /** Resolves when the passes started so far are done (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private async resync(): Promise<void> {
    const now = this.clock.nowMs();
    await this.store.db.transaction().execute(async (trx) => {
      const r = repos(trx);
      for (const id of await r.exams.sessionIdsEndingAfter(now)) await syncSession(r, id, now, 'system');
    });
  }
}
