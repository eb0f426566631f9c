// The patrol log (巡查记录, issue 18 item 6, docs/design/duty.md "Patrol log"): per user and room,
// which rooms were watched, when and how long — computed from the audit of live viewing
// (`video.live.end` carries startedAtMs and durationMs) — plus notes the patroller writes while
// watching (duty_patrol_note). Reads are scoped through the audit's and the notes' org paths.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import { can } from '../auth/roles.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';

export interface PatrolViewing {
  username: string; cameraId: number; cameraName: string; roomId: number | null; roomName: string | null; startedAtMs: number; durationMs: number;
  /** 'cascade': the GB/T 28181 upper platform watched (上级平台调阅, username gb:<its id>); 'console' otherwise. */
  via: 'console' | 'cascade';
}
export interface PatrolNoteView { id: number; username: string; cameraId: number | null; roomId: number | null; text: string; atMs: number }
export interface PatrolLog { viewings: PatrolViewing[]; notes: PatrolNoteView[]; totals: Array<{ username: string; roomName: string | null; viewings: number; durationMs: number }> }

/** Most viewing records one log reads (a day of a busy site). */
const MAX_RECORDS = 5000;

export class PatrolService {
  constructor(private readonly d: { store: Store; audit: AuditService; clock: Clock }) {}

  async log(actor: Actor, f: { fromMs: number; toMs: number; username?: string }): Promise<PatrolLog> {
    // audit.read too: the log is read from the audit of live viewing, and the inspector (纪检监察)
    // oversees who watched which rooms and how long (issue 14 item 16); scope still applies.
    const auditor = actor.role !== 'system' && can(actor.role, 'audit.read');
    if (!auditor) await requirePermission(this.d.audit, actor, 'exam.read', 'duty.patrol.list', 'audit_log', '*');
    const r = repos(this.d.store.db);
    const { records } = await r.audit.list(actor.scope, { action: 'video.live.end', fromMs: f.fromMs, toMs: f.toMs, username: f.username, limit: MAX_RECORDS });
    const cams = new Map((await r.cameras.list(actor.scope)).map((c) => [c.id, c]));
    const rooms = new Map((await r.rooms.list(actor.scope)).map((x) => [x.id, x.name]));
    const viewings: PatrolViewing[] = records.map((a) => {
      const detail = (a.detail ? JSON.parse(a.detail) : {}) as { startedAtMs?: number; durationMs?: number; via?: string };
      const cam = cams.get(Number(a.object_id));
      return { username: a.username, cameraId: Number(a.object_id), cameraName: cam?.name ?? `#${a.object_id}`, roomId: cam?.room_id ?? null, roomName: cam ? (rooms.get(cam.room_id) ?? null) : null, startedAtMs: detail.startedAtMs ?? Number(a.at_ms), durationMs: detail.durationMs ?? 0, via: detail.via === 'cascade' ? ('cascade' as const) : ('console' as const) };
    }).sort((a, b) => a.startedAtMs - b.startedAtMs);
    const totals = new Map<string, { username: string; roomName: string | null; viewings: number; durationMs: number }>();
    for (const v of viewings) {
      const k = `${v.username}\u0000${v.roomName ?? ''}`;
      const t = totals.get(k) ?? { username: v.username, roomName: v.roomName, viewings: 0, durationMs: 0 };
      t.viewings++;
      t.durationMs += v.durationMs;
      totals.set(k, t);
    }
    const notes = (await r.dutyCases.notes(actor.scope, { fromMs: f.fromMs, toMs: f.toMs })).filter((n) => !f.username || n.user_name === f.username || String(n.user_id) === f.username);
    return { viewings, totals: [...totals.values()], notes: notes.map((n) => ({ id: n.id, username: n.user_name, cameraId: n.camera_id, roomId: n.room_id, text: n.text, atMs: n.at_ms })) };
  }

  /** A note written while watching camera `cameraId` (audited). */
  async addNote(actor: Actor, cameraId: number, text: string): Promise<PatrolNoteView> {
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.patrol.note', 'camera', cameraId);
    const cam = await repos(this.d.store.db).cameras.get(actor.scope, cameraId);
    if (!cam) return denyOutOfScope(this.d.audit, actor, 'duty.patrol.note', 'camera', cameraId);
    const now = this.d.clock.nowMs();
    const id = await this.d.store.db.transaction().execute(async (trx) => {
      const nid = await repos(trx).dutyCases.insertNote({ site_id: cam.site_id, room_id: cam.room_id, camera_id: cam.id, user_id: actor.userId ?? 0, user_name: actor.username, text, at_ms: now });
      await this.d.audit.append(trx, actor, { action: 'duty.patrol.note', objectType: 'duty_patrol_note', objectId: nid, scopePath: cam.site_path, detail: { cameraId, text } });
      return nid;
    });
    return { id, username: actor.username, cameraId, roomId: cam.room_id, text, atMs: now };
  }
}
