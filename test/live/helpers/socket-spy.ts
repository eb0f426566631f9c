// Page-side log of the console's live socket for the wall e2e tests (issue 16): which tile got
// which media messages, keyframes or not, and when (page clock).
import type { Page } from 'playwright-core';

/** Init script: [channel, type, keyframe, ms] per binary message in window.__live.log; chOf[cameraId] = channel. */
export const SOCKET_SPY = `(() => {
  const log = []; const chOf = {};
  window.__live = { log, chOf };
  const Ws = window.WebSocket;
  window.WebSocket = class extends Ws {
    constructor(url, p) {
      super(url, p);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string') { const m = JSON.parse(e.data); if (m.ev === 'meta' && m.cameraId !== undefined) chOf[m.cameraId] = m.ch; return; }
        const at = performance.now();
        const one = (b) => log.push([(b[2] << 8) | b[3], b[0], (b[1] & 1) === 1, at]);
        const all = new Uint8Array(e.data);
        if (all[0] !== 3) return one(all);
        // A bundle (src/live/ws-session.ts MSG_BUNDLE): [len u32][message] each.
        const v = new DataView(e.data);
        for (let o = 4; o + 4 <= all.length; o += 4 + v.getUint32(o)) one(all.subarray(o + 4, o + 8));
      });
    }
  };
})();`;

export type Counts = { key: number; other: number };

/** Media messages per tile (wall-tile-<i>) since `sinceMs` (page clock): keyframes and other frames. */
export function countsByTile(p: Page, tiles: number[], sinceMs: number): Promise<Counts[]> {
  return p.evaluate(({ tiles, sinceMs }) => {
    const live = (window as unknown as { __live: { log: Array<[number, number, boolean, number]>; chOf: Record<string, number> } }).__live;
    return tiles.map((i) => {
      const cam = document.querySelector(`[data-testid="wall-tile-${i}"]`)?.getAttribute('data-camera-id') ?? '';
      const ch = live.chOf[cam];
      const own = live.log.filter(([c, type, , at]) => c === ch && type === 2 && at >= sinceMs);
      return { key: own.filter((m) => m[2]).length, other: own.filter((m) => !m[2]).length };
    });
  }, { tiles, sinceMs });
}
