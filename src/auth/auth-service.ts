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
import { LOCKOUT_MS, MAX_FAILED_LOGINS, countFailure } from './failures.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { verifyPassword } from './password.ts';
import type { SessionWatch } from './session-watch.ts';

/**
 * One answer for an unknown user, a wrong password, a locked and a disabled account (issue 13
 * item 8): the status and message never tell which, so accounts cannot be enumerated.
 */
const REFUSED = `用户名或密码错误；连续错误${MAX_FAILED_LOGINS}次将锁定账户${LOCKOUT_MS / 60_000}分钟 (wrong username or password; ${MAX_FAILED_LOGINS} failures lock the account for ${LOCKOUT_MS / 60_000} minutes)`;
/** A well-formed hash of nothing: unknown users cost the same scrypt work as known ones. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The TOTP step (30-s count since the epoch) a code belongs to, within ±1 step of now; undefined when wrong. */
export function totpStepOf(secret: string, code: string, nowMs = Date.now()): number | undefined {
  const delta = authenticator.clone({ epoch: nowMs, window: 1 }).checkDelta(code, secret);
  return delta === null ? undefined : Math.floor(nowMs / 30_000) + delta;
}

/** Thrown inside a login transaction to roll it back; the refusal is audited afterwards. */
class LoginRefused extends Error {
  constructor(readonly reason: 'locked meanwhile' | 'replayed one-time code') {
    super(reason);
  }
}

export { LOCKOUT_MS, MAX_FAILED_LOGINS } from './failures.ts';
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
    private readonly watch: SessionWatch,
    private readonly throttle: LoginThrottle,
  ) {}

  private deps() {
    return { store: this.store, audit: this.audit, clock: this.clock };
  }

  /** Where refusals that concern no known account are recorded: the root of the tree, which its inspectors see. */
  private async rootScopePath(): Promise<string> {
    return (await repos(this.store.db).org.rootPath()) ?? '/';
  }

  /** Ends sessions (already deleted from the database) for every media path watching them. */
  sessionsEnded(ids: readonly string[]): void {
    this.watch.ended(ids);
  }

  async login(username: string, password: string, totp: string | undefined, client: Client): Promise<{ token: string } & AuthenticatedSession> {
    const attempt = this.throttle.begin(client.ip);
    if (!attempt) {
      const anonymous = { userId: null, username, role: 'system' as const, ...client, scope: { kind: 'all' as const } };
      await this.audit.record(anonymous, { action: 'auth.login', objectType: 'user', objectId: username, outcome: 'denied', scopePath: await this.rootScopePath(), detail: { reason: 'too many failures from this address' } });
      const min = Math.max(1, Math.ceil(this.throttle.retryAfterMs(client.ip) / 60_000));
      throw new AppError('too_many_requests', `来自此地址的登录失败次数过多，请 ${min} 分钟后再试 (too many failed logins from this address)`);
    }
    try {
      const session = await this.tryLogin(username, password, totp, client);
      attempt.succeeded();
      return session;
    } catch (err) {
      // Asking for the second factor after a right password is not a failure of the address.
      if (err instanceof AppError && err.code === 'totp_required') attempt.succeeded();
      else attempt.failed();
      throw err;
    }
  }

  private async tryLogin(username: string, password: string, totp: string | undefined, client: Client): Promise<{ token: string } & AuthenticatedSession> {
    const r = repos(this.store.db);
    const user = await r.users.byUsername(username);
    const now = this.clock.nowMs();
    // The scrypt work is done on every path (unknown, locked, disabled): all answer in equal time.
    const passwordOk = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user) {
      const anonymous = { userId: null, username, role: 'system' as const, ...client, scope: { kind: 'all' as const } };
      await this.audit.record(anonymous, { action: 'auth.login', objectType: 'user', objectId: username, outcome: 'denied', scopePath: await this.rootScopePath(), detail: { reason: 'unknown user' } });
      throw new AppError('invalid_credentials', REFUSED);
    }
    const actor = actorFor(user, client);
    const scopePath = user.org_path;
    if ((user.locked_until_ms !== null && user.locked_until_ms > now) || user.disabled) {
      await this.audit.record(actor, { action: 'auth.login', objectType: 'user', objectId: user.id, outcome: 'denied', scopePath, detail: { reason: user.disabled ? 'disabled' : 'locked' } });
      throw new AppError('invalid_credentials', REFUSED);
    }
    if (!passwordOk) {
      await countFailure(this.deps(), actor, user, 'auth.login', 'wrong password');
      throw new AppError('invalid_credentials', REFUSED);
    }
    let step: number | undefined;
    if (user.totp_enabled) {
      if (!totp) throw new AppError('totp_required', '请输入动态验证码 (one-time code required)');
      step = totpStepOf(this.box.open(user.totp_secret_enc!), totp);
      if (step === undefined) {
        await countFailure(this.deps(), actor, user, 'auth.login', 'wrong one-time code');
        throw new AppError('invalid_credentials', '动态验证码错误 (wrong one-time code)');
      }
    }
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const sessionId = hashToken(token);
    try {
      await this.store.db.transaction().execute(async (trx) => {
        const tr = repos(trx);
        // A code is accepted once (replay refused), and the count is cleared only if no racing
        // failure locked the account since it was read: both are single conditional UPDATEs.
        if (step !== undefined && !(await tr.users.claimTotpStep(user.id, step))) throw new LoginRefused('replayed one-time code');
        if (!(await tr.users.clearFailuresIfUsable(user.id, now))) throw new LoginRefused('locked meanwhile');
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
    } catch (err) {
      if (!(err instanceof LoginRefused)) throw err;
      if (err.reason === 'replayed one-time code') {
        await countFailure(this.deps(), actor, user, 'auth.login', err.reason);
        throw new AppError('invalid_credentials', '动态验证码已使用过，请等待下一个验证码 (one-time code already used)');
      }
      await this.audit.record(actor, { action: 'auth.login', objectType: 'user', objectId: user.id, outcome: 'denied', scopePath, detail: { reason: err.reason } });
      throw new AppError('invalid_credentials', REFUSED);
    }
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
      this.watch.ended([sessionId]);
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
    this.watch.ended([session.sessionId]);
  }

  /**
   * Starts TOTP enrolment: stores a new secret (not yet enabled) and returns the otpauth URL. On an
   * account that already has TOTP this replaces its second factor, so it needs the password and a
   * current code (wrong ones count towards the lockout); every setup is audited (issue 13 item 7).
   */
  async totpSetup(session: AuthenticatedSession, proof: { password?: string; code?: string } = {}): Promise<{ secret: string; otpauthUrl: string }> {
    const user = await repos(this.store.db).users.get({ kind: 'all' }, session.user.id);
    if (!user) throw new AppError('unauthorized', '请先登录 (log in first)');
    if (user.totp_enabled) {
      if (!proof.password || !proof.code) throw new AppError('invalid_input', '已启用动态口令：重新生成密钥需要当前密码和动态验证码 (TOTP is on: password and current code required)');
      const passwordOk = await verifyPassword(proof.password, user.password_hash);
      const step = totpStepOf(this.box.open(user.totp_secret_enc!), proof.code);
      const claimed = passwordOk && step !== undefined && (await repos(this.store.db).users.claimTotpStep(user.id, step));
      if (!claimed) {
        const reason = !passwordOk ? 'wrong password' : step === undefined ? 'wrong one-time code' : 'replayed one-time code';
        const { locked } = await countFailure(this.deps(), session.actor, user, 'auth.totp.setup', reason);
        if (locked) await this.endAllSessions(user.id);
        throw new AppError('invalid_credentials', '密码或动态验证码错误 (wrong password or one-time code)');
      }
    }
    const secret = authenticator.generateSecret();
    await this.store.db.transaction().execute(async (trx) => {
      await repos(trx).users.update(user.id, { totp_secret_enc: this.box.seal(secret), totp_enabled: 0 });
      await this.audit.append(trx, session.actor, { action: 'auth.totp.setup', objectType: 'user', objectId: user.id, scopePath: user.org_path, detail: { replacedEnabledFactor: Boolean(user.totp_enabled) } });
    });
    return { secret, otpauthUrl: authenticator.keyuri(session.user.username, 'xuncha', secret) };
  }

  async totpEnable(session: AuthenticatedSession, code: string): Promise<void> {
    const user = await repos(this.store.db).users.get({ kind: 'all' }, session.user.id);
    if (!user?.totp_secret_enc) throw new AppError('invalid_input', '请先生成密钥 (run setup first)');
    const step = totpStepOf(this.box.open(user.totp_secret_enc), code);
    if (step === undefined) {
      const { locked } = await countFailure(this.deps(), session.actor, user, 'auth.totp.enable', 'wrong one-time code');
      if (locked) await this.endAllSessions(user.id);
      throw new AppError('invalid_input', '动态验证码错误 (wrong one-time code)');
    }
    await this.store.db.transaction().execute(async (trx) => {
      // The enrolment code is used up too: it cannot be replayed at the next login.
      await repos(trx).users.claimTotpStep(user.id, step);
      await repos(trx).users.update(user.id, { totp_enabled: 1 });
      await this.audit.append(trx, session.actor, { action: 'auth.totp.enable', objectType: 'user', objectId: user.id, scopePath: user.org_path });
    });
  }

  /** A lockout reached from inside a session (password change, TOTP): whoever holds the session is out too. */
  async endAllSessions(userId: number): Promise<void> {
    this.watch.ended(await repos(this.store.db).sessions.deleteForUser(userId));
  }

  async purgeExpired(): Promise<void> {
    this.watch.ended(await repos(this.store.db).sessions.deleteExpired(this.clock.nowMs(), this.policy.idleTimeoutMs));
  }
}
