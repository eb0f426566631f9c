// The test recording of a readiness check (R-PRE-3 "every camera records"): a 14 s manual recording
// window is scheduled for every camera of a run at its start (so all cameras record at once while
// the other probes run), then each camera's window is read back from storage: the index and the
// files must agree (`verifyRecordings`, every sample read), at least 10 s must be recorded, and
// ffmpeg must decode the pictures from the files themselves. A camera that records nothing, whose
// files disagree with the index, or whose recording does not decode is a fail with the reason.
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { FileStore } from '../recording/file-store.ts';
import { verifyRecordings } from '../recording/verify/verify-recordings.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { Judgement } from './profile.ts';

/**
 * Length of the scheduled test window, ms: ≥ 10 s recorded is required, and a camera that is not
 * recording yet needs its connection and first keyframe first (2 s was too little on a loaded
 * node: 9.96 s recorded, shown as "10.0", failed a healthy camera).
 */
export const TEST_WINDOW_MS = 14_000;
export const MIN_RECORDED_MS = 10_000;
/** After the window: the last fragment and the batched index write reach the database. */
const SETTLE_MS = 3_000;
/** At least this many decoded pictures per recorded second (a 25 fps camera decodes ~25). */
const MIN_DECODED_FPS = 1;
export const RECORDING_RULE = `计划试录 ${TEST_WINDOW_MS / 1000} 秒，读回 ≥${MIN_RECORDED_MS / 1000} 秒且可解码、索引与文件一致`;

export interface TestRecordingDeps {
  store: Store;
  files: FileStore;
  clock: Clock;
  log: Logger;
  /** Makes the recorder read the new schedules now. */
  reconcile(): Promise<void>;
  ffmpeg?: string;
  decodeTimeoutMs?: number;
}

export interface TestWindow {
  fromMs: number;
  toMs: number;
}

/** Schedules one test window for each camera (one transaction) and has the recorder pick them up. */
export async function scheduleTestRecordings(d: TestRecordingDeps, cameraIds: readonly number[], campaignId: number): Promise<TestWindow> {
  const fromMs = d.clock.nowMs();
  const w = { fromMs, toMs: fromMs + TEST_WINDOW_MS };
  await d.store.db.transaction().execute(async (trx) => {
    const r = repos(trx).recordings;
    for (const id of cameraIds) await r.insertSchedule({ camera_id: id, start_ms: w.fromMs, end_ms: w.toMs, reason: `考前检测试录 (readiness test recording, campaign ${campaignId})`, created_by: 'readiness', created_at_ms: fromMs });
  });
  await d.reconcile();
  return w;
}

/** Waits for the window to end and be indexed, then judges what was recorded in it. */
export async function judgeTestRecording(d: TestRecordingDeps, cameraId: number, w: TestWindow): Promise<Judgement> {
  const waitMs = w.toMs + SETTLE_MS - d.clock.nowMs();
  if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  const v = await verifyRecordings(d.store, d.files, { cameraId, fromMs: w.fromMs, toMs: w.toMs });
  // Rounded down: 9.96 s is "9.9 秒", never "10.0 秒" next to "less than 10 s".
  const recordedS = (Math.floor(v.recordedMs / 100) / 10).toFixed(1);
  if (v.problems.length) {
    const p = v.problems[0];
    return { verdict: 'fail', value: `录得 ${recordedS} 秒`, rule: RECORDING_RULE, reason: `录像与索引不一致 (${p.kind}: ${p.detail})`.slice(0, 500) };
  }
  if (v.recordedMs < MIN_RECORDED_MS) return { verdict: 'fail', value: `录得 ${recordedS} 秒`, rule: RECORDING_RULE, reason: `试录不足 ${MIN_RECORDED_MS / 1000} 秒 (recorded less than required)` };
  const files = await repos(d.store.db).recordings.filesBetween(cameraId, w.fromMs, w.toMs);
  let pictures = 0;
  let error = '';
  for (const f of files) {
    const fromS = Math.max(0, w.fromMs - Number(f.start_ms)) / 1000;
    const durS = (Math.min(w.toMs, Number(f.end_ms)) - Math.max(w.fromMs, Number(f.start_ms))) / 1000;
    if (durS <= 0) continue;
    const out = await decodeCount(d.files.absolute(f.rel_path), fromS, durS, d.ffmpeg, d.decodeTimeoutMs ?? 20_000);
    pictures += out.pictures;
    if (out.error) error = out.error;
  }
  const value = `录得 ${recordedS} 秒，解码 ${pictures} 帧`;
  if (pictures < MIN_DECODED_FPS * (v.recordedMs / 1000)) return { verdict: 'fail', value, rule: RECORDING_RULE, reason: `录像读回后无法解码 (recording does not decode${error ? `: ${error}` : ''})`.slice(0, 500) };
  d.log.debug({ cameraId, recordedMs: v.recordedMs, pictures }, 'readiness test recording read back');
  return { verdict: 'pass', value, rule: RECORDING_RULE, reason: null };
}

/** Decodes `durS` seconds of a recording file from `fromS` and counts the pictures. */
function decodeCount(file: string, fromS: number, durS: number, ffmpeg: string | undefined, timeoutMs: number): Promise<{ pictures: number; error?: string }> {
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-ss', fromS.toFixed(3), '-i', file, '-t', durS.toFixed(3), '-map', '0:v:0', '-f', 'framemd5', 'pipe:1'];
  const proc = spawn(ffmpeg ?? process.env.XUNCHA_FFMPEG ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let lines = 0;
  let partial = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => {
    const text = partial + b.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l && !l.startsWith('#')) lines++;
  });
  proc.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-400);
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const finish = (error?: string) => {
      clearTimeout(timer);
      resolve({ pictures: lines, error: error ?? (stderr.trim().split('\n').pop() || undefined) });
    };
    proc.on('close', (code, signal) => finish(signal ? `ffmpeg ${signal}` : code === 0 ? undefined : `ffmpeg exit ${code}`));
    proc.on('error', (err) => finish(`spawn: ${err.message}`));
  });
}
