// Reads a V8 .cpuprofile (node --cpu-prof, or inspector Profiler.stop) and ranks functions by
// self time and by total (inclusive) time, as "file:line:function" with a share of all samples.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  fn: string;
  selfPct: number;
  totalPct: number;
}

function label(n: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = n.callFrame;
  let file = url.replace(/^file:\/\//, '');
  if (file.startsWith(root)) file = path.relative(root, file);
  const fn = functionName || '(anonymous)';
  if (!file) return fn.startsWith('(') ? fn : `(${fn})`; // (garbage collector), (program), (idle), natives
  // Modules compiled by tsx report line 0 for everything: then file:function only.
  return lineNumber > 0 ? `${file}:${lineNumber + 1}:${fn}` : `${file}:${fn}`;
}

/** Top functions of a profile; `(idle)` is excluded from the shares (it is not CPU). */
export function hotSpots(file: string, root: string, top = 25): { spots: HotSpot[]; sampledMs: number; idlePct: number } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const node = byId.get(p.samples[i])!;
    const key = label(node, root);
    if (key === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const k = label(byId.get(id)!, root);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }
  const pct = (x: number) => Math.round((x / Math.max(1, busy)) * 1000) / 10;
  const spots = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, t]) => ({ fn, selfPct: pct(t), totalPct: pct(total.get(fn) ?? t) }));
  return { spots, sampledMs: Math.round((busy + idle) / 1000), idlePct: Math.round((idle / Math.max(1, busy + idle)) * 1000) / 10 };
}

/** Inclusive share of functions whose label matches `re` (e.g. a source file), deduplicated per sample. */
export function inclusiveShare(file: string, root: string, patterns: Array<[string, RegExp]>): Array<{ name: string; totalPct: number }> {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const acc = patterns.map(() => 0);
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const node = byId.get(p.samples[i])!;
    if (label(node, root) === '(idle)') continue;
    busy += dt;
    const labels: string[] = [];
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) labels.push(label(byId.get(id)!, root));
    patterns.forEach(([, re], j) => {
      if (labels.some((l) => re.test(l))) acc[j] += dt;
    });
  }
  return patterns.map(([name], j) => ({ name, totalPct: Math.round((acc[j] / Math.max(1, busy)) * 1000) / 10 }));
}
