// Live patrol benchmark (docs/design/live.md, docs/benchmarks.md): headless Chromium against
// simulated cameras. 16-tile main-stream wall and 64-tile sub-stream wall over MSE (played by the
// console's own LiveClient + MsePlayer, bundled at start), 16 tiles over WebRTC, a decode-only
// peer (the same tiles playing the same clips from local fMP4 blobs) and ffmpeg HLS. The simulated
// cameras run in their own process; CPU is reported per process (server, simulator, Chromium's
// process tree). Last line: one JSON object.
//   npm run bench:live        (node --import tsx bench/live.ts)
//   BENCH_LIVE_MS=12000       measuring window per scenario
//   BENCH_LIVE_ONLY=mse-main-16,peer-main-16   a subset (names: see SCENARIOS)
import { loadavg, cpus } from 'node:os';
import { launchBrowser } from '../test/e2e/helpers/browser.ts';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from '../test/live/helpers/live-server.ts';
import { measureHls } from './lib/hls-latency.ts';
import { buildLiveBundle, LIVE_BUNDLE_GLOBAL } from './lib/live-bundle.ts';
import { makePeerClip } from './lib/peer-clips.ts';
import { startTraceWindow } from './lib/trace-window.ts';
import { childTrees, startCpuWindow } from './lib/proc-tree.ts';
import { runBench, SMOKE } from './lib/lifecycle.ts';
import { prepare } from './lib/prepare.ts';
import { closeRun, loadPeerClips, runInPage, runPeerInPage } from './live-page.ts';
import type { PageRun, TileResult } from './live-page.ts';

// BENCH_SMOKE=1 (test/bench/smoke.test.ts): every scenario with at most 2 tiles for 1.5 s (HLS 4 s), only to
// prove the benchmark runs.
const MEASURE_MS = Number(process.env.BENCH_LIVE_MS ?? (SMOKE ? '1500' : '12000'));
const ROOMS = SMOKE ? 1 : 32; // 64 cameras
/** Pauses: before measuring (recorder connects), idle server CPU, between scenarios; HLS window. */
const WAIT = SMOKE ? { settleMs: 500, idleMs: 300, betweenMs: 100, hlsMs: 4000 } : { settleMs: 6000, idleMs: 3000, betweenMs: 1500, hlsMs: 20_000 };
/** BENCH_LIVE_DIAG=1: print where an MSE wall's first frames spend their time (live-page.ts PageDiag). */
const DIAG = process.env.BENCH_LIVE_DIAG === '1' || process.env.BENCH_LIVE_DIAG === 'trace';
/** BENCH_LIVE_DIAG=trace: also a Chromium trace of each MSE scenario's first 1.5 s (bench/lib/trace-window.ts). */
const TRACE = process.env.BENCH_LIVE_DIAG === 'trace';
/**
 * BENCH_LIVE_PROFILE=small: every wall plays with the small-wall profile (liveEdgePolicy.ts
 * wallProfile(1): Chromium's live low-delay mode, 0.12 s hold, appends at once), for an A/B against
 * the default (each wall's own size).
 */
const SMALL_PROFILE = process.env.BENCH_LIVE_PROFILE === 'small';
/** BENCH_LIVE_RECORDED=1: big walls' full-rate tiles with WallProfile.recordedInit (off by default). */
const RECORDED = process.env.BENCH_LIVE_RECORDED === '1';
/** BENCH_LIVE_HOLD_S=0.8: big walls hold this many seconds behind the live edge instead of their profile's (A/B of wallProfile). */
const HOLD_S = process.env.BENCH_LIVE_HOLD_S ? Number(process.env.BENCH_LIVE_HOLD_S) : undefined;
/** BENCH_LIVE_BUNDLE=0: the server sends one WebSocket message per frame (src/live/ws-session.ts MSG_BUNDLE off). */
const BUNDLE = process.env.BENCH_LIVE_BUNDLE !== '0';
/**
 * BENCH_LIVE_GOVERN: which scenarios run the console's rate governor (rateGovernor.ts): 'overview'
 * (default: the overview's full-rate tile, as in the console), 'all' (every MSE wall), 'off'.
 */
const GOVERN = process.env.BENCH_LIVE_GOVERN ?? 'overview';

interface Scenario {
  name: string;
  label: string;
  kind: 'mse' | 'webrtc' | 'peer' | 'hls';
  stream: 'main' | 'sub';
  tiles: number;
  /** Patrol overview (issue 16): keyframes only except the selected tile; a switch halfway. */
  overview?: boolean;
}

// Each peer right after the scenario it is compared with, so both see the same background load.
const SCENARIOS: Scenario[] = [
  // A small wall first: what the player does when Chromium is not saturated (16 tiles are, on 2 cores).
  { name: 'mse-main-4', label: 'MSE main ×4', kind: 'mse', stream: 'main', tiles: 4 },
  { name: 'mse-main-16', label: 'MSE main ×16', kind: 'mse', stream: 'main', tiles: 16 },
  { name: 'peer-main-16', label: 'peer (decode-only) main ×16', kind: 'peer', stream: 'main', tiles: 16 },
  { name: 'mse-sub-64', label: 'MSE sub ×64', kind: 'mse', stream: 'sub', tiles: 64 },
  { name: 'overview-sub-64', label: 'overview sub ×64 (keyframes; 1 tile full rate)', kind: 'mse', stream: 'sub', tiles: 64, overview: true },
  { name: 'peer-sub-64', label: 'peer (decode-only) sub ×64', kind: 'peer', stream: 'sub', tiles: 64 },
  { name: 'webrtc-main-16', label: 'WebRTC main ×16', kind: 'webrtc', stream: 'main', tiles: 16 },
  { name: 'hls', label: 'HLS', kind: 'hls', stream: 'main', tiles: 1 },
];

function selectScenarios(): Scenario[] {
  const only = process.env.BENCH_LIVE_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  if (SMOKE && !only?.length) return SCENARIOS.map((s) => ({ ...s, tiles: Math.min(s.tiles, 2) }));
  if (!only?.length) return SCENARIOS;
  const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`BENCH_LIVE_ONLY: unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return SCENARIOS.filter((s) => only.includes(s.name));
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
}

/** Percentile without rounding to whole units (frame rates). */
function pctF(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const droppedPct = (dropped: number, total: number) => (total > 0 ? round2((dropped / total) * 100) : Number.NaN);
/** JSON has no NaN: a figure that was not measured (scenario skipped or no frames) is null. */
const orNull = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);

interface Outcome {
  tiles: TileResult[];
  /** % of one core during the measuring window. */
  cpu: { server: number; sim: number; chromium: number };
  cpuPerViewerPct?: number;
  serverSkipped: number;
  droppedPct: number;
  shownFpsP50?: number;
  /** Overview scenario: pictures received and presented (all tiles), switch to full rate, ms. */
  overview?: { received: number; presented: number; switchFirstMs: number; switchTenthMs: number };
  /** Where the pictures went (issue 16): per tile per second of the window, and the player's jumps. */
  where?: Where;
  /** Tiles the rate governor degraded to keyframes during the window (when it ran). */
  degradedTiles?: number;
}

interface Where {
  receivedPerS: number;
  decodedPerS: number;
  droppedPerS: number;
  presentedPerS: number;
  /** Media frames (25 fps) decoded and never shown by GOP jumps (Chromium counts them nowhere). */
  hiddenPerS: number;
  /** Media frames passed over by keyframe jumps (never decoded). */
  skippedPerS: number;
  /** Media frames missing from the stream the tile received (the server skipped them for a slow socket). */
  gapPerS: number;
  waitingPerTile: number;
  seeksPerTile: number;
  keyJumps: number;
  gopJumps: number;
  gapJumps: number;
  seekingMsAvg: number;
  fragmentsPerAppend: number;
  waitedFragmentsPct: number;
  queueResets: number;
  speedupSPerTile: number;
}

/** Sums over the tiles, per tile and second of the measuring window. */
function whereWent(tiles: TileResult[], windowMs: number): Where {
  const n = Math.max(1, tiles.length);
  const s = (f: (t: TileResult) => number | undefined) => tiles.reduce((x, t) => x + (f(t) ?? 0), 0);
  const perS = (x: number) => round2(x / n / (windowMs / 1000));
  const fragments = s((t) => t.player?.fragments);
  const seeks = s((t) => t.seeks);
  return {
    receivedPerS: perS(s((t) => t.received)),
    decodedPerS: perS(s((t) => t.total)),
    droppedPerS: perS(s((t) => t.dropped)),
    presentedPerS: perS(s((t) => t.presented)),
    hiddenPerS: perS(s((t) => t.player?.hiddenDecodeS) * 25),
    skippedPerS: perS(s((t) => t.player?.skippedS) * 25),
    gapPerS: perS(s((t) => t.player?.gapS) * 25),
    waitingPerTile: round2(s((t) => t.waiting) / n),
    seeksPerTile: round2(seeks / n),
    keyJumps: s((t) => t.player?.keyJumps),
    gopJumps: s((t) => t.player?.gopJumps),
    gapJumps: s((t) => t.player?.gapJumps),
    seekingMsAvg: Math.round(s((t) => t.seekingMs) / Math.max(1, seeks)),
    fragmentsPerAppend: round2(fragments / Math.max(1, s((t) => t.player?.appends))),
    waitedFragmentsPct: round2((s((t) => t.player?.waitedFragments) / Math.max(1, fragments)) * 100),
    queueResets: s((t) => t.player?.queueResets),
    speedupSPerTile: round2(s((t) => t.player?.speedupS) / n),
  };
}

async function main(): Promise<void> {
  prepare({ system: 'test', clips: true, web: true }); // Chromium, ffmpeg, the console's login page
  const scenarios = selectScenarios();
  const needs = (k: Scenario['kind']) => scenarios.some((s) => s.kind === k);
  // The four preparations are independent: started together (they mostly wait on child
  // processes: esbuild, ffmpeg, the server and simulator, Chromium).
  const peerClips: Record<string, string> = {};
  const clipsP = Promise.all((['main', 'sub'] as const).map(async (stream) => {
    // 3 × the 10 s clip: one file outlasts the measuring window (no loop seek while measuring).
    if (scenarios.some((s) => s.kind === 'peer' && s.stream === stream)) peerClips[stream] = (await makePeerClip(stream, 25, Math.max(3, Math.ceil(MEASURE_MS / 10_000) + 1))).toString('base64');
  }));
  const [bundle, server, browser] = await Promise.all([
    needs('mse') ? buildLiveBundle() : Promise.resolve(''),
    (async () => startLiveServer({ XUNCHA_SIM_ROOMS: String(ROOMS), XUNCHA_SIM_PORT: String(await freePort()), XUNCHA_LOG_LEVEL: 'error' }, { simProcess: true }))(),
    // The page gets our measuring bundle as an inline script: past the console's CSP (issue 13).
    launchBrowser({ bypassCSP: true }),
    clipsP,
  ]);
  // Chromium = every process under the browser process(es) this bench started.
  const cpuWindow = () => startCpuWindow({ server: () => [server.pid], sim: () => [server.simPid], chromium: () => childTrees(process.pid, /chrom|headless/i) });
  try {
    const admin = new ApiClient(server.baseUrl);
    await admin.login('admin', ADMIN_PASSWORD);
    const { nodes } = await admin.json<{ nodes: Array<{ rooms?: Array<{ cameras: Array<{ id: number }> }> }> }>('GET', '/api/org/tree');
    const cameraIds = nodes.flatMap((n) => (n.rooms ?? []).flatMap((r) => r.cameras.map((c) => c.id)));
    console.log(`cameras: ${cameraIds.length} (simulator pid ${server.simPid}, server pid ${server.pid}); waiting for the recorder to connect…`);
    const page = browser.page;
    page.setDefaultTimeout(120_000); // a 2-core host at load 20 (other jobs) took > 30 s to load the console
    await page.addInitScript('window.__name = (f) => f;'); // tsx keepNames helper inside evaluated functions
    await page.goto(server.baseUrl);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('header-user').waitFor();
    if (bundle) await page.addScriptTag({ content: bundle });
    if (Object.keys(peerClips).length) await page.evaluate(loadPeerClips, peerClips);
    await new Promise((r) => setTimeout(r, WAIT.settleMs));
    console.log(`load average before measuring: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${cpus().length} cores)`);
    console.log(`scenarios: ${scenarios.map((s) => s.name).join(', ')}; ${MEASURE_MS} ms each; player profile ${SMALL_PROFILE ? 'small (every wall as 1 tile)' : 'by wall size'}${RECORDED ? ', recorded init' : ''}${HOLD_S !== undefined ? `, big walls hold ${HOLD_S} s` : ''}; ${BUNDLE ? 'bundled' : 'one message per frame'}; rate governor: ${GOVERN}`);

    const out: Record<string, Outcome> = {};
    let hls: Awaited<ReturnType<typeof measureHls>> | undefined;
    for (const sc of scenarios) {
      if (sc.kind === 'hls') {
        hls = await measureHls(`rtsp://127.0.0.1:${server.simPort}/cam/${server.simSite}-r001-front/main`, WAIT.hlsMs);
        console.log(`HLS (ffmpeg -c copy, hls_time 1, GOP 2 s → ${hls.segmentS.toFixed(2)} s segments): latency p50 ${hls.latencyP50Ms} ms (listing delay + 1 segment; n=${hls.delays.length})`);
        continue;
      }
      const idle = startCpuWindow({ server: () => [server.pid] });
      await new Promise((r) => setTimeout(r, WAIT.idleMs));
      const idleServerPct = idle().server;
      const statsBefore = await admin.json<{ skippedFrames: number; sentFrames: number }>('GET', '/api/live/stats');
      const cpu = cpuWindow();
      let tiles: TileResult[];
      if (sc.kind === 'peer') {
        tiles = await page.evaluate(runPeerInPage, { clip: sc.stream, tiles: sc.tiles, measureMs: MEASURE_MS });
      } else {
        const ids = cameraIds.slice(0, sc.tiles);
        const { token } = await admin.json<{ token: string }>('POST', '/api/live/token', { cameraIds: ids, stream: sc.stream });
        const csrf = await page.evaluate(async () => ((await (await fetch('/api/auth/me')).json()) as { csrfToken: string }).csrfToken);
        // The server takes one WebRTC offer per live token (issue 13): one token per tile.
        const webrtcTokens = sc.kind === 'webrtc' ? await Promise.all(ids.map(async (id) => (await admin.json<{ token: string }>('POST', '/api/live/token', { cameraIds: [id], stream: sc.stream })).token)) : undefined;
        const run: PageRun = { transport: sc.kind === 'webrtc' ? 'webrtc' : 'mse', stream: sc.stream, cameraIds: ids, token, webrtcTokens, csrf, measureMs: MEASURE_MS, bundleGlobal: LIVE_BUNDLE_GLOBAL, diag: DIAG && sc.kind === 'mse', overview: sc.overview,
          wallTiles: SMALL_PROFILE ? 1 : sc.tiles, profile: RECORDED || HOLD_S !== undefined ? { ...(RECORDED ? { recordedInit: true } : {}), ...(HOLD_S !== undefined && sc.tiles >= 9 ? { holdS: HOLD_S } : {}) } : undefined, bundle: BUNDLE, govern: sc.kind === 'mse' && (GOVERN === 'all' || (GOVERN === 'overview' && sc.overview === true)) };
        const stopTrace = TRACE && sc.kind === 'mse' ? await startTraceWindow(page, 1500) : undefined;
        const running = page.evaluate(runInPage, run);
        if (stopTrace) {
          await new Promise((r) => setTimeout(r, 2500));
          console.log(`  trace: ${await stopTrace()}`);
        }
        tiles = await running;
      }
      const used = cpu();
      // Read while the tiles are still subscribed: the server's counts are those of its viewers now
      // (before 2026-12-07 23:30 the bench read them after unsubscribing: "server skipped 0").
      const stats = await admin.json<{ skippedFrames: number; sentFrames: number }>('GET', '/api/live/stats');
      if (sc.kind !== 'peer') await page.evaluate(closeRun);
      const serverSkipped = sc.kind === 'peer' ? 0 : stats.skippedFrames - statsBefore.skippedFrames;
      const total = tiles.reduce((s, t) => s + t.total, 0);
      const dropped = tiles.reduce((s, t) => s + t.dropped, 0);
      const o: Outcome = {
        tiles,
        cpu: { server: used.server, sim: used.sim, chromium: used.chromium },
        serverSkipped,
        // Frames the server skipped for a slow tile never reach the browser: count them as dropped.
        droppedPct: droppedPct(dropped + serverSkipped, total + serverSkipped),
      };
      if (sc.kind !== 'peer') o.cpuPerViewerPct = round2(Math.max(0, used.server - idleServerPct) / sc.tiles);
      out[sc.name] = o;
      const lat = tiles.flatMap((t) => t.latencies);
      const ttff = tiles.map((t) => t.ttffMs).filter((x) => x >= 0);
      const latText = sc.kind === 'peer' ? '' : `latency p50 ${pct(lat, 50)} ms p95 ${pct(lat, 95)} ms; `;
      const serverText = sc.kind === 'peer' ? '' : `; server skipped ${serverSkipped}; server CPU ${o.cpuPerViewerPct}% of a core per viewer (idle ${idleServerPct}%)`;
      console.log(`${sc.label}: tiles with video ${ttff.length}/${sc.tiles}; TTFF p50 ${pct(ttff, 50)} ms p95 ${pct(ttff, 95)} ms; ${latText}browser dropped ${dropped}/${total} (${o.droppedPct}%)${serverText}`);
      const fps = tiles.map((t) => t.shownFps ?? 0);
      o.shownFpsP50 = round2(pctF(fps, 50));
      console.log(`  frames shown per tile per second (source 25): p50 ${o.shownFpsP50}, p10 ${round2(pctF(fps, 10))}, mean ${round2(fps.reduce((x, y) => x + y, 0) / Math.max(1, fps.length))}`);
      console.log(`  CPU, % of one core: server ${used.server}, simulator ${used.sim}, Chromium (all processes) ${used.chromium}`);
      if (sc.kind === 'mse' || sc.kind === 'peer') {
        const w = (o.where = whereWent(tiles, MEASURE_MS));
        console.log(`  where pictures went, per tile per s: received ${w.receivedPerS}, decoded ${w.decodedPerS} (of which dropped ${w.droppedPerS}), presented ${w.presentedPerS}; ` +
          `decoded unseen before GOP-jump targets ≈ ${w.hiddenPerS}, passed over by keyframe jumps ≈ ${w.skippedPerS}, missing from the stream (server skips) ≈ ${w.gapPerS}; load average ${loadavg()[0].toFixed(2)}`);
        console.log(`  jumps: ${w.keyJumps} to a keyframe, ${w.gopJumps} inside a GOP, ${w.gapJumps} over a gap (seeks per tile ${w.seeksPerTile}, ${w.seekingMsAvg} ms each); ` +
          `'waiting' stalls per tile ${w.waitingPerTile}; appends: ${w.fragmentsPerAppend} fragments each, ${w.waitedFragmentsPct}% of fragments waited for updateend, queue resets ${w.queueResets}; speed-up > 1× ${w.speedupSPerTile} s per tile`);
      }
      if (sc.kind === 'mse') {
        const ph = (k: 'initMs' | 'firstFragmentMs' | 'sourceOpenMs' | 'appendedMs') => pct(tiles.map((t) => t.phases?.[k] ?? -1).filter((x) => x >= 0), 50);
        console.log(`  first frame, p50 after subscribing: init ${ph('initMs')} ms, first fragment ${ph('firstFragmentMs')} ms, sourceopen ${ph('sourceOpenMs')} ms, ` +
          `media appended ${ph('appendedMs')} ms, first frame shown ${pct(ttff, 50)} ms (socket opened by the first subscribe: ${tiles[0]?.wsOpenMs} ms); ` +
          `tiles that got more than one init: ${tiles.filter((t) => (t.phases?.inits ?? 0) > 1).length}`);
      }
      if (sc.overview) {
        const received = tiles.reduce((x, t) => x + (t.received ?? 0), 0);
        const presented = tiles.reduce((x, t) => x + (t.presented ?? 0), 0);
        const sw = tiles[1]?.switchMs;
        o.overview = { received, presented, switchFirstMs: sw?.first ?? Number.NaN, switchTenthMs: sw?.tenth ?? Number.NaN };
        console.log(`  overview: pictures sent ${received + serverSkipped} (received ${received}, server skipped ${serverSkipped}), presented ${presented} (${round2((presented / Math.max(1, received + serverSkipped)) * 100)}%); ` +
          `tile 1 switched to full rate: first new picture ${o.overview.switchFirstMs} ms, 10th ${o.overview.switchTenthMs} ms`);
        // Which tiles dropped (issue 16: < 1 % of the sent pictures): tile 0 is full rate for the first half, tile 1 for the second.
        const worst = tiles.map((t, i) => ({ i, d: t.dropped, n: t.total, w: t.waiting ?? 0, j: t.player ? `${t.player.keyJumps}k/${t.player.gopJumps}g` : '' })).filter((t) => t.d > 0).sort((x, y) => y.d - x.d);
        console.log(`  overview drops by tile [tile: dropped/decoded, waiting, jumps]: ${worst.slice(0, 8).map((t) => `${t.i}: ${t.d}/${t.n}, ${t.w}w, ${t.j}`).join('; ') || 'none'} (${worst.length} tiles dropped any)`);
      }
      const governed = tiles.map((t, i) => ({ i, d: t.degrades ?? [] })).filter((t) => t.d.length > 0);
      if (tiles.some((t) => t.degrades)) {
        o.degradedTiles = governed.filter((t) => t.d.some(([, on]) => on)).length;
        console.log(`  rate governor: ${o.degradedTiles} tiles degraded to keyframes; changes [tile: ms after start ↓ degraded / ↑ full]: ${governed.slice(0, 12).map((t) => `${t.i}: ${t.d.map(([ms, on]) => `${on ? '↓' : '↑'}${ms}`).join(' ')}`).join('; ') || 'none'}`);
      }
      if (DIAG && sc.kind === 'mse') {
        console.log(`  diag: ${JSON.stringify(await page.evaluate(() => (window as unknown as { __xunchaLiveDiag?: unknown }).__xunchaLiveDiag))}`);
        console.log(`  diag per tile [init, first fragment, sourceopen, appended, first frame] ms: ${JSON.stringify(tiles.map((t) => [t.phases?.initMs, t.phases?.firstFragmentMs, t.phases?.sourceOpenMs, t.phases?.appendedMs, Math.round(t.ttffMs)]))}`);
      }
      await new Promise((r) => setTimeout(r, WAIT.betweenMs));
    }

    const ratio = (ours?: Outcome, peer?: Outcome) => (ours && peer && peer.droppedPct > 0 ? round2(ours.droppedPct / peer.droppedPct) : Number.NaN);
    for (const [ours, peer] of [['mse-main-16', 'peer-main-16'], ['mse-sub-64', 'peer-sub-64'], ['overview-sub-64', 'peer-sub-64']]) {
      const a = out[ours];
      const b = out[peer];
      if (!a || !b) continue;
      console.log(`${ours} vs ${peer}: dropped ${a.droppedPct}% vs ${b.droppedPct}% (ratio ours/peer ${ratio(a, b)}); frames shown per tile/s p50 ${a.shownFpsP50} vs ${b.shownFpsP50} (${round2((a.shownFpsP50 ?? 0) / (b.shownFpsP50 || 1))}×); ` +
        `Chromium CPU ${a.cpu.chromium}% vs ${b.cpu.chromium}% of one core`);
    }
    const load = loadavg();
    console.log(`load average at the end: ${load.map((x) => x.toFixed(2)).join(' ')} (${cpus().length} cores)`);
    const a = out['mse-main-16'];
    const b = out['mse-sub-64'];
    const w = out['webrtc-main-16'];
    const ov = out['overview-sub-64'];
    console.log(JSON.stringify({
      loadAvg1m: round2(load[0]),
      ttffP95Ms: orNull(a && pct(a.tiles.map((t) => t.ttffMs).filter((x) => x >= 0), 95)),
      latencyP50Ms: orNull(a && pct(a.tiles.flatMap((t) => t.latencies), 50)),
      webrtcLatencyP50Ms: orNull(w && pct(w.tiles.flatMap((t) => t.latencies), 50)),
      ttff4P95Ms: orNull(out['mse-main-4'] && pct(out['mse-main-4'].tiles.map((t) => t.ttffMs).filter((x) => x >= 0), 95)),
      latency4P50Ms: orNull(out['mse-main-4'] && pct(out['mse-main-4'].tiles.flatMap((t) => t.latencies), 50)),
      tiles16DroppedPct: orNull(a?.droppedPct),
      tiles64DroppedPct: orNull(b?.droppedPct),
      peer16DroppedPct: orNull(out['peer-main-16']?.droppedPct),
      peer64DroppedPct: orNull(out['peer-sub-64']?.droppedPct),
      dropRatio16: orNull(ratio(a, out['peer-main-16'])),
      dropRatio64: orNull(ratio(b, out['peer-sub-64'])),
      shownFps64P50: orNull(b?.shownFpsP50),
      peerShownFps64P50: orNull(out['peer-sub-64']?.shownFpsP50),
      chromiumCpu64Pct: orNull(b?.cpu.chromium),
      peerChromiumCpu64Pct: orNull(out['peer-sub-64']?.cpu.chromium),
      serverCpu64Pct: orNull(b?.cpu.server),
      simCpu64Pct: orNull(b?.cpu.sim),
      hlsLatencyP50Ms: orNull(hls?.latencyP50Ms),
      overview64DroppedPct: orNull(ov?.droppedPct),
      overview64PresentedPct: orNull(ov?.overview && round2((ov.overview.presented / Math.max(1, ov.overview.received + ov.serverSkipped)) * 100)),
      overview64ChromiumCpuPct: orNull(ov?.cpu.chromium),
      overviewSwitchFirstMs: orNull(ov?.overview?.switchFirstMs),
      overviewSwitchTenthMs: orNull(ov?.overview?.switchTenthMs),
      overviewDegradedTiles: orNull(ov?.degradedTiles),
      shownFps16P50: orNull(a?.shownFpsP50),
      peerShownFps16P50: orNull(out['peer-main-16']?.shownFpsP50),
      where: Object.fromEntries(Object.entries(out).filter(([, o]) => o.where).map(([name, o]) => [name, o.where])),
    }));
  } finally {
    await browser.close();
    await server.stop();
  }
}

runBench('bench:live', main, (Number(process.env.BENCH_TIMEOUT_S) || (SMOKE ? 150 : 30 * 60)) * 1000);
