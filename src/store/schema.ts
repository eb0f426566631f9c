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
export type RecordingMode = 'continuous' | 'scheduled';

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
  /** 'continuous', or 'scheduled' (only inside recording_schedule windows). */
  recording_mode: Generated<RecordingMode>;
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
  /** TOTP time step (Unix seconds / 30) of the last accepted code: a code is accepted once (replay refused); null when none. */
  totp_last_step: number | null;
  /** 1 when the password must be changed at the next login (generated first-start administrator). */
  must_change_password: number;
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
  /** Hex HMAC-SHA256(auditKey, "head|" seq "|" hash); null until the first append after migration 0014. */
  head_mac: string | null;
  /** Public id (16 hex) of the audit key chaining the head (migration 0027); null until the first start after it. */
  key_id: string | null;
}

/** Upper side (issue 13): the last audit checkpoint accepted per lower origin, and what went wrong. */
export interface AuditCheckpointPeerTable {
  /** GB code of the lower org node whose audit log it is. */
  origin_code: string;
  /** Org path at this node (scope filter). */
  scope_path: string;
  /** Record number of the last accepted checkpoint (count). */
  last_seq: number;
  /** Hex chain hash of that record. */
  last_hash: string;
  /** When the lower made that checkpoint, ms since epoch (the lower's clock). */
  last_at_ms: number;
  /** When this node accepted it, ms since epoch. */
  received_at_ms: number;
  /** Checkpoints accepted so far (count). */
  accepted: number;
  /** null = consistent so far. */
  problem: 'rollback' | 'rebuilt' | 'unlinked' | 'invalid' | null;
  /** JSON: what was expected and what came. */
  problem_detail: string | null;
  /** When the problem was found, ms since epoch. */
  problem_at_ms: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
}

export interface RecordingRunTable {
  id: Generated<number>;
  camera_id: number;
  /** 'main' or 'sub'. */
  stream: string;
  /** Server wall clock when the run's first keyframe arrived, ms since epoch. */
  started_at_ms: number;
  /** Media duration recorded so far, 90 kHz ticks (from RTP timestamps). */
  duration_90k: number;
  /** started_at_ms + duration_90k/90 once the run has ended; null while it is open. */
  ended_at_ms: number | null;
  /** Why the connection ended: eof, timeout, stall, garbage, params, stopped, crash, refused… */
  end_reason: string | null;
  end_detail: string | null;
  video_codec: string;
  /** Pixels. */
  width: number;
  height: number;
  rfc6381: string;
  audio_codec: string | null;
  /** Camera clock minus server clock from RTCP SR, ms; null when the camera sends no SR. */
  clock_offset_ms: number | null;
  frame_count: number;
}

export interface RecordingFileTable {
  id: Generated<number>;
  run_id: number;
  camera_id: number;
  /** Path below <dataDir>/recordings. */
  rel_path: string;
  /** Wall clock of the first frame, ms since epoch (= run start + start_90k/90). */
  start_ms: number;
  /** start_ms + duration_90k/90, ms since epoch: kept for range queries. */
  end_ms: number;
  /** Offset of the first frame from the run start, 90 kHz ticks. */
  start_90k: number;
  /** Sum of committed fragment durations, 90 kHz ticks. */
  duration_90k: number;
  /** Size of ftyp+moov, bytes. */
  init_bytes: number;
  /** Committed (fsynced) length of the file, bytes. */
  bytes: number;
  /** Video frames committed. */
  frame_count: number;
  /** Packed per-fragment index (src/recording/fragment-index.ts). */
  fragment_index: Uint8Array;
  /** 'open' while being written, 'closed' after. */
  status: 'open' | 'closed';
}

export interface RecordingScheduleTable {
  id: Generated<number>;
  camera_id: number;
  /** Window start and end, ms since epoch. */
  start_ms: number;
  end_ms: number;
  reason: string;
  created_by: string;
  created_at_ms: number;
}

export interface GarbageTable {
  id: Generated<number>;
  rel_path: string;
  created_at_ms: number;
}

export type ExamKind = 'gaokao' | 'postgrad' | 'self_study' | 'adult' | 'proficiency' | 'other';
export type RoomWindowKind = 'exam' | 'custody';
export type WindowBoundSource = 'default' | 'sealed' | 'custody' | 'edited';
export type AlarmKind = 'recording_gap' | 'camera_not_ready' | 'ptz_refused';

export interface ExamTable {
  id: Generated<number>;
  name: string;
  /** gaokao, postgrad, self_study, adult are national exams (R-FN-4, R-RET-1). */
  kind: ExamKind;
  /** The org node that created the exam; its subtree holds the participating sites. */
  owner_node_id: number;
  /** Days recordings of this exam's windows are kept; 180 by default, never less for national exams. */
  retention_days: number;
  created_by: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface ExamSiteTable {
  exam_id: number;
  /** Participating exam site (org_node of kind 'site'). */
  site_id: number;
}

export interface ExamRoomTable {
  exam_id: number;
  /** When a site has rows here, only these exam/lab rooms of it take part. */
  room_id: number;
}

export interface ExamSessionTable {
  id: Generated<number>;
  exam_id: number;
  subject: string;
  /** Session start and end (candidates' working time), ms since epoch. */
  start_ms: number;
  end_ms: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface RoomWindowTable {
  id: Generated<number>;
  session_id: number;
  room_id: number;
  /** 'exam' for exam/lab rooms (R-REC-2), 'custody' for affairs/secrecy rooms (R-REC-3). */
  kind: RoomWindowKind;
  /** Required recording period [start_ms, end_ms), ms since epoch. */
  start_ms: number;
  end_ms: number;
  start_source: WindowBoundSource;
  end_source: WindowBoundSource;
  sealed_by: string | null;
  /** When 已封门 was recorded, ms since epoch. */
  sealed_at_ms: number | null;
  edited_by: string | null;
  updated_at_ms: number;
}

export interface ExamSiteSettingTable {
  /** The exam site these defaults apply to. */
  site_id: number;
  /** Minutes before session start / after session end for exam-room windows. */
  exam_lead_min: number;
  exam_trail_min: number;
  /** Minutes before session start / after session end for custody-room windows. */
  custody_lead_min: number;
  custody_trail_min: number;
  updated_by: string;
  updated_at_ms: number;
}

export interface AlarmTable {
  id: Generated<number>;
  kind: AlarmKind;
  camera_id: number;
  room_id: number;
  /** Site of the room: alarms are scoped through its org_node path. */
  site_id: number;
  /** The session whose window the alarm concerns; null when none. */
  session_id: number | null;
  /** Server clock when the alarm was raised, ms since epoch. */
  raised_at_ms: number;
  /** Gap bounds (media end of the last run, start of the next), ms since epoch; null when n/a or open. */
  gap_start_ms: number | null;
  gap_end_ms: number | null;
  /** When the condition ended, ms since epoch; null while the alarm is open. */
  cleared_at_ms: number | null;
  reason: string;
  detail: string | null;
  acknowledged_by: string | null;
  acknowledged_at_ms: number | null;
  /** 处置意见 written when acknowledging (text, ≤ 500 chars); null before migration 0017 or while unacknowledged. */
  disposition: string | null;
}

export type LowerPlatformKind = 'platform' | 'device';

/** A lower platform or GB device allowed to REGISTER to this node (cascade, R-FN-3). */
export interface LowerPlatformTable {
  id: Generated<number>;
  /** Its 20-digit SIP id (REGISTER username). */
  sip_id: string;
  name: string;
  kind: LowerPlatformKind;
  /** Org node of this node's tree it hangs under: scope of who may see it. */
  org_node_id: number;
  /** HA1 = MD5(sip_id:realm:password), realm = this node's SIP domain; the password is not stored. */
  ha1: string;
  /**
   * HA1 = SM3(sip_id:realm:password) as 64 hex digits, for GB/T 28181-2022 lowers that answer
   * `algorithm=SM3`; null on rows made before migration 0006 until their password is set again.
   */
  ha1_sm3: string | null;
  /** Protocol version the lower declared in `X-GB-Ver` on its last registration ("3.0" = 2022, "2.0" = 2016); null when it sent none. */
  gb_version: string | null;
  /** Digest algorithm ('MD5' | 'SM3') of its last successful registration; null before the first. */
  auth_algorithm: string | null;
  enabled: number;
  online: number;
  registered_at_ms: number | null;
  /** Registration expiry, ms since epoch. */
  expires_at_ms: number | null;
  last_keepalive_ms: number | null;
  /** Where requests to it go (Contact, or the REGISTER's source). */
  contact_host: string | null;
  contact_port: number | null;
  transport: string | null;
  /** Last complete catalog merge, ms since epoch. */
  catalog_at_ms: number | null;
  channel_count: number;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A catalog item of a lower platform (org group, device or channel), ParentID kept as sent. */
export interface RemoteChannelTable {
  id: Generated<number>;
  lower_id: number;
  device_id: string;
  parent_id: string | null;
  name: string;
  /** 'group' (215/216 or Parental=1 without stream), 'channel' (camera), 'device' (other). */
  item_kind: string;
  /** 'ON' | 'OFF' as sent (normalised upper-case), null when not given. */
  status: string | null;
  civil_code: string | null;
  manufacturer: string | null;
  model: string | null;
  parental: number;
  updated_at_ms: number;
  /** The item's BusinessGroupID (215) as the lower sent it; null when none (migration 0029). */
  business_group_id: string | null;
  /** JSON object of the item's well-formed catalog <Info> fields as sent; null when none (migration 0037). */
  info_json: string | null;
}

/** An Alarm notification received from a lower platform (R-FLT-1). */
export interface CascadeAlarmTable {
  id: Generated<number>;
  lower_id: number;
  /** DeviceID of the alarm (camera/channel or the lower itself). */
  device_id: string;
  priority: number;
  method: number;
  alarm_type: number | null;
  /** AlarmTime as epoch ms (Beijing time parsed), null when unparsable. */
  alarm_at_ms: number | null;
  description: string | null;
  received_at_ms: number;
  /** Epoch ms when the device was reported ON again (the fault cleared) at this node; null while it stands (0011). */
  cleared_at_ms: number | null;
}

/** R-FN-2: recordings of a camera × time range kept without end until released (retention.md). */
export interface EvidenceHoldTable {
  id: Generated<number>;
  camera_id: number;
  /** Held range [from_ms, to_ms), ms since epoch. */
  from_ms: number;
  to_ms: number;
  reason: string;
  created_by: string;
  created_at_ms: number;
  /** Null while the hold is in force. */
  released_by: string | null;
  released_at_ms: number | null;
  release_reason: string | null;
}

/** Retention alarms: 'disk_pressure' when only locked data is left and recording was held off. */
export interface RetentionAlarmTable {
  id: Generated<number>;
  kind: string;
  raised_at_ms: number;
  /** Null while the condition lasts. */
  cleared_at_ms: number | null;
  /** Free bytes on the recording disk when raised, and the threshold it was below. */
  free_bytes: number;
  threshold_bytes: number;
  /** JSON text: cameras held off, locked bytes. */
  detail: string | null;
}

export type BackupState = 'running' | 'done' | 'failed';
export type BackupItemState = 'pending' | 'copied' | 'verified' | 'failed';

/** R-RET-2: one backup of required-window recordings to a target directory. */
export interface BackupTable {
  id: Generated<number>;
  exam_id: number | null;
  session_id: number | null;
  /** JSON array of camera ids asked for, or null. */
  camera_ids: string | null;
  /** Requested range [from_ms, to_ms), ms since epoch. */
  from_ms: number;
  to_ms: number;
  /** Absolute directory the copies are under (<target>/backup-<id>/…). */
  target: string;
  state: BackupState;
  total_files: number;
  total_bytes: number;
  /** Org path the backup concerns: visible to administrators whose scope holds it. */
  scope_path: string;
  created_by: string;
  created_at_ms: number;
  finished_at_ms: number | null;
  /** Last verification of the copies: when, and 1 when every copy matched. */
  verified_at_ms: number | null;
  verify_ok: number | null;
  /** JSON report (files, sizes, hashes, verified), written when the backup finishes. */
  report: string | null;
}

export interface BackupItemTable {
  id: Generated<number>;
  backup_id: number;
  camera_id: number;
  /** Path below the recordings root, and below <target>/backup-<id>. */
  rel_path: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  /** SHA-256 (hex) of the source as copied; null before. */
  sha256: string | null;
  state: BackupItemState;
  error: string | null;
  done_at_ms: number | null;
}

export type TourItemKind = 'camera' | 'room' | 'all-exam-rooms';

/** A patrol tour (轮巡, issue 4, R-CITY-2): pages of cameras shown on the video wall in turn. */
export interface PatrolTourTable {
  id: Generated<number>;
  /** Org node the tour belongs to: its items lie in this node's subtree; shared, it is seen by users whose scope holds the node. */
  org_node_id: number;
  /** The user who made it (app_user.id); a private tour is seen only by its owner. */
  owner_user_id: number;
  name: string;
  /** Time each page stays on the wall, seconds (5–3600). */
  interval_s: number;
  /** Tiles per page of the wall while the tour runs: 1, 4, 9, 16, 25, 36 or 64. */
  layout_tiles: number;
  /** 1 = shared with every user whose scope holds org_node_id, 0 = private to the owner. */
  shared: number;
  created_at_ms: number;
  updated_at_ms: number;
}

/** One entry of a tour, in order: a camera, every camera of a room, or of every exam room of the tour's node. */
export interface PatrolTourItemTable {
  id: Generated<number>;
  tour_id: number;
  /** 0-based order of the entry within its tour. */
  position: number;
  kind: TourItemKind;
  /** camera.id or room.id (no foreign key: a removed device resolves to nothing); null for 'all-exam-rooms'. */
  ref_id: number | null;
}

// Exam readiness (issue 17, docs/design/readiness.md).
/** full = every probe and checklist (three days before); clock = clocks and workstations (the day before). */
export type ReadinessChecks = 'full' | 'clock';
export type ReadinessOrigin = 'manual' | 'timetable';
export type ReadinessVerdict = 'pass' | 'warn' | 'fail';
export type ReadinessProbe = 'online' | 'decode' | 'profile' | 'picture' | 'moved' | 'audio' | 'recording' | 'clock' | 'device' | 'config';
export type ChecklistPer = 'site' | 'workstation';

export interface ReadinessCampaignTable {
  id: Generated<number>;
  /** The node that opened it; the campaign covers this node's subtree. */
  org_node_id: number;
  /** The exam it prepares, when there is one. */
  exam_id: number | null;
  name: string;
  checks: ReadinessChecks;
  origin: ReadinessOrigin;
  /** Everything must be checked and signed by then, ms since epoch. */
  deadline_ms: number;
  /** The standard profile (src/readiness/profile.ts) cameras are judged against, JSON, copied at opening. */
  profile_json: string;
  state: 'open' | 'closed';
  created_by: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface ReadinessContactTable {
  id: Generated<number>;
  campaign_id: number;
  /** City, district or site the contact answers for (R-CITY-5). */
  org_node_id: number;
  name: string;
  phone: string;
}

export interface ReadinessResultTable {
  id: Generated<number>;
  campaign_id: number;
  camera_id: number;
  probe: ReadinessProbe;
  verdict: ReadinessVerdict;
  /** What was measured, with units (e.g. "1920×1080 25.0 fps 2.1 Mbit/s"). */
  value: string;
  /** The rule it was judged against (e.g. "≥1280×720, 20–30 fps"). */
  rule: string;
  /** Why it is not a pass, in Chinese with English; null on a pass. */
  reason: string | null;
  measured_at_ms: number;
  /** How long the probe took, milliseconds. */
  duration_ms: number;
  /** Main-stream bitrate measured, kbit/s (profile row only; migration 0022). */
  measured_kbps: number | null;
}

export interface ReadinessReferenceTable {
  id: Generated<number>;
  camera_id: number;
  /** The picture the signer saw, small JPEG, base64. */
  image_jpeg_b64: string;
  /** 64×36 8-bit grey picture (2304 bytes) for the moved check, base64. */
  thumb_gray_b64: string;
  signer_name: string;
  signed_by_user_id: number | null;
  signed_at_ms: number;
  /** camera.updated_at_ms when signed: a later camera change asks for a new signature, ms since epoch. */
  camera_updated_at_ms: number;
}

export interface ChecklistTemplateTable {
  id: Generated<number>;
  /** The node whose administrators edit it; it applies to campaigns in this subtree. */
  org_node_id: number;
  /** R-PRE-1, R-PRE-5, R-PRE-7, R-SEC-3, R-SEC-8 … */
  requirement: string;
  title: string;
  /** Which campaigns list it: full (three days before) or clock (the day before). */
  checks: ReadinessChecks;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface ChecklistTemplateItemTable {
  id: Generated<number>;
  template_id: number;
  position: number;
  text: string;
  /** Signed once per site, or once per patrol workstation of the site. */
  per: ChecklistPer;
  /** 1 once removed from the template (kept: old signatures name it). */
  retired: number;
}

export interface ChecklistSignatureTable {
  id: Generated<number>;
  campaign_id: number;
  item_id: number;
  site_id: number;
  /** Workstation name for per-workstation items, '' for per-site items. */
  subject: string;
  /** ok = checked and in order; fail = checked and found wrong. */
  outcome: 'ok' | 'fail';
  signer_name: string;
  signed_by_user_id: number | null;
  signed_at_ms: number;
  note: string | null;
  file_name: string | null;
  /** SHA-256 of the attached file, hex. */
  file_sha256: string | null;
  /** The attached photo or file (≤ 160 KiB), base64. */
  file_b64: string | null;
}

// Duty and discipline (issue 18, docs/design/duty.md).
export type DutyRole = 'leader' | 'watcher' | 'tech';
export type CheckoutReason = 'manual' | 'idle' | 'replaced' | 'unconfirmed';
export type ViewRequestState = 'pending' | 'approved' | 'refused' | 'cancelled';
export type IncidentCategory = 'cheating' | 'device' | 'emergency';
export type IncidentHandlingState = 'received' | 'confirmed' | 'closed';

/** A browser enrolled by an administrator as a workstation of a monitoring room. */
export interface DutyWorkstationTable {
  id: Generated<number>;
  /** The monitoring room (room of kind 'monitoring'). */
  room_id: number;
  name: string;
  /** SHA-256 hex of the 256-bit random credential the browser keeps as an httpOnly cookie; the credential itself is never stored. */
  credential_sha256: string;
  enrolled_by: string;
  enrolled_at_ms: number;
  /** Last request that presented the credential, ms since epoch; null before first use. */
  last_seen_at_ms: number | null;
  /** Null while enrolled. */
  revoked_at_ms: number | null;
}

/** One person on duty in a monitoring room for an exam session (or a plain period). */
export interface DutyRosterTable {
  id: Generated<number>;
  room_id: number;
  /** The exam session, null for a period without a session. */
  session_id: number | null;
  user_id: number;
  duty_role: DutyRole;
  /** Duty period [from_ms, to_ms), ms since epoch. */
  from_ms: number;
  to_ms: number;
  created_by: string;
  created_at_ms: number;
}

/** A check-in at an enrolled workstation; open while checked_out_at_ms is null. */
export interface DutyCheckinTable {
  id: Generated<number>;
  room_id: number;
  workstation_id: number;
  user_id: number;
  /** Display name at check-in time (kept if the user is renamed or deleted). */
  user_name: string;
  checked_in_at_ms: number;
  checked_out_at_ms: number | null;
  out_reason: CheckoutReason | null;
  /** When this person last showed presence (own request, or 确认在岗), ms since epoch; null = only the check-in. Migration 0033. */
  last_present_at_ms: number | null;
  /** How: 'activity' | 'confirm' (≤ 16 chars); null with last_present_at_ms. */
  last_present_via: PresenceVia | null;
  /** When the person last passed 确认在岗 (never a console request), ms since epoch; null = only the check-in. Migration 0035. */
  last_confirmed_at_ms: number | null;
}

/** How a checked-in person last showed presence (docs/design/duty.md "Idle, per person"). */
export type PresenceVia = 'activity' | 'confirm';

/** A request to watch from outside a monitoring room; an approved one is the grant, valid in [from_ms, to_ms). */
export interface DutyViewRequestTable {
  id: Generated<number>;
  /** The requester's org node (scope of the request). */
  org_node_id: number;
  requester_id: number;
  requester_name: string;
  /** JSON array of camera ids. */
  camera_ids_json: string;
  /** JSON array of room ids (every camera of those rooms). */
  room_ids_json: string;
  reason: string;
  from_ms: number;
  to_ms: number;
  state: ViewRequestState;
  decided_by: string | null;
  decided_by_user_id: number | null;
  decided_at_ms: number | null;
  decision_note: string | null;
  created_at_ms: number;
  /** When the requester withdrew it (state 'cancelled'), ms since epoch; decided_* stay. Migration 0035. */
  cancelled_at_ms: number | null;
}

/** An incident marked on cameras and a time range (R-FN-2). */
export interface DutyIncidentTable {
  id: Generated<number>;
  /** The exam site (org_node of kind 'site') of the cameras. */
  site_id: number;
  /** JSON array of camera ids. */
  camera_ids_json: string;
  /** Marked range [from_ms, to_ms), ms since epoch. */
  from_ms: number;
  to_ms: number;
  category: IncidentCategory;
  description: string;
  reported_by: string;
  /** JSON array of evidence_hold ids made for it. */
  hold_ids_json: string;
  created_at_ms: number;
}

/** A handling step at an upper level of an incident received over the uplink (no downward path). */
export interface DutyIncidentHandlingTable {
  id: Generated<number>;
  /** The uplink item's origin code and key. */
  origin_code: string;
  item_key: string;
  /** The uplink item's scope path at this node. */
  scope_path: string;
  state: IncidentHandlingState;
  note: string | null;
  handled_by: string;
  handled_at_ms: number;
}

/** A note a patroller writes while watching. */
export interface DutyPatrolNoteTable {
  id: Generated<number>;
  site_id: number;
  room_id: number | null;
  camera_id: number | null;
  user_id: number;
  user_name: string;
  text: string;
  at_ms: number;
}

/** A PTZ preset an administrator approved for use during exam and custody windows. */
export interface DutyPtzPresetTable {
  id: Generated<number>;
  camera_id: number;
  /** Preset number on the device (1..255). */
  preset_no: number;
  label: string;
  approved_by: string;
  approved_at_ms: number;
}

/** A scheduled replay of custody footage that must be signed (gaokao paper secrecy rule). */
export interface DutyReviewTaskTable {
  id: Generated<number>;
  room_id: number;
  window_id: number | null;
  /** The footage period to replay [period_from_ms, period_to_ms). */
  period_from_ms: number;
  period_to_ms: number;
  due_at_ms: number;
  signed_by: string | null;
  signed_by_user_id: number | null;
  signed_at_ms: number | null;
  note: string | null;
}

// Readiness bandwidth (issue 17, R-PRE-4; migration 0022).
/** Bandwidth of one lower measured through the cascade (migration 0030, R-PRE-4). */
export interface ReadinessCascadeBandwidthTable {
  id: Generated<number>;
  lower_id: number;
  measured_at_ms: number;
  duration_ms: number;
  /** Streams pulled at once (at most the cap), of channels_total in the lower's catalog. */
  streams: number;
  channels_total: number;
  achieved_kbps: number;
  /** What the lower reported it must carry upward (or the operator gave); null: unknown. */
  required_kbps: number | null;
  /** Lost RTP packets per million expected. */
  loss_ppm: number;
  /** Worst stream's RFC 3550 interarrival jitter, µs. */
  jitter_us: number;
  verdict: ReadinessVerdict;
  rule: string;
  reason: string | null;
  streams_json: string;
  measured_by: string;
}

export interface ReadinessSiteUplinkTable {
  id: Generated<number>;
  site_id: number;
  /** What the site's link upward carries, kbit/s, as entered by an administrator. */
  capacity_kbps: number;
  updated_by: string;
  updated_at_ms: number;
}

export interface Database {
  recording_run: RecordingRunTable;
  recording_file: RecordingFileTable;
  recording_schedule: RecordingScheduleTable;
  garbage: GarbageTable;
  org_node: OrgNodeTable;
  room: RoomTable;
  camera: CameraTable;
  app_user: UserTable;
  user_session: SessionTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_checkpoint_peer: AuditCheckpointPeerTable;
  setting: SettingTable;
  exam: ExamTable;
  exam_site: ExamSiteTable;
  exam_room: ExamRoomTable;
  exam_session: ExamSessionTable;
  room_window: RoomWindowTable;
  exam_site_setting: ExamSiteSettingTable;
  alarm: AlarmTable;
  lower_platform: LowerPlatformTable;
  remote_channel: RemoteChannelTable;
  cascade_alarm: CascadeAlarmTable;
  evidence_hold: EvidenceHoldTable;
  retention_alarm: RetentionAlarmTable;
  backup: BackupTable;
  backup_item: BackupItemTable;
  patrol_tour: PatrolTourTable;
  patrol_tour_item: PatrolTourItemTable;
  uplink_item: UplinkItemTable;
  uplink_outbox: UplinkOutboxTable;
  uplink_state: UplinkStateTable;
  uplink_down: UplinkDownTable;
  uplink_peer: UplinkPeerTable;
  readiness_site_uplink: ReadinessSiteUplinkTable;
  readiness_cascade_bandwidth: ReadinessCascadeBandwidthTable;
  readiness_campaign: ReadinessCampaignTable;
  readiness_contact: ReadinessContactTable;
  readiness_result: ReadinessResultTable;
  readiness_reference: ReadinessReferenceTable;
  checklist_template: ChecklistTemplateTable;
  checklist_template_item: ChecklistTemplateItemTable;
  checklist_signature: ChecklistSignatureTable;
  ledger_device: LedgerDeviceTable;
  fault_ticket: FaultTicketTable;
  fault_ticket_event: FaultTicketEventTable;
  device_health_sample: DeviceHealthSampleTable;
  training_record: TrainingRecordTable;
  duty_workstation: DutyWorkstationTable;
  duty_roster: DutyRosterTable;
  duty_checkin: DutyCheckinTable;
  duty_view_request: DutyViewRequestTable;
  duty_incident: DutyIncidentTable;
  duty_incident_handling: DutyIncidentHandlingTable;
  duty_patrol_note: DutyPatrolNoteTable;
  duty_ptz_preset: DutyPtzPresetTable;
  duty_review_task: DutyReviewTaskTable;
  export_request: ExportRequestTable;
  wall_state: WallStateTable;
  wall_layout: WallLayoutTable;
}

export type Timestamp = ColumnType<number, number, number>;

/** A replicated item of the node-to-node channel (docs/design/uplink.md): own, or received from below. */
export interface UplinkItemTable {
  id: Generated<number>;
  /** 20-digit GB code of the org node the item belongs to, kept unchanged through every level. */
  origin_code: string;
  /** Dotted name owned by one module, e.g. 'readiness.result'. */
  topic: string;
  /** Unique within (origin, topic). */
  item_key: string;
  /** JSON text; null = deleted (tombstone). */
  body: string | null;
  /** The origin's sequence number: latest wins per (origin, topic, key). */
  origin_seq: number;
  /** When the origin wrote it, ms since epoch. */
  updated_at_ms: number;
  /** When this node stored it, ms since epoch. */
  received_at_ms: number;
  /** Org path at this node: the own node's path, or the node the lower it came through is attached to. */
  scope_path: string;
  /** Lower platform it arrived through; null for this node's own items. */
  via_lower_id: number | null;
}

/** An item waiting to be acknowledged by the upper level, in hop-sequence order. */
export interface UplinkOutboxTable {
  /** Hop sequence on the link to our upper (count), commit order. */
  seq: number;
  origin_code: string;
  topic: string;
  item_key: string;
  body: string | null;
  origin_seq: number;
  /** The origin's write time, ms since epoch. */
  updated_at_ms: number;
  /** Queued here, ms since epoch. */
  created_at_ms: number;
}

/** Single row (id 1): the sequence counter, locked by each publish so sequence order is commit order. */
export interface UplinkStateTable {
  id: number;
  /** Last sequence number handed out (count). */
  last_seq: number;
  /** Random id of this counter; an upper resets its watermark for us when it changes. */
  epoch: string;
  /** Upper URL the outbox was last filled for; a different one gets a snapshot of every item. */
  upper_url: string | null;
  /** Lower side: the upper's epoch `down_ack_seq` refers to; null = nothing received. Migration 0034. */
  down_epoch: string | null;
  /** Lower side: last down sequence (uplink_down.id at the upper) handled, count. Migration 0034. */
  down_ack_seq: ColumnType<number, number | undefined, number>;
}

/** Upper side: a message for a lower, handed out signed in the answer to its next batch (migration 0034). */
export interface UplinkDownTable {
  /** Down sequence (count) the lower acknowledges. */
  id: Generated<number>;
  /** lower_platform.id it goes to. */
  lower_id: number;
  /** GB code of the node it is addressed to (origin of the item it answers; may be below that lower). */
  origin_code: string;
  topic: string;
  item_key: string;
  /** JSON text. */
  body: string;
  /** Written here, ms since epoch. */
  created_at_ms: number;
}

/** Per lower platform: what it has delivered over the channel and when it was last heard. */
export interface UplinkPeerTable {
  lower_id: number;
  epoch: string;
  /** Highest hop sequence stored from it (count). */
  last_seq: number;
  /** Last accepted batch (heartbeats included), ms since epoch. */
  last_received_at_ms: number;
  /** Items it still had queued after that batch (count). */
  backlog: number;
  /** Items stored from it in total (count). */
  items_received: number;
  /** JSON array of its own lowers' freshness, as it reported them (relayed peers). */
  relayed_peers: string | null;
}

/** Device classes of the ledger (R-SEC-2: equipment is classified and coded). */
export type DeviceClass = 'camera' | 'nvr' | 'encoder' | 'switch' | 'server' | 'workstation' | 'monitor' | 'ups' | 'clock' | 'other';

/** One device of a site in the equipment ledger (设备台账, docs/design/ledger.md; R-SEC-1/2). */
export interface LedgerDeviceTable {
  id: Generated<number>;
  /** The site (or other org node) the device belongs to: its scope. */
  org_node_id: number;
  /** Room it stands in; null when not in a room (e.g. a rack in the corridor). */
  room_id: number | null;
  device_class: DeviceClass;
  /** GB/T 28181 20-digit code for video devices, the site's own code otherwise; unique per node. */
  code: string;
  name: string;
  model: string;
  serial: string;
  firmware: string;
  /** Day installed, ms since epoch (00:00 local). */
  installed_on_ms: number | null;
  /** Last day of the warranty, ms since epoch. */
  warranty_until_ms: number | null;
  /** Person responsible for daily management (R-SEC-1). */
  responsible_name: string;
  responsible_phone: string;
  /** The camera this row describes, for class 'camera' rows made from the camera table. */
  camera_id: number | null;
  /** Host probed for reachability (migration 0032); null = not measured. Optional on insert. */
  probe_host: ColumnType<string | null, string | null | undefined, string | null>;
  /** TCP port of the reachability probe (port number); null with a host = ICMP ping. */
  probe_tcp_port: ColumnType<number | null, number | null | undefined, number | null>;
  /** Maker + model as the device itself last stated it (migration 0036); null = never. A change is a replacement. */
  reported_model: ColumnType<string | null, string | null | undefined, string | null>;
  /** Channel count of the device's last valid GB/T 28181 DeviceInfo answer (count). */
  reported_channels: ColumnType<number | null, number | null | undefined, number | null>;
  /** When the last valid DeviceInfo / GetDeviceInformation answer came, ms since epoch; null = never. */
  reported_at_ms: ColumnType<number | null, number | null | undefined, number | null>;
  /** Channels an NVR / encoder must answer with (count): typed, or from its first answer; null = unknown. */
  expected_channels: ColumnType<number | null, number | null | undefined, number | null>;
  created_at_ms: number;
  updated_at_ms: number;
}

export type FaultKind = 'offline' | 'recording_gap' | 'disk' | 'clock_drift' | 'picture' | 'manual';
export type TicketState = 'open' | 'acknowledged' | 'repairing' | 'repaired' | 'verified';

/** A fault ticket (故障工单, R-FLT-1): one per (device, kind) until verified. */
export interface FaultTicketTable {
  id: Generated<number>;
  device_id: number;
  /** The device's org node at opening: the ticket's scope. */
  org_node_id: number;
  kind: FaultKind;
  /** 'auto' (opened from a measured fault) or 'manual' (opened by a person). */
  origin: 'auto' | 'manual';
  state: TicketState;
  summary: string;
  /** Username, or 'system'. */
  opened_by: string;
  opened_at_ms: number;
  acknowledged_at_ms: number | null;
  repairing_at_ms: number | null;
  repaired_at_ms: number | null;
  /** Set only by the system when the device is measured healthy again. */
  verified_at_ms: number | null;
  /** Times the fault was seen while this ticket was unverified (flap suppression). */
  fault_count: number;
  last_fault_at_ms: number;
  /** Start of the current healthy span, ms since epoch; null while the fault persists. */
  healthy_since_ms: number | null;
  updated_at_ms: number;
}

/**
 * A device's health over one period (issue 19 item 2, migration 0031): minute rows from the sampler,
 * folded into hour rows after the raw retention. Averages over the period's samples; null = not
 * measured in it (no stream, not a camera).
 */
export interface DeviceHealthSampleTable {
  id: Generated<number>;
  device_id: number;
  /** Start of the period, ms since epoch. */
  at_ms: number;
  /** 60 000 (minute row) or 3 600 000 (hour row). */
  span_ms: number;
  /** Samples folded into this row (1 for a minute row). */
  samples: number;
  /** Share of samples the device was online, per mille. */
  online_permille: number;
  /** Share of samples the camera was recording, per mille. */
  recording_permille: number;
  bitrate_kbps: number | null;
  /** Video frames per second × 100. */
  fps_x100: number | null;
  /** RTP packets lost in the period (sequence gaps; summed when folded). */
  lost_packets: number | null;
  /** Camera clock − node clock, ms (RTCP sender report), the latest in the period. */
  clock_offset_ms: number | null;
}

/** Append-only history of a ticket. */
export interface FaultTicketEventTable {
  id: Generated<number>;
  ticket_id: number;
  at_ms: number;
  /** Username, or 'system'. */
  actor: string;
  action: string;
  from_state: TicketState | null;
  to_state: TicketState;
  note: string | null;
}

/** Training / certification of an administrator (R-PRE-1, R-ORG-2). */
export interface TrainingRecordTable {
  id: Generated<number>;
  user_id: number;
  course: string;
  /** Day of the training, ms since epoch. */
  trained_on_ms: number;
  /** Certificate number; '' when none. */
  certificate: string;
  /** Certificate valid until, ms since epoch; null when none or unlimited. */
  certified_until_ms: number | null;
  /** Username who recorded it. */
  recorded_by: string;
  created_at_ms: number;
}

// ---- Export requests (issue 14 item 6, migration 0023; docs/design/console.md) ----
export type ExportRequestState = 'pending' | 'approved' | 'rejected';
export interface ExportRequestTable {
  id: Generated<number>;
  requester_user_id: number;
  /** Username of the requester as it was. */
  requester: string;
  /** Org path of the cameras' site ('/1/4/9/'): deciders see requests in their scope. */
  scope_path: string;
  /** JSON array of camera ids. */
  camera_ids: string;
  /** Range asked for, ms since the Unix epoch. */
  from_ms: number;
  to_ms: number;
  purpose: string;
  state: ExportRequestState;
  decided_by_user_id: number | null;
  decided_by: string | null;
  decided_at_ms: number | null;
  decision_note: string | null;
  /** uuid of the export job made on approval. */
  export_id: string | null;
  created_at_ms: number;
}

// ---- The video wall kept on the server (issue 14 item 1, migration 0024; docs/design/console.md) ----
/** A user's current wall: restored after a reload or a login elsewhere. */
export interface WallStateTable {
  /** app_user.id; one row per user. */
  user_id: number;
  /** Tiles shown: 1, 4, 9, 16, 25, 36 or 64. */
  layout_tiles: number;
  /** JSON array (≤ 36) of camera id or null, index = tile position. */
  cells: string;
  /** patrol_tour.id chosen on the wall, or null. */
  tour_id: number | null;
  /** 1 = the tour is paging, 0 = paused. */
  running: number;
  /** 0-based page of the tour shown. */
  page: number;
  updated_at_ms: number;
}

/** A named wall layout (which camera in which tile), private or shared like a patrol tour. */
export interface WallLayoutTable {
  id: Generated<number>;
  /** Org node it belongs to: its cameras lie in this subtree; shared, seen by users whose scope holds the node. */
  org_node_id: number;
  /** app_user.id of who saved it; names are unique per owner. */
  owner_user_id: number;
  name: string;
  /** Tiles: 1, 4, 9, 16, 25, 36 or 64. */
  layout_tiles: number;
  /** JSON array (≤ 36) of camera id or null, index = tile position. */
  cells: string;
  /** 1 = shared with every user whose scope holds org_node_id, 0 = private to the owner. */
  shared: number;
  created_at_ms: number;
  updated_at_ms: number;
}
