// Compiles the server (src/**/*.ts, tests excluded) to JavaScript in build/server/, one .js file per
// .ts file at the same relative path, so that the node runs without the tsx loader (issue 16). tsx
// registers its hooks on Node's off-thread loader — a second V8 isolate with esbuild in it — and
// keeps every transpiled module's source map: 60 MB of the 150 MB a node took before any camera.
//
// `npm start` builds it (like web/dist); bin/xuncha.mjs runs it when it is newer than every source
// file and falls back to tsx otherwise, so an edited tree never runs stale code. Paths the code
// resolves from its own location (../../assets, ../../web/dist, ../package.json) resolve through
// the links made here to the real directories. Files outside src/ that src imports (web/src/…)
// are compiled too. Usage: node scripts/build-server.mjs [extra.ts…]
// (extra entry points, e.g. the recording benchmark's worker, built under the same root).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
export const BUILD_DIR = path.join(root, 'build/server');
export const STAMP = path.join(BUILD_DIR, '.built');

function sources(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Newest modification time (ms) of the server's sources (src/ and `others`) and package.json. */
export function newestSourceMs(others = []) {
  const files = [...sources(path.join(root, 'src')), ...others.map((f) => path.join(root, f)), path.join(root, 'package.json')];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/**
 * Every relative import becomes the .js file of the same name; packages stay imports. `seen`
 * collects the .ts files imported, so that files outside src/ that the server imports (e.g.
 * web/src/pages/audit/auditLabels.ts) are compiled too.
 */
function keepImports(seen) {
  return {
    name: 'keep-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (!args.path.startsWith('.')) return { path: args.path, external: true };
        if (args.path.endsWith('.ts')) seen.add(path.resolve(args.resolveDir, args.path));
        return { path: args.path.replace(/\.ts$/, '.js'), external: true };
      });
    },
  };
}

/** Builds into a fresh directory and swaps it in, so a running node never sees half a build. */
export async function buildServer(extra = []) {
  const startedMs = Date.now();
  const tmp = `${BUILD_DIR}.tmp-${process.pid}`;
  removeAbandoned();
  rmSync(tmp, { recursive: true, force: true });
  // Loaded here, not at the top: bin/xuncha.mjs imports this file only to check freshness.
  const { build } = await import('esbuild');
  const entries = new Set([...sources(path.join(root, 'src')), ...extra.map((f) => path.resolve(root, f))]);
  // Until every imported .ts file is an entry point (two rounds when src imports beyond src/).
  for (;;) {
    const seen = new Set();
    await build({
      entryPoints: [...entries],
      outbase: root,
      outdir: tmp,
      bundle: true,
      plugins: [keepImports(seen)],
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    const missing = [...seen].filter((f) => !entries.has(f));
    if (missing.length === 0) break;
    for (const f of missing) entries.add(f);
  }
  // What the code reads from beside itself, linked to the real thing (web/dist: the console, which
  // the server serves; web/src files the server imports are compiled like src/).
  for (const name of ['assets', 'web/dist', 'package.json']) {
    const link = path.join(tmp, name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.relative(path.dirname(link), path.join(root, name)), link);
  }
  // The stamp records when the sources were read (a file edited during the build makes it stale)
  // and the files compiled from outside src/, whose edits make it stale too.
  const outside = [...entries].map((f) => path.relative(root, f)).filter((f) => !f.startsWith('src/'));
  writeFileSync(path.join(tmp, '.built'), JSON.stringify({ startedAt: new Date(startedMs).toISOString(), outside }) + '\n');
  mkdirSync(path.dirname(BUILD_DIR), { recursive: true });
  const old = `${BUILD_DIR}.old-${process.pid}`;
  try {
    renameSync(BUILD_DIR, old);
  } catch {
    // no previous build
  }
  try {
    renameSync(tmp, BUILD_DIR);
  } catch {
    // Another build (started at the same time) swapped its own in first: that one is as fresh.
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return Date.now() - startedMs;
}

/** Leftovers of builds that were killed before their swap (their process is gone). */
function removeAbandoned() {
  const dir = path.dirname(BUILD_DIR);
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^server\.(?:tmp|old)-(\d+)$/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/** True when build/server exists and was built after the last change to a source file. */
export function serverBuildFresh() {
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    return new Date(stamp.startedAt).getTime() >= newestSourceMs(stamp.outside);
  } catch {
    return false;
  }
}

if (process.argv[1] === import.meta.filename) {
  const ms = await buildServer(process.argv.slice(2));
  console.log(`server built into ${path.relative(root, BUILD_DIR)} in ${ms} ms`);
}
