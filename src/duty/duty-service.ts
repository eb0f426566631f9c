// Monitoring-room workstations and check-in/out (R-DIS-1, docs/design/duty.md). A workstation is
// enrolled once by an administrator; the browser keeps the credential as an httpOnly cookie. People
// check in at an enrolled workstation with their password (and TOTP code when enrolled); the login
// session on the console can stay the first person's. Dropping below two people during an exam or
// custody window is published upward (uplink topic `duty.state`) in the same transaction.
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { inScope } from '../auth/actor.ts';
import { actorPath, denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Store } from '../store/db.ts';
import type { CheckinRow, WorkstationRow } from '../store/repos/duty-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { CheckoutReason, Database } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { Logger } from 'pino';
import { credentialHash, newWorkstationCredential } from './credential.ts';
import type { PersonProof } from './person-check.ts';
import { verifyPerson } from './person-check.ts';
import { MIN_ON_DUTY } from './policy.ts';
import { DEFAULT_PRESENCE_EVERY_MS, presenceDueAtMs, promptLeadMs, windowSinceByRoom } from './presence-due.ts';

export interface RoomDutyStatus {
  roomId: number;
  roomName: string;
  onDuty: Array<{ checkinId: number; name: string; sinceMs: number; lastPresentAtMs: number; confirmDueAtMs: number | null }>;
  meetsTwoPerson: boolean;
}

export interface DutyDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  box: SecretBox;
  log: Logger;
  /** 确认在岗 period during exam/custody windows (ms; default 30 min, xuncha.yaml duty.presenceConfirmMin). */
  presenceEveryMs?: number;
  /** The uplink's publish (docs/design/uplink.md), called inside our transaction. */
  publish?: (trx: Kysely<Database>, item: { topic: string; key: string; body: unknown; scopePath: string }) => Promise<unknown>;
}

export type CheckinInput = PersonProof;

/** How often a workstation's activity is written at most (ms). */
const ACTIVITY_WRITE_MS = 60_000;

/** Who is on duty per monitoring room, with the 确认在岗 period and prompt lead (ms) and the server's now (the countdown's base). */
export interface DutyRoomsStatus {
  rooms: RoomDutyStatus[];
  presenceEveryMs: number;
  promptLeadMs: number;
  nowMs: number;
}

/** Body of a `duty.alarm` item (不足两人值守), as published upward and shown by every level above. */
export interface DutyAlarmBody {
  roomId: number;
  roomName: string;
  onDuty: number;
  names: string[];
  /** Fewer than two on duty inside a window (raised); false once cleared. */
  alone: boolean;
  windows: string[];
  message: string;
  atMs: number;
}

/** `GET /api/duty/status`: the rooms' status and this browser's enrolled workstation, if any. */
export interface DutyStatusView extends DutyRoomsStatus {
  workstation: { id: number; name: string; roomId: number; roomName: string } | null;
}

export class DutyService {
  /** Last activity written per credential hash (only enrolled ones are kept). */
  private readonly activity = new Map<string, number>();

  constructor(private readonly d: DutyDeps) {}

  /** Enrolls the calling browser as a workstation of monitoring room `roomId`; returns the credential once. */
  async enroll(actor: Actor, roomId: number, name: string): Promise<{ id: number; credential: string }> {
    await requirePermission(this.d.audit, actor, 'org.write', 'duty.workstation.enroll', 'room', roomId);
    const room = await repos(this.d.store.db).rooms.get(actor.scope, roomId);
    if (!room) return denyOutOfScope(this.d.audit, actor, 'duty.workstation.enroll', 'room', roomId);
    if (room.kind !== 'monitoring') throw new AppError('invalid_input', '只能在监控室登记值班终端 (only monitoring rooms have workstations)');
    const credential = newWorkstationCredential();
    const now = this.d.clock.nowMs();
    const id = await this.d.store.db.transaction().execute(async (trx) => {
      const wsId = await repos(trx).duty.insertWorkstation({ room_id: roomId, name, credential_sha256: credentialHash(credential)!, enrolled_by: actor.username, enrolled_at_ms: now, last_seen_at_ms: null, revoked_at_ms: null });
      await this.d.audit.append(trx, actor, { action: 'duty.workstation.enroll', objectType: 'duty_workstation', objectId: wsId, scopePath: room.site_path, detail: { roomId, name, ip: actor.ip } });
      return wsId;
    });
    this.d.log.info({ workstationId: id, roomId, by: actor.username }, '值班终端已登记 (workstation enrolled)');
    return { id, credential };
  }

  /**
   * Enrollment by link (the demo's, or an administrator enrolling a workstation whose browser they
   * are not logged into): `code` is the credential of a workstation never used yet. The browser
   * opening the link while logged in as an administrator in scope gets a fresh credential (the code
   * stops working: one use) and the workstation counts as seen. Audited `duty.workstation.claim`.
   */
  async claim(actor: Actor, code: string): Promise<{ id: number; credential: string; roomName: string }> {
    await requirePermission(this.d.audit, actor, 'org.write', 'duty.workstation.claim', 'duty_workstation', '-');
    const hash = credentialHash(code);
    const ws = hash ? await repos(this.d.store.db).duty.workstationByCredential(hash) : undefined;
    if (!ws || ws.last_seen_at_ms !== null || !inScope(actor.scope, ws.site_path)) {
      await this.d.audit.record(actor, { action: 'duty.workstation.claim', objectType: 'duty_workstation', objectId: ws?.id ?? '-', outcome: 'denied', scopePath: actorPath(actor), detail: { reason: ws ? (ws.last_seen_at_ms !== null ? 'already used' : 'outside scope') : 'unknown or revoked code' } });
      throw new AppError('not_found', '登记链接无效或已使用 (enrollment link unknown, revoked or already used)');
    }
    const credential = newWorkstationCredential();
    const now = this.d.clock.nowMs();
    await this.d.store.db.transaction().execute(async (trx) => {
      if (!(await repos(trx).duty.rotateUnusedCredential(ws.id, hash!, credentialHash(credential)!, now))) throw new AppError('conflict', '登记链接已使用 (enrollment link already used)');
      await this.d.audit.append(trx, actor, { action: 'duty.workstation.claim', objectType: 'duty_workstation', objectId: ws.id, scopePath: ws.site_path, detail: { roomId: ws.room_id, name: ws.name, ip: actor.ip } });
    });
    this.d.log.info({ workstationId: ws.id, by: actor.username }, '值班终端已通过登记链接启用 (workstation enrolled by link)');
    return { id: ws.id, credential, roomName: ws.room_name };
  }

  async revoke(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.d.audit, actor, 'org.write', 'duty.workstation.revoke', 'duty_workstation', id);
    const ws = (await repos(this.d.store.db).duty.listWorkstations(actor.scope)).find((w) => w.id === id);
    if (!ws) return denyOutOfScope(this.d.audit, actor, 'duty.workstation.revoke', 'duty_workstation', id);
    await this.d.store.db.transaction().execute(async (trx) => {
      await repos(trx).duty.revokeWorkstation(id, this.d.clock.nowMs());
      await this.d.audit.append(trx, actor, { action: 'duty.workstation.revoke', objectType: 'duty_workstation', objectId: id, scopePath: ws.site_path });
    });
    this.d.log.info({ workstationId: id, by: actor.username }, '值班终端已注销 (workstation revoked)');
  }

  /**
   * The workstation a request comes from, from its cookie. No cookie: undefined. A cookie that is
   * not a valid, enrolled credential in the actor's scope (forged, revoked, other province): undefined,
   * and audited — the request is then treated as coming from an ordinary computer.
   */
  async workstationOf(actor: Actor, cookie: string | undefined): Promise<WorkstationRow | undefined> {
    if (cookie === undefined || cookie === '') return undefined;
    const hash = credentialHash(cookie);
    const ws = hash ? await repos(this.d.store.db).duty.workstationByCredential(hash) : undefined;
    if (!ws || !inScope(actor.scope, ws.site_path)) {
      await this.d.audit.record(actor, { action: 'duty.workstation.reject', objectType: 'duty_workstation', objectId: ws?.id ?? '-', outcome: 'denied', scopePath: actorPath(actor), detail: { reason: ws ? 'workstation outside scope' : 'unknown or revoked credential' } });
      return undefined;
    }
    await repos(this.d.store.db).duty.touchWorkstation(ws.id, this.d.clock.nowMs());
    return ws;
  }

  /**
   * Marks the workstation whose credential is `cookie` as active now (any logged-in request that
   * carries it: the wall's polls, the duty page, live tokens) and, when the session's user
   * (`sessionUserId`) is checked in at that workstation, that person as present (per-person idle,
   * duty-sweep.ts). Written at most once a minute per workstation and user. An unknown credential
   * changes nothing; a session of someone not checked in there credits nobody.
   */
  async noteActivity(cookie: string | undefined, sessionUserId?: number | null): Promise<void> {
    const hash = cookie ? credentialHash(cookie) : undefined;
    if (!hash) return;
    const now = this.d.clock.nowMs();
    const key = `${hash}|${sessionUserId ?? '-'}`;
    const last = this.activity.get(key);
    if (last !== undefined && now - last < ACTIVITY_WRITE_MS && now >= last) return;
    const r = repos(this.d.store.db);
    const ws = await r.duty.workstationByCredential(hash);
    if (!ws) return;
    this.activity.set(key, now);
    await r.duty.touchWorkstation(ws.id, now);
    if (sessionUserId === undefined || sessionUserId === null) return;
    const mine = (await r.duty.openCheckins({ kind: 'all' }, { userId: sessionUserId })).find((c) => c.workstation_id === ws.id);
    if (mine) await r.duty.notePresence(mine.id, now, 'activity');
  }

  /**
   * 确认在岗: the person of open check-in `checkinId` shows they are still at the console by
   * re-entering their password (+ one-time code when enrolled) on the workstation where they checked
   * in — the way a second person, who has no session on that console, keeps their check-in from going
   * idle. Audited `duty.presence.confirm` (refusals too); logged at info.
   */
  async confirmPresence(actor: Actor, cookie: string | undefined, checkinId: number, proof: Omit<PersonProof, 'username'>): Promise<CheckinRow> {
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.presence.confirm', 'duty_checkin', checkinId);
    const c = (await repos(this.d.store.db).duty.openCheckins(actor.scope)).find((x) => x.id === checkinId);
    if (!c) return denyOutOfScope(this.d.audit, actor, 'duty.presence.confirm', 'duty_checkin', checkinId);
    const ws = await this.workstationOf(actor, cookie);
    if (!ws || ws.id !== c.workstation_id) {
      await this.d.audit.record(actor, { action: 'duty.presence.confirm', objectType: 'duty_checkin', objectId: checkinId, outcome: 'denied', scopePath: ws?.site_path ?? actorPath(actor), detail: { reason: ws ? 'another workstation' : 'not an enrolled workstation' } });
      throw new AppError('forbidden', '只能在签到所用的值班终端上确认在岗 (confirm presence at the workstation you checked in at)');
    }
    const user = await repos(this.d.store.db).users.get({ kind: 'all' }, c.user_id);
    await verifyPerson(this.d, actor, ws, { username: user?.username ?? '', ...proof }, 'duty.presence.confirm', '确认在岗失败：密码或动态验证码错误 (presence not confirmed: wrong password or one-time code)');
    const now = this.d.clock.nowMs();
    await this.d.store.db.transaction().execute(async (trx) => {
      if (!(await repos(trx).duty.notePresence(c.id, now, 'confirm'))) throw new AppError('conflict', '已签退 (already checked out)');
      await this.d.audit.append(trx, actor, { action: 'duty.presence.confirm', objectType: 'duty_checkin', objectId: c.id, scopePath: ws.site_path, detail: { roomId: c.room_id, userId: c.user_id } });
    });
    this.d.log.info({ checkinId: c.id, roomId: c.room_id, user: c.user_name }, `确认在岗：${c.user_name} (presence confirmed)`);
    return (await repos(this.d.store.db).duty.openCheckins({ kind: 'all' }, { userId: c.user_id }))[0];
  }

  /**
   * A person checks in at the workstation whose credential is `cookie`, with their own password
   * (+TOTP): R-DIS-1. The console's session must be one that may watch (video.live): check-in exists
   * for watching, and an oversight-only account must not change who is on duty.
   */
  async checkIn(actor: Actor, cookie: string | undefined, input: CheckinInput): Promise<CheckinRow> {
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.checkin', 'duty_workstation', '-');
    const ws = await this.workstationOf(actor, cookie);
    if (!ws) {
      // A presented credential that was refused is already audited (duty.workstation.reject): one refusal, one record.
      if (cookie === undefined || cookie === '') await this.d.audit.record(actor, { action: 'duty.checkin', objectType: 'duty_workstation', objectId: '-', outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not an enrolled workstation', username: input.username } });
      throw new AppError('forbidden', '只能在已登记的监控室值班终端签到 (check-in only at an enrolled monitoring-room workstation)');
    }
    const r = repos(this.d.store.db);
    // A replayed check-in (same one-time code again) is refused there: each code is accepted once.
    const user = await verifyPerson(this.d, actor, ws, input, 'duty.checkin', '签到失败：用户名、密码或动态验证码错误 (check-in refused: wrong username, password or one-time code)');
    const now = this.d.clock.nowMs();
    const roster = await r.duty.roster({ kind: 'all' }, { roomId: ws.room_id, atMs: now });
    if (roster.length > 0 && !roster.some((x) => x.user_id === user.id)) {
      await this.d.audit.record(actor, { action: 'duty.checkin', objectType: 'duty_workstation', objectId: ws.id, outcome: 'denied', scopePath: ws.site_path, detail: { reason: 'not on the roster', username: user.username } });
      throw new AppError('forbidden', `${user.display_name} 不在本监控室当前值班表中 (not on this room's duty roster now)`);
    }
    if ((await r.duty.openCheckins({ kind: 'all' }, { userId: user.id })).length > 0) {
      await this.d.audit.record(actor, { action: 'duty.checkin', objectType: 'duty_workstation', objectId: ws.id, outcome: 'denied', scopePath: ws.site_path, detail: { reason: 'already checked in (replayed check-in)', username: user.username } });
      throw new AppError('conflict', `${user.display_name} 已签到，请勿重复签到 (already checked in)`);
    }
    return this.d.store.db.transaction().execute(async (trx) => {
      const t = repos(trx);
      const id = await t.duty.insertCheckin({ room_id: ws.room_id, workstation_id: ws.id, user_id: user.id, user_name: user.display_name, checked_in_at_ms: now, checked_out_at_ms: null, out_reason: null });
      await this.d.audit.append(trx, actor, { action: 'duty.checkin', objectType: 'duty_checkin', objectId: id, scopePath: ws.site_path, detail: { workstationId: ws.id, roomId: ws.room_id, userId: user.id, username: user.username } });
      await this.publishState(trx, ws.room_id, ws.site_path, now);
      this.d.log.info({ roomId: ws.room_id, user: user.username }, `值班签到：${user.display_name} (checked in)`);
      return (await t.duty.openCheckins({ kind: 'all' }, { userId: user.id }))[0];
    });
  }

  /** Closes a check-in (by anyone at the console, or the idle sweep); publishes the new state upward. */
  async checkOut(actor: Actor, checkinId: number, reason: CheckoutReason = 'manual'): Promise<void> {
    // Same right as checking in: whoever may watch at the console; not an oversight-only account.
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.checkout', 'duty_checkin', checkinId);
    const c = (await repos(this.d.store.db).duty.openCheckins(actor.scope)).find((x) => x.id === checkinId);
    if (!c) return denyOutOfScope(this.d.audit, actor, 'duty.checkout', 'duty_checkin', checkinId);
    const ws = (await repos(this.d.store.db).duty.listWorkstations({ kind: 'all' }, c.room_id)).find((w) => w.id === c.workstation_id);
    const sitePath = ws?.site_path ?? actorPath(actor);
    const now = this.d.clock.nowMs();
    await this.d.store.db.transaction().execute(async (trx) => {
      if (!(await repos(trx).duty.checkout(checkinId, now, reason))) throw new AppError('conflict', '已签退 (already checked out)');
      await this.d.audit.append(trx, actor, { action: 'duty.checkout', objectType: 'duty_checkin', objectId: checkinId, scopePath: sitePath, detail: { roomId: c.room_id, userId: c.user_id, reason } });
      await this.publishState(trx, c.room_id, sitePath, now);
    });
    this.d.log.info({ roomId: c.room_id, user: c.user_name, reason }, `值班签退：${c.user_name} (checked out)`);
  }

  /** Who is checked in per monitoring room in scope, and whether each room meets the rule now. */
  /**
   * Who is checked in per monitoring room in scope, and whether each room meets the rule now. Per
   * person `confirmDueAtMs`: when they must next 确认在岗 (null outside exam/custody windows).
   */
  async status(actor: Actor): Promise<DutyRoomsStatus> {
    await requirePermission(this.d.audit, actor, 'org.read', 'duty.status', 'duty_checkin', '*');
    const r = repos(this.d.store.db);
    const wss = await r.duty.listWorkstations(actor.scope);
    const rooms = new Map(wss.map((w) => [w.room_id, w.room_name]));
    const open = await r.duty.openCheckins(actor.scope);
    const now = this.d.clock.nowMs();
    const since = await windowSinceByRoom(this.d.store.db, [...rooms.keys()], now);
    const every = this.presenceEveryMs;
    const list = [...rooms].map(([roomId, roomName]) => {
      const onDuty = open.filter((c) => c.room_id === roomId).map((c) => ({ checkinId: c.id, name: c.user_name, sinceMs: c.checked_in_at_ms, lastPresentAtMs: Math.max(c.checked_in_at_ms, c.last_present_at_ms ?? 0), confirmDueAtMs: presenceDueAtMs(c, since.get(roomId) ?? null, every) }));
      return { roomId, roomName, onDuty, meetsTwoPerson: onDuty.length >= MIN_ON_DUTY };
    });
    return { rooms: list, presenceEveryMs: every, promptLeadMs: promptLeadMs(every), nowMs: now };
  }

  get presenceEveryMs(): number {
    return this.d.presenceEveryMs ?? DEFAULT_PRESENCE_EVERY_MS;
  }

  /**
   * Raises (or clears) the alone-watch alarm of monitoring room `roomId` when it differs from what was
   * last sent: the sweep's check for windows that start (or end) while fewer than two are on duty.
   * What was published: 'raised', 'cleared', or undefined when nothing changed.
   */
  async reconcileAlarm(roomId: number, sitePath: string): Promise<'raised' | 'cleared' | undefined> {
    if (!this.d.publish) return undefined;
    const now = this.d.clock.nowMs();
    return this.d.store.db.transaction().execute(async (trx) => {
      const open = await repos(trx).duty.openCheckins({ kind: 'all' }, { roomId });
      return this.publishAlarm(trx, roomId, sitePath, open.map((c) => c.user_name), now, true);
    });
  }

  /** Publishes the room's duty state upward (`duty.state`, key = room id): count, names, below-two flag. */
  private async publishState(trx: Kysely<Database>, roomId: number, sitePath: string, atMs: number): Promise<void> {
    if (!this.d.publish) return;
    const open = await repos(trx).duty.openCheckins({ kind: 'all' }, { roomId });
    await this.d.publish(trx, { topic: 'duty.state', key: String(roomId), scopePath: sitePath, body: { roomId, onDuty: open.length, names: open.map((c) => c.user_name), belowTwo: open.length < MIN_ON_DUTY, atMs } });
    await this.publishAlarm(trx, roomId, sitePath, open.map((c) => c.user_name), atMs);
  }

  /**
   * R-DIS-3: fewer than two on duty while an exam or custody window of the site is open is an alarm
   * for the level above (`duty.alarm`, key = room id; `alone: false` clears it). Sent in the same
   * transaction as the check-out, so it leaves with the next uplink poll (about 1 s), well within 60 s.
   */
  private async publishAlarm(trx: Kysely<Database>, roomId: number, sitePath: string, names: string[], atMs: number, onlyOnChange = false): Promise<'raised' | 'cleared' | undefined> {
    const t = repos(trx);
    const room = await t.rooms.get({ kind: 'all' }, roomId);
    if (!room) return undefined;
    const siteRooms = (await t.rooms.list({ kind: 'all' })).filter((x) => x.site_id === room.site_id).map((x) => x.id);
    const windows = await t.duty.windowsAt(siteRooms, atMs);
    const prev = await t.duty.ownUplinkBody('duty.alarm', String(roomId));
    const wasAlone = prev ? (JSON.parse(prev) as { alone?: boolean }).alone === true : false;
    const alone = windows.length > 0 && names.length < MIN_ON_DUTY;
    if (!alone && !wasAlone) return undefined;
    if (onlyOnChange && alone === wasAlone) return undefined;
    const kinds = [...new Set(windows.map((w) => w.kind))];
    const message = alone ? `${room.name}${kinds.includes('exam') ? '考试' : '保密'}时段仅 ${names.length} 人在岗，违反两人值守规定` : `${room.name}已恢复两人在岗`;
    await this.d.publish!(trx, { topic: 'duty.alarm', key: String(roomId), scopePath: sitePath, body: { roomId, roomName: room.name, onDuty: names.length, names, alone, windows: kinds, message, atMs } satisfies DutyAlarmBody });
    if (alone) this.d.log.warn({ roomId, onDuty: names.length }, `两人值守告警已上报 (${message})`);
    else this.d.log.info({ roomId }, `两人值守告警解除 (${message})`);
    return alone ? 'raised' : 'cleared';
  }
}
