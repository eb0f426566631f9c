// What a benchmark needs, prepared the way `npm start` (scripts/start.mjs) and the test suite do,
// so that `npm run bench:*` works from a fresh clone: Debian packages (scripts/ensure-system.sh:
// `runtime` = ffmpeg; `test` = also Chromium, fonts, PostgreSQL), the simulator clips
// (scripts/make-clips.sh when assets/clips is incomplete) and the web console (web/dist).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuilt } from '../../test/e2e/helpers/web-build.ts';
import { BUILD_DIR, buildServer, serverBuildFresh } from '../../scripts/build-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIPS = ['main.h264', 'sub.h264', 'main.h265', 'audio.aac', 'audio.alaw', 'clips.json'];

export interface Needs {
  system: 'runtime' | 'test';
  clips?: boolean;
  web?: boolean;
}

/** build/server/<file>.js for a .ts file of the repository (built by `prepare({ server })`). */
export function compiledPath(tsFile: string): string {
  return path.join(BUILD_DIR, tsFile.replace(/\.ts$/, '.js'));
}

/**
 * The server compiled to JavaScript as `npm start` makes it (scripts/build-server.mjs), with these
 * benchmark entry points (.ts paths from the repository root) compiled beside it (`compiledPath`).
 */
export async function prepareServer(extra: string[]): Promise<void> {
  const fresh = serverBuildFresh() && extra.every((f) => existsSync(compiledPath(f)) && statSync(compiledPath(f)).mtimeMs >= statSync(path.join(ROOT, f)).mtimeMs);
  if (fresh) return;
  process.stderr.write('compiling the server (scripts/build-server.mjs)…\n');
  await buildServer(extra);
}

/** Prepares `needs`; output goes to stderr (a benchmark's stdout ends with its JSON line). */
export function prepare(needs: Needs): void {
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 2, 2] });
  run('bash', ['scripts/ensure-system.sh', needs.system]);
  if (needs.clips && CLIPS.some((f) => !existsSync(path.join(ROOT, 'assets/clips', f)))) {
    process.stderr.write('making the simulator clips (scripts/make-clips.sh)…\n');
    run('bash', ['scripts/make-clips.sh']);
  }
  if (needs.web) ensureWebBuilt();
}
