// Node settings of retention (docs/design/retention.md), kept in the `setting` table; changes are
// audited (R-SEC-7).
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Database } from '../store/schema.ts';
import type { DiskSpace } from './disk.ts';

export interface RetentionSettings {
  /** Days non-exam (unlocked) recordings are kept. */
  defaultDays: number;
  /** Disk pressure below this share of the disk free, percent… */
  minFreePercent: number;
  /** …or below this many bytes free, whichever is larger (a floor; never more than 20 % of the disk). */
  minFreeBytes: number;
}

export const DEFAULT_SETTINGS: RetentionSettings = { defaultDays: 30, minFreePercent: 10, minFreeBytes: 1024 ** 3 };

/** The floor never exceeds this share of the disk: a small disk must still be able to record. */
const MAX_FLOOR_FRACTION = 0.2;

const KEYS: Record<keyof RetentionSettings, string> = {
  defaultDays: 'retention.default_days',
  minFreePercent: 'retention.min_free_percent',
  minFreeBytes: 'retention.min_free_bytes',
};

export async function loadSettings(db: Kysely<Database>): Promise<RetentionSettings> {
  const r = repos(db).settings;
  const out = { ...DEFAULT_SETTINGS };
  for (const k of Object.keys(KEYS) as Array<keyof RetentionSettings>) {
    const raw = await r.get(KEYS[k]);
    if (raw !== undefined && Number.isFinite(Number(raw)) && Number(raw) >= 0) out[k] = Number(raw);
  }
  return out;
}

export function thresholdBytes(space: DiskSpace, s: RetentionSettings): number {
  const floor = Math.min(s.minFreeBytes, Math.floor(space.totalBytes * MAX_FLOOR_FRACTION));
  return Math.max(floor, Math.ceil((space.totalBytes * s.minFreePercent) / 100));
}

export async function saveSettings(store: Store, audit: AuditService, actor: Actor, patch: Partial<RetentionSettings>): Promise<RetentionSettings> {
  await requirePermission(audit, actor, 'recording.manage', 'retention.settings', 'setting', 'retention');
  return store.db.transaction().execute(async (trx) => {
    const before = await loadSettings(trx);
    const r = repos(trx).settings;
    for (const k of Object.keys(patch) as Array<keyof RetentionSettings>) if (patch[k] !== undefined) await r.set(KEYS[k], String(patch[k]));
    const after = await loadSettings(trx);
    await audit.append(trx, actor, { action: 'retention.settings', objectType: 'setting', objectId: 'retention', detail: { before: { ...before }, after: { ...after } } });
    return after;
  });
}
