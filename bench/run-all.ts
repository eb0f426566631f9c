// `npm run bench`: runs every benchmark bench/*.ts (not this file, not bench/lib, not a helper
// module that another bench file imports, e.g. live-page.ts) one after the other, with their
// default settings (benchmarks share the machine: never in parallel), and ends with a summary of
// the last JSON line each printed. Benchmarks not written yet are simply not there.
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

function run(file: string): Promise<{ code: number | null; lastJson?: string }> {
  return new Promise((resolve) => {
    let lastJson: string | undefined;
    let buf = '';
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, file)], { cwd: path.resolve(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (c: Buffer) => {
      process.stdout.write(c);
      buf += c.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (/^\s*\{.*\}\s*$/.test(l)) lastJson = l.trim();
    });
    child.on('exit', (code) => {
      if (/^\s*\{.*\}\s*$/.test(buf)) lastJson = buf.trim();
      resolve({ code, lastJson });
    });
  });
}

if (benches.length === 0) console.log('no benchmarks in bench/');
const summary: Array<{ bench: string; code: number | null; lastJson?: string }> = [];
for (const b of benches) {
  console.log(`\n=== ${b} ===`);
  const r = await run(b);
  summary.push({ bench: b, ...r });
}
console.log('\n=== summary ===');
for (const s of summary) console.log(`${s.bench.padEnd(16)} ${s.code === 0 ? 'ok    ' : `FAILED (exit ${s.code})`} ${s.lastJson ?? ''}`);
process.exitCode = summary.every((s) => s.code === 0) ? 0 : 1;
