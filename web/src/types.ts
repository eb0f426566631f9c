// API types of the console. Where the server has the view type, it is imported from there (type-only:
// nothing of the server is bundled), so the two cannot drift (issue 14); only what the server has no
// type for, and the console's lists of values, are written here.
import type { UserView } from '../../src/auth/user-service.ts';
import type { VerifyResult as ServerVerifyResult } from '../../src/audit/audit-service.ts';
import type { AuditRecordView } from '../../src/audit/audit-views.ts';
import type { Gap } from '../../src/exams/coverage.ts';
import type { ExamReport as ServerExamReport, ReportLine as ServerReportLine, Rollup } from '../../src/exams/report-service.ts';
import type { AlarmView, ExamView, SessionView, WindowView } from '../../src/exams/views.ts';
import type { NetworkConfig } from '../../src/org/network-config.ts';
import type { CameraView, OrgNodeView, RoomView } from '../../src/org/views.ts';
import type * as Schema from '../../src/store/schema.ts';

export type Role = Schema.Role;
export const ROLES: readonly Role[] = ['admin', 'operator', 'leader', 'inspector'];

export type User = UserView;

export type NodeKind = Schema.OrgNodeKind;
export const NODE_KINDS: readonly NodeKind[] = ['province', 'city', 'district', 'site'];
export type RoomKind = Schema.RoomKind;
export const ROOM_KINDS: readonly RoomKind[] = ['exam', 'lab', 'affairs', 'secrecy', 'monitoring', 'other'];
export type CameraPosition = Schema.CameraPosition;
export const CAMERA_POSITIONS: readonly CameraPosition[] = ['front', 'rear', 'other'];
export type SourceKind = Schema.CameraSourceKind;
export const SOURCE_KINDS: readonly SourceKind[] = ['rtsp', 'onvif', 'gb28181'];

export type Camera = CameraView;
export type Room = RoomView;
export type OrgNode = OrgNodeView;

/** What 显示 (reveal) answers: the sealed network configuration and the stream paths. */
export type CameraSecrets = NetworkConfig & { mainStream: string; subStream: string };

export type AuditOutcome = Schema.AuditOutcome;
export type AuditRecord = AuditRecordView;

export interface AuditFilter {
  fromMs?: number;
  toMs?: number;
  username?: string;
  action?: string;
  objectType?: string;
  outcome?: AuditOutcome;
}

export type VerifyResult = ServerVerifyResult;

export interface ImportRowError {
  row: number;
  message: string;
}

// Exams (考试安排), windows, alarms and completeness reports: the server's views.
export type ExamKind = Schema.ExamKind;
export const EXAM_KINDS: readonly ExamKind[] = ['gaokao', 'postgrad', 'self_study', 'adult', 'proficiency', 'other'];
export type WindowBoundSource = Schema.WindowBoundSource;

export type ExamSession = SessionView;
export type Exam = ExamView;
export type RoomWindow = WindowView;

export type AlarmKind = Schema.AlarmKind;
/** The server's alarm view (type-only import: one source, no copy). */
export type Alarm = AlarmView;

export type ReportGap = Gap;
export type ReportLine = ServerReportLine;
export type ReportRollup = Rollup;
export type ExamReport = ServerExamReport;
