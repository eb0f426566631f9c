// Shared by the SIGKILL e2e tests (issue 12, R-REC-4): what is on disk at the kill, and the kill.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TestServer } from '../e2e/helpers/server.ts';

/** Stated bound of issue 12: crash loss ≤ 1 s per camera (500 ms fragments + write + fdatasync). */
export const MAX_LOSS_MS = 1000;

export function recordingFiles(dataDir: string): Array<{ rel: string; bytes: number }> {
  const dir = path.join(dataDir, 'recordings');
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const abs = path.join(e.parentPath, e.name);
        return { rel: path.relative(dir, abs), bytes: statSync(abs).size };
      });
  } catch {
    return [];
  }
}

export async function killNow(server: TestServer): Promise<number> {
  // A server that died by itself (it must survive a database outage) would never emit 'exit' again:
  // fail with its log instead of waiting for the test's timeout.
  if (server.process.exitCode !== null || server.process.signalCode !== null) {
    throw new Error(`server exited by itself (${server.process.exitCode ?? server.process.signalCode}) before the kill:\n${server.logs.slice(-40).join('\n')}`);
  }
  const exited = new Promise((r) => server.process.once('exit', r));
  server.process.kill('SIGKILL');
  const killedAtMs = Date.now();
  await exited;
  return killedAtMs;
}
