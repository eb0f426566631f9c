// Live patrol benchmark (docs/design/live.md, docs/benchmarks.md): headless Chromium against
// simulated cameras. 16-tile main-stream wall and 64-tile sub-stream wall over MSE, 16 tiles over
// WebRTC, and ffmpeg HLS for comparison. Reports time to first frame, camera→screen latency,
// dropped frames and server CPU per viewer. Last line: one JSON object.
//   npm run bench:live        (node --import tsx bench/live.ts)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser } from '../test/e2e/helpers/browser.ts';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from '../test/live/helpers/live-server.ts';
import type { LiveServer } from '../test/live/helpers/live-server.ts';
import { runInPage } from './live-page.ts';
import type { PageRun, TileResult } from './live-page.ts';

const MEASURE_MS = Number(process.env.BENCH_LIVE_MS ?? '12000');
const TICKS = 100; // USER_HZ

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
}

interface Scenario {
  name: string;
  transport: 'mse' | 'webrtc';
  stream: 'main' | 'sub';
  tiles: number;
}

async function measureHls(server: LiveServer): Promise<{ latencyP50Ms: number; segmentS: number; delays: number[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-hls-'));
  const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', `rtsp://127.0.0.1:${server.simPort}/cam/demo-r001-front/main`,
    '-map', '0:v', '-c', 'copy', '-f', 'hls', '-hls_time', '1', '-hls_list_size', '6', '-hls_flags', 'program_date_time+delete_segments', path.join(dir, 'live.m3u8')], { stdio: 'ignore' });
  const seen = new Map<string, { at: number; pdt: number; dur: number }>();
  const end = Date.now() + 20_000;
  try {
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      let text = '';
      try {
        text = readFileSync(path.join(dir, 'live.m3u8'), 'utf8');
      } catch {
        continue;
      }
      let pdt = Number.NaN;
      let dur = Number.NaN;
      for (const line of text.split('\n')) {
        if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
        else if (line.startsWith('#EXTINF:')) dur = Number(line.slice(8).split(',')[0]);
        else if (line && !line.startsWith('#')) {
          if (!seen.has(line) && Number.isFinite(pdt)) seen.set(line, { at: Date.now(), pdt, dur });
          pdt = Number.NaN;
        }
      }
    }
  } finally {
    // ffmpeg writes its last segment on SIGTERM: wait for it to exit before removing the folder.
    const exited = new Promise((r) => ff.once('exit', r));
    ff.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
  // Skip the first two segments (startup). A player can start a segment once it is listed and
  // holds at least one segment: latency ≈ (listed − first frame's wall time) + one segment.
  const segs = [...seen.values()].slice(2);
  const segmentS = segs.reduce((s, x) => s + x.dur, 0) / Math.max(1, segs.length);
  const delays = segs.map((s) => s.at - s.pdt + s.dur * 1000);
  return { latencyP50Ms: pct(delays, 50), segmentS, delays };
}

async function main(): Promise<void> {
  const server = await startLiveServer({ XUNCHA_SIM_ROOMS: '32', XUNCHA_SIM_PORT: String(await freePort()), XUNCHA_LOG_LEVEL: 'error' });
  const browser = await launchBrowser();
  try {
    const admin = new ApiClient(server.baseUrl);
    await admin.login('admin', ADMIN_PASSWORD);
    const { nodes } = await admin.json<{ nodes: Array<{ rooms?: Array<{ cameras: Array<{ id: number }> }> }> }>('GET', '/api/org/tree');
    const cameraIds = nodes.flatMap((n) => (n.rooms ?? []).flatMap((r) => r.cameras.map((c) => c.id)));
    console.log(`cameras: ${cameraIds.length}; waiting for the recorder to connect…`);
    const page = browser.page;
    await page.addInitScript('window.__name = (f) => f;'); // tsx keepNames helper inside evaluated functions
    await page.goto(server.baseUrl);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('header-user').waitFor();
    await new Promise((r) => setTimeout(r, 6000));
    console.log(`load average before measuring: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${cpus().length} cores)`);

    const scenarios: Scenario[] = [
      { name: 'MSE main ×16', transport: 'mse', stream: 'main', tiles: 16 },
      { name: 'MSE sub ×64', transport: 'mse', stream: 'sub', tiles: 64 },
      { name: 'WebRTC main ×16', transport: 'webrtc', stream: 'main', tiles: 16 },
    ];
    const out: Record<string, { tiles: TileResult[]; cpuPerViewerPct: number; serverSkipped: number; serverSent: number }> = {};
    for (const sc of scenarios) {
      const ids = cameraIds.slice(0, sc.tiles);
      const { token } = await admin.json<{ token: string }>('POST', '/api/live/token', { cameraIds: ids, stream: sc.stream });
      const csrf = await page.evaluate(async () => ((await (await fetch('/api/auth/me')).json()) as { csrfToken: string }).csrfToken);
      const idle0 = cpuMs(server.pid);
      await new Promise((r) => setTimeout(r, 3000));
      const idlePerS = (cpuMs(server.pid) - idle0) / 3;
      const statsBefore = await admin.json<{ skippedFrames: number; sentFrames: number }>('GET', '/api/live/stats');
      const c0 = cpuMs(server.pid);
      const t0 = Date.now();
      const run: PageRun = { transport: sc.transport, stream: sc.stream, cameraIds: ids, token, csrf, measureMs: MEASURE_MS };
      const tiles = await page.evaluate(runInPage, run);
      const stats = await admin.json<{ skippedFrames: number; sentFrames: number }>('GET', '/api/live/stats');
      const busyPerS = (cpuMs(server.pid) - c0) / ((Date.now() - t0) / 1000);
      const cpuPerViewerPct = Math.round((Math.max(0, busyPerS - idlePerS) / 10 / sc.tiles) * 100) / 100;
      out[sc.name] = { tiles, cpuPerViewerPct, serverSkipped: stats.skippedFrames - statsBefore.skippedFrames, serverSent: stats.sentFrames - statsBefore.sentFrames };
      const lat = tiles.flatMap((t) => t.latencies);
      const ttff = tiles.map((t) => t.ttffMs).filter((x) => x >= 0);
      const total = tiles.reduce((s, t) => s + t.total, 0);
      const dropped = tiles.reduce((s, t) => s + t.dropped, 0);
      console.log(`${sc.name}: tiles with video ${ttff.length}/${sc.tiles}; TTFF p50 ${pct(ttff, 50)} ms p95 ${pct(ttff, 95)} ms; latency p50 ${pct(lat, 50)} ms p95 ${pct(lat, 95)} ms; ` +
        `browser dropped ${dropped}/${total}; server skipped ${out[sc.name].serverSkipped}; server CPU ${cpuPerViewerPct}% of a core per viewer`);
      if (sc.transport === 'mse') {
        const ph = (k: 'initMs' | 'firstFragmentMs' | 'sourceOpenMs' | 'appendedMs') => pct(tiles.map((t) => t.phases?.[k] ?? -1).filter((x) => x >= 0), 50);
        console.log(`  first frame, p50 after subscribing: init ${ph('initMs')} ms, first fragment ${ph('firstFragmentMs')} ms, sourceopen ${ph('sourceOpenMs')} ms, ` +
          `media appended ${ph('appendedMs')} ms, first frame shown ${pct(ttff, 50)} ms (WebSocket open before: ${tiles[0]?.wsOpenMs} ms)`);
      }
      await new Promise((r) => setTimeout(r, 1500));
    }
    const hls = await measureHls(server);
    console.log(`HLS (ffmpeg -c copy, hls_time 1, GOP 2 s → ${hls.segmentS.toFixed(2)} s segments): latency p50 ${hls.latencyP50Ms} ms (listing delay + 1 segment; n=${hls.delays.length})`);

    const a = out['MSE main ×16'];
    const b = out['MSE sub ×64'];
    const w = out['WebRTC main ×16'];
    const drop64 = b.tiles.reduce((s, t) => s + t.dropped, 0) + b.serverSkipped;
    const total64 = b.tiles.reduce((s, t) => s + t.total, 0) + b.serverSkipped;
    console.log(JSON.stringify({
      loadAvg1m: Math.round(loadavg()[0] * 100) / 100,
      ttffP95Ms: pct(a.tiles.map((t) => t.ttffMs).filter((x) => x >= 0), 95),
      latencyP50Ms: pct(a.tiles.flatMap((t) => t.latencies), 50),
      webrtcLatencyP50Ms: pct(w.tiles.flatMap((t) => t.latencies), 50),
      tiles64DroppedPct: Math.round((drop64 / Math.max(1, total64)) * 10000) / 100,
      hlsLatencyP50Ms: hls.latencyP50Ms,
    }));
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
