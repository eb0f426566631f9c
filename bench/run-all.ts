// `npm run bench`: runs every benchmark bench/*.ts (not this file, not bench/lib, not a helper
// module that another bench file imports, e.g. live-page.ts) one after the other, with their
// default settings (benchmarks share the machine: never in parallel), and ends with a summary of
// the last JSON line each printed. Benchmarks not written yet are simply not there.
// Each benchmark runs in a process group of its own: on SIGINT/SIGTERM, or when it runs longer
// than BENCH_TIMEOUT_S (default 1 h; each benchmark also stops itself at its own limit), the whole
// group is stopped (SIGTERM, SIGKILL 5 s later). BENCH_SMOKE=1 runs every one in its smoke mode.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const self = path.basename(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== self && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .sort();
const imported = new Set<string>();
for (const f of files) for (const m of readFileSync(path.join(here, f), 'utf8').matchAll(/from '\.\/([^/']+\.ts)'/g)) imported.add(m[1]);
const benches = files.filter((f) => !imported.has(f));

const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S) || 3600;
let current: number | undefined;
let interrupted = false;

function stopGroup(pgid: number | undefined, why: string): void {
  if (pgid === undefined) return;
  process.stderr.write(`[bench] ${why}: stopping it\n`);
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* already gone */
    }
  };
  kill('SIGTERM');
  setTimeout(() => kill('SIGKILL'), 5000).unref();
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    stopGroup(current, `${sig}`);
    setTimeout(() => process.exit(130), 6000).unref();
  });
}

function run(file: string): Promise<{ code: number | null; lastJson?: string }> {
  return new Promise((resolve) => {
    let lastJson: string | undefined;
    let buf = '';
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, file)], { cwd: path.resolve(here, '..'), stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    current = child.pid;
    const limit = setTimeout(() => stopGroup(child.pid, `${file} ran longer than ${TIMEOUT_S} s`), TIMEOUT_S * 1000);
    child.stdout.on('data', (c: Buffer) => {
      process.stdout.write(c);
      buf += c.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (/^\s*\{.*\}\s*$/.test(l)) lastJson = l.trim();
    });
    child.on('exit', (code) => {
      clearTimeout(limit);
      current = undefined;
      if (/^\s*\{.*\}\s*$/.test(buf)) lastJson = buf.trim();
      resolve({ code, lastJson });
    });
  });
}

if (benches.length === 0) console.log('no benchmarks in bench/');
const summary: Array<{ bench: string; code: number | null; lastJson?: string }> = [];
for (const b of benches) {
  if (interrupted) break;
  console.log(`\n=== ${b} ===`);
  const r = await run(b);
  summary.push({ bench: b, ...r });
}
console.log('\n=== summary ===');
for (const s of summary) console.log(`${s.bench.padEnd(16)} ${s.code === 0 ? 'ok    ' : `FAILED (exit ${s.code})`} ${s.lastJson ?? ''}`);
process.exitCode = summary.every((s) => s.code === 0) ? 0 : 1;
