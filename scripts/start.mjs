// `npm start`: the demo/main job. Makes sure what the node needs is there (ffmpeg; the web
// console and the server built), then runs `xuncha serve` with the embedded database and simulated cameras.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEMO_ENV } from './demo-env.mjs';

const root = path.resolve(import.meta.dirname, '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run('bash', ['scripts/ensure-system.sh', 'runtime']);

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const built = path.join(root, 'web/dist/index.html');
if (!existsSync(built) || statSync(built).mtimeMs < newest(path.join(root, 'web/src'))) {
  console.log('building the web console…');
  run('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
}

// The server compiled to JavaScript (build/server): bin/xuncha.mjs runs it instead of going through
// tsx when it is up to date (less memory, issue 16).
const { buildServer, serverBuildFresh } = await import('./build-server.mjs');
if (!serverBuildFresh()) {
  console.log('compiling the server…');
  await buildServer();
}

// Demo settings (scripts/demo-env.mjs): 4 rooms, one covered camera found by the first-start check.
const env = { ...DEMO_ENV, ...process.env };
const child = spawn(process.execPath, [path.join(root, 'bin/xuncha.mjs'), 'serve', ...process.argv.slice(2)], { cwd: root, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
