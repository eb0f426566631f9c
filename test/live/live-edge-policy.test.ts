// The wall player's live-edge policy (R-FN-1 live view; issue 16: a wall must not show fewer
// pictures than the browser can decode). Unit cases on liveEdgeAction and a simulated tile: frames
// arrive at 25 fps with a 2-s GOP, a decoder of a given speed restarts at the keyframe at or before
// every seek target (as Chromium's does), and the playhead only moves over decoded pictures.
import { describe, expect, it } from 'vitest';
import { BIG_WALL_TILES, CATCH_UP_RATE, KEY_JUMP_S, LIVE_HOLD_S, liveEdgeAction, wallProfile } from '../../web/src/pages/wall/liveEdgePolicy.ts';

const FPS = 25;
const GOP = 50;
const F = 1 / FPS;

describe('liveEdgeAction (R-FN-1)', () => {
  it('a joining tile behind by a GOP burst catches up by rate, not by a jump inside the GOP', () => {
    // Keyframe at 10 s shown, 1.5 s of the GOP buffered behind it, no newer keyframe.
    expect(liveEdgeAction({ currentTimeS: 10, startS: 10, endS: 11.5, newestKeyS: 10, starved: false, seeking: false })).toEqual({ kind: 'rate', rate: CATCH_UP_RATE });
    // The same on a browser that drops pictures: 1× (faster would drop more), still no seek.
    expect(liveEdgeAction({ currentTimeS: 10, startS: 10, endS: 11.5, newestKeyS: 10, starved: true, seeking: false })).toEqual({ kind: 'rate', rate: 1 });
  });

  it('behind by more than KEY_JUMP_S with a newer keyframe: jumps to that keyframe', () => {
    expect(liveEdgeAction({ currentTimeS: 10.4, startS: 8, endS: 12.1, newestKeyS: 12, starved: true, seeking: false })).toEqual({ kind: 'key', seekToS: 12 });
    // Less behind: no jump even though a keyframe is ahead.
    expect(liveEdgeAction({ currentTimeS: 11.7, startS: 8, endS: 12.1, newestKeyS: 12, starved: false, seeking: false }).kind).toBe('rate');
  });

  it('holds LIVE_HOLD_S behind the newest frame with small rate changes', () => {
    const at = (lag: number) => liveEdgeAction({ currentTimeS: 20 - lag, startS: 18, endS: 20, newestKeyS: 18, starved: false, seeking: false });
    expect(at(0.03)).toEqual({ kind: 'rate', rate: 0.95 });
    expect(at(LIVE_HOLD_S)).toEqual({ kind: 'rate', rate: 1 });
    expect(at(0.35)).toEqual({ kind: 'rate', rate: 1.1 });
    expect(at(KEY_JUMP_S + 0.1)).toEqual({ kind: 'rate', rate: CATCH_UP_RATE });
  });

  it('a playhead before the buffered range (gap, trim) goes to the range\'s keyframe', () => {
    expect(liveEdgeAction({ currentTimeS: 5, startS: 8, endS: 9, newestKeyS: 8, starved: false, seeking: false })).toEqual({ kind: 'gap', seekToS: 8 });
  });

  it('once after a click from the overview to full rate: jumps to the live edge even inside the GOP, never otherwise', () => {
    // The GOP sent again from the keyframe shown (10 s), 1.5 s of it buffered.
    expect(liveEdgeAction({ currentTimeS: 10, startS: 10, endS: 11.5, newestKeyS: 10, starved: true, seeking: false, switching: true })).toEqual({ kind: 'switch', seekToS: 11.5 - LIVE_HOLD_S });
    expect(liveEdgeAction({ currentTimeS: 10, startS: 10, endS: 11.5, newestKeyS: 10, starved: true, seeking: false, switching: false })).toEqual({ kind: 'rate', rate: 1 });
    // Already near the edge: no jump is needed.
    expect(liveEdgeAction({ currentTimeS: 11.3, startS: 10, endS: 11.5, newestKeyS: 10, starved: false, seeking: false, switching: true }).kind).toBe('rate');
  });

  it('a big wall holds more behind the live edge and jumps later; a small one keeps 0.12 s and appends at once (issue 16)', () => {
    expect(wallProfile(4)).toEqual({ holdS: LIVE_HOLD_S, recordedInit: false, appendBatchMs: 0 });
    const big = wallProfile(BIG_WALL_TILES);
    expect(big.holdS).toBeGreaterThan(LIVE_HOLD_S);
    expect(big.appendBatchMs).toBeGreaterThan(0);
    expect(big.appendBatchMs / 1000).toBeLessThan(big.holdS); // a batch never empties the hold
    // 0.5 s behind with a keyframe ahead: a small wall jumps, a big one (hold 0.3 s) plays on at 1×.
    const at = (holdS?: number) => liveEdgeAction({ currentTimeS: 19.6, startS: 18, endS: 20.1, newestKeyS: 20, starved: true, seeking: false, holdS });
    expect(at().kind).toBe('key');
    expect(at(big.holdS)).toEqual({ kind: 'rate', rate: 1 });
  });

  it('does not seek again while a seek is under way', () => {
    expect(liveEdgeAction({ currentTimeS: 10, startS: 8, endS: 14.1, newestKeyS: 14, starved: true, seeking: true })).toEqual({ kind: 'wait' });
  });

  it('never seeks anywhere but a keyframe or the start of the range', () => {
    for (let n = 0; n < 2000; n++) {
      const startS = Math.floor(Math.random() * 10) * 2;
      const endS = startS + Math.random() * 6;
      const newestKeyS = startS + Math.floor((endS - startS) / 2) * 2;
      const a = liveEdgeAction({ currentTimeS: startS - 1 + Math.random() * (endS - startS + 1), startS, endS, newestKeyS, starved: Math.random() < 0.5, seeking: false });
      if (a.kind === 'key' || a.kind === 'gap') expect([startS, newestKeyS]).toContain(a.seekToS);
      expect(a.kind).not.toBe('switch');
    }
  });
});

/** A tile for wallS seconds: frames arrive in real time after a join burst; the decoder does decodeFps. */
function simulate(decodeFps: number, starved: boolean, wallS = 30) {
  const dt = 0.005;
  const joinS = 10 + 37 * F; // joins 1.48 s into a GOP: the server sends the GOP from its keyframe
  const keyOf = (i: number) => Math.floor(i / GOP) * GOP;
  let arrived = Math.floor(joinS / F); // frames [keyOf(..), arrived) are buffered
  const firstFrame = keyOf(arrived);
  let playhead = firstFrame * F;
  let nextDecode = firstFrame; // the decoder's next frame index
  let decodeCredit = 0;
  let rate = 1;
  let seekTarget = -1;
  const shown = new Set<number>();
  let hidden = 0;
  let decoded = 0;
  let seeks = 0;
  let maxLagS = 0;
  const lagAt: number[] = [];
  for (let t = joinS; t < joinS + wallS; t += dt) {
    // Arrivals (one fragment per frame, appended at once), then the player's decision.
    const nowArrived = Math.floor(t / F) + 1;
    for (; arrived < nowArrived; arrived++) {
      const a = liveEdgeAction({ currentTimeS: playhead, startS: firstFrame * F, endS: (arrived + 1) * F, newestKeyS: keyOf(arrived) * F, starved, seeking: false });
      if (a.kind === 'rate') rate = a.rate;
      else if (a.kind !== 'wait') {
        seeks++;
        playhead = a.seekToS;
        seekTarget = Math.round(a.seekToS / F);
        nextDecode = keyOf(seekTarget); // Chromium decodes from the keyframe at or before the target
      }
    }
    // Decoder: up to 4 pictures ahead of the playhead (the renderer's queue), only what arrived.
    decodeCredit = Math.min(decodeCredit + decodeFps * dt, 1);
    const playFrame = Math.floor(playhead / F + 1e-9);
    while (decodeCredit >= 1 && nextDecode < arrived && nextDecode <= playFrame + 4) {
      decodeCredit -= 1;
      decoded++;
      if (nextDecode < seekTarget) hidden++;
      nextDecode++;
    }
    // Playhead moves while the picture under it is decoded (else the video waits).
    if (nextDecode > playFrame) {
      if (playFrame >= seekTarget) shown.add(playFrame);
      playhead = Math.min(playhead + rate * dt, nextDecode * F);
    }
    const lag = arrived * F - playhead;
    maxLagS = Math.max(maxLagS, lag);
    lagAt.push(lag);
  }
  const sorted = [...lagAt].sort((a, b) => a - b);
  return { shownPerS: shown.size / wallS, decodedPerS: decoded / wallS, hidden, seeks, maxLagS, lagP50S: sorted[Math.floor(sorted.length / 2)] };
}

describe('a simulated live tile (R-FN-1)', () => {
  it('on a browser that keeps up: at the live edge within 3 s of joining, every picture shown, nothing decoded for nothing', () => {
    const r = simulate(200, false);
    expect(r.hidden).toBe(0);
    expect(r.shownPerS).toBeGreaterThan(24);
    expect(r.lagP50S).toBeLessThan(0.25);
    expect(r.maxLagS).toBeLessThan(1.6);
  });

  it('on a starved browser (15 pictures/s for this tile): shows what it decodes, skips only at keyframes, stays within a GOP of live', () => {
    const r = simulate(15, true);
    expect(r.hidden).toBe(0); // no jump inside a GOP: no decode thrown away
    expect(r.shownPerS).toBeGreaterThan(14);
    expect(r.shownPerS / r.decodedPerS).toBeGreaterThan(0.97);
    expect(r.seeks).toBeLessThanOrEqual(r.decodedPerS > 0 ? 16 : 0); // at most one per GOP (30 s: 15 GOPs)
    expect(r.maxLagS).toBeLessThan(GOP * F + KEY_JUMP_S + 0.2);
  });
});
