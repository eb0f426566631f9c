// Free space of the recording disk. The real meter asks the file system (fs.statfs on the
// recordings directory); tests inject a quota so that "disk pressure" needs no full disk.
import { mkdir, statfs } from 'node:fs/promises';
import type { FileStore } from '../recording/file-store.ts';

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

export interface DiskMeter {
  measure(): Promise<DiskSpace>;
}

export function statfsMeter(dir: string): DiskMeter {
  return {
    async measure() {
      await mkdir(dir, { recursive: true });
      const s = await statfs(dir);
      // bavail: blocks available to unprivileged users (what the recorder can actually use).
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    },
  };
}

/** A disk of `quotaBytes` holding exactly the files of the store: for tests and demos. */
export function quotaMeter(files: FileStore, quotaBytes: number): DiskMeter {
  return {
    async measure() {
      let used = 0;
      for (const rel of await files.list()) used += (await files.size(rel)) ?? 0;
      return { freeBytes: Math.max(0, quotaBytes - used), totalBytes: quotaBytes };
    },
  };
}
