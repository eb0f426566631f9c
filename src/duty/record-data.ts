// The day's duty record (值班记录, R-DIS-1, issue 18 item 2): for one Beijing day and the actor's
// scope — per monitoring room the roster and every check-in/out (who, where, when, why out), the
// patrol log (viewings per user and room, notes) and the incidents marked that day. Read from the
// same services and repositories as the 值班 page (scoped there); printed by record-pdf.ts.
import type { Actor } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { CheckoutReason } from '../store/schema.ts';
import { formatBeijing, parseBeijing } from '../util/beijing-time.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { CATEGORY_LABELS } from './incident-service.ts';
import { PatrolService } from './patrol-service.ts';
import type { PatrolLog } from './patrol-service.ts';
import { DUTY_ROLE_LABELS } from './roster-service.ts';

const DAY_MS = 24 * 3600_000;
export const OUT_REASON_LABELS: Record<CheckoutReason, string> = { manual: '签退', idle: '长时间未确认在岗自动签退', replaced: '在其他终端签到', unconfirmed: '考试/保密时段未按时确认在岗，按缺岗签退' };

export interface DutyRecordRoom {
  siteName: string; roomName: string; workstations: string[];
  roster: Array<{ name: string; role: string; fromMs: number; toMs: number }>;
  checkins: Array<{ name: string; workstation: string; inMs: number; outMs: number | null; outReason: string | null }>;
}
export interface DutyRecord {
  date: string; fromMs: number; toMs: number; generatedAtMs: number; generatedBy: string;
  rooms: DutyRecordRoom[];
  patrol: PatrolLog;
  incidents: Array<{ id: number; siteName: string; fromMs: number; toMs: number; category: string; description: string; reportedBy: string; holds: number }>;
}

export interface RecordDeps { store: Store; audit: AuditService; clock: Clock }

/** `date` is a Beijing calendar day `YYYY-MM-DD`; today when absent. */
export async function buildDutyRecord(d: RecordDeps, actor: Actor, date?: string): Promise<DutyRecord> {
  await requirePermission(d.audit, actor, 'exam.read', 'duty.record', 'duty_checkin', date ?? '*');
  const day = date ?? formatBeijing(d.clock.nowMs()).slice(0, 10);
  const fromMs = parseBeijing(`${day} 00:00`);
  if (fromMs === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new AppError('invalid_input', '日期格式应为 YYYY-MM-DD（北京时间）(date must be YYYY-MM-DD, Beijing)');
  const toMs = fromMs + DAY_MS;
  const r = repos(d.store.db);
  const rooms = (await r.rooms.list(actor.scope)).filter((x) => x.kind === 'monitoring');
  const sites = new Map((await r.org.list(actor.scope)).map((n) => [n.id, n.name]));
  const wss = await r.duty.listWorkstations(actor.scope);
  const wsName = new Map(wss.map((w) => [w.id, w.name]));
  const roster = (await r.duty.roster(actor.scope, {})).filter((x) => x.from_ms < toMs && x.to_ms > fromMs);
  const checkins = await r.duty.checkins(actor.scope, { fromMs, toMs });
  const out: DutyRecordRoom[] = [];
  for (const room of rooms) {
    const rs = roster.filter((x) => x.room_id === room.id);
    const cs = checkins.filter((x) => x.room_id === room.id);
    const ws = wss.filter((w) => w.room_id === room.id && w.revoked_at_ms === null).map((w) => w.name);
    if (rs.length === 0 && cs.length === 0 && ws.length === 0) continue;
    out.push({
      siteName: sites.get(room.site_id) ?? `#${room.site_id}`, roomName: room.name, workstations: ws,
      roster: rs.map((x) => ({ name: x.user_name, role: DUTY_ROLE_LABELS[x.duty_role], fromMs: x.from_ms, toMs: x.to_ms })),
      checkins: cs.map((c) => ({ name: c.user_name, workstation: wsName.get(c.workstation_id) ?? `#${c.workstation_id}`, inMs: c.checked_in_at_ms, outMs: c.checked_out_at_ms, outReason: c.out_reason ? OUT_REASON_LABELS[c.out_reason] : null })),
    });
  }
  const patrol = await new PatrolService(d).log(actor, { fromMs, toMs });
  const incidents = (await r.dutyCases.incidents(actor.scope)).filter((i) => i.created_at_ms >= fromMs && i.created_at_ms < toMs).map((i) => ({
    id: i.id, siteName: i.site_name, fromMs: i.from_ms, toMs: i.to_ms, category: CATEGORY_LABELS[i.category], description: i.description, reportedBy: i.reported_by, holds: (JSON.parse(i.hold_ids_json) as number[]).length,
  }));
  return { date: day, fromMs, toMs, generatedAtMs: d.clock.nowMs(), generatedBy: actor.username, rooms: out, patrol, incidents };
}
