#!/usr/bin/env node
// Entry point. Runs the compiled server (build/server, made by scripts/build-server.mjs; `npm start`
// builds it) when it is newer than every source file: no tsx loader in the process, 60 MB less
// memory (issue 16). Otherwise — no build, or a source edited since — the TypeScript runs through
// tsx, so no build step is ever required and stale code never runs.
// XUNCHA_FROM_SOURCE=1 forces tsx.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD_DIR, serverBuildFresh } from '../scripts/build-server.mjs';

if (process.env.XUNCHA_FROM_SOURCE !== '1' && serverBuildFresh()) {
  await import(pathToFileURL(path.join(BUILD_DIR, 'src/cli/main.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
