// What changed in the catalog this node shows its upper, as GB catalog events (§9.11.2). Any
// hint that something may have changed (camera status, org change, a lower's catalog) triggers a
// debounced rebuild, compared with the last catalog the upper was told about: new items are ADD,
// vanished ones DEL, a status change alone is ON/OFF, anything else UPDATE. Diffing the whole
// catalog instead of translating each event keeps the upper exact whatever changed it (console,
// import, CLI, another process sharing the database: the periodic resync catches those).
import type { Logger } from 'pino';
import type { CatalogItem } from '../gb28181/index.ts';

/** Item content without its status: a change here is an UPDATE, not ON/OFF. */
function bodyKey(it: CatalogItem): string {
  const { status: _s, event: _e, ...rest } = it;
  return JSON.stringify(rest);
}

/** Catalog events turning `prev` into `next`: additions and changes in `next` order, removals last, children first. */
export function diffCatalog(prev: ReadonlyMap<string, CatalogItem>, next: readonly CatalogItem[]): CatalogItem[] {
  const out: CatalogItem[] = [];
  const seen = new Set<string>();
  for (const it of next) {
    seen.add(it.deviceId);
    const old = prev.get(it.deviceId);
    if (!old) out.push({ ...it, event: 'ADD' });
    else if (bodyKey(old) !== bodyKey(it)) out.push({ ...it, event: 'UPDATE' });
    else if (old.status !== it.status) {
      if ((it.status === 'ON' || it.status === 'OFF') && old.status !== undefined) out.push({ deviceId: it.deviceId, event: it.status });
      else out.push({ ...it, event: 'UPDATE' });
    }
  }
  const gone = [...prev.keys()].filter((id) => !seen.has(id)).reverse(); // built parents first: delete children first
  for (const id of gone) out.push({ deviceId: id, event: 'DEL' });
  return out;
}

export interface CatalogWatcherOptions {
  build(): Promise<CatalogItem[]>;
  /** Called with the events of each change (never empty). */
  onChanges(items: CatalogItem[]): void;
  log: Logger;
  /** Quiet time after a trigger before rebuilding: a burst of changes becomes one diff. */
  debounceMs?: number;
  /** Rebuild this often without any trigger (changes made outside this process). */
  resyncMs?: number;
}

export class CatalogWatcher {
  private snapshot?: Map<string, CatalogItem>;
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: CatalogWatcherOptions) {}

  /** Takes the current catalog as the baseline (nothing is sent) and starts the periodic resync. */
  start(): Promise<void> {
    this.resync = setInterval(() => this.trigger(), this.o.resyncMs ?? 60_000);
    return this.serial(async () => {
      this.snapshot = toMap(await this.o.build());
    });
  }

  /** Something may have changed: rebuild and diff after the debounce. */
  trigger(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.serial(() => this.diffNow()).catch((err: unknown) => this.o.log.warn({ err }, 'catalog diff failed'));
    }, this.o.debounceMs ?? 100);
  }

  /** The whole catalog now, which becomes the new baseline (a new subscriber gets it all). */
  full(): Promise<CatalogItem[]> {
    return this.serial(async () => {
      const items = await this.o.build();
      this.snapshot = toMap(items);
      return items;
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.resync);
  }

  private async diffNow(): Promise<void> {
    if (this.stopped) return;
    const next = await this.o.build();
    const prev = this.snapshot;
    this.snapshot = toMap(next);
    if (!prev) return;
    const events = diffCatalog(prev, next);
    if (events.length > 0) this.o.onChanges(events);
  }

  /** One build at a time, in call order: a full catalog and a diff never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

function toMap(items: readonly CatalogItem[]): Map<string, CatalogItem> {
  return new Map(items.map((it) => [it.deviceId, it]));
}
