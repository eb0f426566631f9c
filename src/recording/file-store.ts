// Where recording files live. Injected so tests can use a temporary directory and simulate a
// full disk; the real one writes under <dataDir>/recordings with fdatasync for durability.
import { constants } from 'node:fs';
import { mkdir, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface AppendFile {
  /** Appends and makes the bytes durable (write + fdatasync) before resolving. */
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

class DiskAppendFile implements AppendFile {
  constructor(
    private readonly fh: FileHandle,
    private readonly noSpace: () => void,
  ) {}
  async appendDurable(bytes: Uint8Array): Promise<void> {
    try {
      let off = 0;
      while (off < bytes.length) {
        const { bytesWritten } = await this.fh.write(bytes, off, bytes.length - off);
        off += bytesWritten;
      }
      await this.fh.datasync();
    } catch (err) {
      if (isNoSpace(err)) this.noSpace();
      throw err;
    }
  }
  close(): Promise<void> {
    return this.fh.close();
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
      await mkdir(path.dirname(abs), { recursive: true });
      // O_EXCL: never append to a file some earlier run left behind.
      return new DiskAppendFile(await open(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND, 0o640), () => {
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
