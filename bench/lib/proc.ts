// Process CPU and memory sampling from /proc (Linux), for benchmarks that measure other processes
// from the outside: CPU = utime+stime (+ cutime+cstime: waited-for children), peak memory = VmHWM.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** USER_HZ: clock ticks per second in /proc/<pid>/stat (100 on every mainstream Linux). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** utime+stime+cutime+cstime, seconds. */
  cpuS: number;
  /** Peak resident set size so far (VmHWM), kB. */
  hwmKb: number;
  /** Current resident set size (VmRSS), kB. */
  rssKb: number;
}

/** One reading of a live process; undefined when it is gone. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)"; comm may contain spaces, so split after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): utime = field 14 → f[11], stime f[12], cutime f[13], cstime f[14].
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { cpuS: ticks / CLK_TCK, hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (utime+stime) of one thread of a process: `tid` = `pid` is its main thread, the one
 * that runs a node's event loop (the rest of a node's CPU is libuv's thread pool and V8's helpers).
 */
export function readThreadCpuS(pid: number, tid = pid): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

interface Tracked {
  /** CPU seconds at the start mark (or 0 when tracked from spawn). */
  baseCpuS: number;
  lastCpuS: number;
  hwmKb: number;
  alive: boolean;
}

/**
 * Samples a group of processes periodically and keeps, per process, its CPU seconds since it was
 * tracked (or since `mark()`) and its peak RSS. The last reading before a process exits is kept
 * (sampling misses at most one interval of CPU of an exiting process).
 */
export class ProcGroupSampler {
  private readonly procs = new Map<number, Tracked>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly intervalMs = 250) {}

  /** Starts tracking `pid`; `fromNow` counts only CPU used from now on. */
  add(pid: number, fromNow = false): void {
    const s = readProc(pid);
    this.procs.set(pid, { baseCpuS: fromNow && s ? s.cpuS : 0, lastCpuS: s?.cpuS ?? 0, hwmKb: s?.hwmKb ?? 0, alive: s !== undefined });
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
  }

  /** Takes a reading of every live process now. */
  sample(): void {
    for (const [pid, t] of this.procs) {
      if (!t.alive) continue;
      const s = readProc(pid);
      if (!s) {
        t.alive = false;
        continue;
      }
      t.lastCpuS = s.cpuS;
      t.hwmKb = Math.max(t.hwmKb, s.hwmKb);
    }
  }

  /** Restarts CPU accounting of every tracked process from now (peak memory is kept). */
  mark(): void {
    this.sample();
    for (const t of this.procs.values()) t.baseCpuS = t.lastCpuS;
  }

  /** Sum of CPU seconds, sum of peak RSS (kB) and the largest single peak over the group. */
  totals(): { cpuS: number; sumHwmKb: number; maxHwmKb: number; processes: number } {
    this.sample();
    let cpuS = 0;
    let sumHwmKb = 0;
    let maxHwmKb = 0;
    for (const t of this.procs.values()) {
      cpuS += t.lastCpuS - t.baseCpuS;
      sumHwmKb += t.hwmKb;
      maxHwmKb = Math.max(maxHwmKb, t.hwmKb);
    }
    return { cpuS, sumHwmKb, maxHwmKb, processes: this.procs.size };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Whole-machine CPU use (all cores) between two calls of the returned function, in cores. */
export function machineCpu(): () => { busyCores: number; seconds: number } {
  const read = () => {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = line[3] + (line[4] ?? 0);
    const total = line.slice(0, 8).reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  const a = read();
  const t0 = performance.now();
  return () => {
    const b = read();
    const seconds = (performance.now() - t0) / 1000;
    const total = b.total - a.total;
    return { busyCores: total > 0 ? ((total - (b.idle - a.idle)) / total) * os.cpus().length : 0, seconds };
  };
}

/** `uptime` load averages (1, 5, 15 min) and core count. */
export function loadAverage(): { load1: number; load5: number; load15: number; cores: number; text: string } {
  const [load1, load5, load15] = os.loadavg().map((x) => Math.round(x * 100) / 100);
  return { load1, load5, load15, cores: os.cpus().length, text: `load average ${load1}, ${load5}, ${load15} on ${os.cpus().length} cores` };
}

export function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
