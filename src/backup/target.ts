// Where backups go (R-RET-2, R-SEC-9). An interface with two targets: this local one writes to a
// second directory (a second disk or a mounted share), owner-only permissions, each copy fsynced
// then renamed; S3Target (s3-target.ts) writes to an S3 or S3-compatible bucket.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Digest {
  sha256: string;
  bytes: number;
}

export interface BackupTarget {
  /** Identifies the target; stored with each backup so that later verification finds it. */
  readonly root: string;
  /**
   * Copies the first `lengthBytes` of the local file `sourceAbs` (its indexed length: a damaged
   * tail past it is never copied) to `key`; resolves with the SHA-256 of what was read, once the
   * copy is durable. Fails when the file is shorter.
   */
  put(key: string, sourceAbs: string, lengthBytes: number): Promise<Digest>;
  /** SHA-256 and size of the stored copy, read back; undefined when it is missing. */
  digest(key: string): Promise<Digest | undefined>;
  putText(key: string, text: string): Promise<void>;
  /** Where a key is, for messages that name a bad copy. */
  locate(key: string): string;
}

function hashing(hash: ReturnType<typeof createHash>, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      cb(null, chunk);
    },
  });
}

export class LocalDirTarget implements BackupTarget {
  constructor(readonly root: string) {}

  locate(key: string): string {
    const abs = path.resolve(this.root, key);
    if (!abs.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`backup key escapes the target: ${key}`);
    return abs;
  }

  async put(key: string, sourceAbs: string, lengthBytes: number): Promise<Digest> {
    const dest = this.locate(key);
    await mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
    const part = `${dest}.part`;
    const hash = createHash('sha256');
    const counter = { bytes: 0 };
    try {
      await pipeline(createReadStream(sourceAbs, { start: 0, end: lengthBytes - 1 }), hashing(hash, counter), createWriteStream(part, { mode: 0o600 }));
      if (counter.bytes !== lengthBytes) throw new Error(`source is ${counter.bytes} bytes, shorter than its indexed ${lengthBytes}: ${sourceAbs}`);
      const fh = await open(part, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      await rm(part, { force: true });
      throw err;
    }
    await rename(part, dest);
    return { sha256: hash.digest('hex'), bytes: counter.bytes };
  }

  async digest(key: string): Promise<Digest | undefined> {
    const hash = createHash('sha256');
    const counter = { bytes: 0 };
    try {
      await pipeline(createReadStream(this.locate(key)), hashing(hash, counter), async (source: AsyncIterable<Buffer>) => {
        for await (const _chunk of source) {
          /* drain */
        }
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return { sha256: hash.digest('hex'), bytes: counter.bytes };
  }

  async putText(key: string, text: string): Promise<void> {
    const dest = this.locate(key);
    await mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
    const fh = await open(`${dest}.part`, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(`${dest}.part`, dest);
  }
}

/** Key of a backed-up recording file and of the report below the target. */
export const itemKey = (backupId: number, relPath: string): string => `backup-${backupId}/${relPath}`;
export const reportKey = (backupId: number): string => `backup-${backupId}/report.json`;
