// Issue 13 item 3 over the real node-to-node channel (R-ACC-1, R-SEC-7): a site sends signed audit
// checkpoints to its city (HTTP, signed batches); the city keeps them; after the site's log is
// truncated and its head rolled back to an older copy with a valid MAC (which `audit verify`
// alone accepts), the site's verify against the city's export of checkpoints fails.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { CHECKPOINT_TOPIC, parseCheckpoints } from '../../src/audit/checkpoints.ts';
import { REPO_ROOT } from '../e2e/helpers/server.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { CITY, SITE, addLower, open as openNode, settingsOf } from './levels.ts';
import type { Node } from './levels.ts';

// Checkpoints every 500 ms (the default is minutes).
const open = (db: TestDatabase, settings: Parameters<typeof openNode>[1], listen: boolean): Promise<Node> =>
  openNode(db, settings, listen ? 0 : undefined, {}, {}, { checkpointIntervalMs: 500 });

describe('audit checkpoints at the upper level detect truncation at the site (R-ACC-1, R-SEC-7)', () => {
  const dbs: TestDatabase[] = [];
  let city: Node | undefined;
  let site: Node | undefined;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) dbs.push(await createTestDatabase('sqlite'));
    city = await open(dbs[0], settingsOf(CITY), true);
    await addLower(city, SITE.id, '第一中学考点', '鼓楼区');
    site = await open(dbs[1], settingsOf(SITE, { id: CITY.id, url: city.url }), false);
  }, 60_000);

  afterAll(async () => {
    for (const n of [site, city]) {
      await n?.server?.close().catch(() => undefined);
      await n?.uplink.stop().catch(() => undefined);
      await n?.app.close().catch(() => undefined);
    }
    for (const d of dbs) await d.drop();
  });

  it('the city keeps the site\'s checkpoints; a rollback at the site passes `verify` alone and fails against them', async () => {
    const s = site!;
    const c = city!;
    const db = s.app.store.db;
    const old = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    for (let i = 0; i < 10; i++) await s.app.audit.record(SYSTEM_ACTOR, { action: 'test.event', objectType: 'thing', objectId: i });
    // On demand (the interval also runs, every 500 ms here).
    const cp = await s.uplink.checkpoints!.checkpoint(true);
    expect(cp!.seq).toBe(Number(old.seq) + 10);
    const cityItems = () => c.uplink.service.list(SYSTEM_ACTOR, { topic: CHECKPOINT_TOPIC });
    await expect.poll(async () => (await cityItems()).some((it) => (it.body as { seq: number }).seq === cp!.seq), { timeout: 30_000, interval: 200 }).toBe(true);

    // The city's export (what GET /api/uplink/items?topic=audit.checkpoint answers), saved as a file.
    const file = path.join(dbs[1].dataDir, 'city-checkpoints.json');
    writeFileSync(file, JSON.stringify(await cityItems()));
    const origin = (await db.selectFrom('org_node').select('gb_code').where('parent_id', 'is', null).executeTakeFirstOrThrow()).gb_code;
    const before = parseCheckpoints(JSON.stringify(await cityItems()), origin);
    expect(before.claims.length).toBeGreaterThan(0);
    expect(await s.app.audit.verifyAgainst(before.claims)).toMatchObject({ ok: true });

    // Stop the site's checkpoints (an attacker would stop the node), then truncate and roll the head back.
    await s.uplink.stop();
    await sql`delete from audit_log where seq > ${old.seq}`.execute(db);
    await sql`update audit_head set seq = ${old.seq}, hash = ${old.hash}, head_mac = ${old.head_mac} where id = 1`.execute(db);
    expect((await s.app.audit.verify()).ok).toBe(true);
    const claims = parseCheckpoints(JSON.stringify(await cityItems()), origin).claims;
    expect(await s.app.audit.verifyAgainst(claims)).toMatchObject({ ok: false, firstBadSeq: Number(old.seq) + 1, reason: expect.stringContaining('removed') });
    // The command line on the site's data, with the file the city exported before the truncation.
    const env = { ...process.env, XUNCHA_DATA_DIR: dbs[1].dataDir, XUNCHA_LOG_LEVEL: 'silent', XUNCHA_CONFIG: '/dev/null' };
    const run = (args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/xuncha.mjs'), ...args], { env, encoding: 'utf8', timeout: 60_000 });
    expect(run(['audit', 'verify']).status).toBe(0);
    const broken = run(['audit', 'verify', '--against-checkpoints', file]);
    expect(broken.status).toBe(6);
    expect(broken.stderr).toContain('checkpoint at record');
  }, 90_000);
});
