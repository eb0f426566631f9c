// Account administration (R-ORG-1, R-CITY-2, R-SEC-4): administrators create and change accounts
// only at nodes inside their own scope, so a city administrator can issue district accounts that
// see only their district.
import type { AuditService } from '../audit/audit-service.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { UserRow } from '../store/repos/user-repo.ts';
import type { Role } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { Actor } from './actor.ts';
import { denyOutOfScope, requirePermission } from './guard.ts';
import { countFailure } from './failures.ts';
import { hashPassword, passwordProblems, verifyPassword } from './password.ts';
import type { SessionWatch } from './session-watch.ts';

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgNodeId: number;
  orgNodeName: string;
  disabled: boolean;
  totpEnabled: boolean;
  /** Generated at first start or set by an administrator: the server allows only a password change until then. */
  mustChangePassword: boolean;
  /** Locked after too many failures until this instant (ms), else null; shown to administrators. */
  lockedUntilMs: number | null;
  createdAtMs: number;
}

export function userView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    orgNodeId: u.org_node_id,
    orgNodeName: u.org_name,
    disabled: Boolean(u.disabled),
    totpEnabled: Boolean(u.totp_enabled),
    mustChangePassword: Boolean(u.must_change_password),
    lockedUntilMs: u.locked_until_ms === null ? null : Number(u.locked_until_ms),
    createdAtMs: Number(u.created_at_ms),
  };
}

function checkPassword(password: string, username: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length) throw new AppError('invalid_input', `密码不符合要求: ${problems.join('; ')}`, { problems });
}

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly watch?: SessionWatch,
  ) {}

  async list(actor: Actor): Promise<UserView[]> {
    await requirePermission(this.audit, actor, 'user.read', 'user.list', 'user', '*');
    return (await repos(this.store.db).users.list(actor.scope)).map(userView);
  }

  async create(actor: Actor, input: { username: string; displayName: string; role: Role; orgNodeId: number; password: string }): Promise<UserView> {
    await requirePermission(this.audit, actor, 'user.write', 'user.create', 'user', input.username);
    const r = repos(this.store.db);
    const node = await r.org.get(actor.scope, input.orgNodeId);
    if (!node) return denyOutOfScope(this.audit, actor, 'user.create', 'org_node', input.orgNodeId);
    if (!/^[A-Za-z0-9_.-]{3,64}$/.test(input.username)) throw new AppError('invalid_input', '用户名须为3-64位字母、数字、下划线、点或连字符 (username: 3-64 of A-Z a-z 0-9 _ . -)');
    if (await r.users.byUsername(input.username)) throw new AppError('conflict', `用户名 ${input.username} 已存在 (username taken)`);
    checkPassword(input.password, input.username);
    const now = this.clock.nowMs();
    const hash = await hashPassword(input.password);
    const id = await this.store.db.transaction().execute(async (trx) => {
      const newId = await repos(trx).users.insert({
        username: input.username,
        display_name: input.displayName,
        password_hash: hash,
        role: input.role,
        org_node_id: node.id,
        disabled: 0,
        failed_logins: 0,
        locked_until_ms: null,
        totp_secret_enc: null,
        totp_enabled: 0,
        totp_last_step: null,
        must_change_password: 0,
        password_changed_at_ms: now,
        created_at_ms: now,
      });
      await this.audit.append(trx, actor, { action: 'user.create', objectType: 'user', objectId: newId, scopePath: node.path, detail: { username: input.username, role: input.role, orgNodeId: node.id } });
      return newId;
    });
    return userView((await r.users.get({ kind: 'all' }, id))!);
  }

  async update(actor: Actor, id: number, input: { displayName?: string; role?: Role; orgNodeId?: number; disabled?: boolean; password?: string }): Promise<UserView> {
    await requirePermission(this.audit, actor, 'user.write', 'user.update', 'user', id);
    const r = repos(this.store.db);
    const user = await r.users.get(actor.scope, id);
    if (!user) return denyOutOfScope(this.audit, actor, 'user.update', 'user', id);
    if (user.id === actor.userId && (input.role !== undefined || input.disabled || input.orgNodeId !== undefined))
      throw new AppError('forbidden', '不能修改自己的角色、机构或停用自己 (cannot change your own role, node or disable yourself)');
    const patch: Parameters<typeof r.users.update>[1] = {};
    if (input.displayName !== undefined) patch.display_name = input.displayName;
    if (input.role !== undefined) patch.role = input.role;
    if (input.disabled !== undefined) patch.disabled = input.disabled ? 1 : 0;
    let scopePath = user.org_path;
    if (input.orgNodeId !== undefined) {
      const node = await r.org.get(actor.scope, input.orgNodeId);
      if (!node) return denyOutOfScope(this.audit, actor, 'user.update', 'org_node', input.orgNodeId);
      patch.org_node_id = node.id;
      scopePath = node.path;
    }
    if (input.password !== undefined) {
      checkPassword(input.password, user.username);
      patch.password_hash = await hashPassword(input.password);
      patch.password_changed_at_ms = this.clock.nowMs();
      patch.failed_logins = 0;
      patch.locked_until_ms = null;
      // A password an administrator set for someone else is known to two people: the user must change it (issue 13).
      patch.must_change_password = user.id === actor.userId ? 0 : 1;
    }
    const ended = await this.store.db.transaction().execute(async (trx) => {
      await repos(trx).users.update(id, patch);
      // A changed role, node, password or a disabled account ends the user's sessions.
      const ids = input.role !== undefined || input.orgNodeId !== undefined || input.disabled || input.password !== undefined ? await repos(trx).sessions.deleteForUser(id) : [];
      const { password: _pw, ...shown } = input;
      await this.audit.append(trx, actor, { action: 'user.update', objectType: 'user', objectId: id, scopePath, detail: { ...shown, passwordChanged: input.password !== undefined } });
      return ids;
    });
    // After the commit: live and playback sockets and WebRTC sessions of those logins close now.
    this.watch?.ended(ended);
    return userView((await r.users.get({ kind: 'all' }, id))!);
  }

  /**
   * Changes one's own password. A wrong current password counts towards the lockout like a wrong
   * login (reaching it ends every session: a stolen session cannot guess on); success ends the
   * user's other sessions (issue 13).
   */
  async changeOwnPassword(actor: Actor, oldPassword: string, newPassword: string, currentSessionId?: string): Promise<void> {
    const r = repos(this.store.db);
    const user = actor.userId === null ? undefined : await r.users.get({ kind: 'all' }, actor.userId);
    if (!user) throw new AppError('unauthorized', '请先登录 (log in first)');
    if (!(await verifyPassword(oldPassword, user.password_hash))) {
      const { locked } = await countFailure({ store: this.store, audit: this.audit, clock: this.clock }, actor, user, 'user.password', 'wrong current password');
      if (locked) this.watch?.ended(await r.sessions.deleteForUser(user.id));
      throw new AppError('invalid_credentials', locked ? '原密码错误次数过多，账户已锁定并退出登录 (too many wrong passwords: locked and logged out)' : '原密码错误 (wrong current password)');
    }
    checkPassword(newPassword, user.username);
    const hash = await hashPassword(newPassword);
    const ended = await this.store.db.transaction().execute(async (trx) => {
      await repos(trx).users.update(user.id, { password_hash: hash, password_changed_at_ms: this.clock.nowMs(), must_change_password: 0 });
      const ids = await repos(trx).sessions.deleteForUser(user.id, currentSessionId);
      await this.audit.append(trx, actor, { action: 'user.password', objectType: 'user', objectId: user.id, scopePath: user.org_path, detail: { otherSessionsEnded: ids.length } });
      return ids;
    });
    this.watch?.ended(ended);
  }
}
