// Chaos scenario shared by test/recording/chaos.e2e.test.ts and scripts/chaos.ts (R-REC-4, R-REC-1,
// issue 12): a seeded random sequence of simulator faults per camera, and the comparison of the
// recording index with what the simulator actually delivered (sim.delivered(): intervals in which
// the main stream went out decodable, from a keyframe on, no lost packet, continuous timestamps).
import type { FaultSpec, Simulator } from '../../src/sim/index.ts';

/** Index and delivery must agree to this (gap start and end within ±0.2 s of the fault). */
export const EDGE_TOLERANCE_MS = 200;
/** Breaks in delivery of at most 3 frame intervals (25 fps) are within the continuity tolerance. */
const MERGE_MS = 120;

export type ChaosKind = 'stall-short' | 'stall-long' | 'drop' | 'refuse' | 'garbage' | 'loss' | 'resolution' | 'timestamp-jump';
export const CHAOS_KINDS: readonly ChaosKind[] = ['stall-short', 'stall-long', 'drop', 'refuse', 'garbage', 'loss', 'resolution', 'timestamp-jump'];

/**
 * End reasons each fault may give the run it interrupts (a drop is seen as the socket closing).
 * `reasonsFor` adds 'stall' when the simulator itself skipped frames (its socket to xuncha backed up
 * on a loaded machine): nothing arrived for those frames, which is a stall as xuncha sees it.
 */
export function reasonsFor(f: InjectedFault): readonly string[] {
  const r = EXPECTED_REASONS[f.kind];
  return f.skippedFrames > 0 && r.length > 0 ? [...r, 'stall'] : r;
}

export const EXPECTED_REASONS: Record<ChaosKind, readonly string[]> = {
  'stall-short': ['stall'],
  'stall-long': ['stall'],
  drop: ['eof'],
  refuse: ['eof'],
  garbage: ['garbage'],
  loss: ['loss'],
  resolution: [],
  'timestamp-jump': ['timestamp-jump'],
};

export interface InjectedFault {
  camera: string;
  kind: ChaosKind;
  atMs: number;
  durationMs: number;
  /** Frames the simulator skipped for this camera because its TCP socket backed up (a loaded machine), during the fault and the calm after it. */
  skippedFrames: number;
}

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fault specs for one chaos event. `stallTimeoutMs`: a long stall outlasts it, a short one does not. */
export function faultSpecs(kind: ChaosKind, rnd: () => number, stallTimeoutMs: number): { specs: FaultSpec[]; durationMs: number } {
  const between = (a: number, b: number) => Math.round(a + (b - a) * rnd());
  switch (kind) {
    case 'stall-short': {
      const d = between(800, stallTimeoutMs - 700);
      return { specs: [{ type: 'stall', durationMs: d }], durationMs: d };
    }
    case 'stall-long': {
      const d = between(stallTimeoutMs + 500, stallTimeoutMs + 2500);
      return { specs: [{ type: 'stall', durationMs: d }], durationMs: d };
    }
    case 'drop': {
      const d = between(500, 2500);
      return { specs: [{ type: 'drop', durationMs: d }], durationMs: d };
    }
    case 'refuse': {
      // The connection goes down and the camera answers 503 for a while.
      const d = between(500, 2500);
      return { specs: [{ type: 'refuse', durationMs: d }, { type: 'drop', durationMs: 0 }], durationMs: d };
    }
    case 'garbage': {
      const d = between(1000, 2500);
      return { specs: [{ type: 'garbage-rtp', durationMs: d }], durationMs: d };
    }
    case 'loss': {
      const d = between(1000, 2000);
      return { specs: [{ type: 'loss', lossPct: between(5, 30), durationMs: d }], durationMs: d };
    }
    case 'resolution': {
      const d = between(2500, 4000);
      return { specs: [{ type: 'resolution', durationMs: d }], durationMs: d };
    }
    case 'timestamp-jump':
      // The jump lands on the next keyframe (an encoder restart), within one GOP (2 s).
      return { specs: [{ type: 'timestamp-jump', offsetMs: rnd() < 0.5 ? -between(2000, 5000) : between(2000, 8000) }], durationMs: 2000 };
  }
}

/**
 * Runs random faults on `cameras` for `forMs`, each camera on its own schedule: a fault, then calm
 * long enough for the stream to settle (reconnect, next keyframe) before the next one.
 */
export async function runChaos(sim: Simulator, cameras: string[], opts: { seed: number; forMs: number; stallTimeoutMs: number; kinds?: readonly ChaosKind[] }): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  const kinds = opts.kinds ?? CHAOS_KINDS;
  const end = Date.now() + opts.forMs;
  await Promise.all(
    cameras.map(async (camera, i) => {
      const rnd = prng(opts.seed * 1000 + i);
      await sleep(500 + rnd() * 2000);
      while (Date.now() < end) {
        const kind = kinds[Math.floor(rnd() * kinds.length)];
        const { specs, durationMs } = faultSpecs(kind, rnd, opts.stallTimeoutMs);
        if (Date.now() + durationMs + 3000 > end) break;
        const skipped = () => sim.stats(camera)?.streams.main.framesDropped ?? 0;
        const before = skipped();
        const fault: InjectedFault = { camera, kind, atMs: Date.now(), durationMs, skippedFrames: 0 };
        injected.push(fault);
        for (const s of specs) sim.fault(camera, s);
        await sleep(durationMs + 3000 + rnd() * 2000);
        fault.skippedFrames = skipped() - before;
      }
    }),
  );
  return injected;
}

export type Interval = [number, number];

/** Sorted union of intervals, joining those less than `joinMs` apart. */
export function union(list: readonly Interval[], joinMs = 0): Interval[] {
  const out: Interval[] = [];
  for (const [s, e] of [...list].sort((a, b) => a[0] - b[0])) {
    const last = out.at(-1);
    if (last && s <= last[1] + joinMs) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Parts of `a` not covered by `b` (both sorted unions). */
export function minus(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [s0, e0] of a) {
    let s = s0;
    for (const [bs, be] of b) {
      if (be <= s || bs >= e0) continue;
      if (bs > s) out.push([s, bs]);
      s = Math.max(s, be);
      if (s >= e0) break;
    }
    if (s < e0) out.push([s, e0]);
  }
  return out;
}

export interface Disagreement {
  camera: string;
  kind: 'recorded-not-delivered' | 'delivered-not-recorded';
  fromMs: number;
  toMs: number;
}

/**
 * Compares recorded runs with what was delivered, within [fromMs, toMs]: recorded time that was not
 * delivered (the index lies), and delivered time that was not recorded (a hole nobody reports), each
 * beyond EDGE_TOLERANCE_MS at either edge.
 */
export function compare(camera: string, runs: readonly Interval[], delivered: readonly Interval[], fromMs: number, toMs: number): Disagreement[] {
  const clip = (l: readonly Interval[]) => l.map(([s, e]): Interval => [Math.max(s, fromMs), Math.min(e, toMs)]).filter(([s, e]) => e > s);
  const rec = union(clip(runs));
  const del = union(clip(delivered), MERGE_MS);
  const grow = (l: Interval[]) => union(l.map(([s, e]): Interval => [s - EDGE_TOLERANCE_MS, e + EDGE_TOLERANCE_MS]));
  const out: Disagreement[] = [];
  for (const [s, e] of minus(rec, grow(del))) out.push({ camera, kind: 'recorded-not-delivered', fromMs: s, toMs: e });
  for (const [s, e] of minus(del, grow(rec))) out.push({ camera, kind: 'delivered-not-recorded', fromMs: s, toMs: e });
  return out;
}

/** Faults that stop decodable video at the instant they are injected (loss and jumps act later, at a lost packet or the next keyframe). */
const STOPS_AT_ONCE: readonly ChaosKind[] = ['stall-short', 'stall-long', 'drop', 'refuse', 'garbage'];

export interface FaultEdge {
  fault: InjectedFault;
  /** Where the index says the gap begins (the end of the run the fault ended). */
  gapStartMs: number;
  /** Where the camera's decodable video stopped, by the simulator's own delivery log. */
  deliveredEndMs: number;
}

/**
 * The gap start of each fault that stops video at once, beside where the simulator's delivery
 * stopped. Measured against `atMs` (when the test injected the fault) the edge is off by however long
 * the simulator had not sent a frame before the injection — on a loaded machine its event loop is
 * late by 100–300 ms now and then, so the last frame went out that much before `atMs`; the delivery
 * log records when frames really went out, so it is the reference for the ±0.2 s edge check.
 */
export function faultEdges(faults: readonly InjectedFault[], runs: ReadonlyArray<{ endMs: number; reason: string | null }>, delivered: readonly Interval[]): FaultEdge[] {
  const out: FaultEdge[] = [];
  for (const f of faults) {
    if (!STOPS_AT_ONCE.includes(f.kind) || f.skippedFrames > 0) continue;
    const reasons = reasonsFor(f);
    const run = runs.filter((r) => r.reason !== null && reasons.includes(r.reason) && r.endMs >= f.atMs - 1000 && r.endMs <= f.atMs + 1000).sort((a, b) => Math.abs(a.endMs - f.atMs) - Math.abs(b.endMs - f.atMs))[0];
    const del = union(delivered, MERGE_MS).filter(([, e]) => e >= f.atMs - 1000 && e <= f.atMs + 1000).sort((a, b) => Math.abs(a[1] - f.atMs) - Math.abs(b[1] - f.atMs))[0];
    if (run && del) out.push({ fault: f, gapStartMs: run.endMs, deliveredEndMs: del[1] });
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
