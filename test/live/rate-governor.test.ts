// The wall's rate governor (issue 16; R-FN-1: the patroller sees every room, and a tile that
// cannot be shown in full says so instead of losing pictures at random): which full-rate tile
// gives way to keyframes when the page cannot keep up, in what order, and when it comes back.
import { describe, expect, it } from 'vitest';
import { GOVERNOR, RateGovernor } from '../../web/src/pages/wall/rateGovernor.ts';
import type { DegradeWhy } from '../../web/src/pages/wall/rateGovernor.ts';

/** A tile whose pictures per second the test decides: `loss(t)` = share lost at full rate while the page is as it is. */
class FakeTile {
  shown = 0;
  lost = 0;
  degraded = false;
  changes: Array<{ atMs: number; on: boolean; why: DegradeWhy }> = [];
  prio = false;
  full = true;
  constructor(readonly name: string) {}
  /** One second of video at 25 pictures/s: at full rate `lostShare` of them lost; degraded, one keyframe per 2 s and nothing lost. */
  play(lostShare: number): void {
    if (this.degraded || !this.full) {
      this.shown += 0.5;
      return;
    }
    const lost = Math.round(25 * lostShare);
    this.lost += lost;
    this.shown += 25 - lost;
  }
  handle(g: RateGovernor, clock: { nowMs: number }) {
    return g.register({
      priority: () => this.prio,
      wantsFull: () => this.full,
      pictures: () => ({ shown: Math.floor(this.shown), lost: this.lost }),
      setDegraded: (on, why) => {
        this.degraded = on;
        this.changes.push({ atMs: clock.nowMs, on, why });
      },
    });
  }
}

/** Runs `seconds` of 1-s ticks; `loss(tiles, s)` gives each tile's lost share for that second. */
function run(g: RateGovernor, tiles: FakeTile[], clock: { nowMs: number }, seconds: number, loss: (t: FakeTile, fullTiles: number) => number): void {
  for (let s = 0; s < seconds; s++) {
    const fullTiles = tiles.filter((t) => t.full && !t.degraded).length;
    for (const t of tiles) t.play(loss(t, fullTiles));
    clock.nowMs += GOVERNOR.sampleMs;
    g.tick(clock.nowMs);
  }
}

function setup(n: number) {
  const g = new RateGovernor();
  const clock = { nowMs: 0 };
  const tiles = Array.from({ length: n }, (_, i) => new FakeTile(`t${i}`));
  for (const t of tiles) t.handle(g, clock);
  // Past the grace period of a tile that starts (GOVERNOR.graceMs), on a page that keeps up.
  run(g, tiles, clock, 4, () => 0);
  expect(tiles.flatMap((t) => t.changes)).toEqual([]);
  return { g, clock, tiles };
}

describe('rate governor (R-FN-1)', () => {
  it('leaves a page that keeps up alone', () => {
    const { g, clock, tiles } = setup(4);
    run(g, tiles, clock, 60, () => 0.01);
    expect(tiles.flatMap((t) => t.changes)).toEqual([]);
  });

  it('does not judge a tile in its first seconds at full rate (the join\'s catch-up is a burst by design)', () => {
    const g = new RateGovernor();
    const clock = { nowMs: 0 };
    const t = new FakeTile('joining');
    t.handle(g, clock);
    let s = 0;
    run(g, [t], clock, 30, () => (s++ < 2 ? 0.4 : 0)); // loses 40 % in its first 2 s, then keeps up
    expect(t.changes).toEqual([]);
  });

  it('a page that cannot keep up: one tile gives way at a time until the rest keep up, and says why', () => {
    const { g, clock, tiles } = setup(4);
    // The browser shows 70 pictures/s in all: with k tiles at full rate each loses 1 − 70/(25k).
    run(g, tiles, clock, 20, (_t, k) => Math.max(0, 1 - 70 / (25 * k)));
    const degraded = tiles.filter((t) => t.degraded);
    expect(degraded).toHaveLength(2); // 2 tiles at 25/s fit in 70; 3 (each losing 7 %) do not
    const at = tiles.flatMap((t) => t.changes.map((c) => c.atMs)).sort((a, b) => a - b);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(GOVERNOR.settleMs);
    expect(degraded[0].changes[0].why.lostPct).toBeGreaterThanOrEqual(8);
    expect(degraded[0].changes[0].why.windowS).toBe(2);
  });

  it('the patroller\'s tile gives way last, even when it is the one losing pictures', () => {
    const { g, clock, tiles } = setup(3);
    tiles[0].prio = true;
    // Only the priority tile loses pictures (it is the big one), but the others share its CPU.
    run(g, tiles, clock, 5, (t) => (t === tiles[0] && tiles.filter((x) => x.full && !x.degraded).length > 1 ? 0.3 : 0));
    expect(tiles[0].degraded).toBe(false);
    expect(tiles[1].degraded && tiles[2].degraded).toBe(true);
    // 10 s on, one of them comes back and makes the priority tile lose pictures again: it gives way again.
    run(g, tiles, clock, 16, (t) => (t === tiles[0] && tiles.filter((x) => x.full && !x.degraded).length > 1 ? 0.3 : 0));
    expect(tiles[0].degraded).toBe(false);
    expect(tiles[1].changes.map((c) => c.on)).toEqual([true, false, true]);
    expect(tiles[1].degraded && tiles[2].degraded).toBe(true);
    // Alone at full rate and still losing: now it gives way too.
    const g2 = setup(1);
    g2.tiles[0].prio = true;
    run(g2.g, g2.tiles, g2.clock, 4, () => 0.3);
    expect(g2.tiles[0].degraded).toBe(true);
  });

  it('comes back after a quiet period with headroom, and waits twice as long after each relapse (no flapping)', () => {
    const { g, clock, tiles } = setup(1);
    const [t] = tiles;
    run(g, tiles, clock, 3, () => 0.3);
    expect(t.degraded).toBe(true);
    const downAt = t.changes[0].atMs;
    run(g, tiles, clock, 15, () => 0.3); // the page would still be starved at full rate
    const upAt = t.changes[1]?.atMs;
    expect(upAt - downAt).toBe(GOVERNOR.quietMs);
    // A page that stays starved: each probe at full rate lasts 2 s and the pauses double.
    run(g, tiles, clock, 300, () => 0.3);
    const ups = t.changes.filter((c) => !c.on).map((c) => c.atMs);
    const gaps = ups.slice(1).map((u, i) => u - ups[i]);
    expect(ups.length).toBeLessThanOrEqual(6); // 10, 20, 40, 80, 120 s … not every few seconds
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1]);
    // The page recovers: back to full rate at the next probe, and it stays there.
    const before = t.changes.length;
    run(g, tiles, clock, 300, () => 0);
    expect(t.degraded).toBe(false);
    expect(t.changes.length).toBe(before + (t.changes[before - 1].on ? 1 : 0));
  });

  it('does not bring a tile back while another full-rate tile still loses pictures', () => {
    const { g, clock, tiles } = setup(2);
    run(g, tiles, clock, 3, (t) => (t === tiles[0] ? 0.3 : 0));
    expect(tiles[0].degraded).toBe(true);
    run(g, tiles, clock, 30, (t) => (t === tiles[1] ? 0.05 : 0)); // under the degrade share, over the headroom share
    expect(tiles[0].degraded).toBe(true);
    run(g, tiles, clock, 12, () => 0);
    expect(tiles[0].degraded).toBe(false);
  });

  it('a click on a degraded tile (priority) brings it back at once; an overview tile is never governed', () => {
    const { g, clock, tiles } = setup(2);
    tiles[1].full = false; // overview: keyframes anyway
    run(g, tiles, clock, 3, () => 0.5);
    expect(tiles[0].degraded).toBe(true);
    expect(tiles[1].changes).toEqual([]);
    tiles[0].prio = true;
    run(g, tiles, clock, 1, () => 0);
    expect(tiles[0].degraded).toBe(false);
  });
});
