// The disk-full figures stated in docs/design/recording.md and retention.md ("Disk full"), checked
// against the code (issue 12 item 3; R-REC-4): the threshold's default (10 % of the disk, floor
// 1 GiB capped at 20 % of the disk), the database reserve (1 %, 4–64 MiB), the 2 s watcher and
// the ×1.25 resume margin. A change of any of them must change the documents too.
import { describe, expect, it } from 'vitest';
import { SPACE_WATCH_INTERVAL_MS } from '../../src/retention/index.ts';
import { RESUME_FACTOR } from '../../src/retention/retention-job.ts';
import { DEFAULT_SETTINGS, thresholdBytes } from '../../src/retention/settings.ts';
import { reserveBytesFor } from '../../src/retention/space-reserve.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('disk-full figures (R-REC-4, issue 12)', () => {
  it('threshold = max(10 % of the disk, min(1 GiB, 20 % of the disk)): a small disk still records at first start', () => {
    const t = (totalBytes: number) => thresholdBytes({ totalBytes, freeBytes: totalBytes }, DEFAULT_SETTINGS);
    expect(t(40 * MiB)).toBe(8 * MiB); // floor capped at a fifth of a 40 MiB disk (the old 5 GiB stopped it)
    expect(t(4 * GiB)).toBe(Math.floor(4 * GiB * 0.2)); // 0.8 GiB: the floor is capped at 20 %
    expect(t(8 * GiB)).toBe(GiB); // the 1 GiB floor wins over 10 % (0.8 GiB)
    expect(t(4000 * GiB)).toBe(400 * GiB); // 10 % of a large disk
  });

  it('the database reserve is 1 % of the disk, at least 4 MiB, at most 64 MiB', () => {
    expect(reserveBytesFor(40 * MiB)).toBe(4 * MiB);
    expect(reserveBytesFor(1000 * MiB)).toBe(10 * MiB);
    expect(reserveBytesFor(4000 * GiB)).toBe(64 * MiB);
  });

  it('free space is watched every 2 s and recording resumes at threshold × 1.25', () => {
    expect(SPACE_WATCH_INTERVAL_MS).toBe(2000);
    expect(RESUME_FACTOR).toBe(1.25);
  });
});
