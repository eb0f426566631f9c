// Everything a benchmark starts is stopped when the benchmark ends, however it ends (done, failed,
// SIGINT/SIGTERM, timed out). Three layers:
//  1. Children started here (spawnOwned/forkOwned) get their own process group; on exit every such
//     group is killed (a group includes grandchildren: ffmpeg's, Chromium's helpers).
//  2. On exit, every remaining descendant in /proc is killed too (processes started by helpers,
//     e.g. test/live/helpers/live-server.ts or playwright).
//  3. If the benchmark itself is SIGKILLed (no handler runs), its Node.js children end themselves:
//     NODE_OPTIONS preloads die-with-parent.mjs into them, which watches the parent pid.
import { spawn, fork } from 'node:child_process';
import type { ChildProcess, ForkOptions, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { processTree } from './proc-tree.ts';

const WATCH = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'die-with-parent.mjs')).href;
const groups = new Set<number>();
const cleanups: Array<() => void> = [];
let installed = false;
/** Set once the benchmark is being stopped (signal, timeout): its exit code, whatever fails after. */
let stopCode: number | undefined;

/** True under BENCH_SMOKE=1: seconds and tiny sizes, for test/bench/smoke.test.ts. */
export const SMOKE = process.env.BENCH_SMOKE === '1';

function killGroups(signal: NodeJS.Signals): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      groups.delete(pgid); // gone
    }
  }
}

function killDescendants(signal: NodeJS.Signals): void {
  for (const pid of processTree(process.pid)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

/** True while a process group it started or a live (not zombie) descendant remains. */
function anythingLeft(): boolean {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      groups.delete(pgid); // empty group
    }
  }
  for (const pid of processTree(process.pid)) {
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat[stat.lastIndexOf(')') + 2] !== 'Z') return true;
    } catch {
      /* gone */
    }
  }
  return false;
}

/** Synchronous last resort (process 'exit'): SIGKILL to every group and every descendant left. */
function killEverything(): void {
  killGroups('SIGKILL');
  killDescendants('SIGKILL');
  for (const c of cleanups.splice(0)) {
    try {
      c();
    } catch {
      /* best effort */
    }
  }
}

/**
 * Installs the exit handling (once per benchmark process): children of this process die with it;
 * SIGINT/SIGTERM stop everything (SIGTERM, then SIGKILL after 3 s) and exit 130/143; after
 * `timeoutMs` the benchmark is stopped with exit code 124.
 */
export function installBenchExit(opts: { name: string; timeoutMs: number }): void {
  if (installed) return;
  installed = true;
  const preload = `--import=${WATCH}`;
  if (!(process.env.NODE_OPTIONS ?? '').includes(preload)) process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${preload}`.trim();
  process.env.XUNCHA_BENCH_DIE_WITH_PARENT = '1';
  process.on('exit', killEverything);
  const stop = (why: string, code: number) => {
    stopCode = code;
    process.stderr.write(`[${opts.name}] ${why}: stopping every process it started\n`);
    killGroups('SIGTERM');
    killDescendants('SIGTERM');
    // Exit as soon as everything it started has ended (most stop within a few hundred ms), at
    // the latest after 3 s; the 'exit' handler SIGKILLs whatever is left.
    const t0 = Date.now();
    const poll = setInterval(() => {
      if (Date.now() - t0 < 3000 && anythingLeft()) return;
      clearInterval(poll);
      process.exit(code);
    }, 50);
  };
  process.once('SIGINT', () => stop('interrupted (SIGINT)', 130));
  process.once('SIGTERM', () => stop('terminated (SIGTERM)', 143));
  process.on('uncaughtException', (err) => {
    if (stopCode === undefined) process.stderr.write(`[${opts.name}] failed: ${err.stack ?? err.message}\n`);
    process.exit(stopCode ?? 1);
  });
  process.on('unhandledRejection', (err) => {
    if (stopCode === undefined) process.stderr.write(`[${opts.name}] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(stopCode ?? 1);
  });
  setTimeout(() => stop(`timed out after ${Math.round(opts.timeoutMs / 1000)} s`, 124), opts.timeoutMs).unref();
}

/** Runs at exit (also after a failure or a signal), synchronously: e.g. removing a temp dir. */
export function onBenchExit(fn: () => void): void {
  cleanups.push(fn);
}

function own<T extends ChildProcess>(child: T): T {
  if (child.pid !== undefined) {
    const pgid = child.pid;
    groups.add(pgid);
    child.once('exit', () => {
      // The group may outlive its leader (grandchildren): kill what is left of it, then forget it.
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* empty group */
      }
      groups.delete(pgid);
    });
  }
  return child;
}

/** spawn() in a process group of its own, killed when the benchmark ends. */
export function spawnOwned(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return own(spawn(cmd, args, { ...opts, detached: true }));
}

/** fork() in a process group of its own, killed when the benchmark ends. */
export function forkOwned(module: string, args: string[], opts: ForkOptions = {}): ChildProcess {
  return own(fork(module, args, { ...opts, detached: true }));
}

/** Runs a benchmark's main function; any failure exits non-zero after stopping everything. */
export function runBench(name: string, main: () => Promise<void>, timeoutMs: number): void {
  installBenchExit({ name, timeoutMs });
  main().then(
    () => process.exit(stopCode ?? process.exitCode ?? 0),
    (err: unknown) => {
      // After a signal or the timeout, the main function fails because its children were stopped.
      if (stopCode === undefined) process.stderr.write(`[${name}] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(stopCode ?? 1);
    },
  );
}
