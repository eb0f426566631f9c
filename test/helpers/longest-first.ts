// Test files longest first, from the durations committed in test/durations.json. CI starts from a
// clean checkout, so vitest's own result cache (in node_modules) is always empty there and it
// falls back to "largest file first" — which put two 5-minute end-to-end files last and left one of
// the two workers idle for minutes at the end of the run. Files not in the table (new ones) run
// first with an assumed duration, so a slow new file cannot end up last either.
// Regenerate after a full run: `node --import tsx scripts/test-durations.ts`.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Assumed duration of a file that has no entry yet (ms): above most, below the e2e giants. */
const UNKNOWN_FILE_MS = 60_000;

export const DURATIONS_FILE = new URL('../durations.json', import.meta.url);

export function readDurationsMs(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

export default class LongestFirstSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const durationsMs = readDurationsMs();
    const root = this.ctx.config.root;
    const expectedMs = (f: TestSpecification) => durationsMs[relative(root, f.moduleId)] ?? UNKNOWN_FILE_MS;
    return Promise.resolve([...files].sort((a, b) => expectedMs(b) - expectedMs(a)));
  }
}
