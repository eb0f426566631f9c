// Export packaging in a worker thread (issue 13 item 9): one progressive MP4 part written from the
// recorded fragments (moov built, sample bytes copied, then hashed), so that long exports do not
// take the event loop. Progress is reported in bytes copied.
import { sha256File } from './manifest.ts';
import { writeMux } from './mp4-mux.ts';
import type { MuxPart } from './mp4-mux.ts';

export const PACKAGE_JOB_URL = import.meta.url;

export async function writePart(input: { part: MuxPart; absPaths: string[]; dest: string; hash: boolean }, progress: (n: number) => void): Promise<string | null> {
  await writeMux(input.part, input.absPaths, input.dest, progress);
  return input.hash ? sha256File(input.dest) : null;
}
