// First start: the first administrator, and (unless turned off) a small sample organisation so
// that a new user does not face an empty console. Sample names follow a real province layout.
import type { AuditService } from '../audit/audit-service.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { hashPassword, passwordProblems, randomPassword } from '../auth/password.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { RoomKind } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { allocateGbCode } from './gb-allocator.ts';

export interface SeedResult {
  /** Set only when a random password was generated: print it once. */
  generatedAdminPassword?: string;
  sampleSeeded: boolean;
}

export class AdminPasswordError extends Error {
  constructor(readonly problems: string[]) {
    super(`XUNCHA_ADMIN_PASSWORD does not meet the password policy: ${problems.join('; ')}`);
  }
}

const SAMPLE_ROOMS: Array<{ kind: RoomKind; name: string; seats: number }> = [
  { kind: 'exam', name: '第01考场', seats: 30 },
  { kind: 'exam', name: '第02考场', seats: 30 },
  { kind: 'exam', name: '第03考场', seats: 30 },
  { kind: 'lab', name: '第04考场(机房)', seats: 40 },
  { kind: 'affairs', name: '考务室', seats: 0 },
  { kind: 'secrecy', name: '试卷保密室', seats: 0 },
  { kind: 'monitoring', name: '监控室', seats: 0 },
];

export async function seedFirstStart(store: Store, audit: AuditService, clock: Clock, opts: { adminPassword?: string; sample: boolean }): Promise<SeedResult> {
  const r0 = repos(store.db);
  if ((await r0.org.count()) > 0) return { sampleSeeded: false };
  const now = clock.nowMs();
  // XUNCHA_ADMIN_PASSWORD obeys the same policy as every other password (issue 13).
  const problems = opts.adminPassword === undefined ? [] : passwordProblems(opts.adminPassword, 'admin');
  if (problems.length) throw new AdminPasswordError(problems);
  const password = opts.adminPassword ?? randomPassword();
  const hash = await hashPassword(password);
  await store.db.transaction().execute(async (trx) => {
    const r = repos(trx);
    const add = async (parent: { id: number; path: string } | null, kind: 'province' | 'city' | 'district' | 'site', name: string, region: string) => {
      const gbCode = await allocateGbCode(r, region, '216');
      const row = await r.org.insert({ parentId: parent?.id ?? null, parentPath: parent?.path ?? '/', kind, name, gbCode, regionCode: region, nowMs: now });
      await audit.append(trx, SYSTEM_ACTOR, { action: 'org.create', objectType: 'org_node', objectId: row.id, scopePath: row.path, detail: { kind, name, gbCode, seed: true } });
      return row;
    };
    const province = await add(null, 'province', '江苏省', '320000');
    const adminId = await r.users.insert({
      username: 'admin',
      display_name: '系统管理员',
      password_hash: hash,
      role: 'admin',
      org_node_id: province.id,
      disabled: 0,
      failed_logins: 0,
      locked_until_ms: null,
      totp_secret_enc: null,
      totp_enabled: 0,
      totp_last_step: null,
      // A generated password was printed on the console: it must be replaced at first login.
      must_change_password: opts.adminPassword === undefined ? 1 : 0,
      password_changed_at_ms: now,
      created_at_ms: now,
    });
    await audit.append(trx, SYSTEM_ACTOR, { action: 'user.create', objectType: 'user', objectId: adminId, scopePath: province.path, detail: { username: 'admin', role: 'admin', firstStart: true } });
    if (!opts.sample) return;
    const city = await add(province, 'city', '南京市', '320100');
    await add(city, 'district', '玄武区', '320102');
    const gulou = await add(city, 'district', '鼓楼区', '320106');
    await add(city, 'district', '江宁区', '320115');
    const site = await add(gulou, 'site', '南京市第一中学考点', '320106');
    for (const room of SAMPLE_ROOMS) {
      const roomId = await r.rooms.insert({ siteId: site.id, kind: room.kind, name: room.name, seats: room.seats, gbCode: await allocateGbCode(r, '320106', '216'), nowMs: now });
      await audit.append(trx, SYSTEM_ACTOR, { action: 'room.create', objectType: 'room', objectId: roomId, scopePath: site.path, detail: { ...room, seed: true } });
    }
  });
  return { generatedAdminPassword: opts.adminPassword ? undefined : password, sampleSeeded: opts.sample };
}
