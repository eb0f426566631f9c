// `npm run chaos -- --minutes N [--cameras 10] [--seed S]`: the long version of
// test/recording/chaos.e2e.test.ts (R-REC-4, issue 12). Records simulated cameras through the whole
// pipeline (in-process app on SQLite, temporary data folder) while seeded random faults hit them,
// then checks the index against what the simulator delivered (±0.2 s at every edge), runs
// verify-recordings, and samples memory (rss, heap, after a full collection) every 30 s: from the
// first sample after warm-up (30 s) to the end it must stay within the bounds of
// test/recording/chaos-memory.ts. Exit code 0 only when everything agrees and memory is flat.
import { verifyRecordings } from '../src/recording/verify/verify-recordings.ts';
import { startSimulator } from '../src/sim/index.ts';
import { repos } from '../src/store/repos/index.ts';
import { createTestApp } from '../test/helpers/app.ts';
import { EDGE_TOLERANCE_MS, compare, faultEdges, reasonsFor, runChaos, sleep } from '../test/recording/chaos-scenario.ts';
import type { Interval } from '../test/recording/chaos-scenario.ts';
import { memoryGrowthProblem, sampleMemory } from '../test/recording/chaos-memory.ts';
import type { MemorySample } from '../test/recording/chaos-memory.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const minutes = Number(arg('minutes', '5'));
const cameraCount = Number(arg('cameras', '10'));
const seed = Number(arg('seed', String(Date.now() % 1_000_000)));
const STALL_TIMEOUT_MS = 3000;
const mb = (n: number) => Math.round(n / 1e6);

const names = Array.from({ length: cameraCount }, (_, i) => `c${i + 1}`);
const sim = await startSimulator({ cameras: names.map((id) => ({ id, audio: 'none' as const })) });
const t = await createTestApp('sqlite', {
  realClock: true,
  app: { recording: { supervisor: { backoffMinMs: 50, backoffMaxMs: 200, stallTimeoutMs: STALL_TIMEOUT_MS }, recorder: { fileDurationMs: 60_000 } } },
});
let exit = 1;
try {
  const admin = await t.actor('admin');
  const rooms = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
  const ids = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const cam = await t.app.devices.createCamera(admin, { roomId: rooms[i % rooms.length].id, name: `chaos-${name}`, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${name}/main`, subStream: '/none', host: '127.0.0.1', port: sim.port });
    ids.set(name, cam.id);
  }
  await t.app.recorder.start();
  while (!names.every((n) => t.app.recorder.status(ids.get(n)!)?.recording)) await sleep(200);
  console.log(`chaos: ${cameraCount} cameras, ${minutes} min, seed ${seed}`);

  const memory: MemorySample[] = [];
  const fromMs = Date.now();
  const sample = () => {
    memory.push(sampleMemory(fromMs));
    console.log(`  ${memory.at(-1)!.atS} s  rss ${memory.at(-1)!.rssMb} MB  heap ${memory.at(-1)!.heapMb} MB`);
  };
  sample();
  const timer = setInterval(sample, 30_000);
  const injected = await runChaos(sim, names, { seed, forMs: minutes * 60_000, stallTimeoutMs: STALL_TIMEOUT_MS });
  clearInterval(timer);
  for (const n of names) while (!t.app.recorder.status(ids.get(n)!)?.recording) await sleep(200);
  await sleep(1000);
  const toMs = Date.now();
  sample();
  await t.app.recorder.stop();

  const r = repos(t.app.store.db).recordings;
  let problems = 0;
  const byKind = new Map<string, number>();
  for (const f of injected) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  console.log(`faults injected: ${injected.length} (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  const edgeMiss = { injected: [] as number[], delivered: [] as number[] };
  let edges = 0;
  for (const n of names) {
    const runs = await r.runsBetween(ids.get(n)!, 0, toMs + 60_000);
    // Gap starts against the fault: as injected (diagnostic) and as delivered (the check).
    for (const e of faultEdges(injected.filter((x) => x.camera === n), runs.map((x) => ({ endMs: Number(x.ended_at_ms), reason: x.end_reason })), sim.delivered(n)!.intervals)) {
      edges++;
      const vsInjected = e.gapStartMs - e.fault.atMs;
      const vsDelivered = e.gapStartMs - e.deliveredEndMs;
      if (Math.abs(vsInjected) > EDGE_TOLERANCE_MS) edgeMiss.injected.push(vsInjected);
      if (Math.abs(vsDelivered) > EDGE_TOLERANCE_MS) {
        edgeMiss.delivered.push(vsDelivered);
        problems++;
        console.log(`  EDGE ${n} ${e.fault.kind} at ${e.fault.atMs - fromMs} ms: gap starts ${vsDelivered} ms from where delivery stopped (${vsInjected} ms from the injection)`);
      } else if (Math.abs(vsInjected) > EDGE_TOLERANCE_MS) {
        console.log(`  edge ${n} ${e.fault.kind} at ${e.fault.atMs - fromMs} ms: ${vsInjected} ms from the injection, but ${vsDelivered} ms from the simulator's last frame (it sent nothing for ${e.fault.atMs - e.deliveredEndMs} ms before the injection)`);
      }
    }
    const recorded = runs.map((x): Interval => [Number(x.started_at_ms), Number(x.ended_at_ms)]);
    for (const d of compare(n, recorded, sim.delivered(n)!.intervals, fromMs, toMs - 500)) {
      problems++;
      const near = (ms: number) => Math.abs(ms - d.fromMs) < 5000;
      console.log(`  DISAGREE ${d.kind} ${n} at ${d.fromMs - fromMs} ms for ${d.toMs - d.fromMs} ms; faults: ${injected.filter((f) => f.camera === n && near(f.atMs)).map((f) => `${f.kind}@${f.atMs - fromMs}+${f.durationMs}`).join(', ')}; runs: ${runs.filter((x) => near(Number(x.started_at_ms)) || near(Number(x.ended_at_ms))).map((x) => `${Number(x.started_at_ms) - fromMs}..${Number(x.ended_at_ms) - fromMs} ${x.end_reason}`).join(', ')}; delivered: ${sim.delivered(n)!.intervals.filter(([a, b]) => near(a) || near(b)).map(([a, b]) => `${a - fromMs}..${b - fromMs}`).join(', ')}`);
    }
    for (const f of injected.filter((x) => x.camera === n)) {
      const reasons = reasonsFor(f);
      if (reasons.length === 0 || f.kind === 'loss') continue;
      const near = runs.filter((x) => Number(x.ended_at_ms) >= f.atMs - 1000 && Number(x.ended_at_ms) <= f.atMs + f.durationMs + 1000);
      if (!near.some((x) => reasons.includes(x.end_reason!))) {
        problems++;
        console.log(`  REASON ${n} ${f.kind} at ${f.atMs - fromMs} ms: got ${near.map((x) => x.end_reason).join(',') || 'no run end'}`);
      }
    }
  }
  console.log(`gap starts: ${edges} faults; beyond ±${EDGE_TOLERANCE_MS} ms of the injection ${edgeMiss.injected.length} (${edgeMiss.injected.join(', ')} ms), of the simulator's delivery ${edgeMiss.delivered.length}`);
  const verified = await verifyRecordings(t.app.store, t.app.files, {});
  for (const p of verified.problems) console.log(`  VERIFY ${p.kind} camera ${p.cameraId ?? '-'} ${p.relPath ?? ''}: ${p.detail}`);
  problems += verified.problems.length;
  const first = memory[1] ?? memory[0];
  const last = memory.at(-1)!;
  console.log(`verify-recordings: ${verified.files} files, ${mb(verified.bytes)} MB, ${Math.round(verified.recordedMs / 1000)} s recorded, ${verified.problems.length} problems`);
  console.log(`memory: rss ${first.rssMb} → ${last.rssMb} MB, heap ${first.heapMb} → ${last.heapMb} MB (from the first 30 s sample to the end)`);
  const notFlat = memoryGrowthProblem(first, last);
  if (notFlat) {
    problems++;
    console.log(`  MEMORY ${notFlat}`);
  }
  console.log(problems === 0 ? 'chaos: index and media agree' : `chaos: ${problems} problems (seed ${seed})`);
  exit = problems === 0 ? 0 : 1;
} finally {
  await t.app.recorder.stop();
  await sim.close();
  await t.close();
}
process.exit(exit);
