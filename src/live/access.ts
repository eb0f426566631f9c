// Who may watch what (R-SEC-4, R-CITY-2) and the audit of each viewing (R-ACC-1): tokens are issued
// after the permission and scope checks; every use of a token re-checks the scope and that the
// login session is still alive; each viewing writes a start and an end record with its duration.
import type { App } from '../app.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFor } from '../auth/auth-service.ts';
import type { Client } from '../auth/auth-service.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import { DutyPolicy, DutyRefusal } from '../duty/policy.ts';
import { ExamPriority, ExamPriorityError } from '../exams/priority.ts';
import { MEDIA_TOKEN_TTL_MS, signMediaToken, verifyMediaToken } from '../auth/media-token.ts';
import type { MediaClaims } from '../auth/media-token.ts';
import { repos } from '../store/repos/index.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { WorkstationRow } from '../store/repos/duty-repo.ts';

export type LiveAccessApp = Pick<App, 'store' | 'audit' | 'keys' | 'clock'>;

/** Checks `video.live` and the scope of every camera, then signs a live token for them. */
export async function issueLiveToken(app: LiveAccessApp, actor: Actor, sessionId: string, cameraIds: number[], opts: { examOverrideReason?: string; workstation?: WorkstationRow } = {}): Promise<{ token: string; expiresAtMs: number; cameras: CameraRow[] }> {
  await requirePermission(app.audit, actor, 'video.live', 'video.live.start', 'camera', cameraIds.join(','));
  const r = repos(app.store.db);
  const cameras: CameraRow[] = [];
  for (const id of cameraIds) {
    const cam = await r.cameras.get(actor.scope, id);
    if (!cam) await denyOutOfScope(app.audit, actor, 'video.live.start', 'camera', id);
    else cameras.push(cam);
  }
  // R-FN-4: during a national exam window only the exam's cameras (admin override: audited).
  await new ExamPriority(app).checkViewing(actor, cameras, { action: 'video.live.start', overrideReason: opts.examOverrideReason });
  // R-DIS-3: two people on duty at a monitoring-room workstation, or an approved grant (src/duty/policy.ts).
  await new DutyPolicy(app).checkViewing(actor, cameras, opts.workstation);
  const exp = app.clock.nowMs() + MEDIA_TOKEN_TTL_MS;
  const token = signMediaToken(app.keys.mediaToken, { u: actor.userId ?? 0, p: 'live', c: cameraIds, exp, s: sessionId, ...(opts.workstation ? { w: opts.workstation.id } : {}) });
  return { token, expiresAtMs: exp, cameras };
}

export class LiveAccessError extends Error {
  constructor(
    readonly code: 'unauthorized' | 'forbidden' | 'not_found' | 'exam_priority',
    message: string,
  ) {
    super(message);
  }
}

/** Verifies a token and resolves its user as an actor; the login session must still exist. */
export async function actorOfToken(app: LiveAccessApp, token: string, client: Client): Promise<{ claims: MediaClaims; actor: Actor }> {
  const claims = verifyMediaToken(app.keys.mediaToken, token, app.clock.nowMs());
  if (!claims || claims.p !== 'live') throw new LiveAccessError('unauthorized', '媒体令牌无效或已过期 (invalid or expired media token)');
  if (!(await sessionAlive(app, claims.s))) throw new LiveAccessError('unauthorized', '登录已失效 (login session ended)');
  const user = await repos(app.store.db).users.get({ kind: 'all' }, claims.u);
  if (!user || user.disabled) throw new LiveAccessError('unauthorized', '用户不可用 (user disabled)');
  return { claims, actor: actorFor(user, client) };
}

export async function sessionAlive(app: LiveAccessApp, sessionId: string): Promise<boolean> {
  const s = await repos(app.store.db).sessions.get(sessionId);
  return Boolean(s && s.expires_at_ms > app.clock.nowMs());
}

/** The camera, if `actor` may watch it and the token names it; refusals are audited. */
export async function cameraForViewing(app: LiveAccessApp, actor: Actor, claims: MediaClaims, cameraId: number): Promise<CameraRow> {
  const cam = claims.c.includes(cameraId) ? await repos(app.store.db).cameras.get(actor.scope, cameraId) : undefined;
  if (!cam) {
    await app.audit.record(actor, { action: 'video.live.start', objectType: 'camera', objectId: cameraId, outcome: 'denied', scopePath: actor.scope.kind === 'all' ? '/' : actor.scope.path, detail: { reason: claims.c.includes(cameraId) ? 'not found in scope' : 'camera not in token' } });
    throw new LiveAccessError('not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
  }
  // R-FN-4, re-checked per subscription (a token may predate the window). Administrators are not
  // re-checked: during a window their token names non-exam cameras only after an audited override.
  if (actor.role !== 'admin') {
    try {
      await new ExamPriority(app).checkViewing(actor, [cam], { action: 'video.live.start' });
    } catch (err) {
      if (err instanceof ExamPriorityError) throw new LiveAccessError('exam_priority', err.message);
      throw err;
    }
  }
  // R-DIS-3, re-checked per subscription: a token issued while two were on duty (or under a grant)
  // opens no new stream once only one is left (or the grant ended) — the token lives 60 s.
  const ws = claims.w === undefined ? undefined : (await repos(app.store.db).duty.listWorkstations({ kind: 'all' })).find((w) => w.id === claims.w && w.revoked_at_ms === null);
  try {
    await new DutyPolicy(app).checkViewing(actor, [cam], ws);
  } catch (err) {
    if (err instanceof DutyRefusal) throw new LiveAccessError('forbidden', err.message);
    throw err;
  }
  return cam;
}

interface Viewing {
  cameraId: number;
  stream: string;
  transport: string;
  scopePath: string;
  startedAtMs: number;
  endedAtMs: number;
  refs: number;
  timer?: NodeJS.Timeout;
}

/**
 * Open viewings of one connection. A viewing paused and resumed within `graceMs` (tile scrolled
 * off screen, page hidden) continues; its end is recorded at the last stop, not after the grace.
 */
export class ViewingLog {
  private readonly open = new Map<string, Viewing>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly app: LiveAccessApp,
    private readonly actor: Actor,
    private readonly graceMs = 30_000,
  ) {}

  start(cam: CameraRow, stream: string, transport: string): void {
    const key = `${cam.id}:${stream}:${transport}`;
    const v = this.open.get(key);
    if (v) {
      clearTimeout(v.timer);
      v.timer = undefined;
      v.refs++;
      return;
    }
    const now = this.app.clock.nowMs();
    this.open.set(key, { cameraId: cam.id, stream, transport, scopePath: cam.site_path, startedAtMs: now, endedAtMs: now, refs: 1 });
    this.track(this.app.audit.record(this.actor, { action: 'video.live.start', objectType: 'camera', objectId: cam.id, scopePath: cam.site_path, detail: { stream, transport } }));
  }

  stop(cameraId: number, stream: string, transport: string): void {
    const key = `${cameraId}:${stream}:${transport}`;
    const v = this.open.get(key);
    if (!v || --v.refs > 0) return;
    v.endedAtMs = this.app.clock.nowMs();
    v.timer = setTimeout(() => this.end(key), this.graceMs);
  }

  /** Ends every open viewing now (connection closed); resolves when the records are written. */
  async closeAll(): Promise<void> {
    const now = this.app.clock.nowMs();
    for (const [key, v] of this.open) {
      clearTimeout(v.timer);
      if (v.refs > 0) v.endedAtMs = now;
      this.end(key);
    }
    await Promise.all([...this.pending]);
  }

  private end(key: string): void {
    const v = this.open.get(key);
    if (!v) return;
    this.open.delete(key);
    const detail = { durationMs: v.endedAtMs - v.startedAtMs, stream: v.stream, transport: v.transport, startedAtMs: v.startedAtMs };
    this.track(this.app.audit.record(this.actor, { action: 'video.live.end', objectType: 'camera', objectId: v.cameraId, scopePath: v.scopePath, detail }));
  }

  private track(p: Promise<void>): void {
    const q = p.catch(() => undefined).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }
}

/**
 * 抓图 from a wall tile (issue 14 item 8): the picture is taken in the browser from what the tile
 * shows; the server records who took which camera's picture, like the viewing itself (R-ACC-1).
 */
export async function recordSnapshot(app: LiveAccessApp, actor: Actor, cameraId: number, atMs: number): Promise<{ cameraName: string }> {
  await requirePermission(app.audit, actor, 'video.live', 'video.snapshot', 'camera', cameraId);
  const cam = await repos(app.store.db).cameras.get(actor.scope, cameraId);
  if (!cam) return denyOutOfScope(app.audit, actor, 'video.snapshot', 'camera', cameraId);
  await app.audit.record(actor, { action: 'video.snapshot', objectType: 'camera', objectId: cam.id, scopePath: cam.site_path, detail: { camera: cam.name, atMs } });
  return { cameraName: cam.name };
}
