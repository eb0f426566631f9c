// The `npm start` demo's duty setup (issue 18): the sample site's administrator on the roster of
// its monitoring room (组长) for the coming week, and preset 1 (全景) approved on every camera of
// the site, so the PTZ lock shows a preset that stays allowed during the demo exam's windows.
import type { Logger } from 'pino';
import type { App } from '../app.ts';
import type { Actor } from '../auth/actor.ts';
import { repos } from '../store/repos/index.ts';
import { PtzService } from './ptz-service.ts';
import { RosterService } from './roster-service.ts';

const WEEK_MS = 7 * 24 * 3600_000;

export async function seedDemoDuty(app: App, log: Logger, siteId: number, actor: Actor): Promise<void> {
  const r = repos(app.store.db);
  const monitoring = (await r.rooms.list({ kind: 'all' })).find((x) => x.site_id === siteId && x.kind === 'monitoring');
  const admin = await r.users.byUsername('admin');
  if (!monitoring || !admin) return;
  const now = app.clock.nowMs();
  await new RosterService(app).add(actor, { roomId: monitoring.id, userId: admin.id, dutyRole: 'leader', fromMs: now, toMs: now + WEEK_MS });
  const ptz = new PtzService({ store: app.store, audit: app.audit, clock: app.clock });
  const cams = (await r.cameras.list({ kind: 'all' })).filter((c) => c.site_id === siteId);
  for (const c of cams) await ptz.approvePreset(actor, c.id, 1, '全景');
  log.info({ room: monitoring.name, cameras: cams.length }, '演示值班表与批准预置位已生成 (demo roster and approved presets)');
}
