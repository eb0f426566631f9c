// What users ask of playback: a token for the playback socket, the socket session itself, the
// timeline with its bands, and thumbnails. Permission and scope first; refusals audited
// (R-SEC-4, R-DIS-5, R-ACC-1).
import type { SessionWatch } from '../auth/session-watch.ts';
import { LOGIN_RECHECK_MS } from '../auth/session-watch.ts';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Client } from '../auth/auth-service.ts';
import { actorPath, denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { FileStore } from '../recording/file-store.ts';
import type { CameraTimeline, RecordingService } from '../recording/recording-service.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { PlaybackIndex } from './index-view.ts';
import { PlaybackSession } from './session.ts';
import type { PlaybackSocket } from './session.ts';
import type { Thumbnails } from './thumbnails.ts';
import type { MediaTokens } from './tokens.ts';

/** A band on the timeline (an exam session, a required window…), from another module. */
export interface TimelineBand {
  cameraId?: number;
  startMs: number;
  endMs: number;
  label: string;
  kind: string;
}
export type BandSource = (actor: Actor, cameraIds: number[], fromMs: number, toMs: number) => Promise<TimelineBand[]>;

const THUMB_AUDIT_MS = 10 * 60_000;

export class PlaybackService {
  private readonly bandSources: BandSource[] = [];
  private readonly thumbAudited = new Map<string, number>();
  private readonly sessions = new Set<PlaybackSession>();

  constructor(
    private readonly deps: { store: Store; audit: AuditService; clock: Clock; files: FileStore; recordings: RecordingService; log: Logger; sessions?: SessionWatch },
    readonly index: PlaybackIndex,
    private readonly tokens: MediaTokens<{ fromMs: number }>,
    private readonly thumbnails: Thumbnails,
  ) {}

  addBandSource(source: BandSource): void {
    this.bandSources.push(source);
  }

  /** Cameras in the actor's scope, or an audited 404 naming the first one that is not. */
  async camerasInScope(actor: Actor, cameraIds: number[], action: string): Promise<CameraRow[]> {
    const r = repos(this.deps.store.db);
    const out: CameraRow[] = [];
    for (const id of cameraIds) {
      const cam = await r.cameras.get(actor.scope, id);
      if (!cam) return denyOutOfScope(this.deps.audit, actor, action, 'camera', id);
      out.push(cam);
    }
    return out;
  }

  async issueToken(actor: Actor, sessionId: string, cameraIds: number[], fromMs: number): Promise<{ token: string; expiresAtMs: number; wsPath: string }> {
    await requirePermission(this.deps.audit, actor, 'video.playback', 'playback.token', 'camera', cameraIds.join(','));
    if (cameraIds.length === 0 || cameraIds.length > 16 || new Set(cameraIds).size !== cameraIds.length) throw new AppError('invalid_input', '请选择1到16路不重复的摄像机 (1 to 16 distinct cameras)');
    await this.camerasInScope(actor, cameraIds, 'playback.token');
    const t = this.tokens.issue(actor, sessionId, cameraIds, { fromMs });
    return { ...t, wsPath: `/api/playback/ws?token=${encodeURIComponent(t.token)}` };
  }

  /** Opens a session on a socket for a token; closes the socket (4401) when the token is not good. */
  async open(socket: PlaybackSocket, token: string, client: Client): Promise<PlaybackSession | undefined> {
    const redeemed = await this.tokens.redeem(token, client);
    if (!redeemed) {
      socket.send(JSON.stringify({ type: 'error', message: '回放令牌无效或已过期 (invalid or expired playback token)' }));
      socket.close(4401, 'invalid token');
      return undefined;
    }
    const { actor, claims, extra } = redeemed;
    let cams: CameraRow[];
    try {
      await requirePermission(this.deps.audit, actor, 'video.playback', 'playback.start', 'camera', claims.c.join(','));
      cams = await this.camerasInScope(actor, claims.c, 'playback.start');
    } catch {
      socket.close(4403, 'forbidden');
      return undefined;
    }
    const session = new PlaybackSession(
      socket,
      { index: this.index, files: this.deps.files, audit: this.deps.audit, actor, log: this.deps.log, now: () => Date.now() },
      cams.map((c) => ({ id: c.id, name: c.name, gbCode: c.gb_code, scopePath: c.site_path })),
    );
    this.sessions.add(session);
    // The login ends (logout, disable, password change, lockout): the stream stops at once here,
    // and within LOGIN_RECHECK_MS when another process ended it (issue 13 item 5, R-SEC-4).
    const end = () => socket.close(4401, 'session ended');
    const unwatch = this.deps.sessions?.watch(claims.s, end);
    const recheck = setInterval(() => {
      void this.tokens.sessionAlive(claims).then((alive) => alive || end(), () => undefined);
    }, LOGIN_RECHECK_MS);
    recheck.unref();
    socket.on('close', () => {
      this.sessions.delete(session);
      unwatch?.();
      clearInterval(recheck);
    });
    await session.begin(extra.fromMs);
    return session;
  }

  async timeline(actor: Actor, cameraIds: number[], fromMs: number, toMs: number): Promise<{ cameras: CameraTimeline[]; bands: TimelineBand[] }> {
    const cameras = await this.deps.recordings.timelines(actor, cameraIds, fromMs, toMs);
    const bands = (await Promise.all(this.bandSources.map((b) => b(actor, cameraIds, fromMs, toMs).catch(() => [])))).flat();
    return { cameras, bands };
  }

  async thumbnail(actor: Actor, cameraId: number, atMs: number): Promise<Buffer | undefined> {
    await requirePermission(this.deps.audit, actor, 'video.playback', 'recording.thumbnail', 'camera', cameraId);
    const [cam] = await this.camerasInScope(actor, [cameraId], 'recording.thumbnail');
    const key = `${actor.userId}:${cameraId}`;
    const now = this.deps.clock.nowMs();
    if ((this.thumbAudited.get(key) ?? -Infinity) + THUMB_AUDIT_MS <= now) {
      this.thumbAudited.set(key, now);
      await this.deps.audit.record(actor, { action: 'recording.thumbnail', objectType: 'camera', objectId: cameraId, scopePath: cam.site_path ?? actorPath(actor), detail: { atMs, note: 'thumbnails of this camera, audited once per 10 minutes' } });
    }
    return this.thumbnails.get(cameraId, atMs);
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.close()));
  }
}
