// SNTP client against a real UDP time server in the test (issue 19: clock drift of the node is
// measured against its time source, R-FLT-1 / R-ORG-2), and its parser's fuzzing.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { fuzzSeeds, runFuzz } from '../media/fuzz/targets.ts';
import { systemClock } from './clock.ts';
import { SntpError, parseSntpReply, sntpOffset, sntpQuery, sntpReplyTo, sntpRequest } from './sntp.ts';
import './sntp-fuzz-targets.ts';

let server: Socket | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A UDP time server whose clock is `skewMs` ahead of ours; `mangle` may damage the reply. */
async function timeServer(skewMs: number, mangle: (b: Buffer) => Buffer = (b) => b): Promise<string> {
  server = createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    const now = Date.now() + skewMs;
    server!.send(mangle(sntpReplyTo(msg, now, now + 1)), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => server!.bind(0, '127.0.0.1', r));
  return `127.0.0.1:${server.address().port}`;
}

describe('SNTP client (issue 19 node health, R-FLT-1 clock drift)', () => {
  it('measures a time source 7 s ahead as offset ≈ +7000 ms over real UDP', async () => {
    const r = await sntpQuery(await timeServer(7000), { clock: systemClock });
    expect(r.offsetMs).toBeGreaterThan(6900);
    expect(r.offsetMs).toBeLessThan(7100);
    expect(r.stratum).toBe(2);
    expect(r.delayMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses a reply that does not echo our request, and times out on silence', async () => {
    const forged = await timeServer(0, (b) => { b.fill(0xaa, 24, 32); return b; });
    await expect(sntpQuery(forged, { clock: systemClock })).rejects.toThrow(/originate/);
    server!.close();
    server = undefined;
    server = createSocket('udp4');
    await new Promise<void>((r) => server!.bind(0, '127.0.0.1', r));
    await expect(sntpQuery(`127.0.0.1:${server.address().port}`, { clock: systemClock, timeoutMs: 200 })).rejects.toThrow(/无应答/);
  });

  it('parses timestamps exactly and refuses kiss-o-death, short and client packets', () => {
    const t1 = Date.UTC(2026, 5, 7, 8, 0, 0);
    const req = sntpRequest(t1);
    const r = parseSntpReply(sntpReplyTo(req, t1 + 5000, t1 + 5002), req.subarray(40, 48));
    expect(Math.round(r.receiveMs)).toBe(t1 + 5000);
    expect(Math.round(r.originateMs)).toBe(t1);
    expect(sntpOffset(t1, t1 + 5000, t1 + 5002, t1 + 10)).toEqual({ offsetMs: 4996, delayMs: 8 });
    expect(() => parseSntpReply(sntpReplyTo(req, t1, t1, 0))).toThrow(SntpError);
    expect(() => parseSntpReply(req)).toThrow(/mode 3/);
    expect(() => parseSntpReply(new Uint8Array(20))).toThrow(/过短/);
  });

  it('sntp-reply fuzzing: only reasoned refusals, invariants hold (4000 inputs)', () => {
    const report = runFuzz('sntp-reply', 4000, 0x19, { maxInputMs: 1000 });
    expect(report.failures).toEqual([]);
    expect(fuzzSeeds['sntp-reply']!.length).toBe(3);
  });
});
