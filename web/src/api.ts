// Thin fetch client for the xuncha API: JSON bodies, CSRF header on writes, 401 -> login.
import type { CameraProbeInput, CameraProbeResult } from '../../src/org/camera-probe.ts';
import type {
  AuditFilter, AuditRecord, Camera, CameraSecrets, OrgNode, Room, User, VerifyResult,
  Alarm, Exam, ExamKind, ExamReport, ExamSession, RoomWindow,
} from './types.ts';
import type { RetentionAlarmView } from '../../src/retention/index.ts';

/** An open disk alarm (the server's view, type-only import). */
export type DiskAlarm = RetentionAlarmView;
import type { NodeIdentity } from '../../src/org/node-identity.ts';
import { initialLang } from './i18n.ts';
import { serverText } from './serverText.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken = '';
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}
/** Called when any request (other than login/me) gets 401: the session is gone. */
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

interface ErrorBody { error?: string; message?: string; details?: unknown }

/** Exported for page-local API modules (pages/cascade/cascadeApi.ts): same CSRF and 401 handling. */
export async function request<T>(method: string, path: string, body?: unknown, opts?: { quiet401?: boolean }): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const eb = (data && typeof data === 'object' ? data : {}) as ErrorBody;
    // The server's "中文 (English)" message in the reader's language (serverText.ts).
    const message = eb.message !== undefined ? serverText(eb.message, initialLang()) : text.slice(0, 200) || res.statusText;
    const err = new ApiError(res.status, eb.error ?? `http_${res.status}`, message, eb.details);
    if (res.status === 401 && !opts?.quiet401 && onUnauthorized) onUnauthorized();
    throw err;
  }
  return data as T;
}

export interface Session { user: User; csrfToken: string; node?: NodeIdentity }

function qs(params: Record<string, string | number | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

export type CameraInput = Partial<Omit<Camera, 'id' | 'hasCredentials' | 'status' | 'statusReason'>> & {
  host?: string; port?: number; username?: string; password?: string; onvifUrl?: string;
};

export const api = {
  login: (username: string, password: string, totp?: string) =>
    request<Session>('POST', '/api/auth/login', { username, password, ...(totp ? { totp } : {}) }, { quiet401: true }),
  logout: () => request<unknown>('POST', '/api/auth/logout', {}, { quiet401: true }),
  me: () => request<Session>('GET', '/api/auth/me', undefined, { quiet401: true }),
  changePassword: (oldPassword: string, newPassword: string) =>
    request<unknown>('POST', '/api/auth/password', { oldPassword, newPassword }),
  totpSetup: () => request<{ secret: string; otpauthUrl: string }>('POST', '/api/auth/totp/setup'),
  totpEnable: (code: string) => request<unknown>('POST', '/api/auth/totp/enable', { code }),

  orgTree: () => request<{ nodes: OrgNode[] }>('GET', '/api/org/tree'),
  createNode: (b: { parentId: number; kind: string; name: string; regionCode?: string; gbCode?: string }) =>
    request<OrgNode>('POST', '/api/org/nodes', b),
  updateNode: (id: number, b: { name?: string; parentId?: number }) => request<OrgNode>('PATCH', `/api/org/nodes/${id}`, b),
  deleteNode: (id: number) => request<unknown>('DELETE', `/api/org/nodes/${id}`),

  createRoom: (b: { siteId: number; kind: string; name: string; seats: number; gbCode?: string }) =>
    request<Room>('POST', '/api/rooms', b),
  updateRoom: (id: number, b: { name?: string; kind?: string; seats?: number; siteId?: number }) =>
    request<Room>('PATCH', `/api/rooms/${id}`, b),
  deleteRoom: (id: number) => request<unknown>('DELETE', `/api/rooms/${id}`),

  createCamera: (b: CameraInput) => request<Camera>('POST', '/api/cameras', b),
  updateCamera: (id: number, b: CameraInput) => request<Camera>('PATCH', `/api/cameras/${id}`, b),
  deleteCamera: (id: number) => request<unknown>('DELETE', `/api/cameras/${id}`),
  revealCamera: (id: number) => request<CameraSecrets>('POST', `/api/cameras/${id}/reveal`, {}),
  testCamera: (b: CameraProbeInput) => request<CameraProbeResult>('POST', '/api/cameras/test-connect', b),

  importOrg: (format: 'csv' | 'xlsx', dataBase64: string) =>
    request<{ created: number; updated: number }>('POST', '/api/org/import', { format, dataBase64 }),
  exportOrgUrl: (format: 'csv' | 'xlsx') => `/api/org/export${qs({ format })}`,

  users: () => request<{ users: User[] }>('GET', '/api/users'),
  createUser: (b: { username: string; displayName: string; role: string; orgNodeId: number; password: string }) =>
    request<User>('POST', '/api/users', b),
  updateUser: (id: number, b: { displayName?: string; role?: string; orgNodeId?: number; disabled?: boolean; password?: string }) =>
    request<User>('PATCH', `/api/users/${id}`, b),

  audit: (f: AuditFilter, limit: number, offset: number) =>
    request<{ total: number; records: AuditRecord[] }>('GET', `/api/audit${qs({ ...f, limit, offset })}`),
  auditExportUrl: (f: AuditFilter) => `/api/audit/export.csv${qs({ ...f })}`,
  auditVerify: () => request<VerifyResult>('GET', '/api/audit/verify'),

  exams: () => request<{ exams: Exam[] }>('GET', '/api/exams'),
  createExam: (b: { name: string; kind: ExamKind; retentionDays?: number; ownerNodeId?: number }) => request<Exam>('POST', '/api/exams', b),
  updateExam: (id: number, b: { name?: string; kind?: ExamKind; retentionDays?: number }) => request<Exam>('PATCH', `/api/exams/${id}`, b),
  deleteExam: (id: number) => request<unknown>('DELETE', `/api/exams/${id}`),
  setExamSites: (id: number, sites: { siteId: number; roomIds?: number[] }[], confirm = false) => request<Exam>('PUT', `/api/exams/${id}/sites`, confirm ? { sites, confirm } : { sites }),
  createSession: (examId: number, b: { subject: string; startMs: number; endMs: number }) => request<ExamSession>('POST', `/api/exams/${examId}/sessions`, b),
  updateSession: (id: number, b: { subject?: string; startMs?: number; endMs?: number }) => request<ExamSession>('PATCH', `/api/exam-sessions/${id}`, b),
  deleteSession: (id: number) => request<unknown>('DELETE', `/api/exam-sessions/${id}`),
  importTimetable: (examId: number, format: 'csv' | 'xlsx', dataBase64: string) =>
    request<{ sessions: ExamSession[] }>('POST', `/api/exams/${examId}/timetable`, { format, dataBase64 }),
  examWindows: (examId: number, sessionId?: number) => request<{ windows: RoomWindow[] }>('GET', `/api/exams/${examId}/windows${qs({ sessionId })}`),
  sealRoom: (sessionId: number, roomId: number) => request<RoomWindow>('POST', `/api/exam-sessions/${sessionId}/rooms/${roomId}/seal`, {}),
  custodyEvent: (sessionId: number, roomId: number, event: 'arrived' | 'left') =>
    request<RoomWindow>('POST', `/api/exam-sessions/${sessionId}/rooms/${roomId}/custody`, { event }),
  examReport: (examId: number, sessionId?: number) => request<ExamReport>('GET', `/api/exams/${examId}/report${qs({ sessionId })}`),
  examReportUrl: (examId: number, format: 'xlsx' | 'pdf', sessionId?: number) => `/api/exams/${examId}/report.${format}${qs({ sessionId })}`,
  openAlarms: () => request<{ alarms: Alarm[] }>('GET', '/api/alarms?open=true'),
  openDiskAlarms: () => request<{ alarms: DiskAlarm[] }>('GET', '/api/retention/alarms/open'),
  ackAlarm: (id: number, disposition?: string) => request<Alarm>('POST', `/api/alarms/${id}/ack`, { disposition }),
};

/** Human-readable message for any thrown value (server's Chinese message preferred). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message || err.code;
  if (err instanceof Error) return err.message;
  return String(err);
}
