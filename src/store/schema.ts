// Row types of every table, as Kysely sees them. Units are in the column names and comments:
// *_ms = milliseconds since the Unix epoch (UTC) unless said otherwise. Flags are 0/1 integers so
// that one code path serves SQLite and PostgreSQL.
import type { ColumnType, Generated } from 'kysely';

export type OrgNodeKind = 'province' | 'city' | 'district' | 'site';
export type RoomKind = 'exam' | 'lab' | 'affairs' | 'secrecy' | 'monitoring' | 'other';
export type CameraPosition = 'front' | 'rear' | 'other';
export type CameraSourceKind = 'rtsp' | 'onvif' | 'gb28181';
export type Role = 'admin' | 'operator' | 'leader' | 'inspector';
export type AuditOutcome = 'ok' | 'denied' | 'error';

export interface OrgNodeTable {
  id: Generated<number>;
  /** Parent node; null for the root (a province, or the top of this node's own tree). */
  parent_id: number | null;
  kind: OrgNodeKind;
  name: string;
  /** 20-digit GB/T 28181 code. */
  gb_code: string;
  /** 6-digit administrative region code (GB/T 2260). */
  region_code: string;
  /** Materialised path of ids, '/1/4/9/': scope checks are prefix matches on it. */
  path: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface RoomTable {
  id: Generated<number>;
  /** The exam site (org_node of kind 'site') this room is in. */
  site_id: number;
  kind: RoomKind;
  name: string;
  /** Number of candidate seats (0 for rooms without candidates). */
  seats: number;
  gb_code: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface CameraTable {
  id: Generated<number>;
  room_id: number;
  name: string;
  position: CameraPosition;
  source_kind: CameraSourceKind;
  gb_code: string;
  /** Main stream path on the device (e.g. /Streaming/Channels/101), or GB/T 28181 channel id. */
  main_stream: string;
  sub_stream: string;
  /** Encrypted (AES-256-GCM) JSON {host, port, username, password}: network config is secret (R-SEC-6). */
  network_enc: string | null;
  /** 1 when username/password are stored. */
  has_credentials: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  /** scrypt$N$r$p$salt$hash (base64). */
  password_hash: string;
  role: Role;
  /** The user's scope is this node's subtree. */
  org_node_id: number;
  disabled: number;
  /** Consecutive failed logins since the last success. */
  failed_logins: number;
  /** Locked until this instant after too many failures; null when not locked. */
  locked_until_ms: number | null;
  /** Encrypted TOTP secret (base32), null when never set up. */
  totp_secret_enc: string | null;
  totp_enabled: number;
  password_changed_at_ms: number;
  created_at_ms: number;
}

export interface SessionTable {
  /** SHA-256 (hex) of the session token: the token itself is never stored. */
  id: string;
  user_id: number;
  csrf_token: string;
  created_at_ms: number;
  last_seen_at_ms: number;
  /** Absolute expiry; idle expiry is last_seen_at_ms + idle timeout. */
  expires_at_ms: number;
  ip: string;
  workstation: string;
}

export interface AuditLogTable {
  /** Position in the hash chain, 1, 2, 3… with no holes (not a sequence: rollbacks leave none). */
  seq: number;
  at_ms: number;
  user_id: number | null;
  username: string;
  role: string;
  ip: string;
  workstation: string;
  /** Verb such as 'org.create', 'camera.reveal', 'auth.login'. */
  action: string;
  object_type: string;
  object_id: string;
  outcome: AuditOutcome;
  /** Materialised path of the org node the action concerns: inspectors see records in their subtree. */
  scope_path: string;
  /** JSON text or null. */
  detail: string | null;
  /** hash of record seq-1 (hex), 64 zeros for the first. */
  prev_hash: string;
  /** HMAC-SHA256 (hex) over prev_hash and this record's canonical form. */
  hash: string;
}

export interface AuditHeadTable {
  /** Always 1: a single row that serialises appends. */
  id: number;
  seq: number;
  hash: string;
}

export interface SettingTable {
  key: string;
  value: string;
}

export interface Database {
  org_node: OrgNodeTable;
  room: RoomTable;
  camera: CameraTable;
  app_user: UserTable;
  user_session: SessionTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  setting: SettingTable;
}

export type Timestamp = ColumnType<number, number, number>;
