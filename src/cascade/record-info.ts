// RecordInfo answers from the recording index alone (recording.md): recorded spans of a channel
// over a range, gaps excluded, clipped to the range, each cut into items of at most one hour (the
// file-sized items NVRs send and uppers page through). No video file is opened. Every item carries
// Type (all recordings here follow the schedule: 'time'), FilePath, Address and RecorderID, as
// Hikvision/Dahua NVRs and wvp expect (issue 15, R-FN-3).
import type { RecordItem } from '../gb28181/index.ts';
import { formatGbTime } from '../gb28181/index.ts';
import { timeline } from '../recording/timeline.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';

/** Longest item of a RecordInfo answer. */
export const RECORD_ITEM_MAX_MS = 3_600_000;

export interface RecordInfoFilter {
  /** The query's Type: 'time' | 'alarm' | 'manual' | 'all' (absent = all). */
  type?: string;
  /** This node's SIP id: the recorder of every item. */
  recorderId: string;
  /** Where the camera is (its room), for Address. */
  address?: string;
}

/** Whether items of `itemType` answer a query for `wanted` (case-insensitive; absent or 'all' takes every type). */
export function typeMatches(wanted: string | undefined, itemType: string): boolean {
  const w = (wanted ?? '').trim().toLowerCase();
  return w === '' || w === 'all' || w === itemType;
}

/** [startMs, endMs) cut into pieces of at most `maxMs`, counted from the start. */
export function cutSpan(startMs: number, endMs: number, maxMs = RECORD_ITEM_MAX_MS): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = startMs; s < endMs; s += maxMs) out.push([s, Math.min(endMs, s + maxMs)]);
  return out;
}

export async function recordedSpans(
  store: Store, camera: { id: number; gb_code: string; name: string }, fromMs: number, toMs: number, nowMs: number, filter: RecordInfoFilter,
): Promise<RecordItem[]> {
  if (!typeMatches(filter.type, 'time')) return []; // no alarm-triggered or manual recordings exist here
  const r = repos(store.db).recordings;
  const [runs, files] = await Promise.all([r.runsBetween(camera.id, fromMs, toMs), r.filesBetween(camera.id, fromMs, toMs)]);
  const { spans } = timeline(runs, fromMs, toMs, nowMs);
  return spans.flatMap((s) =>
    cutSpan(s.startMs, s.endMs).map(([a, b]) => {
      // Bytes of the files overlapping the piece, pro rata: what a Download of it costs, roughly.
      const bytes = files
        .filter((f) => f.run_id === s.runId && Number(f.start_ms) < b && Number(f.end_ms) > a)
        .reduce((sum, f) => {
          const fs = Number(f.start_ms), fe = Number(f.end_ms);
          const share = fe > fs ? (Math.min(fe, b) - Math.max(fs, a)) / (fe - fs) : 1;
          return sum + Number(f.bytes) * share;
        }, 0);
      return {
        deviceId: camera.gb_code, name: camera.name, filePath: `${camera.gb_code}/${formatGbTime(a).replace(/[-T:]/g, '')}`,
        ...(filter.address ? { address: filter.address } : {}),
        startTime: formatGbTime(a), endTime: formatGbTime(b), secrecy: 0, type: 'time', recorderId: filter.recorderId, fileSize: Math.round(bytes),
      };
    }),
  );
}
