// The `npm start` demo has a ledger and one open ticket (issue 19; R-SEC-2, R-FLT-1, R-PRE-1).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { seedDemoLedger } from '../../src/ledger/demo-ledger.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('demo ledger', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t?.close());

  it('R-SEC-1/R-SEC-2/R-FLT-1/R-PRE-1: devices of every class with a responsible person, one open ticket, a training record', async () => {
    const site = (await t.app.org.tree(SYSTEM_ACTOR)).find((n) => n.kind === 'site')!;
    await seedDemoLedger(t.app, pino({ level: 'silent' }), site.id, SYSTEM_ACTOR);
    const devices = await t.app.ledger.ledger.list(SYSTEM_ACTOR);
    expect(new Set(devices.map((d) => d.deviceClass))).toEqual(new Set(['nvr', 'switch', 'server', 'workstation', 'monitor', 'ups', 'clock']));
    expect(devices.every((d) => d.responsibleName === '王老师')).toBe(true);
    const open = await t.app.ledger.faults.list(SYSTEM_ACTOR, { state: 'unverified' });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ state: 'open', deviceClass: 'ups' });
    const admin = await repos(t.app.store.db).users.byUsername('admin');
    expect(await t.app.ledger.ledger.training(SYSTEM_ACTOR, admin!.id)).toHaveLength(1);
  });
});
