// Playback benchmark (docs/design/playback.md): a synthetic index of 20 cameras × 30 days of
// continuous recording (rows only: 180 s files with a realistic packed fragment index, two runs a
// day with an outage), plus real recordings (the bundled clip, simulated time) for the sampled
// ranges. Measures seek latency request → first fragment over the real HTTP + WebSocket stack,
// listing a month of spans for 20 cameras, export speed against `ffmpeg -f concat -c copy
// -movflags +faststart` of the same files, and index bytes per camera-hour.
//   npm run bench:playback
// Last line: one JSON object {seekP50Ms, seekP95Ms, listMonthMs, exportSpeedRatio, indexBytesPerCameraHour, …}.
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pino from 'pino';
import { buildServer } from '../src/api/server.ts';
import { EventBus } from '../src/events/bus.ts';
import { filesForRange } from '../src/playback/export-job.ts';
import { createPlaybackModule } from '../src/playback/index.ts';
import { PlaybackIndex } from '../src/playback/index-view.ts';
import { planMux, writeMux } from '../src/playback/mp4-mux.ts';
import { CameraRecorder } from '../src/recording/camera-recorder.ts';
import { DiskFileStore } from '../src/recording/file-store.ts';
import { FragmentIndexWriter } from '../src/recording/fragment-index.ts';
import { IndexWriter } from '../src/recording/index-writer.ts';
import { ADMIN_PASSWORD, createTestApp } from '../test/helpers/app.ts';
import { clipFrame, loadMainClip } from '../test/helpers/clip-frames.ts';
import { installBenchExit, SMOKE } from './lib/lifecycle.ts';
import { prepare } from './lib/prepare.ts';

installBenchExit({ name: 'bench:playback', timeoutMs: (Number(process.env.BENCH_TIMEOUT_S) || (SMOKE ? 120 : 30 * 60)) * 1000 });
prepare({ system: 'runtime', clips: true });

// BENCH_SMOKE=1 (test/bench/smoke.test.ts): 2 cameras × 2 days, 20 s recorded, 5 seeks.
const CAMERAS = SMOKE ? 2 : 20;
const DAYS = SMOKE ? 2 : 30;
const FILE_S = 180;
const REAL_S = SMOKE ? 20 : 180;
const SEEKS = SMOKE ? 5 : 60;
const log = pino({ level: 'silent' });
const WS = createRequire(import.meta.url)('ws') as new (url: string) => { on(ev: string, fn: (d: Buffer, bin: boolean) => void): void; once(ev: string, fn: () => void): void; close(): void };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const fmt = (n: number) => Math.round(n * 10) / 10;

const t = await createTestApp('sqlite', { sample: true });
const db = t.app.store.db;
const admin = await t.actor('admin');
const room = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
const cams: number[] = [];
for (let i = 0; i < CAMERAS; i++) cams.push((await t.app.devices.createCamera(admin, { roomId: room.id, name: `摄像机${i + 1}`, position: i % 2 ? 'rear' : 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id);

// --- Synthetic month: rows only. One packed index per file length, as the recorder writes it. ---
const blobs = new Map<number, Uint8Array>();
const blob = (seconds: number) => {
  let b = blobs.get(seconds);
  if (!b) {
    const w = new FragmentIndexWriter();
    for (let s = 0; s < seconds; s++) w.add({ byteLength: 240_000 + ((s * 7919) % 30_000), duration90k: 90_000, frameCount: 25, keyframeOffset90k: s % 2 === 0 ? 0 : undefined });
    blobs.set(seconds, (b = w.snapshot()));
  }
  return b;
};
const base = Date.UTC(2026, 4, 1, 16); // 2026-05-02 00:00 Beijing
const t0 = performance.now();
let fileRows = 0;
for (const cam of cams) {
  for (let d = 0; d < DAYS; d++) {
    const day = base + d * 86_400_000;
    const outage = 3600_000 + ((cam * 7 + d * 13) % 20) * 3600_000;
    for (const [startMs, endMs, reason] of [[day, day + outage, d % 2 ? 'stall' : 'eof'], [day + outage + 30_000, day + 86_400_000 - 5_000, 'stopped']] as const) {
      const dur90k = (endMs - startMs) * 90;
      const run = await db.insertInto('recording_run').values({ camera_id: cam, stream: 'main', started_at_ms: startMs, duration_90k: dur90k, ended_at_ms: endMs, end_reason: reason, end_detail: null, video_codec: 'h264', width: 1280, height: 720, rfc6381: 'avc1.4d401f', audio_codec: null, clock_offset_ms: null, frame_count: dur90k / 3600 }).returning('id').executeTakeFirstOrThrow();
      const rows = [];
      for (let s = 0; s * 1000 < endMs - startMs; s += FILE_S) {
        const len = Math.min(FILE_S, Math.floor((endMs - startMs) / 1000) - s);
        if (len <= 0) break;
        rows.push({ run_id: run.id, camera_id: cam, rel_path: `synthetic/${cam}/${startMs}-${s}.mp4`, start_ms: startMs + s * 1000, end_ms: startMs + (s + len) * 1000, start_90k: s * 90_000, duration_90k: len * 90_000, init_bytes: 760, bytes: 760 + len * 255_000, frame_count: len * 25, fragment_index: blob(len), status: 'closed' as const });
      }
      for (let i = 0; i < rows.length; i += 400) await db.insertInto('recording_file').values(rows.slice(i, i + 400)).execute();
      fileRows += rows.length;
    }
  }
}
const synthMs = performance.now() - t0;

// --- Real recordings of the sampled range: every camera, REAL_S seconds, files of 60 s. ---
const files = new DiskFileStore(path.join(t.db.dataDir, 'recordings'));
const index = new IndexWriter(t.app.store, log);
const realStart = base + DAYS * 86_400_000 + 3600_000;
const clock = { ms: realStart, nowMs: () => clock.ms };
const clip = loadMainClip();
const recs = cams.map((id) => new CameraRecorder(id, { files, index, clock, events: new EventBus(), log }, { fileDurationMs: 60_000, fragmentDurationMs: 1000, writeRetryMs: 1000 }));
for (const r of recs) {
  r.setWanted(true);
  r.sessionStarted({ video: clip.params });
}
for (let tick = 0; tick < REAL_S * 25; tick++) {
  for (const r of recs) r.push(clipFrame(clip, tick, 0, clock.ms, tick === 0));
  clock.ms += 40;
  if (tick % 25 === 0) await index.flush();
}
for (const r of recs) await r.close('stopped');
await index.close();

// --- Index size. ---
const totalFileRows = Number((await t.app.store.db.selectFrom('recording_file').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
const dbBytes = statSync(path.join(t.db.dataDir, 'xuncha.db')).size;
const blobBytes = blob(FILE_S).length;
const cameraHours = CAMERAS * DAYS * 24 + (CAMERAS * REAL_S) / 3600;
const indexBytesPerCameraHour = Math.round(dbBytes / cameraHours);

// --- List a month of spans and gaps for 20 cameras. ---
const listRuns: number[] = [];
for (let i = 0; i < 5; i++) {
  const a = performance.now();
  const tl = await t.app.recordings.timelines(admin, cams, base, base + DAYS * 86_400_000);
  listRuns.push(performance.now() - a);
  if (tl.length !== CAMERAS || tl[0].gaps.length < DAYS) throw new Error('unexpected timeline');
}
const startPointRuns: number[] = [];
const idx = new PlaybackIndex(db);
for (let i = 0; i < 200; i++) {
  const a = performance.now();
  await idx.startPoint(cams[i % CAMERAS], base + ((i * 7_777_777) % (DAYS * 86_400_000)));
  startPointRuns.push(performance.now() - a);
}

// --- Seek latency over HTTP + WebSocket: token request → first media fragment. ---
const module = createPlaybackModule(t.app);
// buildServer registers the playback routes itself (with this module), as `xuncha serve` does.
const server = await buildServer(t.app, log, { playback: module });
await server.listen({ host: '127.0.0.1', port: 0 });
const addr = server.server.address();
const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
const seeks: number[] = [];
for (let i = 0; i < SEEKS; i++) {
  const at = realStart + 2000 + ((i * 2_345_671) % ((REAL_S - 4) * 1000));
  const a = performance.now();
  const res = await fetch(`${baseUrl}/api/playback/token`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ cameraIds: [cams[i % CAMERAS]], fromMs: at }) });
  const { wsPath } = (await res.json()) as { wsPath: string };
  await new Promise<void>((resolve, reject) => {
    const ws = new WS(baseUrl.replace('http', 'ws') + wsPath);
    const timer = setTimeout(() => reject(new Error('no fragment in 10 s')), 10_000);
    ws.on('message', (d, bin) => {
      if (bin && d[0] === 2) {
        clearTimeout(timer);
        ws.close();
        resolve();
      }
    });
  });
  seeks.push(performance.now() - a);
}

// --- Export speed: our muxer vs ffmpeg concat + faststart on the same files. ---
const range = (await filesForRange(idx, cams[0], realStart, realStart + REAL_S * 1000))!;
const abs = range.files.map((f) => files.absolute(f.row.rel_path));
const out = path.join(t.db.dataDir, 'bench-export.mp4');
const e0 = performance.now();
const parts = await planMux({ files: range.files, absPaths: abs, startFrag: range.startFrag, start90k: range.start90k, end90k: (realStart + REAL_S * 1000) * 90 });
await writeMux(parts[0], abs, out, () => undefined);
const oursMs = performance.now() - e0;
const list = path.join(t.db.dataDir, 'concat.txt');
writeFileSync(list, abs.map((f) => `file '${f}'`).join('\n'));
const f0 = performance.now();
execFileSync('ffmpeg', ['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', '-y', path.join(t.db.dataDir, 'bench-ffmpeg.mp4')]);
const ffmpegMs = performance.now() - f0;
const exportBytes = statSync(out).size;

await server.close(); // closes the playback module (onClose hook)
await t.close();

const result = {
  seekP50Ms: fmt(pct(seeks, 50)),
  seekP95Ms: fmt(pct(seeks, 95)),
  listMonthMs: fmt(pct(listRuns, 50)),
  startPointP95Ms: fmt(pct(startPointRuns, 95)),
  exportMs: fmt(oursMs),
  ffmpegConcatMs: fmt(ffmpegMs),
  exportSpeedRatio: fmt(ffmpegMs / oursMs),
  exportMBps: fmt(exportBytes / 1e6 / (oursMs / 1000)),
  indexBytesPerCameraHour,
  fragmentIndexBytesPerCameraHour: Math.round((blobBytes * 3600) / FILE_S),
  fileRows: totalFileRows,
  synthesisS: fmt(synthMs / 1000),
};
console.log(`synthetic index: ${CAMERAS} cameras × ${DAYS} days, ${result.fileRows} file rows (${fileRows} synthetic), database ${(dbBytes / 1e6).toFixed(0)} MB (built in ${result.synthesisS} s)`);
console.log(`seek (token → first fragment, ${SEEKS} seeks): p50 ${result.seekP50Ms} ms, p95 ${result.seekP95Ms} ms; index start point p95 ${result.startPointP95Ms} ms`);
console.log(`list a month of spans/gaps for ${CAMERAS} cameras: ${result.listMonthMs} ms`);
console.log(`export ${REAL_S} s (${(exportBytes / 1e6).toFixed(1)} MB): ours ${result.exportMs} ms, ffmpeg concat+faststart ${result.ffmpegConcatMs} ms, ratio ${result.exportSpeedRatio}×`);
console.log(JSON.stringify(result));
process.exit(0); // a handle left open must not keep the benchmark alive
