// Child process of bench/record.ts: a xuncha node (SQLite in a temporary data dir) recording the
// simulator's cameras, driven over IPC so that the parent can measure this process from outside:
//   parent → {type:'start'} → worker starts app.recorder → {type:'recording'}
//   parent → {type:'probe'} → {type:'probe', …index lag…}
//   parent → {type:'stop'}  → worker stops the recorder cleanly → {type:'stopped'} → {type:'result'}
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { createApp } from '../../src/app.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { loadConfig } from '../../src/config/config.ts';
import { decodeFragmentIndex } from '../../src/recording/fragment-index.ts';
import { seedFirstStart } from '../../src/org/seed.ts';
import { repos } from '../../src/store/repos/index.ts';

export interface WorkerInit {
  dataDir: string;
  simPort: number;
  /** Simulator camera ids (cam001…). */
  ids: string[];
  /** Write a CPU profile of the recording window (start → stopped) into this directory. */
  profileDir?: string;
}

export interface MemoryMb {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const memoryMb = (): MemoryMb => {
  const m = process.memoryUsage();
  const r = (b: number) => Math.round(b / 2 ** 20);
  return { rss: r(m.rss), heapTotal: r(m.heapTotal), heapUsed: r(m.heapUsed), external: r(m.external), arrayBuffers: r(m.arrayBuffers) };
};

export type ParentMsg = { type: 'start' } | { type: 'probe' } | { type: 'stop' };

export interface ProbeReply {
  type: 'probe';
  /** Max / mean over open runs of (now − indexed media end): how far the index is behind. */
  indexLagMaxMs: number;
  indexLagMeanMs: number;
  runsIndexed: number;
  pendingOps: number;
  flushMaxMs: number;
  commits: number;
}

export type WorkerMsg =
  | { type: 'ready'; cameras: number; setupMs: number }
  | { type: 'recording'; allRecordingAfterMs: number; recording: number }
  | ProbeReply
  | { type: 'stopped'; stopMs: number }
  | {
      type: 'result';
      /** Frames written per simulator camera id: sum of recording_run.frame_count. */
      frames: Record<string, number>;
      runs: number;
      files: number;
      bytes: number;
      /** Fragments written = fdatasync calls of the recorder. */
      fragments: number;
      /** Σ recording_file.duration_90k in seconds. */
      mediaSeconds: number;
      endReasons: Record<string, number>;
      eventLoopDelayP99Ms: number;
      eventLoopDelayMaxMs: number;
      self: { userS: number; systemS: number; maxRssKb: number };
      /** process.memoryUsage() in MB when configured (before recording) and at the highest RSS sampled (every 250 ms) while recording. */
      memoryMb: { configured: MemoryMb; atPeakRss: MemoryMb };
      profile?: string;
    }
  | { type: 'error'; message: string };

const init = JSON.parse(process.argv[2]) as WorkerInit;
// The IPC channel closes when bench/record.ts exits, however it exits: this worker then ends too
// (after a normal 'stop' it has already closed the app and disconnected itself).
let finished = false;
process.on('disconnect', () => {
  if (!finished) process.exit(1);
});
const send = (m: WorkerMsg) => process.send!(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const t0 = performance.now();
  const config = loadConfig({ env: {}, file: '/dev/null', overrides: { dataDir: init.dataDir, logLevel: 'silent' } });
  // Warnings and errors of the recorder go to stderr: a benchmark must not hide write errors.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  // XUNCHA_BENCH_FRAGMENT_MS: fragment length of the recorder under test (before/after figures of issue 12).
  const fragmentMs = Number(process.env.XUNCHA_BENCH_FRAGMENT_MS ?? '') || undefined;
  const app = await createApp(config, { logger, ...(fragmentMs ? { recording: { recorder: { fragmentDurationMs: fragmentMs } } } : {}) });
  await seedFirstStart(app.store, app.audit, app.clock, { sample: true, adminPassword: 'bench-only-Passw0rd!' });
  const r = repos(app.store.db);
  const site = (await r.org.list({ kind: 'all' })).find((n) => n.kind === 'site')!;
  const actor = { ...SYSTEM_ACTOR, workstation: 'bench' };
  const camIdBySim = new Map<number, string>();
  for (let i = 0; i < init.ids.length; i += 2) {
    const room = await app.devices.createRoom(actor, { siteId: site.id, kind: 'exam', name: `基准考场${String(i / 2 + 1).padStart(3, '0')}`, seats: 30 });
    for (const [j, position] of (['front', 'rear'] as const).entries()) {
      const simId = init.ids[i + j];
      if (!simId) break;
      const cam = await app.devices.createCamera(actor, {
        roomId: room.id,
        name: position === 'front' ? '前置摄像机' : '后置摄像机',
        position,
        sourceKind: 'rtsp',
        mainStream: `/cam/${simId}/main`,
        subStream: `/cam/${simId}/sub`,
        host: '127.0.0.1',
        port: init.simPort,
      });
      camIdBySim.set(cam.id, simId);
    }
  }
  send({ type: 'ready', cameras: camIdBySim.size, setupMs: Math.round(performance.now() - t0) });

  const index = app.recorder.index;
  let flushMaxMs = 0;
  const flush = index.flush.bind(index);
  index.flush = async () => {
    const f0 = performance.now();
    await flush();
    flushMaxMs = Math.max(flushMaxMs, performance.now() - f0);
  };
  const eld = monitorEventLoopDelay({ resolution: 10 });
  // Where the memory is: the composition at the highest RSS seen while recording.
  const configuredMem = memoryMb();
  let peakMem = configuredMem;
  let memTimer: NodeJS.Timeout | undefined;
  let profiler: Session | undefined;

  const onMessage = async (m: ParentMsg): Promise<void> => {
    if (m.type === 'start') {
      if (init.profileDir) {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
        await profiler.post('Profiler.start');
      }
      eld.enable();
      memTimer = setInterval(() => {
        const m = memoryMb();
        if (m.rss > peakMem.rss) peakMem = m;
      }, 250);
      const s0 = performance.now();
      await app.recorder.start();
      let recording = 0;
      while (performance.now() - s0 < 30_000) {
        recording = [...camIdBySim.keys()].filter((id) => app.recorder.status(id)?.recording).length;
        if (recording === camIdBySim.size) break;
        await sleep(20);
      }
      send({ type: 'recording', allRecordingAfterMs: Math.round(performance.now() - s0), recording });
    } else if (m.type === 'probe') {
      const now = Date.now();
      const open = await r.recordings.openRuns();
      const lags = open.map((run) => now - (Number(run.started_at_ms) + Number(run.duration_90k) / 90));
      send({
        type: 'probe',
        indexLagMaxMs: Math.round(Math.max(0, ...lags)),
        indexLagMeanMs: Math.round(lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length)),
        runsIndexed: open.length,
        pendingOps: index.pending,
        flushMaxMs: Math.round(flushMaxMs),
        commits: index.commits,
      });
    } else if (m.type === 'stop') {
      const s0 = performance.now();
      await app.recorder.stop();
      eld.disable();
      clearInterval(memTimer);
      let profile: string | undefined;
      if (profiler) {
        const { profile: p } = await profiler.post('Profiler.stop');
        profile = path.join(init.profileDir!, `record-worker-${process.pid}.cpuprofile`);
        writeFileSync(profile, JSON.stringify(p));
        profiler.disconnect();
      }
      send({ type: 'stopped', stopMs: Math.round(performance.now() - s0) });
      const runs = await app.store.db.selectFrom('recording_run').select(['camera_id', 'frame_count', 'end_reason']).execute();
      const files = await app.store.db.selectFrom('recording_file').select(['bytes', 'fragment_index', 'init_bytes', 'duration_90k']).execute();
      // Fragments = fdatasync calls (one per fragment); container overhead = bytes − sample bytes is
      // not known here, so the fragment count and the mean fragment size are reported instead.
      let fragments = 0;
      for (const f of files) fragments += decodeFragmentIndex(f.fragment_index as Uint8Array, Number(f.init_bytes)).length;
      const frames: Record<string, number> = {};
      const endReasons: Record<string, number> = {};
      for (const id of camIdBySim.values()) frames[id] = 0;
      for (const run of runs) {
        const simId = camIdBySim.get(Number(run.camera_id));
        if (simId) frames[simId] += Number(run.frame_count);
        endReasons[run.end_reason ?? 'open'] = (endReasons[run.end_reason ?? 'open'] ?? 0) + 1;
      }
      const ru = process.resourceUsage();
      send({
        type: 'result',
        frames,
        runs: runs.length,
        files: files.length,
        bytes: files.reduce((a, f) => a + Number(f.bytes), 0),
        fragments,
        mediaSeconds: files.reduce((a, f) => a + Number(f.duration_90k) / 90_000, 0),
        endReasons,
        eventLoopDelayP99Ms: Math.round(eld.percentile(99) / 1e5) / 10,
        eventLoopDelayMaxMs: Math.round(eld.max / 1e5) / 10,
        self: { userS: ru.userCPUTime / 1e6, systemS: ru.systemCPUTime / 1e6, maxRssKb: ru.maxRSS },
        memoryMb: { configured: configuredMem, atPeakRss: peakMem },
        ...(profile ? { profile } : {}),
      });
      await app.close();
      finished = true;
      process.disconnect();
      // Exit now: a reconnect attempt still waiting on a camera that the benchmark stalled keeps
      // its socket open until the RTSP request timeout (10 s), which would hold this process (and
      // the whole benchmark) that long after everything is measured and closed.
      process.exit(0);
    }
  };
  process.on('message', (m: ParentMsg) => {
    onMessage(m).catch((err: unknown) => {
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exitCode = 1;
      process.disconnect();
    });
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect();
});
