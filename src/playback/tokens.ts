// Media tokens for playback sockets and export downloads: issued after the permission and scope
// checks, single use, bound to the user, the login session and the cameras (R-SEC-4).
import type { Actor } from '../auth/actor.ts';
import { actorFor } from '../auth/auth-service.ts';
import type { Client } from '../auth/auth-service.ts';
import { MEDIA_TOKEN_TTL_MS, signMediaToken, verifyMediaToken } from '../auth/media-token.ts';
import type { MediaClaims, MediaPurpose } from '../auth/media-token.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';

export interface Redeemed<T> {
  actor: Actor;
  claims: MediaClaims;
  extra: T;
}

export class MediaTokens<T> {
  /** Tokens issued and not yet used, by token, with what the issuer attached. */
  private readonly live = new Map<string, { exp: number; extra: T }>();

  constructor(
    private readonly key: Buffer,
    private readonly purpose: MediaPurpose,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  issue(actor: Actor, sessionId: string, cameraIds: number[], extra: T): { token: string; expiresAtMs: number } {
    if (actor.userId === null) throw new Error('media tokens are for users');
    const now = this.clock.nowMs();
    for (const [t, v] of this.live) if (v.exp <= now) this.live.delete(t);
    const exp = now + MEDIA_TOKEN_TTL_MS;
    const token = signMediaToken(this.key, { u: actor.userId, p: this.purpose, c: cameraIds, exp, s: sessionId.slice(0, 16) });
    this.live.set(token, { exp, extra });
    return { token, expiresAtMs: exp };
  }

  /** The actor and claims of a valid token, used up by this call; undefined otherwise. */
  async redeem(token: string, client: Client): Promise<Redeemed<T> | undefined> {
    const entry = this.live.get(token);
    this.live.delete(token);
    const claims = verifyMediaToken(this.key, token, this.clock.nowMs());
    if (!entry || !claims || claims.p !== this.purpose) return undefined;
    if (!(await this.sessionAlive(claims))) return undefined;
    const user = await repos(this.store.db).users.get({ kind: 'all' }, claims.u);
    if (!user || user.disabled) return undefined;
    return { actor: actorFor(user, client), claims, extra: entry.extra };
  }

  /** Whether the login session a token names still exists and has not expired. */
  async sessionAlive(claims: MediaClaims): Promise<boolean> {
    const session = await this.store.db.selectFrom('user_session').select(['id', 'user_id', 'expires_at_ms']).where('id', 'like', `${claims.s}%`).where('user_id', '=', claims.u).executeTakeFirst();
    return Boolean(session && Number(session.expires_at_ms) > this.clock.nowMs());
  }
}
