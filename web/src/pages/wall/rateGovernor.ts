// A full-rate wall tile that cannot keep up gives way deliberately — keyframes only, the overview's
// `rate: 'key'` — instead of losing pictures at random, and says so on the tile (画面降帧); it goes
// back to full rate when the page has headroom again (issue 16, R-FN-1; docs/design/live.md
// "Degrading a tile that cannot keep up"). One governor per page: one browser, one CPU, so the
// tiles compete and the governor decides which gives way — never the patroller's selected or
// full-screen tile while another full-rate tile could — one tile at a time, and brings them back
// one at a time after a quiet period that doubles each time a restored tile has to give way again.

export interface GovernedTile {
  /** The patroller's selected or full-screen tile: it gives way last and comes back first. */
  priority(): boolean;
  /** The tile plays at full rate unless degraded (false: an overview tile, keyframes anyway). */
  wantsFull(): boolean;
  /** Pictures shown and lost since its picture source started (MsePlayer.pictures); undefined before the first. */
  pictures(): { shown: number; lost: number } | undefined;
  /** Keyframes only (true) or full rate again (false); `lostPct`: the share lost in the window that decided. */
  setDegraded(on: boolean, why: DegradeWhy): void;
}

export interface DegradeWhy {
  lostPct: number;
  windowS: number;
}

export const GOVERNOR = {
  sampleMs: 1000,
  /**
   * Not judged in its first seconds at full rate (a join, a click from the overview, a return): it
   * plays a GOP sent at once at the catch-up rate while the page starts its other tiles — a burst by
   * design, not a tile that cannot keep up.
   */
  graceMs: 2000,
  /** Samples in the window a decision looks at (2 s: a stall shows as a keyframe jump within a GOP). */
  windowSamples: 2,
  /** Lost share of the window from which a tile cannot keep up, and the fewest pictures lost. */
  degradeLostShare: 0.08,
  degradeMinLost: 3,
  /** After one tile gives way the next may only after this: its relief shows first. */
  settleMs: 2000,
  /** Headroom: every tile still at full rate lost less than this share in its window. */
  headroomLostShare: 0.02,
  /** A degraded tile comes back after this long without any tile giving way (doubles on each relapse). */
  quietMs: 10_000,
  maxQuietMs: 120_000,
  /** Degraded again this soon after coming back: a relapse (the next quiet period doubles). */
  relapseMs: 30_000,
  /** At full rate this long after coming back: the quiet period is back to quietMs. */
  steadyMs: 60_000,
};

interface Governed {
  t: GovernedTile;
  last?: { shown: number; lost: number };
  /** Pictures shown and lost per sample, newest last. */
  window: Array<{ shown: number; lost: number }>;
  degraded: boolean;
  degradedAtMs: number;
  restoredAtMs: number;
  quietMs: number;
  wasPriority: boolean;
  /** Samples before this are not counted (GOVERNOR.graceMs after the tile starts at full rate). */
  graceUntilMs?: number;
}

const sum = (g: Governed) => g.window.reduce((a, w) => ({ shown: a.shown + w.shown, lost: a.lost + w.lost }), { shown: 0, lost: 0 });
const lostShare = (g: Governed) => {
  const s = sum(g);
  return s.lost + s.shown > 0 ? s.lost / (s.lost + s.shown) : 0;
};

export class RateGovernor {
  private readonly tiles = new Set<Governed>();
  private lastDegradeMs = -Infinity;
  private lastRestoreMs = -Infinity;
  private timer?: ReturnType<typeof setInterval>;

  /** `autoTick`: sample every GOVERNOR.sampleMs while a tile is registered (the page's governor); tests call tick(). */
  constructor(private readonly autoTick = false) {}

  register(t: GovernedTile): () => void {
    const g: Governed = { t, window: [], degraded: false, degradedAtMs: 0, restoredAtMs: -Infinity, quietMs: GOVERNOR.quietMs, wasPriority: t.priority() };
    this.tiles.add(g);
    if (this.autoTick && !this.timer) this.timer = setInterval(() => this.tick(Date.now()), GOVERNOR.sampleMs);
    return () => {
      this.tiles.delete(g);
      if (this.tiles.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** One sample of every tile, then at most one tile gives way or comes back. */
  tick(nowMs: number): void {
    for (const g of this.tiles) this.sample(g, nowMs);
    const playing = [...this.tiles].filter((g) => !g.degraded && g.t.wantsFull());
    const full = playing.filter((g) => g.window.length > 0);
    const starved = full.filter((g) => g.window.length >= GOVERNOR.windowSamples && sum(g).lost >= GOVERNOR.degradeMinLost && lostShare(g) >= GOVERNOR.degradeLostShare);
    if (starved.length > 0) {
      if (nowMs - this.lastDegradeMs < GOVERNOR.settleMs) return;
      // A tile without priority gives way first, even if the starved one is the priority tile (the
      // page's tiles share one CPU), and even one that has only just come back.
      const others = playing.filter((g) => !g.t.priority());
      const pool = others.length > 0 ? others : starved;
      const victim = pool.reduce((a, b) => (lostShare(b) > lostShare(a) ? b : a));
      return this.degrade(victim, nowMs);
    }
    if (!full.every((g) => lostShare(g) < GOVERNOR.headroomLostShare)) return;
    const quietSince = Math.max(this.lastDegradeMs, this.lastRestoreMs);
    const due = [...this.tiles].filter((g) => g.degraded && nowMs - Math.max(g.degradedAtMs, quietSince) >= g.quietMs);
    if (due.length === 0) return;
    const next = due.find((g) => g.t.priority()) ?? due.reduce((a, b) => (b.degradedAtMs < a.degradedAtMs ? b : a));
    this.restore(next, nowMs);
  }

  private sample(g: Governed, nowMs: number): void {
    const prio = g.t.priority();
    // The patroller picked this tile (click, full screen): it gets full rate at once.
    if (prio && !g.wasPriority && g.degraded) this.restore(g, nowMs);
    g.wasPriority = prio;
    if (g.degraded && !g.t.wantsFull()) {
      // Now an overview tile (keyframes anyway): nothing to give back later.
      g.degraded = false;
      g.t.setDegraded(false, { lostPct: 0, windowS: 0 });
    }
    if (g.degraded || !g.t.wantsFull()) {
      g.window = [];
      g.last = undefined;
      g.graceUntilMs = undefined;
      return;
    }
    if (nowMs - g.restoredAtMs >= GOVERNOR.steadyMs) g.quietMs = GOVERNOR.quietMs;
    const p = g.t.pictures();
    if (!p) return;
    g.graceUntilMs ??= nowMs + GOVERNOR.graceMs;
    const last = g.last;
    g.last = p;
    if (nowMs < g.graceUntilMs) return;
    // A new picture source (MediaSource) starts the counts again.
    if (!last || p.shown < last.shown || p.lost < last.lost) return;
    g.window.push({ shown: p.shown - last.shown, lost: p.lost - last.lost });
    if (g.window.length > GOVERNOR.windowSamples) g.window.shift();
  }

  private degrade(g: Governed, nowMs: number): void {
    const why = { lostPct: Math.round(lostShare(g) * 100), windowS: (g.window.length * GOVERNOR.sampleMs) / 1000 };
    if (nowMs - g.restoredAtMs < GOVERNOR.relapseMs) g.quietMs = Math.min(g.quietMs * 2, GOVERNOR.maxQuietMs);
    g.degraded = true;
    g.degradedAtMs = nowMs;
    freshWindow(g);
    this.lastDegradeMs = nowMs;
    g.t.setDegraded(true, why);
  }

  private restore(g: Governed, nowMs: number): void {
    g.degraded = false;
    g.restoredAtMs = nowMs;
    freshWindow(g);
    this.lastRestoreMs = nowMs;
    g.t.setDegraded(false, { lostPct: 0, windowS: 0 });
  }
}

/** The page's governor (every wall tile of this browser tab). */
export const pageGovernor = new RateGovernor(true);

/** After a change of rate the tile is judged afresh: no samples, no baseline, no grace left over. */
function freshWindow(g: Governed): void {
  g.window = [];
  g.last = undefined;
  g.graceUntilMs = undefined;
}
