// `npm run bench:fleet [-- --lowers 20 --devices 10000 --rate 50 --seconds 60]`
//
// A province node (issue 19, docs/design/ledger.md) with 20 simulated lower sites and 10,000
// cameras in total whose status changes at 50/s, and its dashboard API (`GET /api/ledger/rollup`,
// the 运行概况 / 大屏 figures: online and recording rate, unverified tickets per city / district /
// site) polled by dashboard clients — against the naive way in the same run: every status change
// sent upward as a raw event and the dashboard counting over the raw events (latest event per
// camera, counted per site, summed up the tree) on each request.
// The province is this process: a real app (SQLite), its real API server on loopback, the lowers
// registered as lower platforms; the lowers and the dashboard clients run in a child process
// (bench/lib/fleet-lowers.ts) and send signed batches over HTTP to the real channel endpoint, so
// this process's CPU is the province's alone. Province CPU = this process's utime+stime over the
// steady phase, per wall second (% of one core). Ends with one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildServer } from '../src/api/server.ts';
import { SYSTEM_ACTOR } from '../src/auth/actor.ts';
import { createCascadeModule } from '../src/cascade/index.ts';
import { repos } from '../src/store/repos/index.ts';
import { ADMIN_PASSWORD, createTestApp } from '../test/helpers/app.ts';
import type { LowerSpec, RunCmd, RunResult } from './lib/fleet-lowers.ts';
import { forkOwned, runBench, SMOKE } from './lib/lifecycle.ts';
import { loadAverage, readProc } from './lib/proc.ts';

const { values } = parseArgs({ args: process.argv.slice(2), options: { lowers: { type: 'string' }, devices: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
if (values.help) {
  console.log('usage: npm run bench:fleet -- [--lowers 20] [--devices 10000] [--rate 50 (status changes/s)] [--seconds 60 (steady phase per side)]');
  process.exit(0);
}
// BENCH_SMOKE=1 (test/bench/smoke.test.ts): a few lowers, a few hundred cameras, seconds.
const LOWERS = Number(values.lowers ?? (SMOKE ? 3 : 20));
const DEVICES = Number(values.devices ?? (SMOKE ? 300 : 10_000));
const RATE = Number(values.rate ?? (SMOKE ? 20 : 50));
const STEADY_S = Number(values.seconds ?? (SMOKE ? 3 : 60));
const WARM_S = SMOKE ? 1 : 10;
/** Naive side: status events already stored per camera when it starts (a morning of flapping is far more). */
const PRELOAD_PER_CAMERA = SMOKE ? 2 : 10;
const PASSWORD = 'Lower-Pass-1234';
const PROVINCE = { id: '32000000002000000001', domain: '3200000000' };

const log = (s: string) => process.stderr.write(`[bench:fleet] ${s}\n`);
const cpuS = () => readProc(process.pid)?.cpuS ?? 0;
const pct = (xs: number[], p: number) => (xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!);
const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

runBench('bench:fleet', async () => {
  const loadBefore = loadAverage();
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-fleet-'));
  const t = await createTestApp('sqlite', { realClock: true, sample: true, config: { dataDir: dir, gb28181: { ...PROVINCE, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60 } } });
  const db = t.app.store.db;
  // 20 lower platforms, each attached to one of the province's org nodes below the root.
  const nodes = (await repos(db).org.list(SYSTEM_ACTOR.scope)).filter((n) => n.kind !== 'province');
  const cascade = createCascadeModule(t.app).service;
  const lowers: LowerSpec[] = [];
  for (let i = 0; i < LOWERS; i++) {
    const sipId = `3201${String(i + 10).padStart(2, '0')}00002000000001`;
    const node = nodes[i % nodes.length]!;
    await cascade.createLower(SYSTEM_ACTOR, { sipId, name: `下级考点平台${i + 1}`, kind: 'platform', password: PASSWORD, orgNodeId: node.id });
    lowers.push({ sipId, siteCode: `3201${String(i + 10).padStart(2, '0')}00002160000001`, siteName: `模拟考点${i + 1}`, cameras: Math.floor(DEVICES / LOWERS) + (i < DEVICES % LOWERS ? 1 : 0) });
  }
  const server = await buildServer(t.app, pino({ level: 'silent' }));
  // The naive dashboard: every request counts over the raw status events (latest per camera, per site,
  // summed per lower's org node and up the tree) — what a province would do without site summaries.
  server.get('/bench/naive-rollup', async () => {
    const rows = await db.selectFrom('uplink_item').select(['scope_path', 'body']).where('topic', '=', 'bench.camera.status').execute();
    const latest = new Map<string, { atMs: number; online: boolean; path: string }>();
    for (const r of rows) {
      const e = JSON.parse(r.body!) as { site: string; camera: number; online: boolean; atMs: number };
      const k = `${e.site}/${e.camera}`;
      const prev = latest.get(k);
      if (!prev || prev.atMs <= e.atMs) latest.set(k, { atMs: e.atMs, online: e.online, path: r.scope_path });
    }
    const perPath = new Map<string, { cameras: number; online: number }>();
    for (const v of latest.values()) {
      // Every ancestor path of the item's node gets the camera (the tree's sums).
      const parts = v.path.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) {
        const p = `/${parts.slice(0, i).join('/')}/`;
        const s = perPath.get(p) ?? { cameras: 0, online: 0 };
        s.cameras++;
        if (v.online) s.online++;
        perPath.set(p, s);
      }
    }
    return { nodes: [...perPath].map(([p, s]) => ({ path: p, ...s, onlineRate: s.online / s.cameras })) };
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const addr = server.server.address();
  const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;

  const child = forkOwned(path.join(import.meta.dirname, 'lib/fleet-lowers.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const phase = async (mode: 'xuncha' | 'naive', dashPath: string) => {
    const cmd: RunCmd = { cmd: 'run', mode, baseUrl, realm: PROVINCE.domain, password: PASSWORD, lowers, ratePerS: RATE, warmS: WARM_S, steadyS: STEADY_S, preloadPerCamera: PRELOAD_PER_CAMERA, dashPath, dashClients: 4, dashIntervalMs: 500, cookie, csrf };
    const done = new Promise<RunResult>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`lower simulator exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as RunResult);
      });
    });
    child.send(cmd);
    // CPU over the steady phase only (after the initial state is sent and the warm-up).
    await new Promise((r) => setTimeout(r, WARM_S * 1000 + (mode === 'naive' ? 2000 : 0)));
    const c0 = cpuS();
    const w0 = performance.now();
    const res = await done;
    const cpuPct = ((cpuS() - c0) / ((performance.now() - w0) / 1000)) * 100;
    if (res.errors.length) throw new Error(`${mode}: ${res.errors.slice(0, 3).join('; ')}`);
    log(`${mode}: ${res.changes} status changes, ${res.batches} batches / ${res.items} items (${res.retries} resent), ${res.latenciesMs.length} dashboard answers, p95 ${r1(pct(res.latenciesMs, 95))} ms, province CPU ${r1(cpuPct)} % of a core`);
    return { p50: pct(res.latenciesMs, 50), p95: pct(res.latenciesMs, 95), cpuPct, res };
  };
  log(`province with ${LOWERS} lowers, ${DEVICES} cameras, ${RATE} status changes/s, ${STEADY_S} s steady per side; load ${loadBefore.text}`);
  const x = await phase('xuncha', '/api/ledger/rollup');
  const view = await (await fetch(`${baseUrl}/api/ledger/rollup`, { headers: { cookie, 'x-csrf-token': csrf } })).json() as { tree: Array<{ cameras: number; sites: number }> };
  const camerasSeen = view.tree.reduce((n, r) => n + r.cameras, 0);
  if (camerasSeen !== DEVICES) throw new Error(`roll-up counts ${camerasSeen} cameras, expected ${DEVICES}`);
  const n = await phase('naive', '/bench/naive-rollup');
  const rawEvents = Number((await db.selectFrom('uplink_item').select((eb) => eb.fn.countAll<number>().as('n')).where('topic', '=', 'bench.camera.status').executeTakeFirstOrThrow()).n);
  child.disconnect();
  await server.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
  const out = {
    lowers: LOWERS, devices: DEVICES, ratePerS: RATE, steadyS: STEADY_S,
    dashP50Ms: r1(x.p50), dashP95Ms: r1(x.p95), provinceCpuPct: r1(x.cpuPct), dashAnswers: x.res.latenciesMs.length, camerasSeen,
    naiveP50Ms: r1(n.p50), naiveP95Ms: r1(n.p95), naiveCpuPct: r1(n.cpuPct), naiveRawEvents: rawEvents,
    p95Ratio: x.p95 && n.p95 ? r1(n.p95 / x.p95) : null, cpuRatio: x.cpuPct > 0 ? r1(n.cpuPct / x.cpuPct) : null,
    load1: loadAverage().load1, loadBefore: loadBefore.load1,
  };
  log(`dashboard p95 ${out.dashP95Ms} ms vs naive ${out.naiveP95Ms} ms (×${out.p95Ratio}); province CPU ${out.provinceCpuPct} % vs naive ${out.naiveCpuPct} % (×${out.cpuRatio})`);
  console.log(JSON.stringify(out));
}, (SMOKE ? 120 : 900) * 1000);
