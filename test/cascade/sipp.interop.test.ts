// Interop with SIPp (see test/interop/sipp for the protocol-layer tests and the scenario): a SIPp
// GB/T 28181 device registers with digest to the cascade module's upper role (HA1 from the
// lower_platform table, Date header on the 200) and keepalives; the upper marks it online. A
// SIPp device declaring GB/T 28181-2022 (X-GB-Ver: 3.0) but answering only MD5 gets SM3 offered
// first, then MD5 alone when it retries, and registers with MD5 (the fallback for such devices).
// The other way round, our lower role registers to a SIPp 2022 upper that requires X-GB-Ver.
// Never skipped: a missing sipp binary fails the suite (scripts/ensure-system.sh installs it).
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCascadeModule } from '../../src/cascade/index.ts';
import { scaleSipTimers } from '../../src/gb28181/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { until } from './helpers.ts';

const SCENARIO = fileURLToPath(new URL('../interop/sipp/device-register-keepalive.xml', import.meta.url));
const SCENARIO_2022 = fileURLToPath(new URL('../interop/sipp/device-register-gb2022.xml', import.meta.url));
const UAS_2022 = fileURLToPath(new URL('../interop/sipp/platform-register-uas-gb2022.xml', import.meta.url));
const UAS_COMMANDS = fileURLToPath(new URL('../interop/sipp/platform-commands-uas.xml', import.meta.url));
const DEVICE_ID = '34020000001320000001';
const PASSWORD = '12345678';

describe('SIPp device against the cascade upper role (R-FN-3, R-SEC-5)', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps) {
      await createCascadeModule(t.app).stop();
      await t.close();
    }
  });

  /** A cascade upper with the SIPp device as lower; runs `scenario` against it to completion. */
  async function runAgainstUpper(scenario: string): Promise<{ t: TestApp; lowerId: number }> {
    if (spawnSync('sipp', ['-v']).error) throw new Error('sipp is not installed: run `apt-get install sip-tester`');
    const t = await createTestApp('sqlite', { realClock: true });
    apps.push(t);
    const cascade = createCascadeModule(t.app, { settings: { id: '34020000002000000001', domain: '3402000000', host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60 } });
    await cascade.start();
    const admin = await t.actor('admin');
    const lower = await cascade.service.createLower(admin, { sipId: DEVICE_ID, name: 'SIPp IPC', kind: 'device', password: PASSWORD });
    const port = cascade.node!.transport.udpPort!;
    const child = spawn('sipp', [`127.0.0.1:${port}`, '-sf', scenario, '-i', '127.0.0.1', '-t', 'u1', '-m', '1', '-au', DEVICE_ID, '-ap', PASSWORD, '-timeout', '15s', '-timeout_error', '-nostdin'], { cwd: path.dirname(scenario), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, out.slice(-2000)).toBe(0);
    await until('device online at the upper', async () => (await repos(t.app.store.db).cascade.getLower({ kind: 'all' }, lower.id))?.online === 1);
    return { t, lowerId: lower.id };
  }

  it('R-FN-3 R-SEC-5: a SIPp device registers through the 401 challenge, gets a Date, keepalives, and is online', async () => {
    const { t, lowerId } = await runAgainstUpper(SCENARIO);
    const row = (await repos(t.app.store.db).cascade.getLower({ kind: 'all' }, lowerId))!;
    expect(row.contact_host).toBe('127.0.0.1');
    expect(Number(row.last_keepalive_ms)).toBeGreaterThanOrEqual(Number(row.registered_at_ms));
    expect([row.gb_version, row.auth_algorithm]).toEqual([null, 'MD5']); // a 2016 device: no X-GB-Ver
  });

  it('R-FN-3 R-SEC-5: a SIPp device declaring X-GB-Ver 3.0 without SM3 sees SM3 offered first, MD5 alone on its retry, and registers with MD5', async () => {
    // The scenario itself checks X-GB-Ver: 3.0 on the 401s and the 200, SM3 in the first 401 and none in the second.
    const { t, lowerId } = await runAgainstUpper(SCENARIO_2022);
    const row = (await repos(t.app.store.db).cascade.getLower({ kind: 'all' }, lowerId))!;
    expect([row.gb_version, row.auth_algorithm]).toEqual(['3.0', 'MD5']);
    expect(Number(row.last_keepalive_ms)).toBeGreaterThanOrEqual(Number(row.registered_at_ms));
  });
});

describe('our lower role against a SIPp GB/T 28181-2022 upper (R-FN-3, R-SEC-5)', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps) {
      await createCascadeModule(t.app).stop();
      await t.close();
    }
  });

  it('R-FN-3: LowerLink declares X-GB-Ver 3.0 on both REGISTERs (SIPp requires it), registers with MD5 and reads the upper\'s 3.0', async () => {
    if (spawnSync('sipp', ['-v']).error) throw new Error('sipp is not installed: run `apt-get install sip-tester`');
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const child = spawn('sipp', ['-sf', UAS_2022, '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-m', '1', '-timeout', '15s', '-timeout_error', '-nostdin'], { cwd: path.dirname(UAS_2022), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number | null>((resolve) => child.once('close', resolve));
    await new Promise<void>((r) => child.once('spawn', () => r()));
    const t = await createTestApp('sqlite', { realClock: true });
    apps.push(t);
    // Scaled timers: UDP retransmission also covers SIPp's start-up time.
    const cascade = createCascadeModule(t.app, {
      settings: { id: DEVICE_ID, domain: '3402000000', host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60, upper: { id: '34020000002000000001', host: '127.0.0.1', port, password: PASSWORD, transport: 'udp', keepaliveS: 60, expiresS: 3600 } },
      timers: scaleSipTimers(0.2),
    });
    await cascade.start();
    await until('registered to the SIPp upper', () => cascade.link?.registered === true);
    expect(await done, out.slice(-2000)).toBe(0);
    expect(cascade.status().upper).toMatchObject({ state: 'registered', gbVersion: '3.0', upperGbVersion: '3.0', authAlgorithm: 'MD5' });
  });

  it('R-FN-3 R-DIS-2: a SIPp upper sends DeviceConfig BasicParam, HomePosition, Broadcast and a Talk INVITE; the heartbeat is applied, the lens command audited, voice refused (488) and audited', async () => {
    if (spawnSync('sipp', ['-v']).error) throw new Error('sipp is not installed: run `apt-get install sip-tester`');
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const child = spawn('sipp', ['-sf', UAS_COMMANDS, '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-m', '1', '-timeout', '15s', '-timeout_error', '-nostdin'], { cwd: path.dirname(UAS_COMMANDS), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number | null>((resolve) => child.once('close', resolve));
    await new Promise<void>((r) => child.once('spawn', () => r()));
    const t = await createTestApp('sqlite', { realClock: true });
    apps.push(t);
    const cascade = createCascadeModule(t.app, {
      settings: { id: DEVICE_ID, domain: '3402000000', host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60, upper: { id: '34020000002000000001', host: '127.0.0.1', port, password: PASSWORD, transport: 'udp', keepaliveS: 60, expiresS: 3600 } },
      timers: scaleSipTimers(0.2),
    });
    await cascade.start();
    expect(await done, out.slice(-2000)).toBe(0);
    await until('BasicParam applied', () => cascade.link?.upper.keepaliveS === 20);
    expect(cascade.link!.upper.heartBeatCount).toBe(5);
    await until('HomePosition audited', async () => (await t.app.store.db.selectFrom('audit_log').select('detail').where('action', '=', 'cascade.control').execute()).some((a) => String(a.detail).includes('HomePosition')));
    // Voice (issue 15): the Broadcast and the Talk INVITE refused (no audio output) and audited.
    await until('broadcast and talk audited as denied', async () => (await t.app.store.db.selectFrom('audit_log').select(['action', 'outcome']).where('action', 'in', ['cascade.broadcast', 'cascade.talk']).execute()).filter((a) => a.outcome === 'denied').length === 2);
  });
});
