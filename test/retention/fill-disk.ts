// Fills a (tmpfs) disk to the last byte with a foreign file, as "someone else's file" would: 1 MiB
// writes until ENOSPC, then pages, then single bytes. Returns the error code of the first refusal.
import { closeSync, openSync, writeSync } from 'node:fs';

export function fillDisk(file: string): string | undefined {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 1);
  let code: string | undefined;
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    code = (err as NodeJS.ErrnoException).code;
  }
  try {
    for (;;) writeSync(fd, chunk, 0, 4096);
  } catch {
    // full to the page
  }
  try {
    for (;;) writeSync(fd, chunk, 0, 1);
  } catch {
    // full to the byte
  }
  closeSync(fd);
  return code;
}
