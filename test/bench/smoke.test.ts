// Every benchmark (bench/*.ts) in its smoke mode (BENCH_SMOKE=1: seconds, tiny sizes), so that a
// change that breaks a benchmark fails the suite (issue 16). Asserts only that it runs, prints its
// JSON line with every field, and leaves no process behind — never a speed: figures are measured
// by `npm run bench:*`, not asserted by tests.
//
// "No process behind": every process a benchmark starts inherits the environment variable
// XUNCHA_BENCH_SMOKE_TAG (a fresh value per run); after the benchmark has exited, no process in
// /proc may still carry it.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExpectStatic } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Processes (pid: command) whose environment holds `tag`. */
function tagged(tag: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'latin1').includes(`XUNCHA_BENCH_SMOKE_TAG=${tag}`)) {
        out.push(`${d}: ${readFileSync(`/proc/${d}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 160)}`);
      }
    } catch {
      /* exited, or not ours */
    }
  }
  return out;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  tag: string;
}

/** Runs bench/<file> in smoke mode; `interrupt` sends a signal once stderr matches `when`. */
function runBench(file: string, interrupt?: { when: RegExp; signal: NodeJS.Signals }): Promise<Run> {
  const tag = randomUUID();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', file)], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SMOKE: '1', XUNCHA_BENCH_SMOKE_TAG: tag },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (interrupt && !sent && interrupt.when.test(stderr)) {
        sent = true;
        child.kill(interrupt.signal);
      }
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, tag }));
  });
}

function lastJson(stdout: string, e: ExpectStatic = expect): Record<string, unknown> {
  const line = stdout.trim().split('\n').filter((l) => /^\{.*\}$/.test(l.trim())).pop();
  e(line, `no JSON line in:\n${stdout}`).toBeDefined();
  return JSON.parse(line!) as Record<string, unknown>;
}

async function expectNothingLeft(tag: string, e: ExpectStatic = expect): Promise<void> {
  // A process killed at the benchmark's exit may take a moment to disappear from /proc.
  await e.poll(() => tagged(tag), { timeout: 5000 }).toEqual([]);
}

const BENCHES: Array<{ file: string; fields: string[] }> = [
  { file: 'record.ts', fields: ['cameras', 'seconds', 'cpuRatio', 'memRatio', 'lostFrames', 'xunchaCpuPct', 'xunchaPeakMb', 'ffmpegCpuPct', 'ffmpegPeakMb', 'ffmpegLostFrames', 'framesSent', 'framesWritten', 'indexLagMaxMs', 'simCpuPct', 'load1', 'loadBefore'] },
  { file: 'playback.ts', fields: ['seekP50Ms', 'seekP95Ms', 'listMonthMs', 'startPointP95Ms', 'exportMs', 'ffmpegConcatMs', 'exportSpeedRatio', 'exportMBps', 'indexBytesPerCameraHour', 'fragmentIndexBytesPerCameraHour', 'fileRows', 'synthesisS'] },
  { file: 'readiness.ts', fields: ['cameras', 'xunchaS', 'naiveS', 'timeRatio', 'xunchaCpuS', 'naiveCpuS', 'cpuRatio', 'xunchaFailed', 'naiveFailed'] },
  { file: 'fleet.ts', fields: ['lowers', 'devices', 'dashP95Ms', 'provinceCpuPct', 'camerasSeen', 'naiveP95Ms', 'naiveCpuPct', 'naiveRawEvents', 'p95Ratio', 'cpuRatio', 'load1', 'loadBefore'] },
  { file: 'sip.ts', fields: ['devices', 'registrationsPerS', 'keepaliveS', 'steadyCpuPct', 'rssMb', 'catalogChannels', 'catalog20kMs', 'peerSippCpuPct', 'ratioToPeer'] },
  // Ratios to a peer are null when the peer dropped nothing; HLS latency needs three segments.
  { file: 'live.ts', fields: ['loadAvg1m', 'ttffP95Ms', 'latencyP50Ms', 'webrtcLatencyP50Ms', 'ttff4P95Ms', 'latency4P50Ms', 'tiles16DroppedPct', 'tiles64DroppedPct', 'peer16DroppedPct', 'peer64DroppedPct', 'dropRatio16', 'dropRatio64', 'shownFps64P50', 'peerShownFps64P50', 'chromiumCpu64Pct', 'peerChromiumCpu64Pct', 'serverCpu64Pct', 'simCpu64Pct', 'hlsLatencyP50Ms', 'overview64DroppedPct', 'overview64PresentedPct', 'overview64ChromiumCpuPct', 'overviewSwitchFirstMs', 'overviewSwitchTenthMs'] },
];
/** Lane of each benchmark's smoke test (see the lanes below). */
const LANE: Record<string, number> = { 'live.ts': 0, 'fleet.ts': 1, 'sip.ts': 1, 'record.ts': 2, 'readiness.ts': 2, 'playback.ts': 3 };
const MAY_BE_NULL = new Set(['dropRatio16', 'dropRatio64', 'hlsLatencyP50Ms', 'webrtcLatencyP50Ms']);

describe('benchmarks in smoke mode (issue 16)', () => {
  it('bench/run-all.ts runs every bench/*.ts that is a benchmark (none is forgotten here)', () => {
    const files = readdirSync(path.join(ROOT, 'bench')).filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && f !== 'live-page.ts');
    expect(files.sort()).toEqual(BENCHES.map((b) => b.file).sort());
    expect(Object.keys(LANE).sort(), 'every benchmark has a lane below').toEqual(files);
  });

  // Lanes of tests, each lane one after the other: a smoke run mostly waits (sockets, windows,
  // child start-ups), so the lanes together take about the longest one, bench:live (see
  // docs/benchmarks.md, "Smoke mode"). bench:record and its two interruptions share a lane: never
  // two simulators of bench:record at once. bench:playback (a few seconds) has a lane of its own.
  // Vitest starts at most 5 concurrent tests at a time (maxConcurrency), so each lane's first
  // test is declared first below.
  const lanes: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve(), Promise.resolve(), Promise.resolve()];
  const inLane = <T>(lane: number, run: () => Promise<T>): Promise<T> => {
    const next = lanes[lane].then(run, run);
    lanes[lane] = next.catch(() => undefined);
    return next;
  };
  const smoke = (b: { file: string; fields: string[] }) =>
    it.concurrent(`bench/${b.file} runs, prints its JSON line with every field, and leaves no process behind`, async ({ expect: e }) => {
      const r = await inLane(LANE[b.file], () => runBench(b.file));
      e(r.code, `exit ${r.code} ${r.signal ?? ''}\n${r.stderr.slice(-3000)}`).toBe(0);
      const json = lastJson(r.stdout, e);
      for (const f of b.fields) {
        e(json, `field ${f}`).toHaveProperty(f);
        if (!MAY_BE_NULL.has(f)) e(json[f], `field ${f}`).not.toBeNull();
      }
      await expectNothingLeft(r.tag, e);
    }, 400_000); // counted from the test's start: it may wait for its lane
  const bench = (file: string) => BENCHES.find((b) => b.file === file)!;

  smoke(bench('live.ts'));
  smoke(bench('fleet.ts'));
  smoke(bench('record.ts'));
  smoke(bench('playback.ts'));

  it.concurrent('bench/record.ts interrupted (SIGINT) while recording stops its simulator, recorder and ffmpeg', async ({ expect: e }) => {
    const r = await inLane(2, () => runBench('record.ts', { when: /cameras recording after/, signal: 'SIGINT' }));
    e(r.code).toBe(130);
    e(r.stderr).toMatch(/interrupted \(SIGINT\): stopping every process it started/);
    await expectNothingLeft(r.tag, e);
  }, 400_000);

  it.concurrent('bench/record.ts killed outright (SIGKILL: no handler runs) leaves no orphan: its children end themselves', async ({ expect: e }) => {
    const r = await inLane(2, () => runBench('record.ts', { when: /cameras recording after/, signal: 'SIGKILL' }));
    e(r.signal).toBe('SIGKILL');
    // The simulator and the recorder see their parent gone (pid watch, stdin / IPC closed).
    await e.poll(() => tagged(r.tag), { timeout: 15_000 }).toEqual([]);
  }, 400_000);

  smoke(bench('sip.ts'));
  smoke(bench('readiness.ts'));
});
