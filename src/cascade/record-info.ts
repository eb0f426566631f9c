// RecordInfo answers from the recording index alone (recording.md): recorded spans of a channel
// over a range, gaps excluded, clipped to the range. No video file is opened.
import type { RecordItem } from '../gb28181/index.ts';
import { formatGbTime } from '../gb28181/index.ts';
import { timeline } from '../recording/timeline.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';

export async function recordedSpans(store: Store, camera: { id: number; gb_code: string; name: string }, fromMs: number, toMs: number, nowMs: number): Promise<RecordItem[]> {
  const r = repos(store.db).recordings;
  const [runs, files] = await Promise.all([r.runsBetween(camera.id, fromMs, toMs), r.filesBetween(camera.id, fromMs, toMs)]);
  const { spans } = timeline(runs, fromMs, toMs, nowMs);
  return spans.map((s) => {
    // Bytes of the files overlapping the span: what a Download of it costs, roughly.
    const bytes = files.filter((f) => Number(f.start_ms) < s.endMs && Number(f.end_ms) > s.startMs && f.run_id === s.runId).reduce((a, f) => a + Number(f.bytes), 0);
    return { deviceId: camera.gb_code, name: camera.name, startTime: formatGbTime(s.startMs), endTime: formatGbTime(s.endMs), secrecy: 0, type: 'time', fileSize: bytes };
  });
}
