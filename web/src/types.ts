// Shared API types (mirror of the server contract).
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
