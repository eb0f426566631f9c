// Interop with SIPp (see test/interop/sipp for the protocol-layer tests and the scenario): a SIPp
// GB/T 28181 device registers with digest to the cascade module's upper role (HA1 from the
// lower_platform table, Date header on the 200) and keepalives; the upper marks it online.
// Never skipped: a missing sipp binary fails the suite (scripts/ensure-system.sh installs it).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCascadeModule } from '../../src/cascade/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { until } from './helpers.ts';

const SCENARIO = fileURLToPath(new URL('../interop/sipp/device-register-keepalive.xml', import.meta.url));
const DEVICE_ID = '34020000001320000001';
const PASSWORD = '12345678';

describe('SIPp device against the cascade upper role (R-FN-3, R-SEC-5)', () => {
  let t: TestApp | undefined;
  afterAll(async () => {
    if (t) await createCascadeModule(t.app).stop();
    await t?.close();
  });

  it('R-FN-3 R-SEC-5: a SIPp device registers through the 401 challenge, gets a Date, keepalives, and is online', async () => {
    if (spawnSync('sipp', ['-v']).error) throw new Error('sipp is not installed: run `apt-get install sip-tester`');
    t = await createTestApp('sqlite', { realClock: true });
    const cascade = createCascadeModule(t.app, { settings: { id: '34020000002000000001', domain: '3402000000', host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60 } });
    await cascade.start();
    const admin = await t.actor('admin');
    const lower = await cascade.service.createLower(admin, { sipId: DEVICE_ID, name: 'SIPp IPC', kind: 'device', password: PASSWORD });
    const port = cascade.node!.transport.udpPort!;
    const child = spawn('sipp', [`127.0.0.1:${port}`, '-sf', SCENARIO, '-i', '127.0.0.1', '-t', 'u1', '-m', '1', '-au', DEVICE_ID, '-ap', PASSWORD, '-timeout', '15s', '-timeout_error', '-nostdin'], { cwd: path.dirname(SCENARIO), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, out.slice(-2000)).toBe(0);
    await until('device online at the upper', async () => (await repos(t!.app.store.db).cascade.getLower({ kind: 'all' }, lower.id))?.online === 1);
    const row = (await repos(t.app.store.db).cascade.getLower({ kind: 'all' }, lower.id))!;
    expect(row.contact_host).toBe('127.0.0.1');
    expect(Number(row.last_keepalive_ms)).toBeGreaterThanOrEqual(Number(row.registered_at_ms));
  });
});
