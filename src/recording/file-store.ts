// Where recording files live. Injected so tests can use a temporary directory and simulate a
// full disk; the real one writes under <dataDir>/recordings with O_DSYNC writes for durability.
import fs, { constants } from 'node:fs';
import { mkdir, readdir, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const openFd = promisify(fs.open);

export interface AppendFile {
  /** Appends and makes the bytes durable (as write + fdatasync would) before resolving. */
  appendDurable(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface FileStore {
  readonly root: string;
  create(relPath: string): Promise<AppendFile>;
  truncate(relPath: string, bytes: number): Promise<void>;
  remove(relPath: string): Promise<void>;
  /** Size in bytes, or undefined when the file does not exist. */
  size(relPath: string): Promise<number | undefined>;
  /** Every file below the root, as relative paths. */
  list(): Promise<string[]>;
  absolute(relPath: string): string;
  /**
   * True from the moment a write failed for lack of space until `spaceReturned()`: recorders start
   * no run meanwhile (no zero-length runs, no empty files, no alarm storm — docs/design/retention.md).
   */
  diskFull?(): boolean;
  /** Retention calls this once free space is back. */
  spaceReturned?(): void;
}

const isNoSpace = (err: unknown): boolean => ['ENOSPC', 'EDQUOT'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * A file opened with O_DSYNC: each write returns once its bytes (and the size change) are on disk,
 * which is write + fdatasync in one system call — one trip to libuv's thread pool per fragment
 * instead of two (issue 16). Callback fs, not FileHandle: no promise and no FileHandle bookkeeping
 * per call on the recorder's hot path.
 */
class DiskAppendFile implements AppendFile {
  constructor(
    private readonly fd: number,
    private readonly noSpace: () => void,
  ) {}
  appendDurable(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const step = (off: number): void => {
        fs.write(this.fd, bytes, off, bytes.length - off, null, (err, written) => {
          if (err) {
            if (isNoSpace(err)) this.noSpace();
            reject(err);
          } else if (off + written < bytes.length) step(off + written);
          else resolve();
        });
      };
      step(0);
    });
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => fs.close(this.fd, (err) => (err ? reject(err) : resolve())));
  }
}

export class DiskFileStore implements FileStore {
  private full = false;
  constructor(readonly root: string) {}

  diskFull(): boolean {
    return this.full;
  }

  spaceReturned(): void {
    this.full = false;
  }

  absolute(relPath: string): string {
    const abs = path.resolve(this.root, relPath);
    if (!abs.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`path escapes the recording root: ${relPath}`);
    return abs;
  }

  async create(relPath: string): Promise<AppendFile> {
    const abs = this.absolute(relPath);
    try {
      // O_EXCL: never append to a file some earlier run left behind. A bare descriptor, not a
      // FileHandle (which would also close it when collected).
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND | constants.O_DSYNC;
      let fd: number;
      try {
        fd = await openFd(abs, flags, 0o640);
      } catch (err) {
        // The camera's day directory does not exist yet (first file of the day, or it was removed).
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await mkdir(path.dirname(abs), { recursive: true });
        fd = await openFd(abs, flags, 0o640);
      }
      return new DiskAppendFile(fd, () => {
        this.full = true;
      });
    } catch (err) {
      if (isNoSpace(err)) this.full = true;
      throw err;
    }
  }

  async truncate(relPath: string, bytes: number): Promise<void> {
    await truncate(this.absolute(relPath), bytes);
  }

  async remove(relPath: string): Promise<void> {
    await rm(this.absolute(relPath), { force: true });
  }

  async size(relPath: string): Promise<number | undefined> {
    try {
      return (await stat(this.absolute(relPath))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async list(): Promise<string[]> {
    try {
      const entries = await readdir(this.root, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => path.relative(this.root, path.join(e.parentPath, e.name)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
