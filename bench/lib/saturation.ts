// What limits a --find-max step of bench:record: each resource's use as a share of its limit, and
// the one closest to (or past) its limit — the one that saturates first as cameras are added.
// Resources: the recorder's event-loop thread (one core), its event-loop delay, the simulator's
// process (its event loop paces every camera), the machine's cores (the simulator and other jobs
// share them), and the disk + index (how far the durable index is behind the cameras).

/** Event-loop delay (p99) at which frames start being stamped late enough to matter (the stall rule waits 1 s). */
export const LOOP_DELAY_LIMIT_MS = 500;

export interface StepFigures {
  mainThreadCpuPct: number;
  eventLoopDelayP99Ms: number;
  simCpuPct: number;
  machineBusyCores: number;
  cores: number;
  indexLagMaxMs: number;
  indexLagLimitMs: number;
  /** Runs that ended because writes fell too far behind (disk or starved writer). */
  writeBacklogRuns: number;
}

export interface Saturation {
  /** Use of each resource as a share of its limit (1 = at the limit). */
  levels: Record<string, number>;
  /** The resource with the highest share. */
  nearest: string;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

export function saturation(f: StepFigures): Saturation {
  const levels: Record<string, number> = {
    'recorder event-loop thread CPU': r2(f.mainThreadCpuPct / 100),
    'recorder event-loop delay': r2(f.eventLoopDelayP99Ms / LOOP_DELAY_LIMIT_MS),
    'simulator CPU': r2(f.simCpuPct / 100),
    'machine cores': r2(f.machineBusyCores / f.cores),
    'disk + index': f.writeBacklogRuns > 0 ? 1 : r2(f.indexLagMaxMs / f.indexLagLimitMs),
  };
  let nearest = Object.keys(levels)[0];
  for (const [k, v] of Object.entries(levels)) if (v > levels[nearest]) nearest = k;
  return { levels, nearest };
}
