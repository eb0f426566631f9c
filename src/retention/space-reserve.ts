// Space kept back on the data disk so that the database can still commit when recordings have
// filled it (docs/design/retention.md, "Disk full"): a file of real (written) zeros next to the
// database. Retention deletes it before it deletes recordings on a full disk — the deletions are
// database commits that need room for the WAL — and writes it again once space is back.
import { open, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** 1 % of the disk, at least 4 MiB, at most 64 MiB: room for thousands of index commits. */
export function reserveBytesFor(totalBytes: number): number {
  return Math.min(64 * 1024 ** 2, Math.max(4 * 1024 ** 2, Math.floor(totalBytes / 100)));
}

export class SpaceReserve {
  readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'space-reserve.bin');
  }

  /** Bytes currently held. */
  async held(): Promise<number> {
    try {
      return (await stat(this.file)).size;
    } catch {
      return 0;
    }
  }

  /** Writes the reserve up to `bytes` (a short write on a full disk keeps what fit). */
  async ensure(bytes: number): Promise<number> {
    const have = await this.held();
    if (have >= bytes) return have;
    const fh = await open(this.file, 'a');
    let size = have;
    try {
      const chunk = Buffer.alloc(1024 * 1024);
      while (size < bytes) {
        const { bytesWritten } = await fh.write(chunk, 0, Math.min(chunk.length, bytes - size));
        size += bytesWritten;
      }
      await fh.sync();
    } catch {
      // No room for all of it now; the next pass tops it up.
    } finally {
      await fh.close();
    }
    return size;
  }

  /** Frees the reserve; resolves with the bytes freed. */
  async release(): Promise<number> {
    const have = await this.held();
    await rm(this.file, { force: true });
    return have;
  }
}
