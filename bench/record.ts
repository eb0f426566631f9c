// `npm run bench:record [-- --cameras N --seconds S --find-max --profile --no-ffmpeg --count-frames]`
//
// Recording cost of xuncha against one ffmpeg per camera (issue 3), on the same simulated cameras:
// the simulator runs in its own process; xuncha records in a child process (bench/lib/
// record-worker.ts); both sides are measured from outside through /proc (CPU = utime+stime incl.
// children, memory = VmHWM; ffmpeg: sums over its processes).
//
// Frames: for each camera, frames produced by the simulator during a phase (its stats before the
// phase and after it, sent + dropped-for-a-slow-client) against frames written (xuncha: sum of
// recording_run.frame_count after a clean stop; ffmpeg: ffprobe over its segments). The window is
// closed on the camera side first: every camera is stalled (the simulator stops sending but keeps
// the session), the stats are read after 1.5 s (what was in flight is delivered), then every
// camera drops its connection and refuses new ones (the recorders see end of stream and close
// their files: xuncha's runs end 'eof', ffmpeg exits by itself and writes its trailers), then
// the recorder is stopped (xuncha: app.recorder.stop(); ffmpeg: SIGINT to any still running).
// So "sent" and "written" describe the same frames. (Stopping while cameras are merely stalled
// would not do: neither side gets a TEARDOWN answer from a stalled camera, and ffmpeg ignores
// SIGINT while blocked on it.)
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CameraStats } from '../src/sim/index.ts';
import { hotSpots, inclusiveShare } from './lib/cpuprofile.ts';
import { forkOwned, onBenchExit, runBench, SMOKE } from './lib/lifecycle.ts';
import { compiledPath, prepare, prepareServer } from './lib/prepare.ts';
import { countFfmpegFrames, startFfmpegRecorders } from './lib/ffmpeg-record.ts';
import { ProcGroupSampler, cpuModel, loadAverage, machineCpu, readThreadCpuS } from './lib/proc.ts';
import type { ParentMsg, ProbeReply, WorkerInit, WorkerMsg } from './lib/record-worker.ts';
import { saturation } from './lib/saturation.ts';
import { startSimProcess } from './lib/sim-process.ts';
import type { SimProcess } from './lib/sim-process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Smoke mode (4 local cameras): what is in flight arrives well within 0.5 s.
const DRAIN_MS = SMOKE ? 500 : 1500;
/** Keep-up limits of --find-max: the recorder's event-loop thread (one core), the index lag. */
const MAX_CPU_PCT = 90;
const MAX_INDEX_LAG_MS = 4000;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    cameras: { type: 'string' },
    seconds: { type: 'string' },
    'find-max': { type: 'boolean' },
    profile: { type: 'boolean' },
    'no-ffmpeg': { type: 'boolean' },
    'count-frames': { type: 'boolean' },
    keep: { type: 'boolean' },
    'worker-flags': { type: 'string' },
    'from-source': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  console.log(`usage: npm run bench:record -- [--cameras N (50)] [--seconds S (60; 30 with --find-max)]
    [--find-max] [--profile] [--no-ffmpeg] [--count-frames (ffprobe decodes; default counts packets)] [--keep]
    [--worker-flags="<node flags for the recorder process, e.g. --trace-gc>"]
    [--from-source (the recorder through tsx instead of the compiled build that npm start runs)]`);
  process.exit(0);
}
const findMax = values['find-max'] === true;
// The recorder process runs the way the product does (bin/xuncha.mjs after npm start): the server
// compiled to JavaScript by scripts/build-server.mjs, no tsx loader. --from-source: through tsx.
const fromSource = values['from-source'] === true;
const WORKER_TS = 'bench/lib/record-worker.ts';
// BENCH_SMOKE=1 (test/bench/smoke.test.ts): 4 cameras for 2 s, only to prove the benchmark runs.
const cameras = Number(values.cameras ?? (SMOKE ? 4 : 50));
const seconds = Number(values.seconds ?? (SMOKE ? 2 : findMax ? 30 : 60));
if (!Number.isInteger(cameras) || cameras < 1 || !(seconds >= (SMOKE ? 2 : 5))) throw new Error('--cameras must be >= 1 and --seconds >= 5');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => Math.round(kb / 1024);
const r2 = (x: number) => Math.round(x * 100) / 100;
const log = (s: string) => process.stderr.write(`[bench:record] ${s}\n`);

interface PhaseResult {
  name: string;
  /** Whole phase: start to recorder stopped. */
  wallS: number;
  /** CPU seconds of the whole phase (start-up and clean stop included). */
  cpuS: number;
  /** CPU % of one core while recording (start to the end of the window, before stopping). */
  cpuPct: number;
  peakKb: number;
  processes: number;
  sent: number;
  /** Frames the simulator skipped because the client's TCP backlog was over 4 MB. */
  droppedSlowClient: number;
  written: number;
  lost: number;
  /** Cameras with at least one lost frame. */
  camerasLosing: number;
  simCpuPct: number;
  machineBusyCores: number;
  load: string;
  extra: Record<string, unknown>;
}

function frameDelta(before: Map<string, CameraStats>, after: Map<string, CameraStats>, written: Record<string, number>) {
  let sent = 0;
  let dropped = 0;
  let lost = 0;
  let losing = 0;
  let writtenSum = 0;
  for (const [id, a] of after) {
    const b = before.get(id)!.streams.main;
    const s = a.streams.main.framesSent - b.framesSent;
    const d = a.streams.main.framesDropped - b.framesDropped;
    const w = written[id] ?? 0;
    sent += s;
    dropped += d;
    writtenSum += w;
    const l = Math.max(0, s + d - w);
    lost += l;
    if (l > 0) losing++;
  }
  return { sent, dropped, written: writtenSum, lost, losing };
}

/** Ends the measured window on the camera side (see the header). */
async function closeWindow(sim: SimProcess): Promise<void> {
  await sim.faultAll({ type: 'stall' });
  await sleep(DRAIN_MS);
  await sim.faultAll({ type: 'drop', durationMs: 600_000 });
  await sleep(200);
}

class Worker {
  private readonly waiting = new Map<string, (m: WorkerMsg) => void>();
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: WorkerMsg) => {
      if (m.type === 'error') {
        log(`worker error: ${m.message}`);
        for (const w of this.waiting.values()) w(m);
        return;
      }
      const w = this.waiting.get(m.type);
      this.waiting.delete(m.type);
      w?.(m);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }
  next<T extends WorkerMsg['type']>(type: T, timeoutMs = 120_000): Promise<Extract<WorkerMsg, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
      void this.exited.then((code) => reject(new Error(`worker exited (${code}) before '${type}'`)));
      this.waiting.set(type, (m) => {
        clearTimeout(timer);
        if (m.type === 'error') reject(new Error(m.message));
        else resolve(m as Extract<WorkerMsg, { type: T }>);
      });
    });
  }
  send(m: ParentMsg): void {
    this.child.send(m);
  }
}

async function xunchaPhase(sim: SimProcess, tmp: string, profileDir?: string): Promise<PhaseResult> {
  const load = loadAverage().text;
  const init: WorkerInit = { dataDir: path.join(tmp, 'xuncha'), simPort: sim.port, ids: sim.ids, ...(profileDir ? { profileDir } : {}) };
  const flags = values['worker-flags']?.split(/\s+/).filter(Boolean) ?? [];
  const child = fromSource
    ? forkOwned(path.join(ROOT, WORKER_TS), [JSON.stringify(init)], { execArgv: ['--import', 'tsx', ...flags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: ROOT })
    : forkOwned(compiledPath(WORKER_TS), [JSON.stringify(init)], { execArgv: flags, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: ROOT });
  const w = new Worker(child);
  const ready = await w.next('ready');
  log(`xuncha: ${ready.cameras} cameras configured in ${ready.setupMs} ms; recording ${seconds} s`);
  const sampler = new ProcGroupSampler(250);
  sampler.add(child.pid!, true);
  const simSampler = new ProcGroupSampler(1000);
  simSampler.add(sim.pid, true);
  const before = await sim.stats();
  sampler.mark();
  simSampler.mark();
  const machine = machineCpu();
  const mainCpu0 = readThreadCpuS(child.pid!) ?? 0;
  const t0 = performance.now();
  const recordingP = w.next('recording', 60_000);
  w.send({ type: 'start' });
  const rec = await recordingP;
  log(`xuncha: ${rec.recording}/${ready.cameras} cameras recording after ${rec.allRecordingAfterMs} ms`);
  await sleep(Math.max(0, t0 + seconds * 1000 - performance.now()));
  const probeP = w.next('probe');
  w.send({ type: 'probe' });
  const probe: ProbeReply = await probeP;
  const active = { cpuS: sampler.totals().cpuS, wallS: (performance.now() - t0) / 1000 };
  // The event loop's thread alone: one core is its limit, whatever the pool threads do.
  const mainThreadCpuPct = (((readThreadCpuS(child.pid!) ?? mainCpu0) - mainCpu0) / active.wallS) * 100;
  const simCpuActivePct = (simSampler.totals().cpuS / active.wallS) * 100;
  const busyActive = machine().busyCores;
  await closeWindow(sim);
  const after = await sim.stats();
  const stoppedP = w.next('stopped');
  const resultP = w.next('result');
  w.send({ type: 'stop' });
  const stopped = await stoppedP;
  const wallS = (performance.now() - t0) / 1000;
  const cpu = sampler.totals();
  const simCpu = simSampler.totals();
  const busy = machine();
  const result = await resultP;
  sampler.stop();
  simSampler.stop();
  await w.exited;
  await sim.faultAll({ type: 'clear' });
  const f = frameDelta(before, after, result.frames);
  return {
    name: 'xuncha',
    wallS,
    cpuS: cpu.cpuS,
    cpuPct: (active.cpuS / active.wallS) * 100,
    peakKb: cpu.sumHwmKb,
    processes: 1,
    sent: f.sent,
    droppedSlowClient: f.dropped,
    written: f.written,
    lost: f.lost,
    camerasLosing: f.losing,
    simCpuPct: (simCpu.cpuS / wallS) * 100,
    machineBusyCores: busy.busyCores,
    load,
    extra: {
      mainThreadCpuPct: r2(mainThreadCpuPct),
      simCpuActivePct: r2(simCpuActivePct),
      machineBusyCoresActive: r2(busyActive),
      camerasRecording: rec.recording,
      allRecordingAfterMs: rec.allRecordingAfterMs,
      indexLagMaxMs: probe.indexLagMaxMs,
      indexLagMeanMs: probe.indexLagMeanMs,
      indexFlushMaxMs: probe.flushMaxMs,
      indexCommits: probe.commits,
      stopMs: stopped.stopMs,
      runs: result.runs,
      files: result.files,
      bytes: result.bytes,
      fragments: result.fragments,
      fragmentsPerMediaS: Math.round((result.fragments / Math.max(1, result.mediaSeconds)) * 100) / 100,
      fdatasyncPerS: Math.round((result.fragments / active.wallS) * 10) / 10,
      bytesPerFragment: Math.round(result.bytes / Math.max(1, result.fragments)),
      bytesPerMediaS: Math.round(result.bytes / Math.max(1, result.mediaSeconds)),
      fragmentMs: Number(process.env.XUNCHA_BENCH_FRAGMENT_MS ?? '') || 'default',
      recorderCode: fromSource ? 'source via tsx' : 'compiled (build/server)',
      endReasons: result.endReasons,
      eventLoopDelayP99Ms: result.eventLoopDelayP99Ms,
      eventLoopDelayMaxMs: result.eventLoopDelayMaxMs,
      selfReported: result.self,
      memoryMb: result.memoryMb,
      ...(result.profile ? { profile: result.profile } : {}),
    },
  };
}

async function ffmpegPhase(sim: SimProcess, tmp: string): Promise<PhaseResult> {
  const load = loadAverage().text;
  const dir = path.join(tmp, 'ffmpeg');
  mkdirSync(dir, { recursive: true });
  const before = await sim.stats();
  const simSampler = new ProcGroupSampler(1000);
  simSampler.add(sim.pid, true);
  const machine = machineCpu();
  const t0 = performance.now();
  const group = startFfmpegRecorders({ ids: sim.ids, port: sim.port, dir });
  const sampler = new ProcGroupSampler(sim.ids.length > 100 ? 500 : 250);
  for (const p of group.procs) sampler.add(p.child.pid!);
  log(`ffmpeg: ${group.procs.length} processes recording ${seconds} s`);
  await sleep(seconds * 1000);
  const active = { cpuS: sampler.totals().cpuS, wallS: (performance.now() - t0) / 1000 };
  await closeWindow(sim);
  const after = await sim.stats();
  const { exitCodes, stderr } = await group.stop();
  const wallS = (performance.now() - t0) / 1000;
  const cpu = sampler.totals();
  const simCpu = simSampler.totals();
  const busy = machine();
  sampler.stop();
  simSampler.stop();
  await sim.faultAll({ type: 'clear' });
  log(`ffmpeg: counting frames with ffprobe ${values['count-frames'] ? '-count_frames' : '-count_packets'}`);
  const written = await countFfmpegFrames(dir, sim.ids, values['count-frames'] === true);
  const f = frameDelta(before, after, written);
  return {
    name: `ffmpeg x${group.procs.length}`,
    wallS,
    cpuS: cpu.cpuS,
    cpuPct: (active.cpuS / active.wallS) * 100,
    peakKb: cpu.sumHwmKb,
    processes: cpu.processes,
    sent: f.sent,
    droppedSlowClient: f.dropped,
    written: f.written,
    lost: f.lost,
    camerasLosing: f.losing,
    simCpuPct: (simCpu.cpuS / wallS) * 100,
    machineBusyCores: busy.busyCores,
    load,
    extra: { maxPeakPerProcessMb: mb(cpu.maxHwmKb), nonZeroExits: exitCodes.filter((c) => c !== 0 && c !== 255).length, stderr: stderr.slice(0, 5) },
  };
}

function table(rows: PhaseResult[]): string {
  const [x, f] = rows;
  const lines: Array<[string, (r: PhaseResult) => string, string?]> = [
    ['wall seconds (start to stopped)', (r) => r.wallS.toFixed(1)],
    ['CPU seconds (start to stopped)', (r) => r.cpuS.toFixed(1), f ? r2(x.cpuS / f.cpuS).toFixed(2) : undefined],
    ['CPU % of one core (recording)', (r) => r.cpuPct.toFixed(1), f ? r2(x.cpuPct / f.cpuPct).toFixed(2) : undefined],
    ['peak memory MB (sum VmHWM)', (r) => String(mb(r.peakKb)), f ? r2(x.peakKb / f.peakKb).toFixed(3) : undefined],
    ['frames sent', (r) => String(r.sent)],
    ['frames dropped (slow client)', (r) => String(r.droppedSlowClient)],
    ['frames written', (r) => String(r.written), f ? r2(x.written / Math.max(1, f.written)).toFixed(3) : undefined],
    ['lost frames (cameras)', (r) => `${r.lost} (${r.camerasLosing})`],
    ['simulator CPU % of one core', (r) => r.simCpuPct.toFixed(1)],
    ['machine busy cores (all procs)', (r) => r.machineBusyCores.toFixed(2)],
  ];
  const head = ['', ...rows.map((r) => r.name), ...(f ? ['xuncha/ffmpeg'] : [])];
  const body = lines.map(([label, fn, ratio]) => [label, ...rows.map(fn), ...(f ? [ratio ?? ''] : [])]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i].length)));
  const fmt = (row: string[]) => `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`, ...body.map(fmt)].join('\n');
}

async function runOnce(n: number, withFfmpeg: boolean, profile: boolean): Promise<PhaseResult[]> {
  const profileDir = profile ? path.join(os.tmpdir(), 'xuncha-bench-profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const sim = await startSimProcess({ cameras: n, audio: 'aac' });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'xuncha-bench-record-'));
  if (!values.keep) onBenchExit(() => rmSync(tmp, { recursive: true, force: true }));
  log(`${n} cameras, ${seconds} s per phase; ${loadAverage().text}; data in ${tmp}`);
  try {
    const rows = [await xunchaPhase(sim, tmp, profileDir)];
    if (withFfmpeg) rows.push(await ffmpegPhase(sim, tmp));
    return rows;
  } finally {
    await sim.close();
    if (!values.keep) rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

function printProfile(file: string): void {
  const { spots, sampledMs, idlePct } = hotSpots(file, ROOT, 20);
  console.log(`\nCPU profile of the recorder (${file}; ${sampledMs} ms sampled, idle ${idlePct}%; shares of non-idle time):`);
  console.log('  self%  total%  function');
  for (const s of spots) console.log(`  ${s.selfPct.toFixed(1).padStart(5)}  ${s.totalPct.toFixed(1).padStart(6)}  ${s.fn}`);
  const groups = inclusiveShare(file, ROOT, [
    // Source paths, or the same files compiled under build/server (how the recorder runs by default).
    ['RTSP client + RTP read (src/media/rtsp, src/media/rtp)', /^(build\/server\/)?src\/media\/(rtsp|rtp)\//],
    ['fMP4 fragment building (src/media/fmp4)', /^(build\/server\/)?src\/media\/fmp4\//],
    ['recording (src/recording)', /^(build\/server\/)?src\/recording\//],
    ['index writes (index-writer + kysely + sqlite)', /index-writer\.[jt]s|kysely|better-sqlite3/],
    ['garbage collector', /^\(garbage collector\)$/],
  ]);
  console.log('  inclusive shares:');
  for (const g of groups) console.log(`  ${g.totalPct.toFixed(1).padStart(5)}%  ${g.name}`);
}

const header = () => {
  const l = loadAverage();
  return `machine: ${l.cores} cores (nproc ${os.availableParallelism()}), ${cpuModel()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.version}; ${new Date().toISOString()}`;
};

async function main(): Promise<void> {
  prepare({ system: 'runtime', clips: true });
  if (!fromSource) await prepareServer([WORKER_TS]);
  console.log(header());
  if (!findMax) {
    const rows = await runOnce(cameras, values['no-ffmpeg'] !== true, values.profile === true);
    const [x, f] = rows;
    console.log(`\nrecording ${cameras} simulated cameras (720p25 H.264 ~2 Mb/s + AAC) for ${seconds} s; load before: xuncha ${x.load}${f ? `; ffmpeg ${f.load}` : ''}`);
    console.log(table(rows));
    console.log(`xuncha details: ${JSON.stringify(x.extra)}`);
    if (f) console.log(`ffmpeg details: ${JSON.stringify(f.extra)}`);
    if (typeof x.extra.profile === 'string') printProfile(x.extra.profile);
    console.log(
      JSON.stringify({
        cameras,
        seconds,
        cpuRatio: f ? r2(x.cpuS / f.cpuS) : null,
        memRatio: f ? Math.round((x.peakKb / f.peakKb) * 1000) / 1000 : null,
        lostFrames: x.lost,
        xunchaCpuPct: r2(x.cpuPct),
        xunchaMainThreadCpuPct: x.extra.mainThreadCpuPct,
        xunchaPeakMb: mb(x.peakKb),
        ffmpegCpuPct: f ? r2(f.cpuPct) : null,
        ffmpegPeakMb: f ? mb(f.peakKb) : null,
        ffmpegLostFrames: f ? f.lost : null,
        framesSent: x.sent,
        framesWritten: x.written,
        indexLagMaxMs: x.extra.indexLagMaxMs,
        simCpuPct: r2(x.simCpuPct),
        load1: loadAverage().load1,
        loadBefore: x.load,
      }),
    );
  } else {
    const steps: Array<Record<string, unknown>> = [];
    let best = 0;
    for (let n = cameras; n <= 1000; n += 50) {
      const [x] = await runOnce(n, false, values.profile === true);
      const reasons: string[] = [];
      if (x.lost > 0) reasons.push(`${x.lost} frames lost on ${x.camerasLosing} cameras`);
      const mainPct = Number(x.extra.mainThreadCpuPct);
      if (mainPct >= MAX_CPU_PCT) reasons.push(`recorder event-loop thread CPU ${mainPct.toFixed(0)}% >= ${MAX_CPU_PCT}%`);
      const endReasons = x.extra.endReasons as Record<string, number>;
      const sat = saturation({
        mainThreadCpuPct: mainPct,
        eventLoopDelayP99Ms: Number(x.extra.eventLoopDelayP99Ms),
        simCpuPct: Number(x.extra.simCpuActivePct),
        machineBusyCores: Number(x.extra.machineBusyCoresActive),
        cores: loadAverage().cores,
        indexLagMaxMs: Number(x.extra.indexLagMaxMs),
        indexLagLimitMs: MAX_INDEX_LAG_MS,
        writeBacklogRuns: endReasons['write-backlog'] ?? 0,
      });
      if (Number(x.extra.indexLagMaxMs) > MAX_INDEX_LAG_MS) reasons.push(`index ${String(x.extra.indexLagMaxMs)} ms behind`);
      if (x.extra.camerasRecording !== n) reasons.push(`only ${String(x.extra.camerasRecording)}/${n} cameras recording`);
      const step = {
        cameras: n,
        ok: reasons.length === 0,
        cpuPct: r2(x.cpuPct),
        mainThreadCpuPct: r2(mainPct),
        peakMb: mb(x.peakKb),
        sent: x.sent,
        written: x.written,
        lost: x.lost,
        droppedSlowClient: x.droppedSlowClient,
        indexLagMaxMs: x.extra.indexLagMaxMs,
        eventLoopDelayP99Ms: x.extra.eventLoopDelayP99Ms,
        simCpuPct: r2(x.simCpuPct),
        machineBusyCores: r2(x.machineBusyCores),
        load: x.load,
        why: reasons.join('; ') || undefined,
        // Each resource's share of its limit, and the one nearest to it: what saturates first.
        levels: sat.levels,
        nearestLimit: sat.nearest,
      };
      steps.push(step);
      console.log(JSON.stringify(step));
      if (typeof x.extra.profile === 'string') printProfile(x.extra.profile);
      if (reasons.length > 0) break;
      best = n;
    }
    const last = steps.at(-1);
    const saturatedFirst = last ? String(last.nearestLimit) : undefined;
    console.log(`\nlargest N recorded without loss, recorder event loop under ${MAX_CPU_PCT}% of one core, index within ${MAX_INDEX_LAG_MS / 1000} s: ${best || `none (from ${cameras})`}`);
    console.log(`saturated first (nearest its limit at the last step, ${String(last?.cameras)} cameras): ${saturatedFirst}; ${JSON.stringify(last?.levels)}`);
    console.log(JSON.stringify({ findMax: true, seconds, cameras: best, maxCameras: best, saturatedFirst, limits: { mainThreadCpuPct: MAX_CPU_PCT, indexLagMs: MAX_INDEX_LAG_MS }, steps }));
  }
}

// A find-max run takes up to 11 steps of two phases; one run, a few minutes.
runBench('bench:record', main, (Number(process.env.BENCH_TIMEOUT_S) || (findMax ? 3 * 3600 : SMOKE ? 120 : 20 * 60)) * 1000);
