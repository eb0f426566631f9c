// The demo's simulated exam site: simulated RTSP cameras in this process, and (once) two
// cameras per exam room of the sample site pointing at them, plus one in its exam-affairs room
// and one in its paper secrecy room (R-REC-3: those are recorded too), so that `npm start`
// records something at once and no room of the demo report reads 无摄像机. Every demo camera also
// has an ONVIF device service (port XUNCHA_SIM_PORT + 1, user admin): the readiness check reads its
// clock and facts, and sets the 考务室 camera's clock, which starts 8 s off, to Beijing time.
import type { Logger } from 'pino';
import type { App } from '../app.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { seedDemoDuty } from '../duty/demo-duty.ts';
import { seedDemoExam } from '../exams/demo-exam.ts';
import { seedDemoLedger } from '../ledger/demo-ledger.ts';
import { simulateSite, startOnvifSim, startSimulator } from '../sim/index.ts';
import type { OnvifSim, Simulator } from '../sim/index.ts';
import type { PictureFault } from '../sim/fault-clips.ts';
import { repos } from '../store/repos/index.ts';

/** One camera for each custody room of the demo site (考务室, 试卷保密室). */
const CUSTODY = [
  { kind: 'affairs', simId: 'demo-affairs', name: '考务室摄像机', clockOffsetMs: 8000 },
  { kind: 'secrecy', simId: 'demo-secrecy', name: '保密室摄像机', clockOffsetMs: 0 },
] as const;
/** ONVIF credentials of the demo cameras (the simulator's RTSP asks none). */
const DEMO_ONVIF = { username: 'admin', password: 'Demo-Onvif-1' };

/** The demo cameras' ONVIF service on simPort + 1; closed with the simulator. Undefined when the port is taken. */
async function startDemoOnvif(sim: Simulator, port: number, log: Logger): Promise<OnvifSim | undefined> {
  try {
    const onvif = await startOnvifSim(sim, { port, host: '127.0.0.1', auth: DEMO_ONVIF });
    const close = sim.close.bind(sim);
    sim.close = async () => {
      await onvif.close();
      await close();
    };
    return onvif;
  } catch (err) {
    log.warn({ err, port }, 'demo: ONVIF device service not started (port unavailable)');
    return undefined;
  }
}

/** The demo's picture fault (config simPictureFault), so a readiness check has a failing camera. */
function applyPictureFault(app: App, sim: Simulator, log: Logger): void {
  const spec = app.config.simPictureFault;
  if (!spec) return;
  const [id, picture] = spec.split(':') as [string, PictureFault];
  try {
    sim.fault(id, { type: 'picture', picture });
    log.info({ camera: id, picture }, 'demo: simulated camera shows a picture fault');
  } catch (err) {
    log.warn({ err, camera: id }, 'demo: picture fault not applied');
  }
}

/**
 * Demo first start (config demoProbe): once the cameras record, run the full readiness check of
 * the demo exam (opened from its timetable) so the 考前检测 page shows results, one camera failing.
 */
export function probeDemoCampaign(app: App, log: Logger, afterMs = 20_000): void {
  const t = setTimeout(() => {
    void (async () => {
      await app.readiness.campaigns.openFromTimetable();
      const full = (await app.readiness.campaigns.list(SYSTEM_ACTOR)).find((c) => c.state === 'open' && c.checks === 'full');
      if (!full) return;
      const run = await app.readiness.probe(SYSTEM_ACTOR, full.id, {});
      log.info({ campaign: full.name, cameras: run.queued }, 'demo: readiness check of the demo exam started');
      await run.done;
    })().catch((err: unknown) => log.warn({ err }, 'demo: readiness check failed'));
  }, afterMs);
  t.unref();
}

/** Starts the demo cameras; `seeded` is true when this start added them (the first one). */
export async function startDemoCameras(app: App, log: Logger): Promise<{ sim: Simulator; seeded: boolean } | undefined> {
  const { simRooms, simPort } = app.config;
  if (simRooms <= 0) return undefined;
  // Custody cameras are PCMA like a Hikvision dome; ids outside the per-room pattern.
  const custodyCams = CUSTODY.map((c) => ({ id: c.simId, audio: 'pcma' as const, clockOffsetMs: c.clockOffsetMs }));
  const roomCams = simulateSite({ rooms: simRooms, siteId: 'demo' });
  const cams = [...roomCams, ...custodyCams];
  let sim: Simulator;
  try {
    sim = await startSimulator({ port: simPort, host: '127.0.0.1', cameras: cams });
  } catch (err) {
    log.error({ err }, `demo cameras not started: port ${simPort} unavailable (set XUNCHA_SIM_PORT)`);
    return undefined;
  }
  applyPictureFault(app, sim, log);
  const onvif = await startDemoOnvif(sim, simPort + 1, log);
  const onvifOf = (simId: string) => (onvif ? { onvifUrl: onvif.url(simId), ...DEMO_ONVIF } : {});
  const r = repos(app.store.db);
  const rooms = (await r.rooms.list({ kind: 'all' })).filter((room) => room.kind === 'exam' || room.kind === 'lab');
  const existing = await r.cameras.list({ kind: 'all' });
  const seeded = existing.length === 0 && rooms.length > 0;
  if (seeded) {
    const actor = { ...SYSTEM_ACTOR, workstation: 'demo' };
    for (let i = 0; i < Math.min(simRooms, rooms.length); i++) {
      for (const position of ['front', 'rear'] as const) {
        const id = roomCams.find((c) => c.room === i + 1 && c.position === position)!.id;
        await app.devices.createCamera(actor, {
          roomId: rooms[i].id,
          name: position === 'front' ? '前置摄像机' : '后置摄像机',
          position,
          sourceKind: 'rtsp',
          mainStream: `/cam/${id}/main`,
          subStream: `/cam/${id}/sub`,
          host: '127.0.0.1',
          port: sim.port,
          ...onvifOf(id),
        });
      }
    }
    const withCameras = rooms.slice(0, Math.min(simRooms, rooms.length));
    let custody = 0;
    if (withCameras.length > 0) {
      const siteRooms = await r.rooms.list({ kind: 'all' });
      for (const c of CUSTODY) {
        const room = siteRooms.find((x) => x.site_id === withCameras[0].site_id && x.kind === c.kind);
        if (!room) continue;
        await app.devices.createCamera(actor, {
          roomId: room.id,
          name: c.name,
          position: 'front',
          sourceKind: 'rtsp',
          mainStream: `/cam/${c.simId}/main`,
          subStream: `/cam/${c.simId}/sub`,
          host: '127.0.0.1',
          port: sim.port,
          ...onvifOf(c.simId),
        });
        custody++;
      }
    }
    log.info({ cameras: withCameras.length * 2 + custody }, 'demo cameras added to the sample exam site');
    await seedDemoExam(app, log, withCameras[0].site_id, withCameras.filter((room) => room.site_id === withCameras[0].site_id).map((room) => room.id), actor);
    await seedDemoLedger(app, log, withCameras[0].site_id, actor);
    const duty = await seedDemoDuty(app, log, withCameras[0].site_id, actor);
    if (duty) {
      // Shown once, like the administrator's password: the second person of the two-person rule and
      // the link that makes this browser the monitoring room's workstation (log in as admin first).
      const base = `http://${app.config.host === '0.0.0.0' ? '127.0.0.1' : app.config.host}:${app.config.port}`;
      process.stdout.write(`\n  演示值班 Demo duty: second person "${duty.second.username}", password: ${duty.second.password}\n  值班终端登记链接 (open once, logged in as admin): ${base}${duty.enrollPath}\n  (shown once)\n\n`);
    }
  }
  log.info({ port: sim.port, onvifPort: onvif?.port ?? null, cameras: cams.length }, 'simulated cameras running');
  return { sim, seeded };
}
