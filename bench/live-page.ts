// In-page measuring client for bench/live.ts (serialized into Chromium with page.evaluate, so it
// must be self-contained). MSE: one socket, N tiles; WebRTC: one PeerConnection per tile.
// Per tile: time to first frame (subscribe → first requestVideoFrameCallback) and camera→screen
// latency (MSE: server receive time of the frame shown vs now; WebRTC: the RTP timestamp carries
// the receive time ×90, see src/live/webrtc.ts).

export interface TileResult {
  ttffMs: number;
  /** MSE: ms after subscribing when the init, the first fragment, sourceopen and the first appended media arrived (-1: never). */
  phases?: { initMs: number; firstFragmentMs: number; sourceOpenMs: number; appendedMs: number };
  /** MSE: WebSocket open, ms (the same for every tile of the page). */
  wsOpenMs?: number;
  latencies: number[];
  total: number;
  dropped: number;
}

export interface PageRun {
  transport: 'mse' | 'webrtc';
  stream: 'main' | 'sub';
  cameraIds: number[];
  token: string;
  csrf: string;
  measureMs: number;
}

export async function runInPage(run: PageRun): Promise<TileResult[]> {
  type Frame = { mediaTime: number; expectedDisplayTime: number; rtpTimestamp?: number };
  type RvfcVideo = HTMLVideoElement & { requestVideoFrameCallback(cb: (now: number, m: Frame) => void): number };
  const root = document.createElement('div');
  root.style.cssText = 'position:fixed;inset:0;z-index:9999;display:grid;background:#000;grid-template-columns:repeat(' + Math.ceil(Math.sqrt(run.cameraIds.length)) + ',1fr)';
  document.body.appendChild(root);
  const results: TileResult[] = [];
  const watch = (v: RvfcVideo, t0: number, latencyOf: (m: Frame, at: number) => number, r: TileResult, until: number) => {
    const cb = (_now: number, m: Frame) => {
      const at = performance.timeOrigin + m.expectedDisplayTime;
      if (r.ttffMs < 0) r.ttffMs = performance.now() - t0;
      else if (Date.now() < until) r.latencies.push(latencyOf(m, at));
      if (Date.now() < until) v.requestVideoFrameCallback(cb);
    };
    v.requestVideoFrameCallback(cb);
  };
  const videos: RvfcVideo[] = [];
  const closers: Array<() => void> = [];
  const until = Date.now() + run.measureMs;
  if (run.transport === 'mse') {
    const wsT0 = performance.now();
    const ws = new WebSocket(`ws://${location.host}/api/live/ws?token=${encodeURIComponent(run.token)}`);
    ws.binaryType = 'arraybuffer';
    await new Promise((res) => (ws.onopen = res));
    const wsOpenMs = Math.round(performance.now() - wsT0);
    type Ph = { initMs: number; firstFragmentMs: number; sourceOpenMs: number; appendedMs: number };
    type MseTile = { v: RvfcVideo; ms?: MediaSource; open: boolean; sb?: SourceBuffer; q: ArrayBuffer[]; codec: string; wall: number; t0: number; ph: Ph; media: boolean };
    const tiles = new Map<number, MseTile>();
    const since = (t: MseTile) => Math.round(performance.now() - t.t0);
    const flush = (t: MseTile) => {
      if (!t.sb || t.sb.updating || t.q.length === 0) return;
      if (!t.media) return; // the init goes in with the GOP burst that follows it: one append
      if (t.ph.appendedMs < 0) t.ph.appendedMs = since(t); // media goes in with this append
      // All queued fragments in one append (as web/src/pages/wall/msePlayer.ts does): the GOP
      // burst of a joiner is one SourceBuffer update, not one per frame.
      const parts = t.q.splice(0);
      let n = 0;
      for (const p of parts) n += p.byteLength;
      const one = new Uint8Array(n);
      let o = 0;
      for (const p of parts) {
        one.set(new Uint8Array(p), o);
        o += p.byteLength;
      }
      t.sb.appendBuffer(one);
      const b = t.sb.buffered;
      if (b.length) {
        const end = b.end(b.length - 1);
        if (t.v.paused) void t.v.play().catch(() => undefined);
        if (t.v.getVideoPlaybackQuality().totalVideoFrames === 0) return; // keyframe first, then the live edge
        const lag = end - t.v.currentTime;
        if (lag > 1.2 || t.v.currentTime < b.start(b.length - 1)) t.v.currentTime = end - 0.3;
        else t.v.playbackRate = lag > 0.5 ? 1.1 : lag < 0.15 ? 0.95 : 1;
      }
    };
    // The MediaSource is opened when the tile subscribes, while the server looks the camera up
    // (as web/src/pages/wall/msePlayer.ts does): sourceopen no longer follows the init.
    const attach = (t: MseTile) => {
      if (!t.ms || !t.open || t.sb || t.q.length === 0) return;
      t.sb = t.ms.addSourceBuffer(`video/mp4; codecs="${t.codec}"`);
      t.sb.addEventListener('updateend', () => flush(t));
      flush(t);
    };
    const openMs = (t: MseTile) => {
      const ms = new MediaSource();
      t.ms = ms;
      t.open = false;
      t.sb = undefined;
      t.v.src = URL.createObjectURL(ms);
      ms.addEventListener('sourceopen', () => {
        if (t.ms !== ms) return;
        if (t.ph.sourceOpenMs < 0) t.ph.sourceOpenMs = since(t);
        t.open = true;
        attach(t);
      });
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data === 'string') {
        const m = JSON.parse(e.data) as { ev: string; ch: number; codec?: string; wallAtZeroMs?: number };
        const t = tiles.get(m.ch);
        if (t && m.ev === 'meta' && m.codec) t.codec = m.codec;
        if (t && m.ev === 'meta' && m.wallAtZeroMs !== undefined) t.wall = m.wallAtZeroMs;
        return;
      }
      const b = new Uint8Array(e.data as ArrayBuffer);
      const t = tiles.get((b[2] << 8) | b[3]);
      if (!t) return;
      if (b[0] === 1) {
        if (t.ph.initMs < 0) t.ph.initMs = since(t);
        if (t.sb) openMs(t); // a new init (reconnect, new resolution): a new MediaSource
        t.q = [b.slice(4).buffer];
        t.media = false;
        attach(t);
      } else {
        if (t.ph.firstFragmentMs < 0) t.ph.firstFragmentMs = since(t);
        t.media = true;
        t.q.push(b.slice(4).buffer);
        flush(t);
      }
    };
    run.cameraIds.forEach((cameraId, i) => {
      const v = document.createElement('video') as RvfcVideo;
      v.muted = true;
      v.style.cssText = 'width:100%;height:100%;object-fit:contain';
      root.appendChild(v);
      videos.push(v);
      const t0 = performance.now();
      const tile: MseTile = { v, open: false, q: [], codec: '', wall: 0, t0, ph: { initMs: -1, firstFragmentMs: -1, sourceOpenMs: -1, appendedMs: -1 }, media: false };
      openMs(tile);
      const r: TileResult = { ttffMs: -1, latencies: [], total: 0, dropped: 0, phases: tile.ph, wsOpenMs };
      results.push(r);
      tiles.set(i + 1, tile);
      watch(v, t0, (m, at) => at - (tile.wall + m.mediaTime * 1000), r, until);
      ws.send(JSON.stringify({ op: 'sub', ch: i + 1, cameraId, stream: run.stream }));
    });
    closers.push(() => ws.close());
  } else {
    await Promise.all(
      run.cameraIds.map(async (cameraId) => {
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
        const resp = await fetch('/api/live/webrtc', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': run.csrf }, body: JSON.stringify({ token: run.token, cameraId, stream: run.stream, sdp: pc.localDescription!.sdp }) });
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
  });
  closers.forEach((c) => c());
  root.remove();
  return results;
}
