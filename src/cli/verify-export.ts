// `xuncha verify-export DIR`: checks an export folder against its signed manifest with this node's
// key; names every changed, missing or unexpected file. Exit 0 when intact, 1 otherwise.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { deriveKeys, loadMasterKey } from '../crypto/keys.ts';
import { exportManifestKey } from '../playback/index.ts';
import { verifyExportDir } from '../playback/manifest.ts';
import { EXIT } from './exit-codes.ts';

export async function verifyExportCommand(dir: string, config: Config, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const env = process.env.XUNCHA_SECRET_KEY;
  if (!env && !existsSync(path.join(config.dataDir, 'secret.key'))) {
    err(`no node key in ${config.dataDir} (secret.key) or XUNCHA_SECRET_KEY: run this on the node that made the export`);
    return EXIT.config;
  }
  const key = exportManifestKey(deriveKeys(loadMasterKey(config.dataDir, env)).mediaToken);
  const result = await verifyExportDir(dir, key);
  if (result.ok) {
    out(`export intact: signature valid, ${result.checked} files match manifest.json`);
    return EXIT.ok;
  }
  for (const p of result.problems) err(`${p.problem.toUpperCase()}: ${p.file}${p.detail ? ` (${p.detail})` : ''}`);
  err(`export NOT intact: ${result.problems.length} problem(s)`);
  return EXIT.failure;
}
