// `xuncha verify-recordings [--camera ID] [--from T] [--to T] [--quick]`: compares the recording
// index with the files (src/recording/verify) and lists every disagreement. Exit 0 only when they
// agree, 1 otherwise. Safe while the node runs: it only reads.
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { DiskFileStore } from '../recording/file-store.ts';
import { verifyRecordings } from '../recording/verify/verify-recordings.ts';
import type { VerifyProblem } from '../recording/verify/verify-recordings.ts';
import { openStore } from '../store/db.ts';
import { formatBeijing, parseBeijing } from '../util/beijing-time.ts';
import { EXIT } from './exit-codes.ts';

export interface VerifyRecordingsArgs {
  camera?: string;
  from?: string;
  to?: string;
  quick?: boolean;
}

/** Beijing `YYYY-MM-DD HH:mm[:ss]`, an ISO instant with zone, or ms since the epoch. */
export function parseInstant(text: string): number {
  const t = text.trim();
  if (/^\d{10,}$/.test(t)) return Number(t);
  const bj = parseBeijing(t);
  // parseBeijing lets Date.UTC roll "02-30" into March; a range given by hand must mean what it says.
  if (bj !== undefined && formatBeijing(bj).slice(0, 16) === t.replace('T', ' ').slice(0, 16)) return bj;
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(t) && !Number.isNaN(Date.parse(t))) return Date.parse(t);
  throw new Error(`not a time: "${text}" (use Beijing time "YYYY-MM-DD HH:mm:ss", an ISO time with zone, or ms since the epoch)`);
}

function describe(p: VerifyProblem): string {
  const where = [p.cameraId !== undefined ? `camera ${p.cameraId}` : undefined, p.relPath, p.fromMs !== undefined ? `${formatBeijing(p.fromMs)}${p.toMs !== undefined ? ` – ${formatBeijing(p.toMs)} (${((p.toMs - p.fromMs) / 1000).toFixed(2)} s)` : ''}` : undefined].filter(Boolean).join(', ');
  return `${p.kind.toUpperCase()}: ${where}: ${p.detail}`;
}

export async function verifyRecordingsCommand(args: VerifyRecordingsArgs, config: Config, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const cameraId = args.camera === undefined ? undefined : Number(args.camera);
  if (cameraId !== undefined && (!Number.isInteger(cameraId) || cameraId <= 0)) throw new Error(`not a camera id: ${args.camera}`);
  const fromMs = args.from === undefined ? undefined : parseInstant(args.from);
  const toMs = args.to === undefined ? undefined : parseInstant(args.to);
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new Error(`--to (${formatBeijing(toMs)}) must be after --from (${formatBeijing(fromMs)}): nothing to verify in an empty range`);
  const store = openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const files = new DiskFileStore(path.join(config.dataDir, 'recordings'));
    const result = await verifyRecordings(store, files, { cameraId, fromMs, toMs, checkSamples: !args.quick });
    const summary = `${result.cameras} camera(s), ${result.files} file(s), ${(result.bytes / 1e6).toFixed(1)} MB, ${(result.recordedMs / 1000).toFixed(1)} s indexed as recorded`;
    if (result.ok) {
      out(`recordings agree with the index: ${summary}`);
      return EXIT.ok;
    }
    for (const p of result.problems) err(describe(p));
    err(`recordings DO NOT agree with the index: ${result.problems.length} problem(s) in ${summary}`);
    return EXIT.failure;
  } finally {
    await store.close();
  }
}
