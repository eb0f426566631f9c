// The exam module (issue 5): timetable, required windows and arming, gap alarms, completeness
// reports. The composition root builds it with createExamModule, starts it, and registers
// examRoutes(module) on the server. See docs/design/exams.md.
import type { AuditService } from '../audit/audit-service.ts';
import type { EventBus } from '../events/bus.ts';
import type { Store } from '../store/db.ts';
import type { Clock } from '../util/clock.ts';
import type { Timer } from './alarm-monitor.ts';
import { AlarmEmitter, ExamAlarmMonitor } from './alarm-monitor.ts';
import { AlarmService } from './alarm-service.ts';
import { ExamService } from './exam-service.ts';
import { DEFAULT_CJK_FONT } from './report-pdf.ts';
import { ReportService } from './report-service.ts';
import { TimetableService } from './timetable.ts';
import { WindowService } from './window-service.ts';

export interface ExamModuleDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  events: EventBus;
  /** Timer of the 10 s readiness check; tests pass a fake one. */
  timer?: Timer;
  /** Chinese font for PDF reports (a .ttc needs the family name). */
  font?: { path: string; family: string };
  /** Report files rendered at once, per user and in total (issue 13 item 9); default 2 / 4. */
  reportLimits?: WorkLimits;
  /** Where a failed recompute after an org change is logged; default console. */
  log?: FollowLog;
}

export interface ExamModule {
  exams: ExamService;
  windows: WindowService;
  reports: ReportService;
  alarmService: AlarmService;
  timetable: TimetableService;
  /** 'alarm.raised' / 'alarm.cleared' (and 'alarm.error') as they happen. */
  alarms: AlarmEmitter;
  monitor: ExamAlarmMonitor;
  font: { path: string; family: string };
  /** Bounds on report files (.pdf/.xlsx) rendered at once; 429 over them. */
  reportLimiter: WorkLimiter;
  /** Recomputes unfinished sessions when rooms or cameras change (sites picked whole take new rooms). */
  follower: OrgFollower;
  /** Subscribes the alarm monitor to the bus and starts the readiness timer. */
  start(): void;
  stop(): Promise<void>;
}

import { WorkLimiter } from '../util/work-limiter.ts';
import { OrgFollower } from './org-follow.ts';
import type { FollowLog } from './org-follow.ts';
import type { WorkLimits } from '../util/work-limiter.ts';

export function createExamModule(deps: ExamModuleDeps): ExamModule {
  const alarms = new AlarmEmitter();
  const exams = new ExamService(deps.store, deps.audit, deps.clock);
  const monitor = new ExamAlarmMonitor(deps.store, deps.events, deps.clock, alarms, deps.timer);
  const follower = new OrgFollower(deps.store, deps.events, deps.clock, deps.log ?? { warn: (obj, msg) => console.warn(msg, obj) });
  return {
    exams,
    windows: new WindowService(deps.store, deps.audit, deps.clock),
    reports: new ReportService(deps.store, deps.audit, deps.clock),
    alarmService: new AlarmService(deps.store, deps.audit, deps.clock),
    timetable: new TimetableService(exams),
    alarms,
    monitor,
    font: deps.font ?? DEFAULT_CJK_FONT,
    reportLimiter: new WorkLimiter(deps.reportLimits ?? { maxPerUser: 2, maxTotal: 4 }, '报告生成'),
    follower,
    start: () => {
      monitor.start();
      follower.start();
    },
    stop: async () => {
      await follower.stop();
      await monitor.stop();
    },
  };
}

export type { ExamPermission } from './permissions.ts';
export type { AlarmView, ExamView, SessionView, WindowView } from './views.ts';
export type { ExamReport } from './report-service.ts';
export { reportPdf } from './report-pdf.ts';
export { reportXlsx } from './report-xlsx.ts';
