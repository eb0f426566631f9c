// Writes test/durations.json (file → wall time in ms) from the last full run's
// .vitest-results.json, for the longest-first sequencer (test/helpers/longest-first.ts).
// Run after `npm test` on a quiet machine; commit the result.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { DURATIONS_FILE } from '../test/helpers/longest-first.ts';

interface FileResult { name: string; startTime: number; endTime: number }
const results = JSON.parse(readFileSync('.vitest-results.json', 'utf8')) as { testResults: FileResult[] };
const durationsMs: Record<string, number> = {};
for (const r of [...results.testResults].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime))) {
  durationsMs[relative(process.cwd(), r.name)] = Math.round(r.endTime - r.startTime);
}
writeFileSync(DURATIONS_FILE, JSON.stringify(durationsMs, null, 1) + '\n');
console.log(`${Object.keys(durationsMs).length} files written to ${DURATIONS_FILE.pathname}`);
