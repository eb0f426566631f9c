// LowerLink against a scripted upper on a real UDP socket (issue 15 defects 1, 3, 4 and the clock
// offset): one REGISTER in flight and CSeq never reused in the Call-ID while the upper is away and
// comes back; losing the upper is logged at warn once and the registration times are cleared;
// stop() returns within seconds when the upper is unreachable; the offset is measured from the
// Date of the 200 to REGISTER and of keepalive answers, round trip halved (R-FN-3, R-FLT-1).
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LowerLink } from '../../src/cascade/lower-link.ts';
import { SipNode } from '../../src/cascade/sip-node.ts';
import { createSipChallenge, formatGbTime, parseCSeq, parseVia, SipTransport } from '../../src/gb28181/index.ts';
import type { SipTimers } from '../../src/gb28181/index.ts';
import { systemClock } from '../../src/util/clock.ts';
import { until } from './helpers.ts';

const UPPER = '32000000002000000001';
const ME = '32010000002000000001';

interface Upper {
  transport: SipTransport;
  /** 'ok': answer; 'silent': drop everything (unreachable). */
  mode: 'ok' | 'silent';
  /** Added to our clock in the Date headers it writes. */
  clockAheadMs: number;
  registers: Array<{ cseq: number; branch: string; expires: string; atMs: number }>;
  keepalives: number;
}

async function scriptedUpper(): Promise<Upper> {
  const transport = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0 });
  const u: Upper = { transport, mode: 'ok', clockAheadMs: 0, registers: [], keepalives: 0 };
  const date = () => {
    const ms = Date.now() + u.clockAheadMs;
    return `${formatGbTime(ms)}.${String(ms % 1000).padStart(3, '0')}`;
  };
  transport.on('request', (req, reply) => {
    if (req.method === 'REGISTER') u.registers.push({ cseq: parseCSeq(req.headers.get('CSeq') ?? '').seq, branch: parseVia(req.headers.get('Via') ?? '').params.branch ?? '', expires: req.headers.get('Expires') ?? '', atMs: Date.now() });
    if (u.mode === 'silent') return;
    if (req.method === 'REGISTER') {
      if (!req.headers.has('Authorization')) return void reply(401, { headers: { 'WWW-Authenticate': createSipChallenge({ realm: UPPER.slice(0, 10) }).header } });
      return void reply(200, { headers: { Date: date(), Expires: req.headers.get('Expires') ?? '3600' } });
    }
    u.keepalives++;
    reply(200, { headers: { Date: date() } });
  });
  return u;
}

function capture(): { log: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
  return { log, lines };
}

describe('LowerLink registration state machine (issue 15 defects 1, 3, 4; R-FN-3)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(timers?: Partial<SipTimers>, keepaliveS = 1) {
    const upper = await scriptedUpper();
    const transport = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0, timers });
    const node = new SipNode(transport, { id: ME, domain: ME.slice(0, 10) });
    const { log, lines } = capture();
    const link = new LowerLink(node, { id: UPPER, host: '127.0.0.1', port: upper.transport.udpPort!, password: 'pw', transport: 'udp', keepaliveS, expiresS: 3600 }, systemClock, log, { backoffMinMs: 100, backoffMaxMs: 400 });
    cleanup.push(async () => {
      await link.stop();
      await transport.close();
      await upper.transport.close();
    });
    return { upper, link, lines };
  }

  it('R-FN-3: while the upper is away and after it returns, one REGISTER is in flight at a time and no CSeq is used twice', async () => {
    // Transactions time out after 3.2 s while keepalives go every second: several are in flight when
    // the upper vanishes, and each failure used to start another REGISTER beside the one in flight.
    const { upper, link } = await setup({ t1Ms: 50, t2Ms: 400, t4Ms: 500 });
    link.start();
    await until('registered', () => link.registered);
    upper.mode = 'silent';
    await until('upper lost', () => link.status.state !== 'registered', 15_000);
    await new Promise((r) => setTimeout(r, 6000)); // several keepalive/retry cycles while away
    upper.mode = 'ok';
    await until('registered again', () => link.registered && link.status.registrations >= 2, 15_000);
    await new Promise((r) => setTimeout(r, 1500)); // late duplicates would show here
    // Retransmissions of one transaction share its branch; a second transaction with the same CSeq is the defect.
    const branchesPerCseq = new Map<number, Set<string>>();
    for (const r of upper.registers) branchesPerCseq.set(r.cseq, (branchesPerCseq.get(r.cseq) ?? new Set()).add(r.branch));
    const reused = [...branchesPerCseq].filter(([, b]) => b.size > 1).map(([c]) => c);
    expect(reused).toEqual([]);
    const seqs = [...branchesPerCseq.keys()];
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // strictly increasing in arrival order
  }, 60_000);

  it('R-FLT-1: losing the upper is logged at warn once, registeredAtMs/expiresAtMs are cleared; regaining it is logged at info', async () => {
    const { upper, link, lines } = await setup({ t1Ms: 10, t2Ms: 80, t4Ms: 100 });
    link.start();
    await until('registered', () => link.registered);
    expect(link.status.registeredAtMs).toBeGreaterThan(0);
    upper.mode = 'silent';
    await until('upper lost', () => link.status.state === 'failed', 15_000);
    expect([link.status.registeredAtMs, link.status.expiresAtMs]).toEqual([undefined, undefined]);
    expect(link.status.lastError).toMatch(/keepalive|REGISTER/);
    await new Promise((r) => setTimeout(r, 2500)); // retries fail meanwhile: not each at warn
    const lost = lines.filter((l) => l.level === 40 && /lost the upper platform/.test(l.msg));
    expect(lost).toHaveLength(1);
    upper.mode = 'ok';
    await until('registered again', () => link.registered, 15_000);
    expect(lines.some((l) => l.level === 30 && /registered to the upper platform/.test(l.msg))).toBe(true);
  }, 60_000);

  it('R-FN-3: stop() returns within a few seconds when the upper stopped answering (default SIP timers: 32 s transactions)', async () => {
    const { upper, link } = await setup(undefined, 3600);
    link.start();
    await until('registered', () => link.registered);
    upper.mode = 'silent';
    const t0 = Date.now();
    await link.stop();
    // The Expires: 0 REGISTER went out, and stop() did not wait for its 32 s timeout.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(upper.registers.some((r) => r.expires === '0')).toBe(true);
    expect(link.status.state).toBe('stopped');
  }, 30_000);

  it('R-FN-3: the clock offset is measured from the 200 Date and then from keepalive answers, at the middle of the round trip', async () => {
    const { upper, link } = await setup();
    upper.clockAheadMs = 5000;
    link.start();
    await until('registered', () => link.registered);
    expect(link.status.clockSource).toBe('register');
    expect(Math.abs(link.status.clockOffsetMs! - 5000)).toBeLessThanOrEqual(link.status.clockAccuracyMs! + 2);
    upper.clockAheadMs = -3000;
    await until('measured again from a keepalive answer', () => link.status.clockSource === 'keepalive' && link.status.clockOffsetMs! < 0, 10_000);
    expect(Math.abs(link.status.clockOffsetMs! + 3000)).toBeLessThanOrEqual(link.status.clockAccuracyMs! + 2);
    expect(link.status.clockAccuracyMs).toBeLessThan(1000); // loopback: the round trip is short
  }, 30_000);
});
