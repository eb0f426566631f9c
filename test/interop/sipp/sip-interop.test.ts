// Interop with SIPp (apt-get install sip-tester): SIPp plays a GB/T 28181 device against an upper
// platform stub built from our SipTransport + digest auth, then plays the upper platform (UAS)
// against our client-side REGISTER. Never skipped: a missing sipp binary fails the suite.
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SipTransport } from '../../../src/gb28181/sip/transport.ts';
import { createRequest } from '../../../src/gb28181/sip/util.ts';
import { scaleSipTimers } from '../../../src/gb28181/sip/timers.ts';
import { computeHa1, createSipChallenge, SipDigestClient, verifySipAuthorization } from '../../../src/gb28181/auth.ts';
import { formatGbTime, parseManscdp } from '../../../src/gb28181/manscdp/index.ts';
import type { ManscdpMessage } from '../../../src/gb28181/manscdp/index.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DEVICE_ID = '34020000001320000001';
const PLATFORM_ID = '34020000002000000001';
const DOMAIN = '3402000000';
const PASSWORD = '12345678';

function requireSipp(): void {
  const r = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  if (r.error) throw new Error('sipp is not installed: run `apt-get install sip-tester` (scripts/ensure-system.sh does this for the test suite)');
}

interface SippRun {
  code: number | null;
  log: string;
}

/** Runs sipp to completion (or kills it after timeoutMs); the log includes its message trace. */
function runSipp(args: string[], timeoutMs = 20_000): { done: Promise<SippRun>; started: Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const child = spawn('sipp', [...args, '-nostdin', '-trace_msg', '-message_file', join(dir, 'messages.log'), '-trace_err', '-error_file', join(dir, 'errors.log')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const started = new Promise<void>((resolve) => child.once('spawn', () => resolve()));
  const done = new Promise<SippRun>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      const logs = readdirSync(dir).map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8')}`).join('\n');
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, log: `${logs}\n--- output (tail)\n${out.slice(-3000)}` });
    });
  });
  return { done, started };
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const transports: SipTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

describe('SIPp interop (R-FN-3, R-SEC-5)', () => {
  it('R-FN-3 R-SEC-5: SIPp device registers through a 401 digest challenge, then sends a Keepalive', async () => {
    requireSipp();
    const platform = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0 });
    transports.push(platform);
    const challenge = createSipChallenge({ realm: DOMAIN });
    const ha1 = computeHa1(DEVICE_ID, DOMAIN, PASSWORD); // the stub stores HA1, never the password
    const registered: string[] = [];
    const notifies: ManscdpMessage[] = [];
    platform.on('request', (req, reply) => {
      if (req.method === 'REGISTER') {
        const v = verifySipAuthorization(req.headers.get('Authorization'), { method: 'REGISTER', realm: DOMAIN, nonce: challenge.nonce, lookupHa1: (u) => (u === DEVICE_ID ? ha1 : undefined) });
        if (!v.ok) {
          reply(401, { headers: { 'WWW-Authenticate': challenge.header } });
          return;
        }
        registered.push(v.username);
        reply(200, { headers: { Date: `${formatGbTime(Date.now())}.000`, Expires: '3600' } });
      } else if (req.method === 'MESSAGE') {
        notifies.push(parseManscdp(req.body));
        reply(200);
      } else reply(405);
    });
    const sipp = runSipp([`127.0.0.1:${platform.udpPort ?? 0}`, '-sf', join(HERE, 'device-register-keepalive.xml'), '-i', '127.0.0.1', '-t', 'u1', '-m', '1', '-au', DEVICE_ID, '-ap', PASSWORD, '-timeout', '15s', '-timeout_error']);
    const run = await sipp.done;
    expect(run.code, run.log).toBe(0);
    expect(registered).toEqual([DEVICE_ID]);
    expect(notifies).toEqual([{ kind: 'keepalive', sn: 1, deviceId: DEVICE_ID, status: 'OK' }]);
  });

  it('R-FN-3 R-SEC-5: our client registers to a SIPp upper platform (401 then 200)', async () => {
    requireSipp();
    const port = await freeUdpPort();
    const sipp = runSipp(['-sf', join(HERE, 'platform-register-uas.xml'), '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-m', '1', '-timeout', '15s', '-timeout_error']);
    await sipp.started;
    // Scaled timers: UDP retransmission also covers sipp's start-up time.
    const device = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0, timers: scaleSipTimers(0.2) });
    transports.push(device);
    const req = createRequest({
      method: 'REGISTER', uri: `sip:${PLATFORM_ID}@${DOMAIN}`, from: `<sip:${DEVICE_ID}@${DOMAIN}>`, to: `<sip:${DEVICE_ID}@${DOMAIN}>`,
      headers: { Contact: `<sip:${DEVICE_ID}@127.0.0.1:${device.udpPort ?? 0}>`, Expires: '3600' },
    });
    const res = await device.request(req, { host: '127.0.0.1', port, transport: 'udp' }, { auth: new SipDigestClient({ username: DEVICE_ID, password: PASSWORD }) });
    const run = await sipp.done;
    expect(res.status, run.log).toBe(200);
    expect(res.headers.get('Date')).toBe('2024-06-07T08:00:00.000');
    expect(req.headers.get('CSeq')).toBe('2 REGISTER');
    expect(run.code, run.log).toBe(0);
  });
});
