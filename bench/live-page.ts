// In-page measuring for bench/live.ts (serialized into Chromium with page.evaluate, so every
// function here must be self-contained). MSE: the console's LiveClient + MsePlayer (bundled by
// bench/lib/live-bundle.ts), one socket for N tiles; WebRTC: one PeerConnection per tile; peer:
// N tiles playing a local fMP4 blob (no network, no server) for what Chromium alone can decode.
// Per tile: time to first frame (subscribe → first requestVideoFrameCallback) and camera→screen
// latency (MSE: server receive time of the frame shown vs now; WebRTC: the RTP timestamp carries
// the receive time ×90, see src/live/webrtc.ts).

import type { ChannelHandler, LiveClient } from '../web/src/pages/wall/liveClient.ts';
import type { MsePlayer, PlayerCounters, PlayerEvents, PlayerOptions } from '../web/src/pages/wall/msePlayer.ts';
import type { RateGovernor } from '../web/src/pages/wall/rateGovernor.ts';

/** What bench/lib/live-bundle.ts defines on window. */
interface LiveLib {
  LiveClient: new (opts?: { bundle?: boolean }) => LiveClient;
  MsePlayer: new (video: HTMLVideoElement, ev: PlayerEvents, opts?: PlayerOptions) => MsePlayer;
  pageGovernor: RateGovernor;
}

export interface TileResult {
  ttffMs: number;
  /** MSE: ms after subscribing when the init, the first fragment, sourceopen and the first appended media arrived (-1: never). */
  phases?: { initMs: number; firstFragmentMs: number; sourceOpenMs: number; appendedMs: number; inits: number };
  /** MSE: first subscribe → socket open and sub sent, ms (the same for every tile of the page). */
  wsOpenMs?: number;
  latencies: number[];
  /** Frames presented per second, first frame → end of the measuring window (rVFC presentedFrames). */
  shownFps?: number;
  total: number;
  dropped: number;
  /** MSE: media fragments the page received for this tile (pictures sent). */
  received?: number;
  /** Pictures presented during the window (rVFC presentedFrames, first frame → end). */
  presented?: number;
  /** Overview run, the tile switched to full rate mid-window: ms from the switch to its 1st and 10th new picture. */
  switchMs?: { first: number; tenth: number };
  /** MSE: what the player did (jumps, appends; MsePlayer.counters) at the end of the window. */
  player?: PlayerCounters;
  /** The video's 'waiting' events (playback stopped for want of a decoded picture) and seeks (count, ms seeking). */
  waiting?: number;
  seeks?: number;
  seekingMs?: number;
  /** Rate governor (issue 16): [ms after the window's start, degraded?] per change of this tile. */
  degrades?: Array<[number, boolean]>;
}

export interface PageRun {
  transport: 'mse' | 'webrtc';
  stream: 'main' | 'sub';
  cameraIds: number[];
  token: string;
  /** WebRTC: one live token per tile (the server accepts one offer per token). */
  webrtcTokens?: string[];
  csrf: string;
  measureMs: number;
  /** window property holding the bundled console player (MSE). */
  bundleGlobal: string;
  /** BENCH_LIVE_DIAG=1: collect where the first frame's time goes (see PageDiag). */
  diag?: boolean;
  /**
   * Patrol overview (issue 16): every tile keyframes only except tile 0 (full rate); halfway
   * through the window tile 1 is selected (full rate) and tile 0 goes back to keyframes, as a
   * click in the console does (LiveClient.setRate + MsePlayer.setOverview).
   */
  overview?: boolean;
  /** The player's profile is that of a wall of this many tiles (liveEdgePolicy.ts wallProfile); default: the tiles of the run. */
  wallTiles?: number;
  /** false: one WebSocket message per frame (BENCH_LIVE_BUNDLE=0), else the server bundles a pump's messages. */
  bundle?: boolean;
  /** Overrides of that profile (BENCH_LIVE_RECORDED=1: recordedInit; BENCH_LIVE_HOLD_S: holdS of big walls). */
  profile?: { recordedInit?: boolean; holdS?: number };
  /** Tiles are governed as in the console (rateGovernor.ts: a tile that cannot keep up plays keyframes only for a while). */
  govern?: boolean;
}

/** BENCH_LIVE_DIAG=1 (MSE): main-thread long tasks and socket arrivals during the subscribe phase. */
export interface PageDiag {
  /** Long tasks (≥ 50 ms) since the first subscribe: [start ms after it, duration ms]. */
  longTasks: Array<[number, number]>;
  /** Per tile, ms after its subscribe: the init message dispatched to the socket's handlers. */
  initArrivedMs: number[];
  /** Per tile: binary bytes the page's socket had received before its init. */
  bytesBeforeInit: number[];
  /** Per tile, ms after its subscribe: first requestVideoFrameCallback (the same as ttffMs). */
  firstFrameMs: number[];
  /** Largest gap between 10 ms ticks of a timer during the first 1.5 s (main thread busy), ms. */
  maxTickGapMs: number;
  /** Sum of the gaps beyond 20 ms between ticks during the first 1.5 s, ms. */
  blockedMs: number;
}

export async function runInPage(run: PageRun): Promise<TileResult[]> {
  type Frame = { mediaTime: number; expectedDisplayTime: number; presentedFrames: number; rtpTimestamp?: number };
  type RvfcVideo = HTMLVideoElement & { requestVideoFrameCallback(cb: (now: number, m: Frame) => void): number };
  // BENCH_LIVE_DIAG: defined in here because page.evaluate serializes this function only.
  // Socket arrivals are seen by a 'message' listener added before LiveClient's own onmessage.
  const startDiag = (tiles: number) => {
    const t0s: number[] = new Array<number>(tiles).fill(Number.NaN);
    const d: PageDiag = { longTasks: [], initArrivedMs: new Array<number>(tiles).fill(-1), bytesBeforeInit: new Array<number>(tiles).fill(-1), firstFrameMs: [], maxTickGapMs: 0, blockedMs: 0 };
    (window as unknown as { __xunchaLiveDiag?: PageDiag }).__xunchaLiveDiag = d;
    const start = performance.now();
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.startTime >= start) d.longTasks.push([Math.round(e.startTime - start), Math.round(e.duration)]);
    });
    obs.observe({ type: 'longtask' });
    let last = start;
    const tick = window.setInterval(() => {
      const now = performance.now();
      if (now - start > 1500) return window.clearInterval(tick);
      d.maxTickGapMs = Math.max(d.maxTickGapMs, Math.round(now - last));
      if (now - last > 20) d.blockedMs += Math.round(now - last - 10);
      last = now;
    }, 10);
    const Ws = window.WebSocket;
    let bytes = 0;
    class DiagWebSocket extends Ws {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (e: MessageEvent) => {
          if (!(e.data instanceof ArrayBuffer)) return;
          const b = new Uint8Array(e.data, 0, 4);
          const tile = ((b[2] << 8) | b[3]) - 1; // channels are 1..N in subscribe order (fresh LiveClient)
          if (b[0] === 1 && tile >= 0 && tile < tiles && d.initArrivedMs[tile] < 0) {
            d.initArrivedMs[tile] = Math.round(performance.now() - t0s[tile]);
            d.bytesBeforeInit[tile] = bytes;
          }
          bytes += e.data.byteLength;
        });
      }
    }
    window.WebSocket = DiagWebSocket;
    return {
      subscribedAt: (i: number, t: number) => void (t0s[i] = t),
      stop: () => {
        obs.disconnect();
        window.clearInterval(tick);
        window.WebSocket = Ws;
      },
    };
  };
  const root = document.createElement('div');
  root.style.cssText = 'position:fixed;inset:0;z-index:9999;display:grid;background:#000;grid-template-columns:repeat(' + Math.ceil(Math.sqrt(run.cameraIds.length)) + ',1fr)';
  document.body.appendChild(root);
  const results: TileResult[] = [];
  /** Stalls and seeks of a tile's video (where its pictures went, issue 16). */
  const countEvents = (v: HTMLVideoElement, r: TileResult) => {
    let seekAt = 0;
    r.waiting = 0;
    r.seeks = 0;
    r.seekingMs = 0;
    v.addEventListener('waiting', () => void (r.waiting! += 1));
    v.addEventListener('seeking', () => {
      r.seeks! += 1;
      seekAt = performance.now();
    });
    v.addEventListener('seeked', () => void (seekAt && (r.seekingMs! += Math.round(performance.now() - seekAt))));
  };
  const watch = (v: RvfcVideo, t0: number, latencyOf: (m: Frame, at: number) => number, r: TileResult, until: number) => {
    let first: { wallMs: number; presented: number } | undefined;
    const cb = (_now: number, m: Frame) => {
      const at = performance.timeOrigin + m.expectedDisplayTime;
      if (r.ttffMs < 0) {
        r.ttffMs = performance.now() - t0;
        first = { wallMs: Date.now(), presented: m.presentedFrames };
      } else if (Date.now() < until) {
        const latencyMs = latencyOf(m, at);
        if (Number.isFinite(latencyMs)) r.latencies.push(latencyMs);
        // Frames shown per second from the first frame to the end of the window: frames skipped
        // by a live-edge jump or a stall count against it (dropped frames do not show them).
        if (first && until > first.wallMs) r.shownFps = (m.presentedFrames - first.presented) / ((until - first.wallMs) / 1000);
        if (first) r.presented = m.presentedFrames - first.presented + 1;
        const sw = switchAt.get(v);
        if (sw !== undefined) {
          const n = (sw.n += 1);
          if (n === 1) r.switchMs = { first: Date.now() - sw.atMs, tenth: -1 };
          else if (n === 10 && r.switchMs) r.switchMs.tenth = Date.now() - sw.atMs;
        }
      }
      if (Date.now() < until) v.requestVideoFrameCallback(cb);
    };
    v.requestVideoFrameCallback(cb);
  };
  /** Overview: the tile switched to full rate and when (pictures counted from then). */
  const switchAt = new Map<HTMLVideoElement, { atMs: number; n: number }>();
  const videos: RvfcVideo[] = [];
  /** MSE: each tile's player, for its counters at the end. */
  const playerOf: MsePlayer[] = [];
  const closers: Array<() => void> = [];
  const until = Date.now() + run.measureMs;
  if (run.transport === 'mse') {
    // The console's own player (bench/lib/live-bundle.ts, injected with page.addScriptTag): one
    // LiveClient for the page, one MsePlayer per tile, subscribed as Tile.tsx does. The wrapper
    // only timestamps the callbacks before handing them to the player.
    const lib = (window as unknown as Record<string, LiveLib>)[run.bundleGlobal];
    if (!lib) throw new Error(`the console's live player is not in the page (window.${run.bundleGlobal})`);
    const client = new lib.LiveClient({ bundle: run.bundle });
    // sourceopen and the first append happen inside MsePlayer: for the whole run, object URLs are
    // mapped to their MediaSource (a tile's is its video.src) and addSourceBuffer wraps the first
    // append of the tile whose MediaSource it is (MsePlayer may open a second one on a new init).
    const objects = new Map<string, unknown>();
    const createObjectURL = URL.createObjectURL;
    URL.createObjectURL = (o: Blob | MediaSource) => {
      const url = createObjectURL.call(URL, o);
      objects.set(url, o);
      return url;
    };
    const onAppend = new Map<HTMLVideoElement, () => void>();
    const addSourceBuffer = MediaSource.prototype.addSourceBuffer;
    MediaSource.prototype.addSourceBuffer = function (this: MediaSource, type: string) {
      const sb = addSourceBuffer.call(this, type);
      const mark = [...onAppend].find(([v]) => objects.get(v.src) === this)?.[1];
      if (mark) {
        const append = sb.appendBuffer.bind(sb);
        sb.appendBuffer = (data: BufferSource) => {
          mark();
          append(data);
        };
      }
      return sb;
    };
    closers.push(() => {
      URL.createObjectURL = createObjectURL;
      MediaSource.prototype.addSourceBuffer = addSourceBuffer;
      objects.clear();
    });
    const diag = run.diag ? startDiag(run.cameraIds.length) : undefined;
    if (diag) closers.push(diag.stop);
    type Ph = { initMs: number; firstFragmentMs: number; sourceOpenMs: number; appendedMs: number; inits: number };
    const subscribed: Array<Promise<void>> = [];
    const players: MsePlayer[] = [];
    const channels: number[] = [];
    /** Overview: which tiles take keyframes only, and which is selected (the governor's priority tile). */
    const overviewKey: boolean[] = [];
    let selectedTile = 0;
    let wsOpenMs = -1;
    run.cameraIds.forEach((cameraId, i) => {
      const v = document.createElement('video') as RvfcVideo;
      v.muted = true;
      v.style.cssText = 'width:100%;height:100%;object-fit:contain';
      root.appendChild(v);
      videos.push(v);
      const ph: Ph = { initMs: -1, firstFragmentMs: -1, sourceOpenMs: -1, appendedMs: -1, inits: 0 };
      const r: TileResult = { ttffMs: -1, latencies: [], total: 0, dropped: 0, phases: ph };
      results.push(r);
      countEvents(v, r);
      const t0 = performance.now();
      diag?.subscribedAt(i, t0);
      const since = () => Math.round(performance.now() - t0);
      const player = new lib.MsePlayer(v, { onState: () => undefined, onFrame: () => undefined }, { wallTiles: run.wallTiles ?? run.cameraIds.length, profile: run.profile });
      const rate = run.overview && i !== 0 ? 'key' : 'full';
      player.setOverview(rate === 'key');
      overviewKey[i] = rate === 'key';
      if (run.govern) {
        // As Tile.tsx: the governor degrades the tile to keyframes only and brings it back.
        r.degrades = [];
        closers.push(lib.pageGovernor.register({
          priority: () => selectedTile === i,
          wantsFull: () => !overviewKey[i],
          pictures: () => (player.firstFrameAtMs ? player.pictures() : undefined),
          setDegraded: (on) => {
            r.degrades!.push([Math.round(Date.now() - (until - run.measureMs)), on]);
            player.setOverview(on || overviewKey[i]);
            if (channels[i] !== undefined) client.setRate(channels[i], on || overviewKey[i] ? 'key' : 'full', on ? 'degraded' : 'restored');
          },
        }));
      }
      players.push(player);
      playerOf.push(player);
      const ms = objects.get(v.src); // the MediaSource MsePlayer opens at subscribe time
      if (ms instanceof MediaSource) ms.addEventListener('sourceopen', () => ph.sourceOpenMs < 0 && (ph.sourceOpenMs = since()), { once: true });
      onAppend.set(v, () => ph.appendedMs < 0 && (ph.appendedMs = since())); // MsePlayer appends the init with the first media
      const handler: ChannelHandler = {
        onInit: (codec, init) => {
          if (ph.initMs < 0) ph.initMs = since();
          ph.inits++;
          player.onInit(codec, init);
        },
        onMedia: (fragment, keyframe, afterSkip) => {
          if (ph.firstFragmentMs < 0) ph.firstFragmentMs = since();
          r.received = (r.received ?? 0) + 1;
          player.onMedia(fragment, keyframe, afterSkip);
        },
        onMeta: (m) => player.onMeta(m),
        onStatus: (state, reason) => player.onStatus(state, reason),
        onError: (code) => player.onError(code),
      };
      subscribed.push(
        client.subscribe(cameraId, run.stream, run.token, handler, rate).then(
          (ch) => {
            channels[i] = ch;
            if (i === 0) wsOpenMs = since(); // the first subscribe waits for the socket to open
            closers.push(() => {
              client.unsubscribe(ch);
              player.destroy();
            });
          },
          () => void closers.push(() => player.destroy()),
        ),
      );
      // Latency: display time − server receive time of the frame shown (MsePlayer exposes
      // wallAtZeroMs on the video element).
      watch(v, t0, (m, at) => at - (Number(v.dataset.wallAtZeroMs) + m.mediaTime * 1000), r, until);
    });
    await Promise.all(subscribed);
    for (const r of results) r.wsOpenMs = wsOpenMs;
    if (run.overview && run.cameraIds.length > 1) {
      const at = until - run.measureMs / 2;
      window.setTimeout(() => {
        // What a click on tile 1 does in the console (Tile.tsx): the player first, then the server.
        selectedTile = 1;
        overviewKey[0] = true;
        overviewKey[1] = false;
        players[0].setOverview(true);
        client.setRate(channels[0], 'key', 'overview');
        players[1].setOverview(false);
        switchAt.set(videos[1], { atMs: Date.now(), n: 0 });
        client.setRate(channels[1], 'full', 'overview');
      }, Math.max(0, at - Date.now()));
    }
    closers.push(() => client.close());
  } else {
    await Promise.all(
      run.cameraIds.map(async (cameraId, i) => {
        const v = document.createElement('video') as RvfcVideo;
        v.muted = true;
        v.autoplay = true;
        v.style.cssText = 'width:100%;height:100%;object-fit:contain';
        root.appendChild(v);
        videos.push(v);
        const r: TileResult = { ttffMs: -1, latencies: [], total: 0, dropped: 0 };
        results.push(r);
        const t0 = performance.now();
        const pc = new RTCPeerConnection();
        pc.addTransceiver('video', { direction: 'recvonly' });
        pc.ontrack = (e) => {
          v.srcObject = new MediaStream([e.track]);
          void v.play().catch(() => undefined);
        };
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((res) => {
          if (pc.iceGatheringState === 'complete') return res();
          pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && res();
          setTimeout(res, 1000);
        });
        const resp = await fetch('/api/live/webrtc', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': run.csrf }, body: JSON.stringify({ token: run.webrtcTokens?.[i] ?? run.token, cameraId, stream: run.stream, sdp: pc.localDescription!.sdp }) });
        if (!resp.ok) throw new Error(`POST /api/live/webrtc: ${resp.status} ${await resp.text()}`);
        const ans = (await resp.json()) as { sdp: string; id: string };
        await pc.setRemoteDescription({ type: 'answer', sdp: ans.sdp });
        const wrap = 2 ** 32;
        const signed = (d: number) => (d > wrap / 2 ? d - wrap : d);
        watch(v, t0, (m, at) => signed(((((at * 90) % wrap) - (m.rtpTimestamp ?? 0)) % wrap + wrap) % wrap) / 90, r, until);
        closers.push(() => pc.close());
      }),
    );
  }
  await new Promise((res) => setTimeout(res, Math.max(0, until - Date.now()) + 200));
  videos.forEach((v, i) => {
    const q = v.getVideoPlaybackQuality();
    results[i].total = q.totalVideoFrames;
    results[i].dropped = q.droppedVideoFrames;
    if (playerOf[i]) results[i].player = { ...playerOf[i].counters };
  });
  const diagOut = (window as unknown as { __xunchaLiveDiag?: PageDiag }).__xunchaLiveDiag;
  if (diagOut) diagOut.firstFrameMs = results.map((r) => Math.round(r.ttffMs));
  // The tiles stay subscribed until closeRun(): the server counts a viewer's skipped frames only
  // while it is subscribed (GET /api/live/stats), and the bench reads them after the window.
  (window as unknown as { __xunchaLiveClose?: () => void }).__xunchaLiveClose = () => {
    closers.forEach((c) => c());
    root.remove();
  };
  return results;
}

/** Ends the last runInPage: unsubscribes its tiles and removes them. */
export function closeRun(): void {
  const w = window as unknown as { __xunchaLiveClose?: () => void };
  w.__xunchaLiveClose?.();
  w.__xunchaLiveClose = undefined;
}

/** Puts the peer's fMP4 clips (base64) into the page as blob URLs: window.__xunchaPeerClips. */
export function loadPeerClips(clipsB64: Record<string, string>): void {
  const urls: Record<string, string> = {};
  for (const [name, b64] of Object.entries(clipsB64)) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    urls[name] = URL.createObjectURL(new Blob([bytes], { type: 'video/mp4' }));
  }
  (window as unknown as { __xunchaPeerClips: Record<string, string> }).__xunchaPeerClips = urls;
}

export interface PeerRun {
  clip: string;
  tiles: number;
  measureMs: number;
}

/**
 * Decode-only peer: the same number of tiles playing the simulator's clip from a local blob with
 * Chromium's own demuxer (no network, no server, no MSE appends, no live-edge chasing). Its
 * dropped/total frames and Chromium CPU are what this browser alone manages on this machine.
 */
export async function runPeerInPage(run: PeerRun): Promise<TileResult[]> {
  type RvfcVideo = HTMLVideoElement & { requestVideoFrameCallback(cb: (now: number, m: { presentedFrames: number }) => void): number };
  const url = (window as unknown as { __xunchaPeerClips: Record<string, string> }).__xunchaPeerClips[run.clip];
  const root = document.createElement('div');
  root.style.cssText = 'position:fixed;inset:0;z-index:9999;display:grid;background:#000;grid-template-columns:repeat(' + Math.ceil(Math.sqrt(run.tiles)) + ',1fr)';
  document.body.appendChild(root);
  const until = Date.now() + run.measureMs;
  const videos: RvfcVideo[] = [];
  const results: TileResult[] = [];
  for (let i = 0; i < run.tiles; i++) {
    const v = document.createElement('video') as RvfcVideo;
    v.muted = true;
    v.loop = true;
    v.style.cssText = 'width:100%;height:100%;object-fit:contain';
    root.appendChild(v);
    videos.push(v);
    const r: TileResult = { ttffMs: -1, latencies: [], total: 0, dropped: 0, waiting: 0, seeks: 0, seekingMs: 0 };
    results.push(r);
    v.addEventListener('waiting', () => void (r.waiting! += 1));
    v.addEventListener('seeking', () => void (r.seeks! += 1));
    const t0 = performance.now();
    let first: { wallMs: number; presented: number } | undefined;
    const cb = (_now: number, m: { presentedFrames: number }) => {
      if (!first) {
        r.ttffMs = performance.now() - t0;
        first = { wallMs: Date.now(), presented: m.presentedFrames };
      } else if (Date.now() < until && until > first.wallMs) {
        r.shownFps = (m.presentedFrames - first.presented) / ((until - first.wallMs) / 1000);
        r.presented = m.presentedFrames - first.presented + 1;
      }
      if (Date.now() < until) v.requestVideoFrameCallback(cb);
    };
    v.requestVideoFrameCallback(cb);
    v.src = url;
    void v.play().catch(() => undefined);
  }
  await new Promise((res) => setTimeout(res, Math.max(0, until - Date.now()) + 200));
  videos.forEach((v, i) => {
    const q = v.getVideoPlaybackQuality();
    results[i].total = q.totalVideoFrames;
    results[i].dropped = q.droppedVideoFrames;
    v.removeAttribute('src');
    v.load();
  });
  root.remove();
  return results;
}
