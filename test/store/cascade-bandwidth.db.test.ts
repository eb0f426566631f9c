// Bandwidth measured through the cascade, stored on both databases (R-PRE-4): the newest
// measurement of each lower is listed (an older one is not), big values and null requirement
// round-trip, and a caller whose scope is one site sees only the lower hung under that site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

describe.each(DIALECTS)('readiness_cascade_bandwidth on %s (R-PRE-4)', (dialect) => {
  let t: TestApp;
  let atSite = 0;
  let atRoot = 0;
  let sitePath = '';
  const row = (lowerId: number, atMs: number, achievedKbps: number, requiredKbps: number | null) => ({
    lower_id: lowerId, measured_at_ms: atMs, duration_ms: 10_000, streams: 2, channels_total: 3, achieved_kbps: achievedKbps, required_kbps: requiredKbps,
    loss_ppm: 1234, jitter_us: 5678, verdict: 'warn' as const, rule: 'achieved ≥ required, loss < 1 %', reason: null, streams_json: '[{"channel":"x"}]', measured_by: 'admin',
  });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const r = repos(t.app.store.db);
    const nodes = await r.org.list({ kind: 'all' });
    const root = nodes.find((n) => n.parent_id === null)!;
    const site = nodes.find((n) => n.kind === 'site')!;
    sitePath = site.path;
    const lower = (sip: string, node: number) => r.cascade.insertLower({ sip_id: sip, name: `下级${sip.slice(-1)}`, kind: 'platform', org_node_id: node, ha1: '0'.repeat(32), enabled: 1, online: 1, channel_count: 0, created_at_ms: 0, updated_at_ms: 0 });
    atSite = await lower('32010600002000000001', site.id);
    atRoot = await lower('32010200002000000002', root.id);
  });
  afterAll(async () => t?.close());

  it('lists the newest measurement per lower, filtered by the caller scope', async () => {
    const b = repos(t.app.store.db).cascadeBandwidth;
    const t0 = Date.UTC(2026, 11, 6, 8, 0, 0);
    await b.insert(row(atSite, t0, 4000, null));
    await b.insert(row(atSite, t0 + 60_000, 8123, 9000));
    await b.insert(row(atRoot, t0 + 1000, 2_000_000, null));
    const all = await b.latest({ kind: 'all' });
    expect(all.map((x) => [x.lower_id, x.achieved_kbps, x.required_kbps, x.measured_at_ms])).toEqual([
      [atSite, 8123, 9000, t0 + 60_000],
      [atRoot, 2_000_000, null, t0 + 1000],
    ].sort((x, y) => Number(x[0]) - Number(y[0])));
    expect(all[0]).toMatchObject({ loss_ppm: 1234, jitter_us: 5678, streams_json: '[{"channel":"x"}]' });
    const mine = await b.latest({ kind: 'subtree', path: sitePath });
    expect(mine.map((x) => x.lower_id)).toEqual([atSite]);
    expect(await b.latest({ kind: 'all' }, atRoot)).toHaveLength(1);
  });
});
