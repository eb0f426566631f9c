// One export job's work: per camera, plan the range from the index, write progressive MP4 parts,
// optionally burn in a watermark, then hash everything into the signed manifest.
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../auth/actor.ts';
import type { FileStore } from '../recording/file-store.ts';
import { timeline } from '../recording/timeline.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { IndexedFile, PlaybackIndex } from './index-view.ts';
import { indexFile } from './index-view.ts';
import type { ExportManifest } from './manifest.ts';
import { sha256File, writeSignedManifest } from './manifest.ts';
import { planMux } from './mp4-mux.ts';
import { PACKAGE_JOB_URL } from './package-job.ts';
import { runInWorker } from '../util/worker-run.ts';
import type { MuxPart } from './mp4-mux.ts';
import { runFfmpeg } from './thumbnails.ts';

export const WATERMARK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

export interface ExportSpec {
  id: string;
  cameras: Array<{ id: number; gbCode: string; name: string }>;
  fromMs: number;
  toMs: number;
  purpose: string;
  watermark: boolean;
  actor: Actor;
  createdAtMs: number;
}

export interface ExportDeps {
  store: Store;
  files: FileStore;
  index: PlaybackIndex;
  manifestKey: Buffer;
  nowMs: () => number;
}

/** Files of a camera from the keyframe at or before fromMs up to toMs, from the index. */
export async function filesForRange(index: PlaybackIndex, cameraId: number, fromMs: number, toMs: number): Promise<{ files: IndexedFile[]; startFrag: number; start90k: number } | undefined> {
  const sp = await index.startPoint(cameraId, fromMs);
  if (!sp || sp.keyframe90k >= toMs * 90) return undefined;
  const files = [sp.file];
  for (;;) {
    const last = files.at(-1)!.row;
    const more = await index.filesAfter(cameraId, Number(last.start_ms), last.id, 64);
    for (const r of more) if (Number(r.start_ms) < toMs) files.push(indexFile(r));
    if (more.length < 64 || Number(more.at(-1)!.start_ms) >= toMs) break;
  }
  return { files, startFrag: sp.fragIndex, start90k: sp.keyframe90k };
}

const compact = (ms: number) => formatBeijing(ms).replace(/[-: ]/g, '').slice(0, 14);

export async function runExport(spec: ExportSpec, deps: ExportDeps, dir: string, progress: (p: number) => void, signal: AbortSignal): Promise<ExportManifest> {
  const plans: Array<{ cam: ExportSpec['cameras'][number]; parts: MuxPart[]; absPaths: string[] }> = [];
  for (const cam of spec.cameras) {
    const range = await filesForRange(deps.index, cam.id, spec.fromMs, spec.toMs);
    if (!range) {
      plans.push({ cam, parts: [], absPaths: [] });
      continue;
    }
    const absPaths = range.files.map((f) => deps.files.absolute(f.row.rel_path));
    plans.push({ cam, absPaths, parts: await planMux({ files: range.files, absPaths, startFrag: range.startFrag, start90k: range.start90k, end90k: spec.toMs * 90 }, signal) });
  }
  const total = Math.max(1, plans.reduce((n, p) => n + p.parts.reduce((m, x) => m + x.mdatBytes, 0), 0));
  let done = 0;
  const manifest: ExportManifest = {
    format: 'xuncha-export/1',
    exportId: spec.id,
    createdAtMs: spec.createdAtMs,
    exportedBy: { userId: spec.actor.userId, username: spec.actor.username, role: spec.actor.role, ip: spec.actor.ip, workstation: spec.actor.workstation },
    purpose: spec.purpose,
    watermark: spec.watermark,
    range: { fromMs: spec.fromMs, toMs: spec.toMs, fromBeijing: formatBeijing(spec.fromMs), toBeijing: formatBeijing(spec.toMs) },
    cameras: [],
    files: [],
  };
  for (const { cam, parts, absPaths } of plans) {
    const runs = await repos(deps.store.db).recordings.runsBetween(cam.id, spec.fromMs, spec.toMs);
    const gaps = timeline(runs, spec.fromMs, spec.toMs, deps.nowMs()).gaps.map((g) => ({ startMs: g.startMs, endMs: g.endMs, durationMs: g.durationMs, reason: g.reason }));
    const entry: ExportManifest['cameras'][number] = { cameraId: cam.id, gbCode: cam.gbCode, name: cam.name, parts: [], gaps };
    for (const [i, part] of parts.entries()) {
      const name = `${cam.gbCode}_${compact(Math.round(part.start90k / 90))}${parts.length > 1 ? `_${i + 1}` : ''}.mp4`;
      const dest = path.join(dir, name);
      const raw = spec.watermark ? `${dest}.raw` : dest;
      // Written (and, without a watermark, hashed) in a worker thread; cancelling stops the worker.
      const rawSum = await runInWorker<string | null>(PACKAGE_JOB_URL, 'writePart', { part, absPaths, dest: raw, hash: !spec.watermark }, {
        signal,
        timeoutMs: 6 * 3600_000,
        onProgress: (n) => progress(((done += n) / total) * (spec.watermark ? 0.5 : 0.98)),
      });
      if (spec.watermark) {
        const text = path.join(dir, `${name}.txt`);
        await writeFile(text, `${spec.actor.username} 导出 ${formatBeijing(spec.createdAtMs)} 北京时间`);
        const vf = `drawtext=fontfile=${WATERMARK_FONT}:textfile=${text}:x=16:y=h-th-16:fontsize=28:fontcolor=white@0.85:box=1:boxcolor=black@0.45:boxborderw=6`;
        await runFfmpeg(['-nostdin', '-v', 'error', '-i', raw, '-vf', vf, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac', '-fps_mode', 'passthrough', '-movflags', '+faststart', '-y', dest]);
        await rm(raw);
        await rm(text);
        progress(0.5 + (done / total) * 0.48);
      }
      const video = part.tracks.find((t) => t.init.handler === 'vide')!;
      const startMs = Math.round(part.start90k / 90);
      entry.parts.push({
        file: name,
        startMs,
        endMs: Math.round(Math.max(...part.tracks.map((t) => t.end90k ?? part.start90k)) / 90),
        keyframeAligned: i > 0 || startMs === spec.fromMs,
        prerollMs: i === 0 ? Math.max(0, spec.fromMs - startMs) : 0,
        frames: video.durations.length,
        reencoded: spec.watermark,
      });
      manifest.files.push({ name, sha256: rawSum ?? (await sha256File(dest)), bytes: (await stat(dest)).size });
    }
    manifest.cameras.push(entry);
  }
  await writeSignedManifest(dir, deps.manifestKey, manifest);
  progress(1);
  return manifest;
}
