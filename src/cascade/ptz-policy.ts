// R-DIS-2: PTZ and lens control must never be used to look at papers. A PTZ command for a camera
// whose room is inside a required recording window (a recording_schedule row with reason
// `exam:*` on any camera of the room covers now) is refused; every attempt is audited at the
// site, allowed or not. An allowed command then moves the camera (lower-handlers → ptz-forward.ts).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { decodePtz } from '../gb28181/index.ts';
import { checkPtz } from '../duty/ptz-lock.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { Clock } from '../util/clock.ts';
import type { SecretBox } from '../crypto/secret-box.ts';

export interface PtzDecision {
  allowed: boolean;
  /** Why refused: the schedule reason (`exam:…`) covering now. */
  reason?: string;
}

export function gbActor(peerId: string, ip: string): Actor {
  return { userId: null, username: `gb:${peerId}`, role: 'system', ip, workstation: 'gb28181', scope: { kind: 'all' } };
}

/** `lens` (HomePosition, DragZoomIn/Out): `ptzCmd` is then the command's name and `lens` its elements. */
export async function policePtz(deps: { store: Store; audit: AuditService; clock: Clock; box?: SecretBox }, actor: Actor, camera: CameraRow, ptzCmd: string, lens?: Record<string, string>): Promise<PtzDecision> {
  const now = deps.clock.nowMs();
  const window = await repos(deps.store.db).cascade.examWindowCovering(camera.id, now);
  let decoded: unknown;
  try {
    decoded = lens ? { lens } : decodePtz(ptzCmd);
  } catch {
    decoded = 'undecodable';
  }
  const decision: PtzDecision = (await checkPtz(deps, actor, camera, lens ? { kind: 'lens', name: ptzCmd, fields: lens } : ptzCmd, 'cascade')).allowed ? { allowed: true } : { allowed: false, reason: window?.reason ?? 'R-DIS-2 locked' };
  await deps.audit.record(actor, {
    action: 'cascade.ptz', objectType: 'camera', objectId: camera.id, outcome: decision.allowed ? 'ok' : 'denied', scopePath: camera.site_path,
    detail: { ptzCmd, ptz: decoded, ...(window ? { lockedBy: window.reason, lockedUntilMs: Number(window.end_ms), rule: 'R-DIS-2' } : {}) },
  });
  return decision;
}
