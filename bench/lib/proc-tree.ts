// CPU of process trees from /proc (Linux): Chromium is a browser process plus renderer, GPU and
// utility children, so its CPU is the sum over the tree. A tree is re-read at every reading, so
// processes started during a measurement count from their start.
import { readdirSync, readFileSync } from 'node:fs';
import { readProc } from './proc.ts';

/** pid → parent pid of every process visible in /proc. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      out.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited while listing */
    }
  }
  return out;
}

/** `root` and all its descendants, except the subtrees of `exclude`. */
export function processTree(root: number, exclude: number[] = []): number[] {
  const pp = parents();
  const kids = new Map<number, number[]>();
  for (const [pid, ppid] of pp) kids.set(ppid, [...(kids.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    if (exclude.includes(p)) continue;
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

/** CPU seconds per pid now (utime+stime+reaped children). */
export function cpuByPid(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const pid of pids) {
    const s = readProc(pid);
    if (s) m.set(pid, s.cpuS);
  }
  return m;
}

/**
 * CPU used by a set of process groups between start() and the returned stop(): per group, in % of
 * one core. A group is a function listing its pids at the time of reading (a tree may change).
 */
export function startCpuWindow(groups: Record<string, () => number[]>): () => Record<string, number> {
  const t0 = performance.now();
  const before = Object.fromEntries(Object.entries(groups).map(([k, list]) => [k, cpuByPid(list())]));
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const out: Record<string, number> = {};
    for (const [k, list] of Object.entries(groups)) {
      let cpuS = 0;
      for (const [pid, s] of cpuByPid(list())) cpuS += s - (before[k].get(pid) ?? 0);
      out[k] = Math.round((cpuS / seconds) * 1000) / 10;
    }
    return out;
  };
}

/** Processes of `parent`'s subtrees rooted at children whose name (comm) matches `name`. */
export function childTrees(parent: number, name: RegExp): number[] {
  const roots = [...parents()].filter(([pid, ppid]) => {
    if (ppid !== parent) return false;
    try {
      return name.test(readFileSync(`/proc/${pid}/comm`, 'utf8'));
    } catch {
      return false;
    }
  });
  return roots.flatMap(([pid]) => processTree(pid));
}
