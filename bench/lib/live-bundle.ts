// The console's own live player (web/src/pages/wall/liveClient.ts + msePlayer.ts) bundled with
// esbuild into one IIFE script, so that bench/live.ts measures the shipped code rather than a copy.
// The script defines window.__xunchaLive = { LiveClient, MsePlayer, pageGovernor } (see live-page.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

const WALL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/src/pages/wall');

export const LIVE_BUNDLE_GLOBAL = '__xunchaLive';

/** Bundles the player at bench start (a few hundred ms); returns the script text. */
export async function buildLiveBundle(): Promise<string> {
  const res = await build({
    stdin: {
      contents: "export { LiveClient } from './liveClient.ts';\nexport { MsePlayer } from './msePlayer.ts';\nexport { pageGovernor } from './rateGovernor.ts';\n",
      resolveDir: WALL_DIR,
      sourcefile: 'live-bundle-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: LIVE_BUNDLE_GLOBAL,
    platform: 'browser',
    target: 'chrome110',
    write: false,
    logLevel: 'silent',
  });
  await stop(); // esbuild's service process would otherwise live on (and count as a child of the bench)
  return res.outputFiles[0].text;
}
