// Alarm list and acknowledgement, scoped by the alarm's site (R-REC-4, R-ACC-1).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { outOfScope, runAudited } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import type { AlarmFilter } from '../store/repos/exam-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { requireExamPermission } from './permissions.ts';
import type { AlarmView } from './views.ts';
import { alarmView } from './views.ts';

export class AlarmService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, f: AlarmFilter): Promise<AlarmView[]> {
    await requireExamPermission(this.audit, actor, 'exam.read', 'alarm.list', 'alarm', '*');
    return (await repos(this.store.db).exams.listAlarms(actor.scope, f)).map(alarmView);
  }

  /** The alarm history for an Excel export (audited like the report exports). */
  async forExport(actor: Actor, f: AlarmFilter): Promise<AlarmView[]> {
    const rows = await this.list(actor, f);
    await this.audit.record(actor, { action: 'alarm.export', objectType: 'alarm', objectId: '*', scopePath: actor.scope.kind === 'all' ? undefined : actor.scope.path, detail: { rows: rows.length, ...f } });
    return rows;
  }

  async acknowledge(actor: Actor, id: number, disposition?: string): Promise<AlarmView> {
    const note = disposition?.trim() ?? '';
    await requireExamPermission(this.audit, actor, 'exam.seal', 'alarm.ack', 'alarm', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const a = await r.exams.getAlarm(actor.scope, id);
      if (!a) throw outOfScope('alarm.ack', 'alarm', id);
      if (a.acknowledged_by) throw new AppError('conflict', `报警已由 ${a.acknowledged_by} 确认 (already acknowledged)`);
      const now = this.clock.nowMs();
      await r.exams.ackAlarm(id, actor.username, now, note || null);
      await this.audit.append(trx, actor, { action: 'alarm.ack', objectType: 'alarm', objectId: id, scopePath: a.site_path, detail: { kind: a.kind, cameraId: a.camera_id, sessionId: a.session_id, disposition: note || undefined } });
      return alarmView({ ...a, acknowledged_by: actor.username, acknowledged_at_ms: now, disposition: note || null });
    });
  }
}
