// TOTP hardening (issue 13 item 7; R-SEC-5, R-ACC-1): replacing an enabled factor needs the
// password and a current code and is audited; wrong codes lock like passwords; a code is accepted once.
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FAILED_LOGINS } from '../../src/auth/auth-service.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { AppError } from '../../src/util/errors.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { CLIENT, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const PW = 'Totp-Test-Passw0rd';
const code = (e: unknown) => (e as AppError).code;
const at = (secret: string, offsetS: number) => authenticator.clone({ epoch: Date.now() + offsetS * 1000 }).generate(secret);

describe.each(DIALECTS)('TOTP on %s', (dialect) => {
  let t: TestApp;
  let n = 0;
  async function enrolled() {
    const admin = await t.actor('admin');
    const city = (await t.app.org.tree(admin)).find((x) => x.kind === 'city')!;
    const username = `totp_${n++}`;
    const u = await t.app.users.create(admin, { username, displayName: 'T', role: 'operator', orgNodeId: city.id, password: PW });
    const s = await t.app.auth.login(username, PW, undefined, CLIENT);
    const { secret } = await t.app.auth.totpSetup(s);
    await t.app.auth.totpEnable(s, at(secret, 0));
    return { id: u.id, username, s, secret };
  }
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('setup on an account with TOTP needs password and a current code, and is audited (R-SEC-5, R-ACC-1)', async () => {
    const e = await enrolled();
    expect(code(await t.app.auth.totpSetup(e.s).catch((x: unknown) => x))).toBe('invalid_input');
    expect(code(await t.app.auth.totpSetup(e.s, { password: 'wrong', code: at(e.secret, 30) }).catch((x: unknown) => x))).toBe('invalid_credentials');
    const row = (await repos(t.app.store.db).users.get({ kind: 'all' }, e.id))!;
    expect(row.totp_enabled).toBe(1); // still on: nothing was replaced
    const fresh = await t.app.auth.totpSetup(e.s, { password: PW, code: at(e.secret, 30) });
    expect(fresh.secret).not.toBe(e.secret);
    const audit = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'auth.totp.setup', limit: 100, offset: 0 });
    expect(audit.records.filter((r) => r.object_id === String(e.id)).map((r) => r.outcome).sort()).toEqual(['denied', 'ok', 'ok']); // enrolment, refused replacement, replacement
  });

  it('a code is accepted once: replaying it is refused (R-SEC-5)', async () => {
    const e = await enrolled();
    const next = at(e.secret, 30);
    expect((await t.app.auth.login(e.username, PW, next, CLIENT)).user.id).toBe(e.id);
    expect(code(await t.app.auth.login(e.username, PW, next, CLIENT).catch((x: unknown) => x))).toBe('invalid_credentials');
    // The enrolment code cannot be replayed either.
    expect(code(await t.app.auth.login(e.username, PW, at(e.secret, 0), CLIENT).catch((x: unknown) => x))).toBe('invalid_credentials');
  });

  it(`${MAX_FAILED_LOGINS} wrong codes lock the account like wrong passwords (R-SEC-5)`, async () => {
    const e = await enrolled();
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await t.app.auth.login(e.username, PW, '000000', CLIENT).catch(() => undefined);
    const row = (await repos(t.app.store.db).users.get({ kind: 'all' }, e.id))!;
    expect(row.locked_until_ms).not.toBeNull();
    expect(code(await t.app.auth.login(e.username, PW, at(e.secret, 30), CLIENT).catch((x: unknown) => x))).toBe('invalid_credentials');
  });
});
