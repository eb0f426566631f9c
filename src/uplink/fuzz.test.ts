import { describe, expect, it } from 'vitest';
import { fuzzSeeds, fuzzTargets, runFuzz } from '../media/fuzz/targets.ts';
import { MAX_BATCH_BYTES, parseBatch } from './wire.ts';
import './fuzz-targets.ts';

describe('uplink batch parser fuzzing (deterministic; R-PRE-2 channel, R-SEC-5)', () => {
  it('uplink-batch: never throws, invariants hold, no hang (5000 inputs)', () => {
    const report = runFuzz('uplink-batch', 5000, 0x0010, { maxInputMs: 1000 });
    expect(report.failures).toEqual([]);
    expect(report.iterations).toBe(5000);
  });

  it('seeds are accepted by the parser', () => {
    expect(fuzzSeeds['uplink-batch'].length).toBeGreaterThan(0);
    for (const s of fuzzSeeds['uplink-batch']) {
      expect(() => fuzzTargets['uplink-batch'](s)).not.toThrow();
      expect(parseBatch(Buffer.from(s)).ok).toBe(true);
    }
  });

  it('refuses with a reason: over the size limit, not JSON, decreasing sequence, body not JSON text, oversized item body', () => {
    const ok = { v: 1, epoch: '0123456789abcdef', backlog: 0, peers: [] };
    const it = (seq: number, body: string | null) => ({ seq, originCode: '32010600002000000001', originSeq: seq, topic: 'ledger.device', key: 'k', body, updatedAtMs: 1 });
    const parse = (v: unknown) => parseBatch(Buffer.from(JSON.stringify(v)));
    expect(parseBatch(Buffer.alloc(MAX_BATCH_BYTES + 1, 32))).toMatchObject({ ok: false, error: expect.stringContaining('larger') });
    expect(parseBatch(Buffer.from('{"v":1,'))).toEqual({ ok: false, error: 'body is not JSON' });
    expect(parse({ ...ok, items: [it(2, null), it(2, null)] })).toMatchObject({ ok: false, error: expect.stringContaining('increase') });
    expect(parse({ ...ok, items: [it(1, '{oops')] })).toMatchObject({ ok: false, error: expect.stringContaining('not JSON text') });
    expect(parse({ ...ok, items: [it(1, JSON.stringify('x'.repeat(70_000)))] })).toMatchObject({ ok: false });
    expect(parse({ ...ok, items: [{ ...it(1, null), originCode: '123' }] })).toMatchObject({ ok: false, error: expect.stringContaining('20-digit') });
    expect(parse({ ...ok, extra: 1, items: [] })).toMatchObject({ ok: false });
  });
});
