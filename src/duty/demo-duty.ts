// The `npm start` demo's duty setup (issue 18 "Done means": a roster and an enrolled workstation so a
// new user sees the two-person rule working): on the roster of the sample site's monitoring room for
// the coming week the administrator (组长) and a second person, 值班员 `zhiban` with a password made
// here and printed once; a workstation 演示值班终端 enrolled, whose one-time link (printed once)
// makes the browser that opens it — logged in as admin — that workstation; preset 1 (全景) approved
// on every camera of the site, so the PTZ lock leaves the overview callable during the demo windows.
import type { Logger } from 'pino';
import type { App } from '../app.ts';
import type { Actor } from '../auth/actor.ts';
import { randomPassword } from '../auth/password.ts';
import { repos } from '../store/repos/index.ts';
import { dutyOf } from './index.ts';
import { PtzService } from './ptz-service.ts';
import { RosterService } from './roster-service.ts';

const WEEK_MS = 7 * 24 * 3600_000;
export const DEMO_SECOND_USER = 'zhiban';

export interface DemoDuty {
  /** The second person's username and password (shown once). */
  second: { username: string; password: string };
  /** Path (with the one-time code) that enrolls the browser opening it as the demo workstation. */
  enrollPath: string;
}

export async function seedDemoDuty(app: App, log: Logger, siteId: number, actor: Actor): Promise<DemoDuty | undefined> {
  const r = repos(app.store.db);
  const monitoring = (await r.rooms.list({ kind: 'all' })).find((x) => x.site_id === siteId && x.kind === 'monitoring');
  const admin = await r.users.byUsername('admin');
  if (!monitoring || !admin) return undefined;
  const now = app.clock.nowMs();
  const roster = new RosterService(app);
  await roster.add(actor, { roomId: monitoring.id, userId: admin.id, dutyRole: 'leader', fromMs: now, toMs: now + WEEK_MS });
  const password = randomPassword();
  const second = await app.users.create(actor, { username: DEMO_SECOND_USER, displayName: '值班员（演示）', role: 'operator', orgNodeId: siteId, password });
  await roster.add(actor, { roomId: monitoring.id, userId: second.id, dutyRole: 'watcher', fromMs: now, toMs: now + WEEK_MS });
  const ws = await dutyOf(app).enroll(actor, monitoring.id, '演示值班终端');
  const ptz = new PtzService({ store: app.store, audit: app.audit, clock: app.clock });
  const cams = (await r.cameras.list({ kind: 'all' })).filter((c) => c.site_id === siteId);
  for (const c of cams) await ptz.approvePreset(actor, c.id, 1, '全景');
  log.info({ room: monitoring.name, cameras: cams.length, workstationId: ws.id }, '演示值班表、值班终端与批准预置位已生成 (demo roster, workstation and approved presets)');
  return { second: { username: DEMO_SECOND_USER, password }, enrollPath: `/api/duty/workstations/claim?code=${ws.credential}` };
}
