// Login, sessions, lockout, TOTP (R-SEC-4, R-SEC-5). Sessions live in the database, identified by
// the SHA-256 of a random token held in an HttpOnly cookie; each carries its own CSRF token.
import { createHash, randomBytes } from 'node:crypto';
import { authenticator } from 'otplib';
import type { AuditService } from '../audit/audit-service.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { UserRow } from '../store/repos/user-repo.ts';
import { AppError } from '../util/errors.ts';
import type { Clock } from '../util/clock.ts';
import type { Actor } from './actor.ts';
import { verifyPassword } from './password.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** last_seen_at_ms is written at most this often, so that every request does not write. */
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
}

export interface Client {
  ip: string;
  workstation: string;
}

export interface AuthenticatedSession {
  sessionId: string;
  csrfToken: string;
  user: UserRow;
  actor: Actor;
}

export function actorFor(user: UserRow, client: Client): Actor {
  return {
    userId: user.id,
    username: user.username,
    role: user.role,
    ip: client.ip,
    workstation: client.workstation,
    scope: { kind: 'subtree', path: user.org_path },
  };
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class AuthService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
  ) {}

  async login(username: string, password: string, totp: string | undefined, client: Client): Promise<{ token: string } & AuthenticatedSession> {
    const r = repos(this.store.db);
    const user = await r.users.byUsername(username);
    const now = this.clock.nowMs();
    const anonymous = { userId: null, username, role: 'system' as const, ...client, scope: { kind: 'all' as const } };
    if (!user) {
      await verifyPassword(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='); // equal time
      await this.audit.record(anonymous, { action: 'auth.login', objectType: 'user', objectId: username, outcome: 'denied', detail: { reason: 'unknown user' } });
      throw new AppError('invalid_credentials', '用户名或密码错误 (wrong username or password)');
    }
    const actor = actorFor(user, client);
    const scopePath = user.org_path;
    if (user.locked_until_ms !== null && user.locked_until_ms > now) {
      await this.audit.record(actor, { action: 'auth.login', objectType: 'user', objectId: user.id, outcome: 'denied', scopePath, detail: { reason: 'locked' } });
      throw new AppError('locked', `账户已锁定，请 ${Math.ceil((user.locked_until_ms - now) / 60_000)} 分钟后再试 (account locked)`);
    }
    if (user.disabled) {
      await this.audit.record(actor, { action: 'auth.login', objectType: 'user', objectId: user.id, outcome: 'denied', scopePath, detail: { reason: 'disabled' } });
      throw new AppError('invalid_credentials', '用户名或密码错误 (wrong username or password)');
    }
    if (!(await verifyPassword(password, user.password_hash))) {
      const failed = user.failed_logins + 1;
      const lock = failed >= MAX_FAILED_LOGINS;
      await this.store.db.transaction().execute(async (trx) => {
        await repos(trx).users.update(user.id, { failed_logins: lock ? 0 : failed, locked_until_ms: lock ? now + LOCKOUT_MS : user.locked_until_ms });
        await this.audit.append(trx, actor, { action: 'auth.login', objectType: 'user', objectId: user.id, outcome: 'denied', scopePath, detail: { reason: 'wrong password', locked: lock } });
      });
      throw new AppError(lock ? 'locked' : 'invalid_credentials', lock ? '密码错误次数过多，账户已锁定15分钟 (too many failures: locked for 15 minutes)' : '用户名或密码错误 (wrong username or password)');
    }
    if (user.totp_enabled) {
      if (!totp) throw new AppError('totp_required', '请输入动态验证码 (one-time code required)');
      const secret = this.box.open(user.totp_secret_enc!);
      if (!authenticator.check(totp, secret)) {
        await this.audit.record(actor, { action: 'auth.login', objectType: 'user', objectId: user.id, outcome: 'denied', scopePath, detail: { reason: 'wrong one-time code' } });
        throw new AppError('invalid_credentials', '动态验证码错误 (wrong one-time code)');
      }
    }
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const sessionId = hashToken(token);
    await this.store.db.transaction().execute(async (trx) => {
      const tr = repos(trx);
      await tr.users.update(user.id, { failed_logins: 0, locked_until_ms: null });
      await tr.sessions.insert({
        id: sessionId,
        user_id: user.id,
        csrf_token: csrfToken,
        created_at_ms: now,
        last_seen_at_ms: now,
        expires_at_ms: now + this.policy.absoluteTimeoutMs,
        ip: client.ip,
        workstation: client.workstation,
      });
      await this.audit.append(trx, actor, { action: 'auth.login', objectType: 'user', objectId: user.id, scopePath });
    });
    return { token, sessionId, csrfToken, user, actor };
  }

  /** Resolves a cookie token to a live session, or undefined when absent, expired or idle too long. */
  async authenticate(token: string, client: Client): Promise<AuthenticatedSession | undefined> {
    const r = repos(this.store.db);
    const sessionId = hashToken(token);
    const s = await r.sessions.get(sessionId);
    if (!s) return undefined;
    const now = this.clock.nowMs();
    if (s.expires_at_ms <= now || s.last_seen_at_ms + this.policy.idleTimeoutMs <= now) {
      await r.sessions.delete(sessionId);
      return undefined;
    }
    const user = await r.users.get({ kind: 'all' }, s.user_id);
    if (!user || user.disabled) return undefined;
    if (now - s.last_seen_at_ms >= TOUCH_INTERVAL_MS) await r.sessions.touch(sessionId, now);
    return { sessionId, csrfToken: s.csrf_token, user, actor: actorFor(user, client) };
  }

  async logout(session: AuthenticatedSession): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await repos(trx).sessions.delete(session.sessionId);
      await this.audit.append(trx, session.actor, { action: 'auth.logout', objectType: 'user', objectId: session.user.id, scopePath: session.user.org_path });
    });
  }

  /** Starts TOTP enrolment: stores a new secret (not yet enabled) and returns the otpauth URL. */
  async totpSetup(session: AuthenticatedSession): Promise<{ secret: string; otpauthUrl: string }> {
    const secret = authenticator.generateSecret();
    await repos(this.store.db).users.update(session.user.id, { totp_secret_enc: this.box.seal(secret), totp_enabled: 0 });
    return { secret, otpauthUrl: authenticator.keyuri(session.user.username, 'xuncha', secret) };
  }

  async totpEnable(session: AuthenticatedSession, code: string): Promise<void> {
    const user = await repos(this.store.db).users.get({ kind: 'all' }, session.user.id);
    if (!user?.totp_secret_enc) throw new AppError('invalid_input', '请先生成密钥 (run setup first)');
    if (!authenticator.check(code, this.box.open(user.totp_secret_enc))) throw new AppError('invalid_input', '动态验证码错误 (wrong one-time code)');
    await this.store.db.transaction().execute(async (trx) => {
      await repos(trx).users.update(user.id, { totp_enabled: 1 });
      await this.audit.append(trx, session.actor, { action: 'auth.totp.enable', objectType: 'user', objectId: user.id, scopePath: user.org_path });
    });
  }

  async purgeExpired(): Promise<void> {
    await repos(this.store.db).sessions.deleteExpired(this.clock.nowMs(), this.policy.idleTimeoutMs);
  }
}
