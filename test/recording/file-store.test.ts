// The file store's durability contract (R-REC-4; docs/design/recording.md, "Write order"): when
// appendDurable resolves, the bytes are on disk as after write + fdatasync, so the index may point
// at them. Since issue 16 that is one O_DSYNC write per fragment: checked here on the real
// descriptor (/proc/self/fdinfo), not on a mock.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskFileStore } from '../../src/recording/file-store.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-filestore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** open(2) flags of this process's descriptor for `file`, from /proc/self/fdinfo. */
function openFlags(file: string): number | undefined {
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== file) continue;
    const m = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? parseInt(m[1], 8) : undefined;
  }
  return undefined;
}

describe('DiskFileStore (R-REC-4: the index never points past durable data)', () => {
  it('appends with synchronous data integrity (O_DSYNC), in order, creating the day directory', async () => {
    const store = new DiskFileStore(dir);
    const out = await store.create('7/2026-12-07/1-0000.mp4');
    const abs = store.absolute('7/2026-12-07/1-0000.mp4');
    const flags = openFlags(abs);
    expect(flags, 'the recording file is open').toBeDefined();
    expect(flags! & constants.O_DSYNC, 'O_DSYNC: each write returns once durable').toBe(constants.O_DSYNC);
    expect(flags! & constants.O_APPEND).toBe(constants.O_APPEND);
    // RecordingFile chains its appends (one at a time): so does this test.
    await out.appendDurable(Uint8Array.of(1, 2, 3));
    await out.appendDurable(new Uint8Array(300_000).fill(9));
    await out.appendDurable(Uint8Array.of(4));
    await out.close();
    expect(openFlags(abs), 'closed').toBeUndefined();
    const bytes = readFileSync(abs);
    expect(bytes.length).toBe(300_004);
    expect([...bytes.subarray(0, 4)]).toEqual([1, 2, 3, 9]);
    expect(bytes.at(-1)).toBe(4);
    // O_EXCL: a second file of the same name is refused, never appended to.
    await expect(store.create('7/2026-12-07/1-0000.mp4')).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
