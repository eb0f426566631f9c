// Viewing by the GB/T 28181 upper platform and the two-person rule (R-DIS-3; docs/design/duty.md
// "Upper-platform viewing (上级平台调阅)"). The upper platform is the exam authority above: its
// INVITE for a camera is not a "computer outside the monitoring room" asking for a grant — the rule
// for its own watchers is the upper node's business (a xuncha upper enforces it at its own
// token issue) — so the site does not refuse it. It does record it: during an exam or custody window
// of a site where the rule is in force, an audit `duty.view` (ok, `rule: upper_platform`, 上级平台调阅)
// like every decision of the policy; and at the end of every live session a `video.live.end`
// record (startedAtMs, durationMs, `via: cascade`), which is what the patrol log reads.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';

export const UPPER_VIEW_LABEL = '上级平台调阅';

export interface UpperViewDeps { store: Store; audit: AuditService; clock: Clock }
export interface UpperViewedCamera { id: number; room_id: number; site_path: string }

/** At INVITE: audits `duty.view` when a window of the camera's room is open and the site's rule is in force; returns whether it did. */
export async function recordUpperView(d: UpperViewDeps, actor: Actor, camera: UpperViewedCamera, channelId: string): Promise<boolean> {
  const r = repos(d.store.db);
  const windows = await r.duty.windowsAt([camera.room_id], d.clock.nowMs());
  if (windows.length === 0) return false;
  const ruled = (await r.duty.listWorkstations({ kind: 'all' })).some((w) => w.revoked_at_ms === null && w.site_path === camera.site_path);
  if (!ruled) return false;
  await d.audit.record(actor, {
    action: 'duty.view', objectType: 'camera', objectId: String(camera.id), outcome: 'ok', scopePath: camera.site_path,
    detail: { for: 'cascade.live', via: 'cascade', rule: 'upper_platform', label: UPPER_VIEW_LABEL, channelId, windows: [...new Set(windows.map((w) => w.kind))] },
  });
  return true;
}

/** At the end of the upper's live session: the patrol log's record of it (who, camera, since when, how long). */
export async function recordUpperViewEnd(d: UpperViewDeps, actor: Actor, camera: UpperViewedCamera, startedAtMs: number, channelId: string): Promise<void> {
  await d.audit.record(actor, {
    action: 'video.live.end', objectType: 'camera', objectId: String(camera.id), outcome: 'ok', scopePath: camera.site_path,
    detail: { startedAtMs, durationMs: Math.max(0, d.clock.nowMs() - startedAtMs), via: 'cascade', label: UPPER_VIEW_LABEL, channelId },
  });
}
