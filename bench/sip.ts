// `npm run bench:sip [-- --devices 2000 --keepalive-s 10 --steady-s 20 --channels 20000 --from-source]`
//
// GB/T 28181 upper platform under load (issue 7): one upper platform (a real App with its cascade
// module, SQLite) runs in a child process and is measured from outside through /proc. This
// process simulates N devices sharing one UDP socket, each with its own SIP id and password: they
// REGISTER with digest (401 then 200; at most 200 registrations in flight), answer the catalog
// query that follows each registration (empty), and keepalive every --keepalive-s. Reported:
// registration throughput, the upper's CPU and RSS at steady state (keepalives only), and the time
// for the upper to pull and merge a 20,000-channel catalog from one more lower platform (20 items
// per MESSAGE, four in flight). The peer: SIPp as a UAS answering the same keepalive rate with 200
// (bench/sipp/keepalive-uas.xml), its CPU and the ratio printed. Last line: one JSON object.
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LowerLink } from '../src/cascade/lower-link.ts';
import { SipNode } from '../src/cascade/sip-node.ts';
import { parseManscdp, splitCatalog, SipTransport } from '../src/gb28181/index.ts';
import type { CatalogItem } from '../src/gb28181/index.ts';
import pino from 'pino';
import { forkOwned, installBenchExit, onBenchExit, SMOKE, spawnOwned } from './lib/lifecycle.ts';
import { compiledPath, prepare, prepareServer } from './lib/prepare.ts';
import { readProc } from './lib/proc.ts';
import { BIG_LOWER, deviceId, PASSWORD, UPPER } from './lib/sip-ids.ts';
import type { ChildMsg } from './lib/sip-ids.ts';

// --from-source: the upper through tsx instead of compiled. BENCH_SMOKE=1 (test/bench/smoke.test.ts): 20 devices, 2 s of keepalives, a 200-channel catalog.
const { values } = parseArgs({ options: { 'from-source': { type: 'boolean', default: false }, devices: { type: 'string', default: SMOKE ? '20' : '2000' }, 'keepalive-s': { type: 'string', default: SMOKE ? '2' : '10' }, 'steady-s': { type: 'string', default: SMOKE ? '2' : '20' }, channels: { type: 'string', default: SMOKE ? '200' : '20000' } } });
const N = Number(values.devices);
const KEEPALIVE_S = Number(values['keepalive-s']);
const FROM_SOURCE = values['from-source'] === true;
const UPPER_TS = 'bench/lib/sip-upper.ts';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** BENCH_SIP_PROFILE=DIR: the upper writes a V8 CPU profile there (node --cpu-prof) when it exits. */
const PROFILE_DIR = process.env.BENCH_SIP_PROFILE;

async function main(): Promise<void> {
  installBenchExit({ name: 'bench:sip', timeoutMs: (Number(process.env.BENCH_TIMEOUT_S) || (SMOKE ? 120 : 20 * 60)) * 1000 });
  prepare({ system: 'runtime' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xuncha-bench-sip-'));
  onBenchExit(() => rmSync(dir, { recursive: true, force: true }));
  // The upper runs the way the product does (bin/xuncha.mjs after npm start): compiled to JavaScript
  // by scripts/build-server.mjs, no tsx loader. --from-source: through tsx (figures before 2026-12-07 were).
  const upperArgs = ['--dir', dir, '--devices', String(N), '--keepalive-s', String(KEEPALIVE_S)];
  const profileFlags = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  if (!FROM_SOURCE) await prepareServer([UPPER_TS]);
  const child = FROM_SOURCE
    ? forkOwned(path.join(ROOT, UPPER_TS), upperArgs, { execArgv: ['--import', 'tsx', ...profileFlags], cwd: ROOT })
    : forkOwned(compiledPath(UPPER_TS), upperArgs, { execArgv: profileFlags, cwd: ROOT });
  process.stdout.write(`upper: ${FROM_SOURCE ? 'source via tsx' : 'compiled (build/server)'}\n`);
  const messages: ChildMsg[] = [];
  const waitFor = <K extends ChildMsg['kind']>(kind: K) => new Promise<Extract<ChildMsg, { kind: K }>>((resolve) => {
    const check = () => {
      const m = messages.find((x) => x.kind === kind);
      if (m) resolve(m as Extract<ChildMsg, { kind: K }>);
      else setTimeout(check, 20);
    };
    check();
  });
  child.on('message', (m: ChildMsg) => messages.push(m));
  const { port } = await waitFor('ready');
  const log = pino({ level: 'silent' });
  const clock = { nowMs: () => Date.now() };
  const transport = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0 });
  // Devices answer the upper's catalog query with an empty catalog.
  const nodes = new Map<string, SipNode>();
  transport.on('request', (req, reply, ctx) => {
    reply(200);
    const msg = parseManscdp(req.body);
    const node = nodes.get(msg.deviceId);
    if (msg.kind === 'catalog-query' && node && msg.deviceId !== BIG_LOWER) void node.message(ctx.source, UPPER.id, { kind: 'catalog-response', sn: msg.sn, deviceId: msg.deviceId, sumNum: 0, items: [] }).catch(() => undefined);
  });
  const upper = { id: UPPER.id, host: '127.0.0.1', port, password: PASSWORD, transport: 'udp' as const, keepaliveS: KEEPALIVE_S, expiresS: 3600 };
  const links: LowerLink[] = [];
  const t0 = performance.now();
  const cpu0 = readProc(child.pid!)!;
  let inFlight = 0;
  for (let i = 0; i < N; i++) {
    while (inFlight >= 200) await new Promise((r) => setTimeout(r, 2));
    const node = new SipNode(transport, { id: deviceId(i), domain: '3201060000' });
    nodes.set(node.identity.id, node);
    const link = new LowerLink(node, upper, clock, log);
    inFlight++;
    link.once('registered', () => inFlight--);
    links.push(link);
    link.start();
  }
  while (links.some((l) => !l.registered)) await new Promise((r) => setTimeout(r, 10));
  const regS = (performance.now() - t0) / 1000;
  const cpuReg = readProc(child.pid!)!;
  process.stdout.write(`registered ${N} devices with digest in ${regS.toFixed(2)} s: ${(N / regS).toFixed(0)} registrations/s, upper CPU ${(((cpuReg.cpuS - cpu0.cpuS) / regS) * 100).toFixed(0)} %\n`);
  await new Promise((r) => setTimeout(r, SMOKE ? 1000 : 2000)); // catalog queries after registration settle (20 devices in smoke mode: 1 s)
  const steadyS = Number(values['steady-s']);
  const a = readProc(child.pid!)!;
  const ta = performance.now();
  await new Promise((r) => setTimeout(r, steadyS * 1000));
  const b = readProc(child.pid!)!;
  const steadyCpuPct = ((b.cpuS - a.cpuS) / ((performance.now() - ta) / 1000)) * 100;
  const failures = links.reduce((s, l) => s + l.status.keepaliveFailures, 0);
  process.stdout.write(`steady state, ${N} devices keepaliving every ${KEEPALIVE_S} s (${(N / KEEPALIVE_S).toFixed(0)} MESSAGE/s) for ${steadyS} s: upper CPU ${steadyCpuPct.toFixed(1)} %, RSS ${(b.rssKb / 1024).toFixed(0)} MB, keepalive failures ${failures}\n`);

  // One more lower platform with a 20,000-channel catalog.
  const channels = Number(values.channels);
  const items: CatalogItem[] = Array.from({ length: channels }, (_, i) => ({ deviceId: `3201060000131${String(i).padStart(7, '0')}`, name: `第${Math.floor(i / 2) + 1}考场 ${i % 2 ? '后' : '前'}`, parentId: BIG_LOWER, parental: 0, status: 'ON', manufacturer: 'bench' }));
  const big = new SipNode(transport, { id: BIG_LOWER, domain: '3201000000' });
  nodes.set(BIG_LOWER, big);
  transport.on('request', (req, _reply, ctx) => {
    const msg = parseManscdp(req.body);
    if (msg.kind !== 'catalog-query' || msg.deviceId !== BIG_LOWER) return;
    const parts = splitCatalog(items, 20, { sn: msg.sn, deviceId: BIG_LOWER });
    let k = 0;
    const worker = async () => {
      while (k < parts.length) await big.message(ctx.source, UPPER.id, parts[k++]);
    };
    void Promise.all([worker(), worker(), worker(), worker()]).catch(() => undefined); // transport closed at the end
  });
  const bigLink = new LowerLink(big, upper, clock, log);
  bigLink.start();
  const cat = await waitFor('catalog');
  const rss = readProc(child.pid!)!;
  process.stdout.write(`catalog of ${cat.items} channels pulled and merged in ${cat.ms} ms (${((cat.items / cat.ms) * 1000).toFixed(0)} items/s); upper RSS after ${(rss.rssKb / 1024).toFixed(0)} MB, peak ${(rss.hwmKb / 1024).toFixed(0)} MB\n`);
  const peer = await sippPeer([...nodes.values()].filter((n) => n.identity.id !== BIG_LOWER), steadyS);
  if (peer) process.stdout.write(`peer: ${peer.version} UAS answering the same ${(N / KEEPALIVE_S).toFixed(0)} MESSAGE/s with 200 (no digest, database or MANSCDP): CPU ${peer.cpuPct.toFixed(1)} %; xuncha / SIPp = ${(steadyCpuPct / peer.cpuPct).toFixed(1)}×\n`);
  else process.stdout.write('peer: sipp not installed (scripts/ensure-system.sh installs it): no comparison\n');
  process.stdout.write(`machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  // Unregistrations still in flight when the transport closes fail: that is expected here.
  for (const l of [...links, bigLink]) void l.stop().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 500));
  child.disconnect();
  await new Promise((r) => child.once('exit', r));
  await transport.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ devices: N, registrationsPerS: Math.round(N / regS), keepaliveS: KEEPALIVE_S, steadyCpuPct: Number(steadyCpuPct.toFixed(1)), rssMb: Math.round(b.rssKb / 1024), catalogChannels: cat.items, catalog20kMs: cat.ms, upperCode: FROM_SOURCE ? 'source via tsx' : 'compiled', ...(peer ? { peerSippCpuPct: Number(peer.cpuPct.toFixed(1)), ratioToPeer: Number((steadyCpuPct / peer.cpuPct).toFixed(1)) } : {}), loadAverage1m: Number(os.loadavg()[0].toFixed(1)) }) + '\n');
}

/**
 * The peer: SIPp (C++) as a UAS answering the same keepalive MESSAGE rate with 200 for the same
 * time, its CPU read through /proc like the upper's. Undefined when sipp is not installed.
 */
async function sippPeer(devices: SipNode[], steadyS: number): Promise<{ version: string; cpuPct: number } | undefined> {
  const v = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  if (v.error) return undefined;
  const version = /SIPp v?[\d.]+/.exec(`${v.stdout}${v.stderr}`)?.[0] ?? 'SIPp';
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const scenario = fileURLToPath(new URL('./sipp/keepalive-uas.xml', import.meta.url));
  const sipp = spawnOwned('sipp', ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-nostdin', '-max_recv_loops', '10000'], { stdio: 'ignore' });
  const dest = { host: '127.0.0.1', port, transport: 'udp' as const };
  await new Promise((r) => setTimeout(r, 1000)); // sipp binds and reads its scenario
  let stop = false;
  // A device's pause ends at once when the peer run stops (no wait for its next keepalive).
  let wake!: () => void;
  const stopped = new Promise<void>((r) => (wake = r));
  const pause = (ms: number) => Promise.race([new Promise((r) => setTimeout(r, ms)), stopped]);
  // Every device keepalives every KEEPALIVE_S, spread evenly over the period, like the LowerLinks.
  const loops = devices.map(async (node, i) => {
    await pause((i / devices.length) * KEEPALIVE_S * 1000);
    while (!stop) {
      void node.message(dest, UPPER.id, { kind: 'keepalive', sn: node.nextSn(), deviceId: node.identity.id, status: 'OK' }).catch(() => undefined);
      await pause(KEEPALIVE_S * 1000);
    }
  });
  await new Promise((r) => setTimeout(r, KEEPALIVE_S * 1000)); // every device has started
  const a = readProc(sipp.pid!);
  const ta = performance.now();
  await new Promise((r) => setTimeout(r, steadyS * 1000));
  const b = readProc(sipp.pid!);
  const elapsedS = (performance.now() - ta) / 1000;
  stop = true;
  wake();
  sipp.kill('SIGTERM');
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, KEEPALIVE_S * 1000 + 1000))]);

  if (!a || !b) return undefined;
  return { version, cpuPct: ((b.cpuS - a.cpuS) / elapsedS) * 100 };
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
