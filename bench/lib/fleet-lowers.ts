// Child process of bench/fleet.ts: the 20 simulated lower sites and the dashboard clients, so that
// the province process measures only its own CPU. Each lower holds its cameras' states; status
// changes happen at `ratePerS` over the whole fleet. Mode "xuncha": each lower sends its site
// summary (`ledger.site`, the shape src/ledger/site-summary.ts publishes) when it changed, looked at
// every 5 s as a site's ledger tick does. Mode "naive": each lower sends every status change as a
// raw event item (one row per event at the province), flushed every second. Batches are signed as
// a lower's sender signs them (src/uplink/wire.ts). Dashboard clients poll `dashPath` and record
// each answer's latency. Talks to its parent over IPC: {cmd:'run', …} → {latenciesMs, batches, …}.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { computeHa1 } from '../../src/gb28181/auth.ts';
import { BATCH_PATH, HEADER, MAX_BATCH_ITEMS, channelKey, signRequest } from '../../src/uplink/wire.ts';

export interface LowerSpec { sipId: string; siteCode: string; siteName: string; cameras: number }
export interface RunCmd {
  cmd: 'run';
  mode: 'xuncha' | 'naive';
  baseUrl: string;
  realm: string;
  password: string;
  lowers: LowerSpec[];
  ratePerS: number;
  warmS: number;
  steadyS: number;
  /** Naive mode: status events already stored before the run (history the naive query counts over), per camera. */
  preloadPerCamera: number;
  dashPath: string;
  dashClients: number;
  dashIntervalMs: number;
  cookie: string;
  csrf: string;
}
export interface RunResult { latenciesMs: number[]; batches: number; items: number; changes: number; retries: number; errors: string[] }

interface Lower { spec: LowerSpec; key: Buffer; online: boolean[]; seq: number; epoch: string; dirty: boolean; pending: Array<{ code: string; online: boolean; atMs: number }> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cameraCode = (site: string, i: number) => `${site.slice(0, 10)}131${String(i).padStart(7, '0')}`;

async function send(cmd: RunCmd, l: Lower, items: Array<{ topic: string; key: string; body: unknown }>, res: RunResult): Promise<void> {
  for (let i = 0; i < items.length; i += MAX_BATCH_ITEMS) {
    const now = Date.now();
    const wire = items.slice(i, i + MAX_BATCH_ITEMS).map((it) => ({ seq: ++l.seq, originCode: l.spec.siteCode, originSeq: l.seq, topic: it.topic, key: it.key, body: JSON.stringify(it.body), updatedAtMs: now }));
    const body = Buffer.from(JSON.stringify({ v: 1, epoch: l.epoch, items: wire, backlog: 0, peers: [] }));
    // A kept-alive socket the server closed meanwhile fails once (ECONNRESET): resent with a new
    // nonce, as the real sender does (the upper ignores sequences it already stored).
    for (let attempt = 1; ; attempt++) {
      const nonce = randomBytes(16).toString('hex');
      const timeMs = Date.now();
      const signature = signRequest(l.key, { method: 'POST', path: BATCH_PATH, id: l.spec.sipId, timeMs, nonce }, body);
      try {
        const r = await fetch(cmd.baseUrl + BATCH_PATH, { method: 'POST', body, headers: { 'content-type': 'application/json', [HEADER.id]: l.spec.sipId, [HEADER.time]: String(timeMs), [HEADER.nonce]: nonce, [HEADER.signature]: signature } });
        if (r.status !== 200) res.errors.push(`batch ${r.status} ${(await r.text()).slice(0, 200)}`);
        await r.arrayBuffer().catch(() => undefined);
        break;
      } catch (err) {
        if (attempt >= 3) {
          res.errors.push(`batch: ${String(err)}`);
          break;
        }
        res.retries++;
      }
    }
    res.batches++;
    res.items += wire.length;
  }
}

function summary(l: Lower): unknown {
  const online = l.online.filter(Boolean).length;
  const total = l.online.length;
  return { atMs: Date.now(), nodeCode: l.spec.siteCode, nodeName: l.spec.siteName, devices: { total: total + 4, byClass: { camera: total, nvr: 2, switch: 1, server: 1 } }, cameras: { total, online, offline: total - online, unknown: 0, recording: online }, faults: { unverified: total - online, byKind: { offline: total - online }, byState: { open: total - online }, overdue: 0, oldestOpenedAtMs: null } };
}

async function run(cmd: RunCmd): Promise<RunResult> {
  const res: RunResult = { latenciesMs: [], batches: 0, items: 0, changes: 0, retries: 0, errors: [] };
  const lowers: Lower[] = cmd.lowers.map((spec) => ({ spec, key: channelKey(computeHa1(spec.sipId, cmd.realm, cmd.password, 'MD5')), online: Array.from({ length: spec.cameras }, (_, i) => i % 33 !== 0), seq: 0, epoch: randomBytes(8).toString('hex'), dirty: true, pending: [] }));
  // Initial state: xuncha = one summary per site; naive = the event history the naive query counts over.
  for (const l of lowers) {
    if (cmd.mode === 'xuncha') await send(cmd, l, [{ topic: 'ledger.site', key: l.spec.siteCode, body: summary(l) }], res);
    else {
      const items = [];
      const t0 = Date.now() - cmd.preloadPerCamera * 1000;
      for (let k = 0; k < cmd.preloadPerCamera; k++) for (let i = 0; i < l.online.length; i++) items.push({ topic: 'bench.camera.status', key: `${cameraCode(l.spec.siteCode, i)}#p${k}`, body: { site: l.spec.siteCode, camera: i, online: k === cmd.preloadPerCamera - 1 ? l.online[i] : k % 2 === 0, atMs: t0 + k * 1000 } });
      await send(cmd, l, items, res);
    }
    l.dirty = false;
  }
  let stopping = false;
  // The senders' and the dashboard clients' pauses end at once when the run stops: a sender
  // sleeping its 5-s period would otherwise hold the end of every phase (issue 16: smoke time).
  let wake!: () => void;
  const stopped = new Promise<void>((r) => (wake = r));
  const pause = (ms: number) => Promise.race([sleep(ms), stopped]);
  let n = 0;
  // Status changes at ratePerS over the fleet.
  const changer = (async () => {
    const start = performance.now();
    while (!stopping) {
      const due = Math.floor(((performance.now() - start) / 1000) * cmd.ratePerS);
      for (; n < due; n++) {
        const l = lowers[Math.floor(Math.random() * lowers.length)]!;
        const i = Math.floor(Math.random() * l.online.length);
        l.online[i] = !l.online[i];
        l.dirty = true;
        l.pending.push({ code: cameraCode(l.spec.siteCode, i), online: l.online[i]!, atMs: Date.now() });
        res.changes++;
      }
      await sleep(20);
    }
  })();
  // Each lower sends what changed: summaries every 5 s (xuncha), raw events every 1 s (naive).
  const senders = lowers.map(async (l, k) => {
    const every = cmd.mode === 'xuncha' ? 5000 : 1000;
    await pause((every * k) / lowers.length);
    while (!stopping) {
      if (cmd.mode === 'xuncha' && l.dirty) {
        l.dirty = false;
        l.pending = [];
        await send(cmd, l, [{ topic: 'ledger.site', key: l.spec.siteCode, body: summary(l) }], res);
      } else if (cmd.mode === 'naive' && l.pending.length) {
        const events = l.pending.splice(0);
        await send(cmd, l, events.map((e, j) => ({ topic: 'bench.camera.status', key: `${e.code}#${e.atMs}.${j}`, body: { site: l.spec.siteCode, camera: Number(e.code.slice(-7)), online: e.online, atMs: e.atMs } })), res);
      }
      await pause(every);
    }
  });
  // Dashboard clients: latencies kept only after the warm-up.
  const measureFrom = performance.now() + cmd.warmS * 1000;
  const clients = Array.from({ length: cmd.dashClients }, async (_, k) => {
    await sleep((cmd.dashIntervalMs * k) / cmd.dashClients);
    while (!stopping) {
      const a = performance.now();
      let status = 0;
      try {
        const r = await fetch(cmd.baseUrl + cmd.dashPath, { headers: { cookie: cmd.cookie, 'x-csrf-token': cmd.csrf } });
        await r.arrayBuffer();
        status = r.status;
      } catch {
        res.retries++; // a reset kept-alive socket: asked again on the next round
        continue;
      }
      const ms = performance.now() - a;
      if (status !== 200) res.errors.push(`dashboard ${status}`);
      else if (a >= measureFrom) res.latenciesMs.push(ms);
      await pause(Math.max(0, cmd.dashIntervalMs - ms));
    }
  });
  await sleep((cmd.warmS + cmd.steadyS) * 1000);
  stopping = true;
  wake();
  await Promise.all([changer, ...senders, ...clients]);
  return res;
}

process.on('message', (m: RunCmd) => {
  if (m.cmd !== 'run') return;
  run(m).then((r) => process.send!(r), (err: unknown) => process.send!({ latenciesMs: [], batches: 0, items: 0, changes: 0, retries: 0, errors: [String(err)] }));
});
process.on('disconnect', () => process.exit(0));
