// Capacity forecast (docs/design/retention.md): measured bytes per second per camera over the
// last 24 h, how many days the disk holds, and how much locked data must stay until when.
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { DiskMeter } from './disk.ts';
import type { LockSet } from './locks.ts';
import type { RetentionSettings } from './settings.ts';
import { thresholdBytes } from './settings.ts';

const DAY_MS = 86_400_000;

export interface CameraRate {
  cameraId: number;
  /** Bytes per second of recorded media (files overlapping the last 24 h). */
  bytesPerSecond: number;
  bytesLast24h: number;
  recordedSecondsLast24h: number;
}

export interface Forecast {
  atMs: number;
  freeBytes: number;
  totalBytes: number;
  thresholdBytes: number;
  defaultRetentionDays: number;
  cameras: CameraRate[];
  /** Bytes written in the last 24 h, all cameras. */
  dailyBytes: number;
  /** Days until the disk is full / until disk pressure starts deleting, at that rate; null when nothing is written. */
  daysUntilFull: number | null;
  daysUntilPressure: number | null;
  /** Bytes recorded and not locked (what retention may delete), and locked. */
  deletableBytes: number;
  lockedBytes: number;
  /** Days of recording the disk holds when every unlocked byte can be reclaimed. */
  daysHeld: number | null;
  /** Locked data per keep-until day (UTC day end, ms); null = evidence held until released. */
  locked: Array<{ untilMs: number | null; bytes: number; files: number }>;
  /** The last keep-until date among locks with a date. */
  lockedUntilMs: number | null;
}

export async function forecast(store: Store, meter: DiskMeter, locks: LockSet, settings: RetentionSettings, nowMs: number): Promise<Forecast> {
  const r = repos(store.db).recordings;
  const recent = await r.fileStatsBetween(nowMs - DAY_MS, nowMs);
  const cameras = recent
    .map((c) => {
      const seconds = Number(c.duration_90k) / 90_000;
      return { cameraId: c.camera_id, bytesPerSecond: seconds > 0 ? Math.round(Number(c.bytes) / seconds) : 0, bytesLast24h: Number(c.bytes), recordedSecondsLast24h: Math.round(seconds) };
    })
    .sort((a, b) => a.cameraId - b.cameraId);
  const dailyBytes = cameras.reduce((n, c) => n + c.bytesLast24h, 0);
  const totalRecorded = (await r.fileStatsBetween(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).reduce((n, c) => n + Number(c.bytes), 0);

  // Locked files, once each, with the latest keep-until of the locks they touch.
  const seen = new Set<number>();
  const groups = new Map<number | null, { bytes: number; files: number }>();
  let lockedBytes = 0;
  for (const l of locks.all()) {
    for (const f of await r.filesBetween(l.cameraId, l.fromMs, l.toMs)) {
      if (seen.has(f.id)) continue;
      seen.add(f.id);
      const until = locks.lockedUntil(f);
      const key = until === null || until === undefined ? null : Math.ceil(until / DAY_MS) * DAY_MS;
      const g = groups.get(key) ?? { bytes: 0, files: 0 };
      g.bytes += Number(f.bytes);
      g.files++;
      groups.set(key, g);
      lockedBytes += Number(f.bytes);
    }
  }
  const locked = [...groups.entries()].map(([untilMs, g]) => ({ untilMs, ...g })).sort((a, b) => (a.untilMs ?? Infinity) - (b.untilMs ?? Infinity));
  const dated = locked.filter((g) => g.untilMs !== null).map((g) => g.untilMs!);

  const space = await meter.measure();
  const threshold = thresholdBytes(space, settings);
  const deletableBytes = Math.max(0, totalRecorded - lockedBytes);
  const days = (bytes: number) => (dailyBytes > 0 ? Math.max(0, Math.round((bytes / dailyBytes) * 10) / 10) : null);
  return {
    atMs: nowMs,
    freeBytes: space.freeBytes,
    totalBytes: space.totalBytes,
    thresholdBytes: threshold,
    defaultRetentionDays: settings.defaultDays,
    cameras,
    dailyBytes,
    daysUntilFull: days(space.freeBytes),
    daysUntilPressure: days(space.freeBytes - threshold),
    deletableBytes,
    lockedBytes,
    daysHeld: days(space.freeBytes + deletableBytes - threshold),
    locked,
    lockedUntilMs: dated.length ? Math.max(...dated) : null,
  };
}
