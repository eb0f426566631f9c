// Shared API types (mirror of the server contract).
import type { AlarmView } from '../../src/exams/views.ts';
export type Role = 'admin' | 'operator' | 'leader' | 'inspector';
export const ROLES: readonly Role[] = ['admin', 'operator', 'leader', 'inspector'];

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgNodeId: number;
  orgNodeName: string;
  disabled: boolean;
  totpEnabled: boolean;
  /** The server allows nothing but a password change until it is changed (issue 13). */
  mustChangePassword?: boolean;
  createdAtMs: number;
}

export type NodeKind = 'province' | 'city' | 'district' | 'site';
export const NODE_KINDS: readonly NodeKind[] = ['province', 'city', 'district', 'site'];
export type RoomKind = 'exam' | 'lab' | 'affairs' | 'secrecy' | 'monitoring' | 'other';
export const ROOM_KINDS: readonly RoomKind[] = ['exam', 'lab', 'affairs', 'secrecy', 'monitoring', 'other'];
export type CameraPosition = 'front' | 'rear' | 'other';
export const CAMERA_POSITIONS: readonly CameraPosition[] = ['front', 'rear', 'other'];
export type SourceKind = 'rtsp' | 'onvif' | 'gb28181';
export const SOURCE_KINDS: readonly SourceKind[] = ['rtsp', 'onvif', 'gb28181'];
export type CameraStatus = 'online' | 'offline' | 'recording' | 'error';

export interface Camera {
  id: number;
  roomId: number;
  name: string;
  position: CameraPosition;
  sourceKind: SourceKind;
  gbCode: string;
  mainStream: string;
  subStream: string;
  hasCredentials: boolean;
  status?: CameraStatus;
  statusReason?: string;
}

export interface Room {
  id: number;
  siteId: number;
  kind: RoomKind;
  name: string;
  seats: number;
  gbCode: string;
  cameras: Camera[];
}

export interface OrgNode {
  id: number;
  parentId: number | null;
  kind: NodeKind;
  name: string;
  gbCode: string;
  regionCode: string;
  rooms?: Room[];
}

export interface CameraSecrets {
  host: string;
  port: number;
  username: string;
  password: string;
  mainStream: string;
  subStream: string;
  /** ONVIF device service URL, when set. */
  onvifUrl?: string;
}

export type AuditOutcome = 'ok' | 'denied' | 'error';
export interface AuditRecord {
  seq: number;
  atMs: number;
  username: string;
  role: string;
  ip: string;
  workstation: string;
  action: string;
  objectType: string;
  objectId: string | number | null;
  outcome: AuditOutcome;
  detail: Record<string, unknown> | null;
}

export interface AuditFilter {
  fromMs?: number;
  toMs?: number;
  username?: string;
  action?: string;
  objectType?: string;
  outcome?: AuditOutcome;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
  reason?: string;
}

export interface ImportRowError {
  row: number;
  message: string;
}

// Exams (考试安排), windows, alarms and completeness reports (mirror of src/exams/schemas.ts).
export type ExamKind = 'gaokao' | 'postgrad' | 'self_study' | 'adult' | 'proficiency' | 'other';
export const EXAM_KINDS: readonly ExamKind[] = ['gaokao', 'postgrad', 'self_study', 'adult', 'proficiency', 'other'];
export type WindowBoundSource = 'default' | 'sealed' | 'custody' | 'edited';

export interface ExamSession { id: number; examId: number; subject: string; startMs: number; endMs: number; start: string; end: string }

export interface Exam {
  id: number;
  name: string;
  kind: ExamKind;
  national: boolean;
  ownerNodeId: number;
  ownerNodeName: string;
  retentionDays: number;
  createdBy: string;
  createdAtMs: number;
  sites: { siteId: number; name: string }[];
  selectedRoomIds: number[];
  sessions: ExamSession[];
}

export interface RoomWindow {
  id: number;
  sessionId: number;
  subject: string;
  roomId: number;
  roomName: string;
  roomKind: RoomKind;
  siteId: number;
  siteName: string;
  kind: 'exam' | 'custody';
  startMs: number;
  endMs: number;
  startSource: WindowBoundSource;
  endSource: WindowBoundSource;
  sealedBy: string | null;
  sealedAtMs: number | null;
  editedBy: string | null;
}

export type AlarmKind = 'recording_gap' | 'camera_not_ready' | 'ptz_refused';
/** The server's alarm view (type-only import: one source, no copy). */
export type Alarm = AlarmView;

export interface ReportGap { startMs: number; endMs: number; lengthMs: number; reason: string; ongoing: boolean }
export interface ReportLine {
  sessionId: number;
  subject: string;
  siteId: number;
  siteName: string;
  districtName: string;
  cityName: string;
  roomId: number;
  roomName: string;
  roomKind: RoomKind;
  windowKind: 'exam' | 'custody';
  endSource: WindowBoundSource;
  cameraId: number | null;
  cameraName: string;
  windowStartMs: number;
  windowEndMs: number;
  evaluatedEndMs: number;
  requiredMs: number;
  recordedMs: number;
  coverage: number;
  gaps: ReportGap[];
  inProgress: boolean;
}
export interface ReportRollup {
  level: 'site' | 'district' | 'city';
  nodeId: number;
  name: string;
  cameras: number;
  requiredMs: number;
  recordedMs: number;
  coverage: number;
  worstCoverage: number;
  gaps: number;
  gapMs: number;
}
export interface ExamReport {
  exam: { id: number; name: string; kind: ExamKind; retentionDays: number };
  sessions: ExamSession[];
  generatedAtMs: number;
  provisional: boolean;
  lines: ReportLine[];
  rollups: ReportRollup[];
}
