// `xuncha serve` plus the live routes, for the live tests and the benchmark until the two wiring
// lines are in src/api/server.ts (then the routes are found and not registered twice). Simulated
// cameras get a control port (faults) and one exam room per simulated room (8 rooms → 16 cameras);
// they run in this process unless XUNCHA_LIVE_SIM names an external simulator. The exam alarm
// monitor runs as under `xuncha serve`; XUNCHA_LIVE_EXAM=1 adds the demo exam (its first window open
// now on every simulated room), so a camera fault raises an alarm (test/console/wall-state.e2e).
import { createApp } from '../../../src/app.ts';
import { buildServer } from '../../../src/api/server.ts';
import { liveRoutes } from '../../../src/api/routes/live.ts';
import { SYSTEM_ACTOR } from '../../../src/auth/actor.ts';
import { createLogger } from '../../../src/cli/logger.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { seedDemoExam } from '../../../src/exams/demo-exam.ts';
import { createLiveModule } from '../../../src/live/index.ts';
import { seedFirstStart } from '../../../src/org/seed.ts';
import { recoverRecordings } from '../../../src/recording/recovery.ts';
import { simulateSite, startSimulator } from '../../../src/sim/index.ts';
import { repos } from '../../../src/store/repos/index.ts';

const config = loadConfig({ overrides: { simRooms: 0 } });
const rooms = Number(process.env.XUNCHA_SIM_ROOMS ?? '8');
const log = createLogger(config.logLevel);
const app = await createApp(config, { logger: log });
await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: config.adminPassword, sample: true });
await recoverRecordings(app.store, app.files, app.clock, log);
// XUNCHA_LIVE_SIM=<rtsp port>:<control port>: the simulator runs in its own process (`xuncha sim
// --rooms N`, site 'site1'; startLiveServer({ simProcess: true })), so that this process's CPU and
// event loop are the server's alone (bench). Otherwise the cameras are simulated in this process.
const external = process.env.XUNCHA_LIVE_SIM?.split(':').map(Number);
const cams = simulateSite({ rooms, siteId: external ? 'site1' : 'demo' });
const sim = external
  ? { port: external[0], controlPort: external[1], close: async () => undefined }
  : await startSimulator({ port: Number(process.env.XUNCHA_SIM_PORT ?? '0'), host: '127.0.0.1', cameras: cams, controlPort: 0 });
const r = repos(app.store.db);
if ((await r.cameras.list({ kind: 'all' })).length === 0) {
  const actor = { ...SYSTEM_ACTOR, workstation: 'live-test' };
  const examRooms = (await r.rooms.list({ kind: 'all' })).filter((x) => x.kind === 'exam' || x.kind === 'lab');
  const siteId = examRooms[0].site_id;
  for (let i = examRooms.length; i < rooms; i++) {
    const v = await app.devices.createRoom(actor, { siteId, kind: 'exam', name: `第${String(i + 1).padStart(2, '0')}考场`, seats: 30 });
    examRooms.push({ ...examRooms[0], id: v.id });
  }
  for (let i = 0; i < rooms; i++) {
    for (const position of ['front', 'rear'] as const) {
      const id = cams.find((c) => c.room === i + 1 && c.position === position)!.id;
      const h265 = process.env.XUNCHA_LIVE_H265_ROOM === String(i + 1) && position === 'front';
      await app.devices.createCamera(actor, {
        roomId: examRooms[i].id, name: position === 'front' ? '前置摄像机' : '后置摄像机', position, sourceKind: 'rtsp',
        mainStream: `/cam/${id}/${h265 ? 'h265' : 'main'}`, subStream: `/cam/${id}/${h265 ? 'h265' : 'sub'}`, host: '127.0.0.1', port: sim.port,
      });
    }
  }
  if (process.env.XUNCHA_LIVE_EXAM === '1') await seedDemoExam(app, log, siteId, examRooms.slice(0, rooms).map((x) => x.id), actor);
}
await app.recorder.start();
// Without it no exam window is watched and no alarm is ever raised (as `xuncha serve` does).
app.exams.start();
// XUNCHA_LIVE_WEB_DIR: a web build of the working tree (tests of web/src/pages/wall changes).
const server = await buildServer(app, log, process.env.XUNCHA_LIVE_WEB_DIR ? { webDir: process.env.XUNCHA_LIVE_WEB_DIR } : {});
if (!server.hasRoute({ method: 'POST', url: '/api/live/token' })) await server.register(liveRoutes(app, createLiveModule(app)));
await server.listen({ port: config.port, host: config.host });
const addr = server.server.address();
const port = typeof addr === 'object' && addr ? addr.port : config.port;
process.stdout.write(`sim rtsp ${sim.port} control ${sim.controlPort}\n`);
process.stdout.write(`xuncha listening on http://127.0.0.1:${port}/\n`);
const stop = () => {
  void server
    .close()
    .then(() => app.close())
    .then(() => sim.close())
    .then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
