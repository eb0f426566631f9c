// `npm run bench:readiness [-- --cameras N --concurrency C --audio aac|pcma]`
//
// A readiness check of N simulated cameras (issue 17, docs/design/readiness.md) against the naive
// way of doing the same probes, in the same run, on the same cameras (the simulator in its own
// process: its CPU is counted for neither side):
//  - xuncha: `probeCamera` (src/readiness/prober.ts) with the node's own RTSP client — capture up to
//    2 GOPs, stream facts from the frames, keyframes decoded to 160×90 grey + one JPEG by ffmpeg
//    from pipes, one ffmpeg shared by the probes whose captures end within 1.5 s of each other
//    (DecodeBatcher, as the probe runner does), audio level in TypeScript for G.711
//    (src/media/g711/level.ts) and from AAC decoded to PCM by that same ffmpeg, picture metrics in
//    TypeScript. Each camera
//    opens its own session here (the path of a camera nobody records); a recorded camera costs
//    less (the probe listens to the recorder's session, no connection at all).
//  - naive: per camera one `ffprobe` reading the stream (codec, resolution, frame rate) and one
//    `ffmpeg` reading the stream for the same time, decoding keyframes to the same grey frames and
//    the audio through volumedetect — the same work, each camera on its own processes.
// Both sides run C cameras at once (the node's `readiness.concurrency`, default 4). Time = wall
// clock from the first camera to the last; CPU = this process and the processes it started and
// reaped (utime+stime+cutime+cstime of /proc/self/stat), per phase. Frames lost by a recorder are
// not measured here (no recorder runs): test/readiness/probe.e2e.test.ts checks the probe does
// not touch the recorder's session. Ends with one JSON line.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { RtspCameraOpener } from '../src/ingest/rtsp-opener.ts';
import { probeCamera } from '../src/readiness/prober.ts';
import { DecodeBatcher, DECODE_MAX_BATCH, DECODE_WAIT_MS } from '../src/readiness/decode-batcher.ts';
import { DEFAULT_PROFILE } from '../src/readiness/profile.ts';
import { systemClock } from '../src/util/clock.ts';
import { runBench, SMOKE } from './lib/lifecycle.ts';
import { prepare } from './lib/prepare.ts';
import { cpuModel, loadAverage, readProc } from './lib/proc.ts';
import { startSimProcess } from './lib/sim-process.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { cameras: { type: 'string' }, concurrency: { type: 'string' }, audio: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help) {
  console.log('usage: npm run bench:readiness -- [--cameras N (200)] [--concurrency C (4)] [--audio aac|pcma (aac)]');
  process.exit(0);
}
// BENCH_SMOKE=1 (test/bench/smoke.test.ts): 1 camera, short captures, only to prove it runs.
const cameras = Number(values.cameras ?? (SMOKE ? 1 : 200));
const concurrency = Number(values.concurrency ?? 4);
if (!Number.isInteger(cameras) || cameras < 1 || !Number.isInteger(concurrency) || concurrency < 1) throw new Error('--cameras and --concurrency must be integers >= 1');
// The cameras' sound: AAC (measured by ffmpeg on both sides) or G.711 A-law, what most GB/T 28181
// cameras send (xuncha measures it in TypeScript, the naive way still through ffmpeg).
const audio = values.audio ?? 'aac';
if (audio !== 'aac' && audio !== 'pcma') throw new Error('--audio must be aac or pcma');
/** What the prober captures at most (ms); the simulator's GOP is 2 s, so 2 GOPs take ~4 s. */
const CAPTURE_MAX_MS = SMOKE ? 1500 : 7000;

const log = (s: string) => process.stderr.write(`[bench:readiness] ${s}\n`);
const r2 = (x: number) => Math.round(x * 100) / 100;
const cpuNowS = () => readProc(process.pid)?.cpuS ?? 0;

/** Runs `work` for every index with at most `n` at once; resolves when all are done. */
async function pool(count: number, n: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, count) }, async () => {
    while (next < count) await work(next++);
  }));
}

/** Runs a command to its end (killed after `timeoutMs`); stdout is counted, not kept. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdoutBytes: number; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    p.stdout.on('data', (c: Buffer) => (bytes += c.length));
    p.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdoutBytes: bytes, stderr: err });
    });
  });
}

interface Phase { wallS: number; cpuS: number; failed: number }

async function phase(name: string, work: (i: number) => Promise<boolean>): Promise<Phase> {
  const cpu0 = cpuNowS();
  const t0 = performance.now();
  let failed = 0;
  await pool(cameras, concurrency, async (i) => {
    if (!(await work(i))) failed++;
  });
  const p = { wallS: (performance.now() - t0) / 1000, cpuS: cpuNowS() - cpu0, failed };
  log(`${name}: ${cameras} cameras in ${p.wallS.toFixed(1)} s, CPU ${p.cpuS.toFixed(1)} s, ${failed} not probed fully`);
  return p;
}

runBench('bench:readiness', async () => {
  prepare({ system: 'runtime', clips: true });
  const load = loadAverage();
  log(`${cameras} cameras (${audio} audio), ${concurrency} at once; ${cpuModel()}; load before ${load.text}`);
  const sim = await startSimProcess({ cameras, audio });
  const url = (i: number) => `rtsp://127.0.0.1:${sim.port}/cam/${sim.ids[i]}/main`;
  try {
    const opener = new RtspCameraOpener();
    // As the probe runner does: the probes running at once share their keyframe decoders.
    const decoder = new DecodeBatcher({ maxBatch: Math.min(concurrency, DECODE_MAX_BATCH), maxWaitMs: DECODE_WAIT_MS });
    const x = await phase('xuncha', async (i) => {
      const r = await probeCamera({ clock: systemClock, opener, sharedSession: () => undefined, captureMaxMs: CAPTURE_MAX_MS, decoder }, DEFAULT_PROFILE, { cameraId: i + 1, roomKind: 'exam', spec: { cameraId: i + 1, stream: 'main', url: url(i) } });
      const bad = r.outcomes.filter((o) => o.verdict === 'fail');
      if (bad.length) log(`xuncha ${sim.ids[i]}: ${bad.map((o) => `${o.probe}: ${o.reason ?? ''}`).join('; ').slice(0, 300)}`);
      return bad.length === 0;
    });
    log(`xuncha: ${decoder.stats.jobs} keyframe decodes in ${decoder.stats.runs} ffmpeg runs, ${decoder.stats.againAlone} decoded again alone`);
    // The same capture length the prober used on these cameras (2 GOPs of 2 s, or its maximum).
    const seconds = String(Math.min(CAPTURE_MAX_MS, 4000) / 1000);
    const n = await phase('naive (ffprobe + ffmpeg per camera)', async (i) => {
      const probe = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-show_streams', '-of', 'json', url(i)], 20_000);
      const ff = await run('ffmpeg', [
        // volumedetect reports at info level.
        '-hide_banner', '-nostdin', '-nostats', '-v', 'info', '-rtsp_transport', 'tcp', '-skip_frame', 'nokey', '-t', seconds, '-i', url(i),
        '-map', '0:v', '-fps_mode', 'passthrough', '-vf', 'scale=160:90', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1',
        '-map', '0:a?', '-af', 'volumedetect', '-f', 'null', '-',
      ], 30_000);
      const ok = probe.code === 0 && ff.code === 0 && ff.stdoutBytes >= 160 * 90 && /mean_volume/.test(ff.stderr);
      if (!ok) log(`naive ${sim.ids[i]}: ffprobe ${probe.code}, ffmpeg ${ff.code}, ${ff.stdoutBytes} bytes of pictures ${ff.stderr.slice(-200)}`);
      return ok;
    });
    const perCamera = (p: Phase) => r2((p.cpuS / cameras) * 1000);
    console.log(`\nreadiness check of ${cameras} cameras (${audio} audio, ${concurrency} at once)
  xuncha: ${x.wallS.toFixed(1)} s, CPU ${x.cpuS.toFixed(1)} s (${perCamera(x)} ms per camera)
  naive:  ${n.wallS.toFixed(1)} s, CPU ${n.cpuS.toFixed(1)} s (${perCamera(n)} ms per camera)
  ratio xuncha/naive: time ${r2(x.wallS / n.wallS)}×, CPU ${r2(x.cpuS / n.cpuS)}×`);
    console.log(JSON.stringify({
      cameras,
      concurrency,
      audio,
      xunchaS: r2(x.wallS),
      naiveS: r2(n.wallS),
      timeRatio: r2(x.wallS / n.wallS),
      xunchaCpuS: r2(x.cpuS),
      naiveCpuS: r2(n.cpuS),
      cpuRatio: r2(x.cpuS / n.cpuS),
      xunchaCpuMsPerCamera: perCamera(x),
      naiveCpuMsPerCamera: perCamera(n),
      xunchaFailed: x.failed,
      decoderRuns: decoder.stats.runs,
      decodedAgainAlone: decoder.stats.againAlone,
      naiveFailed: n.failed,
      loadBefore: load.load1,
      loadAfter: loadAverage().load1,
    }));
  } finally {
    await sim.close();
  }
}, (Number(process.env.BENCH_TIMEOUT_S) || 1800) * 1000);
