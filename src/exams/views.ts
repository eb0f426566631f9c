// What the exam API answers: camelCase views of the rows, with Beijing-time strings for people.
import type { AlarmRow, ExamRow, ExamSessionRow, WindowDetailRow } from '../store/repos/exam-repo.ts';
import type { AlarmKind, ExamKind, RoomKind, RoomWindowKind, WindowBoundSource } from '../store/schema.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { isNational } from './windows.ts';

export interface SessionView { id: number; examId: number; subject: string; startMs: number; endMs: number; start: string; end: string }
export interface ExamView {
  id: number;
  name: string;
  kind: ExamKind;
  national: boolean;
  ownerNodeId: number;
  ownerNodeName: string;
  retentionDays: number;
  createdBy: string;
  createdAtMs: number;
  sites: Array<{ siteId: number; name: string }>;
  selectedRoomIds: number[];
  sessions: SessionView[];
}
export interface WindowView {
  id: number;
  sessionId: number;
  subject: string;
  roomId: number;
  roomName: string;
  roomKind: RoomKind;
  siteId: number;
  siteName: string;
  kind: RoomWindowKind;
  startMs: number;
  endMs: number;
  start: string;
  end: string;
  startSource: WindowBoundSource;
  endSource: WindowBoundSource;
  sealedBy: string | null;
  sealedAtMs: number | null;
  editedBy: string | null;
}
export interface AlarmView {
  id: number;
  kind: AlarmKind;
  cameraId: number;
  roomId: number;
  siteId: number;
  sessionId: number | null;
  raisedAtMs: number;
  gapStartMs: number | null;
  gapEndMs: number | null;
  clearedAtMs: number | null;
  reason: string;
  detail: string | null;
  acknowledgedBy: string | null;
  /** The acknowledging user's display name (e.g. 张三) when known; `acknowledgedBy` is the login name. */
  acknowledgedByName: string | null;
  acknowledgedAtMs: number | null;
  /** 处置意见 written when acknowledging. */
  disposition: string | null;
  siteName?: string;
  roomName?: string | null;
  cameraName?: string | null;
}

export function sessionView(s: ExamSessionRow): SessionView {
  return { id: s.id, examId: s.exam_id, subject: s.subject, startMs: s.start_ms, endMs: s.end_ms, start: formatBeijing(s.start_ms), end: formatBeijing(s.end_ms) };
}

export function examView(e: ExamRow, sites: Array<{ site_id: number; name: string }>, selectedRoomIds: number[], sessions: ExamSessionRow[]): ExamView {
  return {
    id: e.id,
    name: e.name,
    kind: e.kind,
    national: isNational(e.kind),
    ownerNodeId: e.owner_node_id,
    ownerNodeName: e.owner_name,
    retentionDays: e.retention_days,
    createdBy: e.created_by,
    createdAtMs: e.created_at_ms,
    sites: sites.map((s) => ({ siteId: s.site_id, name: s.name })),
    selectedRoomIds,
    sessions: sessions.map(sessionView),
  };
}

export function windowView(w: WindowDetailRow): WindowView {
  return {
    id: w.id,
    sessionId: w.session_id,
    subject: w.subject,
    roomId: w.room_id,
    roomName: w.room_name,
    roomKind: w.room_kind,
    siteId: w.site_id,
    siteName: w.site_name,
    kind: w.kind,
    startMs: w.start_ms,
    endMs: w.end_ms,
    start: formatBeijing(w.start_ms),
    end: formatBeijing(w.end_ms),
    startSource: w.start_source,
    endSource: w.end_source,
    sealedBy: w.sealed_by,
    sealedAtMs: w.sealed_at_ms,
    editedBy: w.edited_by,
  };
}

export function alarmView(a: AlarmRow & { site_name?: string; room_name?: string | null; camera_name?: string | null; acknowledged_by_name?: string | null }): AlarmView {
  return {
    id: a.id,
    kind: a.kind,
    cameraId: a.camera_id,
    roomId: a.room_id,
    siteId: a.site_id,
    sessionId: a.session_id,
    raisedAtMs: a.raised_at_ms,
    gapStartMs: a.gap_start_ms,
    gapEndMs: a.gap_end_ms,
    clearedAtMs: a.cleared_at_ms,
    reason: a.reason,
    detail: a.detail,
    acknowledgedBy: a.acknowledged_by,
    acknowledgedByName: a.acknowledged_by_name ?? null,
    acknowledgedAtMs: a.acknowledged_at_ms,
    disposition: a.disposition ?? null,
    siteName: a.site_name,
    roomName: a.room_name,
    cameraName: a.camera_name,
  };
}
