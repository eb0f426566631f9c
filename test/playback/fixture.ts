// A node with recordings of known frames made with simulated time (the bundled clip: frame code
// = frame number mod 250, GOP 50, 25 fps), files cut every 10 s, and the playback routes mounted
// on the real server stack. Front camera: 30 s, a 7 s gap ('eof'), 12 s. Rear camera: 49 s
// without a break. A camera outside the Gulou district: 5 s.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildServer } from '../../src/api/server.ts';
import { EventBus } from '../../src/events/bus.ts';
import { createPlaybackModule } from '../../src/playback/index.ts';
import type { PlaybackModule } from '../../src/playback/index.ts';
import { CameraRecorder } from '../../src/recording/camera-recorder.ts';
import { DiskFileStore } from '../../src/recording/file-store.ts';
import { IndexWriter } from '../../src/recording/index-writer.ts';
import { readFrameCode } from '../../src/sim/frame-code.ts';
import type { Dialect } from '../../src/store/dialect.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { clipFrame, loadMainClip } from '../helpers/clip-frames.ts';

export const PASSWORD = 'Playback-Test-Pw1';
const log = pino({ level: 'silent' });

export interface Fixture {
  t: TestApp;
  server: FastifyInstance;
  /** http://127.0.0.1:port of the listening server. */
  baseUrl: string;
  module: PlaybackModule;
  front: number;
  rear: number;
  outside: number;
  /** Start of both recordings, and restart of the front camera after its 7 s gap. */
  t0: number;
  t1: number;
  login(username: string): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

export async function playbackFixture(dialect: Dialect = 'sqlite', opts: { realClock?: boolean; webDir?: string; recordStartMs?: number } = {}): Promise<Fixture> {
  const t = await createTestApp(dialect, { realClock: opts.realClock });
  const admin = await t.actor('admin');
  const nodes = await t.app.org.tree(admin);
  const room = nodes.find((n) => n.kind === 'site')!.rooms![0];
  const gulou = nodes.find((n) => n.name === '鼓楼区')!;
  const xuanwu = nodes.find((n) => n.name === '玄武区')!;
  const mk = async (roomId: number, name: string, position: 'front' | 'rear') => (await t.app.devices.createCamera(admin, { roomId, name, position, sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
  const front = await mk(room.id, '前', 'front');
  const rear = await mk(room.id, '后', 'rear');
  const site2 = await t.app.org.createNode(admin, { parentId: xuanwu.id, kind: 'site', name: '玄武测试考点' });
  const room2 = await t.app.devices.createRoom(admin, { siteId: site2.id, kind: 'exam', name: '第01考场', seats: 30 });
  const outside = await mk(room2.id, '前', 'front');
  for (const [username, role] of [['gulou_op', 'operator'], ['gulou_admin', 'admin']] as const) await t.app.users.create(admin, { username, displayName: username, role, orgNodeId: gulou.id, password: PASSWORD });

  // Simulated time: a manual clock for recording even when the app runs on the real clock.
  const clock = { ms: opts.recordStartMs ?? t.clock.nowMs(), nowMs: () => clock.ms };
  const clip = loadMainClip();
  const files = new DiskFileStore(path.join(t.db.dataDir, 'recordings'));
  const index = new IndexWriter(t.app.store, log);
  const rec = (id: number) => new CameraRecorder(id, { files, index, clock, events: new EventBus(), log }, { fileDurationMs: 10_000, fragmentDurationMs: 1000, writeRetryMs: 1000 });
  const [rf, rr, ro] = [rec(front), rec(rear), rec(outside)];
  for (const r of [rf, rr, ro]) {
    r.setWanted(true);
    r.sessionStarted({ video: clip.params });
  }
  const t0 = clock.ms;
  const t1 = t0 + 925 * 40;
  for (let tick = 0; tick < 1225; tick++) {
    rr.push(clipFrame(clip, tick, 0, clock.ms, tick === 0));
    if (tick < 125) ro.push(clipFrame(clip, tick, 0, clock.ms, tick === 0));
    if (tick === 125) ro.sessionEnded('stopped', 'test');
    if (tick < 750) rf.push(clipFrame(clip, tick, 1_000_000, clock.ms, tick === 0));
    if (tick === 750) rf.sessionEnded('eof', 'camera closed the connection');
    if (tick === 925) rf.sessionStarted({ video: clip.params });
    if (tick >= 925) rf.push(clipFrame(clip, tick - 925, 5_000, clock.ms, tick === 925));
    clock.ms += 40;
    if (tick % 50 === 0) await index.flush();
  }
  for (const r of [rf, rr, ro]) await r.close('stopped');
  await index.close();

  const module = createPlaybackModule(t.app);
  // The server serves this module's routes, so the test can wait on its export queue.
  const server = await buildServer(t.app, log, { ...(opts.webDir ? { webDir: opts.webDir } : {}), playback: module });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    baseUrl,
    t,
    server,
    module,
    front,
    rear,
    outside,
    t0,
    t1,
    async login(username: string) {
      const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: username === 'admin' ? 'Adm1n-Passw0rd!' : PASSWORD } });
      if (res.statusCode !== 200) throw new Error(res.body);
      return { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
    },
    async close() {
      await module.close();
      await server.close();
      await t.close();
    },
  };
}

/** Frame codes of every picture in an MP4/fMP4 file or buffer, in presentation order, decoded by ffmpeg. */
export function frameCodes(input: string | Uint8Array, width = 1280): number[] {
  // Only the top strip where the code is drawn (blocks are width/32 high): fast, little memory.
  const height = width / 32;
  const args = ['-v', 'error', '-i', typeof input === 'string' ? input : 'pipe:0', '-vf', `crop=${width}:${height}:0:0`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'];
  const raw = execFileSync('ffmpeg', args, { input: typeof input === 'string' ? undefined : Buffer.from(input), maxBuffer: 1 << 30 });
  const size = width * height;
  const out: number[] = [];
  for (let o = 0; o + size <= raw.length; o += size) out.push(readFrameCode(raw.subarray(o, o + size), width, height));
  return out;
}
