// Every role × every endpoint × inside/outside the caller's scope, through the real HTTP stack
// (Fastify inject), on both databases. Each answer is checked, each refusal must leave an audit
// record, and refused changes must change nothing (R-SEC-4, R-ORG-1, R-CITY-2, R-ACC-1).
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { repos } from '../../src/store/repos/index.ts';
import { dutyOf, incidentsOf } from '../../src/duty/index.ts';
import { GrantService } from '../../src/duty/grant-service.ts';
import { RosterService } from '../../src/duty/roster-service.ts';
import { TourService } from '../../src/tours/tour-service.ts';
import { createUplinkModule } from '../../src/uplink/index.ts';
import type { Role } from '../../src/store/schema.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

type Target = 'in' | 'out';
interface Ids {
  district: number;
  site: number;
  room: number;
  camera: number;
  user: number;
  /** A tour shared at the site by the province administrator. */
  tour: number;
  /** One more shared tour per role, for the delete case (a deletion must not change what the next role meets). */
  doomed: Record<Role, number>;
  /** A readiness campaign opened at the site, a checklist template there with one item, a signature with a file. */
  campaign: number;
  template: number;
  item: number;
  signature: number;
  /** Ledger (issue 19): an NVR of the site, one more to delete, a manual ticket on the NVR, a training record of the site's user. */
  device: number;
  doomedDevice: number;
  ticket: number;
  training: number;
  /** Issue 13: a lower origin's audit checkpoint state at the site, with a problem to acknowledge. */
  checkpointOrigin: string;
  /**
   * Duty (issue 18): the cookie of a workstation enrolled in the site's monitoring room, one more
   * workstation to revoke, one open check-in per role to close, a pending remote-view request of the
   * site's user, a roster entry to remove, an incident of the site as received here (origin/key).
   */
  workstationCookie: string;
  doomedWorkstation: number;
  doomedCheckin: Record<Role, number>;
  grant: number;
  roster: number;
  incident: string;
  /** A custody review task of the site's monitoring room per role, its period over, to sign once (each role signs its own). */
  review: Record<Role, number>;
  /** Issue 14 item 16: an exam owned by the district with the site participating and one session. */
  exam: number;
  /** The lower platform attached to the site (R-PRE-4 measured through the cascade). */
  lower: number;
  /** A pending remote-view request received from that lower over the channel: originCode/key (issue 18, downward approvals). */
  receivedGrant: string;
}
interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: (ids: Ids, role: Role) => string;
  body?: (ids: Ids, n: number, role: Role, target: Target) => unknown;
  /** A cookie sent besides the session's (the duty workstation credential). */
  cookie?: (ids: Ids) => string;
  /** Roles allowed by permission; others get 403 whatever the target. */
  allowed: Role[];
  /** Status for an allowed role inside scope (outside scope is always 404). */
  okStatus?: number;
  /** The endpoint names no object: scope shows in what it returns, not in a 404. */
  scopeless?: boolean;
  /** Roles that hold the permission but not the right to this object: 403 inside scope, 404 outside. */
  inScopeForbidden?: Role[];
  /**
   * Status for an allowed role outside scope when the object is named by a credential rather than an
   * id: a workstation of another district is "no workstation" (403), as a forged one would be.
   */
  outStatus?: number;
}

const PASSWORD = 'Scope-Matrix-Pw1';
const ROLES: Role[] = ['admin', 'operator', 'leader', 'inspector'];

const CASES: Case[] = [
  { name: 'tree', method: 'GET', url: () => '/api/org/tree', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'create node', method: 'POST', url: () => '/api/org/nodes', body: (ids, n) => ({ parentId: ids.district, kind: 'site', name: `新考点${n}` }), allowed: ['admin'] },
  { name: 'rename node', method: 'PATCH', url: (ids) => `/api/org/nodes/${ids.site}`, body: (_ids, n) => ({ name: `改名考点${n}` }), allowed: ['admin'] },
  { name: 'delete node (has rooms)', method: 'DELETE', url: (ids) => `/api/org/nodes/${ids.site}`, allowed: ['admin'], okStatus: 409 },
  { name: 'create room', method: 'POST', url: () => '/api/rooms', body: (ids, n) => ({ siteId: ids.site, kind: 'exam', name: `考场${n}`, seats: 30 }), allowed: ['admin'] },
  { name: 'update room', method: 'PATCH', url: (ids) => `/api/rooms/${ids.room}`, body: (_ids, n) => ({ seats: 30 + n }), allowed: ['admin'] },
  { name: 'delete room (has cameras)', method: 'DELETE', url: (ids) => `/api/rooms/${ids.room}`, allowed: ['admin'], okStatus: 409 },
  { name: 'create camera', method: 'POST', url: () => '/api/cameras', body: (ids, n) => ({ roomId: ids.room, name: `摄像机${n}`, position: 'rear', sourceKind: 'rtsp', mainStream: '/main', subStream: '/sub' }), allowed: ['admin'] },
  // Issue 17: scope is checked before the node sends anything; inside scope the address answers nothing (port 1), so 400 with the ONVIF reason.
  { name: 'discover ONVIF camera (nothing answers)', method: 'POST', url: () => '/api/cameras/onvif/discover', body: (ids) => ({ roomId: ids.room, address: '127.0.0.1:1', username: 'admin', password: 'x' }), allowed: ['admin'], okStatus: 400 },
  { name: 'add camera by ONVIF (nothing answers)', method: 'POST', url: () => '/api/cameras/onvif', body: (ids, n) => ({ roomId: ids.room, name: `ONVIF摄像机${n}`, position: 'rear', address: '127.0.0.1:1', username: 'admin', password: 'x' }), allowed: ['admin'], okStatus: 400 },
  { name: 'update camera', method: 'PATCH', url: (ids) => `/api/cameras/${ids.camera}`, body: () => ({ position: 'front' }), allowed: ['admin'] },
  { name: 'reveal camera network', method: 'POST', url: (ids) => `/api/cameras/${ids.camera}/reveal`, allowed: ['admin'] },
  // Issue 14 item 10: 测试连接 (port 9 on loopback refuses at once: the answer is ok:false, status 200).
  { name: 'camera test connect', method: 'POST', url: () => '/api/cameras/test-connect', body: (ids) => ({ cameraId: ids.camera, stream: 'rtsp://127.0.0.1:9/none' }), allowed: ['admin'] },
  // Issue 14 item 8: 抓图 recorded; exam status of wall tiles (cameras out of scope are left out).
  { name: 'record snapshot', method: 'POST', url: () => '/api/live/snapshot', body: (ids) => ({ cameraId: ids.camera }), allowed: ['admin', 'operator', 'leader'] },
  { name: 'tile exam status (outside: left out, not refused)', method: 'GET', url: (ids) => `/api/live/exam-status?cameraIds=${ids.camera}`, allowed: ['admin', 'operator', 'leader'], outStatus: 200 },
  { name: 'list users', method: 'GET', url: () => '/api/users', allowed: ['admin', 'leader'], scopeless: true },
  { name: 'create user', method: 'POST', url: () => '/api/users', body: (ids, n) => ({ username: `new_user_${n}`, displayName: '新用户', role: 'operator', orgNodeId: ids.district, password: PASSWORD }), allowed: ['admin'] },
  { name: 'update user', method: 'PATCH', url: (ids) => `/api/users/${ids.user}`, body: (_ids, n) => ({ displayName: `改名${n}` }), allowed: ['admin'] },
  { name: 'audit log', method: 'GET', url: () => '/api/audit', allowed: ['admin', 'leader', 'inspector'], scopeless: true },
  { name: 'audit verify', method: 'GET', url: () => '/api/audit/verify', allowed: ['admin', 'leader', 'inspector'], scopeless: true },
  { name: 'audit csv', method: 'GET', url: () => '/api/audit/export.csv', allowed: ['admin', 'leader', 'inspector'], scopeless: true },
  // Patrol tours (issue 4, R-CITY-2): video.live to use them; a shared tour is changed by an administrator of its node.
  { name: 'list tours', method: 'GET', url: () => '/api/tours', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'create tour', method: 'POST', url: () => '/api/tours', body: (ids, n) => ({ name: `轮巡${n}`, intervalS: 15, layoutTiles: 9, orgNodeId: ids.site, items: [{ kind: 'camera', refId: ids.camera }] }), allowed: ['admin', 'operator', 'leader'] },
  { name: 'replace shared tour', method: 'PUT', url: (ids) => `/api/tours/${ids.tour}`, body: (ids, n) => ({ name: `改名轮巡${n}`, intervalS: 20, layoutTiles: 4, orgNodeId: ids.site, shared: true, items: [{ kind: 'room', refId: ids.room }] }), allowed: ['admin', 'operator', 'leader'], inScopeForbidden: ['operator', 'leader'] },
  { name: 'delete shared tour', method: 'DELETE', url: (ids, role) => `/api/tours/${ids.doomed[role]}`, allowed: ['admin', 'operator', 'leader'], inScopeForbidden: ['operator', 'leader'] },
  { name: 'tour cameras', method: 'GET', url: (ids) => `/api/tours/${ids.tour}/cameras`, allowed: ['admin', 'operator', 'leader'] },
  // Node-to-node channel (docs/design/uplink.md, R-PRE-2): items and lower levels' freshness, filtered by scope.
  { name: 'uplink items', method: 'GET', url: () => '/api/uplink/items?topic=matrix.test', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'uplink peers', method: 'GET', url: () => '/api/uplink/peers', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  // Exam readiness (issue 17): exam.read to follow, exam.write to open/probe/edit, readiness.sign to sign.
  { name: 'list readiness campaigns', method: 'GET', url: () => '/api/readiness/campaigns', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'open readiness campaign', method: 'POST', url: () => '/api/readiness/campaigns', body: (ids, n) => ({ name: `检测${n}`, orgNodeId: ids.site, checks: 'full', deadlineMs: 1_900_000_000_000 }), allowed: ['admin'] },
  { name: 'readiness campaign', method: 'GET', url: (ids) => `/api/readiness/campaigns/${ids.campaign}`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'readiness contact', method: 'PUT', url: (ids) => `/api/readiness/campaigns/${ids.campaign}/contacts`, body: (ids) => ({ orgNodeId: ids.site, name: '张老师', phone: '13800000000' }), allowed: ['admin'] },
  { name: 'readiness probe', method: 'POST', url: (ids) => `/api/readiness/campaigns/${ids.campaign}/probe`, body: (ids) => ({ cameraIds: [ids.camera] }), allowed: ['admin'] },
  { name: 'sign checklist item', method: 'POST', url: (ids) => `/api/readiness/campaigns/${ids.campaign}/sign`, body: (ids) => ({ itemId: ids.item, siteId: ids.site, outcome: 'ok', signerName: '李四', file: { name: 'photo.jpg', dataBase64: 'cGhvdG8=' } }), allowed: ['admin', 'operator'] },
  { name: 'signature file', method: 'GET', url: (ids) => `/api/readiness/signatures/${ids.signature}/file`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'sign reference (no picture yet)', method: 'POST', url: (ids) => `/api/readiness/cameras/${ids.camera}/reference`, body: () => ({ signerName: '王五' }), allowed: ['admin', 'operator'], okStatus: 409 },
  { name: 'readiness site uplink', method: 'PUT', url: (ids) => `/api/readiness/sites/${ids.site}/uplink`, body: (_ids, n) => ({ capacityKbps: 10_000 + n }), allowed: ['admin'] },
  // R-PRE-4 through the cascade: the newest measurement per lower, filtered by the lower's org node.
  { name: 'cascade bandwidth measurements', method: 'GET', url: () => '/api/readiness/lowers/bandwidth', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  // Measuring pulls the lower's streams: exam.write, the lower's org node in scope. Inside scope this
  // node has no GB/T 28181 configured (409) — the scope and permission checks come first.
  { name: 'measure cascade bandwidth', method: 'POST', url: (ids) => `/api/readiness/lowers/${ids.lower}/bandwidth`, body: () => ({ durationMs: 2000 }), allowed: ['admin'], okStatus: 409 },
  { name: 'reported cascade bandwidth', method: 'GET', url: () => '/api/readiness/reported/bandwidth', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'reported readiness campaigns', method: 'GET', url: () => '/api/readiness/reported/campaigns', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'reported readiness sites', method: 'GET', url: () => '/api/readiness/reported', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'list checklist templates', method: 'GET', url: () => '/api/readiness/templates', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'create checklist template', method: 'POST', url: () => '/api/readiness/templates', body: (ids, n) => ({ orgNodeId: ids.site, requirement: 'R-SEC-8', title: `无未授权软件${n}`, checks: 'full', items: [{ text: '无未授权软件和介质', per: 'workstation' }] }), allowed: ['admin'] },
  { name: 'replace checklist template', method: 'PUT', url: (ids) => `/api/readiness/templates/${ids.template}`, body: (ids) => ({ requirement: 'R-PRE-7', title: '安全检查', checks: 'full', items: [{ id: ids.item, text: '消防器材齐全', per: 'site' }] }), allowed: ['admin'] },
  // Last: closing ends signing in the campaign.
  // Alarm history as Excel (issue 14 item 5): exam.read, rows filtered by scope, audited.
  { name: 'alarm history Excel', method: 'GET', url: () => '/api/alarms.xlsx', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'request an export (issue 14 item 6)', method: 'POST', url: () => '/api/export-requests', body: (ids) => ({ cameraIds: [ids.camera], fromMs: 1_780_000_000_000, toMs: 1_780_000_600_000, purpose: '考生违纪取证' }), allowed: ['admin', 'operator', 'leader'], okStatus: 201 },
  // The wall kept on the server (issue 14 item 1): video.live; a layout's cameras and node must be in scope; my own wall names no object.
  { name: 'keep my wall', method: 'PUT', url: () => '/api/wall/state', body: (ids) => ({ layoutTiles: 4, cells: [ids.camera], tourId: null, running: false, page: 0 }), allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'list wall layouts', method: 'GET', url: () => '/api/wall/layouts', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'save wall layout', method: 'POST', url: () => '/api/wall/layouts', body: (ids, n) => ({ name: `布局${n}`, layoutTiles: 4, orgNodeId: ids.site, cells: [ids.camera] }), allowed: ['admin', 'operator', 'leader'] },
  // Ledger and fault tickets (issue 19; R-SEC-2, R-FLT-1, R-PRE-1): org.read to see, org.write to edit the ledger, fault.handle for tickets, user.* for training.
  { name: 'list ledger devices', method: 'GET', url: () => '/api/ledger/devices', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'add ledger device', method: 'POST', url: () => '/api/ledger/devices', body: (ids, n) => ({ orgNodeId: ids.site, deviceClass: 'switch', code: `SW-${n}`, name: '交换机', responsibleName: '张三' }), allowed: ['admin'] },
  { name: 'device card', method: 'GET', url: (ids) => `/api/ledger/devices/${ids.device}`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'change ledger device', method: 'PUT', url: (ids) => `/api/ledger/devices/${ids.device}`, body: (ids) => ({ orgNodeId: ids.site, deviceClass: 'nvr', code: 'NVR-1', name: '录像机', serial: 'SN-2' }), allowed: ['admin'] },
  { name: 'delete ledger device', method: 'DELETE', url: (ids) => `/api/ledger/devices/${ids.doomedDevice}`, allowed: ['admin'] },
  { name: 'export ledger xlsx', method: 'GET', url: () => '/api/ledger/devices.xlsx', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'ledger import template xlsx', method: 'GET', url: () => '/api/ledger/template.xlsx', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'import ledger xlsx (empty sheet refused)', method: 'POST', url: () => '/api/ledger/import', body: () => ({ dataBase64: 'AAAA' }), allowed: ['admin'], okStatus: 400, scopeless: true },
  { name: 'node health', method: 'GET', url: () => '/api/ledger/health', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'roll-up per level', method: 'GET', url: () => '/api/ledger/rollup', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'health report xlsx', method: 'GET', url: () => '/api/ledger/report.xlsx?period=month', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  // Kept daily/weekly health reports (issue 19 item 3): the list shows only nodes in scope. Writing one
  // (POST /api/ledger/reports) renders in a worker, too slow for every role here: its scope is tested in test/ledger/rollup.api.test.ts.
  { name: 'kept health reports', method: 'GET', url: () => '/api/ledger/reports', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'device card with health history', method: 'GET', url: (ids) => `/api/ledger/devices/${ids.device}/card?days=7`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'device card pdf', method: 'GET', url: (ids) => `/api/ledger/devices/${ids.device}/card.pdf`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'list fault tickets', method: 'GET', url: () => '/api/faults/tickets', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'uplink-reported fault tickets', method: 'GET', url: () => '/api/faults/reported', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'open fault ticket', method: 'POST', url: () => '/api/faults/tickets', body: (ids) => ({ deviceId: ids.device, summary: '风扇异响' }), allowed: ['admin'] },
  { name: 'fault ticket', method: 'GET', url: (ids) => `/api/faults/tickets/${ids.ticket}`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'acknowledge fault ticket', method: 'POST', url: (ids) => `/api/faults/tickets/${ids.ticket}/action`, body: () => ({ action: 'acknowledge' }), allowed: ['admin'] },
  { name: 'verify fault ticket by hand (refused: the system verifies)', method: 'POST', url: (ids) => `/api/faults/tickets/${ids.ticket}/action`, body: () => ({ action: 'verify' }), allowed: ['admin'], okStatus: 409 },
  { name: 'training records', method: 'GET', url: (ids) => `/api/users/${ids.user}/training`, allowed: ['admin', 'leader'] },
  { name: 'add training record', method: 'POST', url: (ids) => `/api/users/${ids.user}/training`, body: () => ({ course: '系统管理员培训', trainedOnMs: 1_780_000_000_000, certificate: 'C-1' }), allowed: ['admin'] },
  { name: 'delete training record', method: 'DELETE', url: (ids) => `/api/training/${ids.training}`, allowed: ['admin'] },
  // Duty (issue 18): enrolling needs org.write (an exam room is refused 400: only monitoring rooms), status org.read, grants video.live.
  { name: 'enroll workstation by link (unknown code: 404, audited)', method: 'GET', url: () => `/api/duty/workstations/claim?code=${'A'.repeat(43)}`, allowed: ['admin'], okStatus: 404, scopeless: true },
  { name: 'enroll workstation (exam room)', method: 'POST', url: () => '/api/duty/workstations', body: (ids) => ({ roomId: ids.room, name: '值班终端' }), allowed: ['admin'], okStatus: 400 },
  { name: 'duty status', method: 'GET', url: () => '/api/duty/status', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'list remote-view grants', method: 'GET', url: () => '/api/duty/grants', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'request remote view', method: 'POST', url: () => '/api/duty/grants', body: (ids) => ({ cameraIds: [ids.camera], reason: '远程巡查', fromMs: 1_900_000_000_000, toMs: 1_900_000_600_000 }), allowed: ['admin', 'operator', 'leader'] },
  { name: 'PTZ state', method: 'GET', url: (ids) => `/api/cameras/${ids.camera}/ptz`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'PTZ stop (no window: allowed)', method: 'POST', url: (ids) => `/api/cameras/${ids.camera}/ptz`, body: () => ({ kind: 'stop' }), allowed: ['admin', 'operator', 'leader'] },
  { name: 'approve PTZ preset', method: 'POST', url: (ids) => `/api/cameras/${ids.camera}/ptz-presets`, body: () => ({ presetNo: 1, label: '全景' }), allowed: ['admin'] },
  { name: 'duty roster', method: 'GET', url: () => '/api/duty/roster', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'roster an exam room (refused: monitoring rooms only)', method: 'POST', url: () => '/api/duty/roster', body: (ids) => ({ roomId: ids.room, userId: ids.user, dutyRole: 'watcher', fromMs: 1_900_000_000_000, toMs: 1_900_000_600_000 }), allowed: ['admin'], okStatus: 400 },
  // The inspector reads the patrol log too (audit.read: it is read from the viewing audit; issue 14 item 16).
  { name: 'patrol log', method: 'GET', url: () => '/api/duty/patrol-log?fromMs=0&toMs=1900000000000', allowed: ['admin', 'operator', 'leader', 'inspector'], scopeless: true },
  { name: 'patrol note', method: 'POST', url: () => '/api/duty/patrol-notes', body: (ids) => ({ cameraId: ids.camera, text: '秩序正常' }), allowed: ['admin', 'operator', 'leader'] },
  { name: 'incidents', method: 'GET', url: () => '/api/duty/incidents', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'mark incident', method: 'POST', url: () => '/api/duty/incidents', body: (ids) => ({ cameraIds: [ids.camera], fromMs: 1_900_000_000_000, toMs: 1_900_000_060_000, category: 'device', description: '画面异常' }), allowed: ['admin', 'operator', 'leader'] },
  { name: 'mark incident live', method: 'POST', url: () => '/api/duty/incidents/mark', body: (ids) => ({ cameraIds: [ids.camera], source: 'live', category: 'device', description: '画面异常' }), allowed: ['admin', 'operator', 'leader'] },
  { name: 'custody review tasks', method: 'GET', url: () => '/api/duty/reviews?fromMs=0&toMs=1900000000000', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'incidents received', method: 'GET', url: () => '/api/duty/incidents/received', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'duty record (值班记录)', method: 'GET', url: () => '/api/duty/record?date=2026-06-07', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'duty record PDF (值班记录)', method: 'GET', url: () => '/api/duty/record.pdf?date=2026-06-07', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  // Check-in: the session must be one that may watch; the workstation (named by its cookie) must be in scope; the person checking in is named in the body.
  { name: 'check in at a workstation', method: 'POST', url: () => '/api/duty/checkins', cookie: (ids) => ids.workstationCookie, body: (_ids, _n, role, target) => ({ username: `ci_${role}_${target}`, password: PASSWORD }), allowed: ['admin', 'operator', 'leader'], outStatus: 403 },
  // 确认在岗 (per-person presence): the checked-in person's password at the workstation where they checked in.
  { name: 'confirm presence', method: 'POST', url: (ids, role) => `/api/duty/checkins/${ids.doomedCheckin[role]}/confirm`, cookie: (ids) => ids.workstationCookie, body: () => ({ password: PASSWORD }), allowed: ['admin', 'operator', 'leader'] },
  { name: 'check out', method: 'POST', url: (ids, role) => `/api/duty/checkins/${ids.doomedCheckin[role]}/checkout`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'revoke workstation', method: 'DELETE', url: (ids) => `/api/duty/workstations/${ids.doomedWorkstation}`, allowed: ['admin'] },
  { name: 'remove roster entry', method: 'DELETE', url: (ids) => `/api/duty/roster/${ids.roster}`, allowed: ['admin'] },
  // The district administrator is the authority above the site's requester.
  { name: 'approve remote view', method: 'POST', url: (ids) => `/api/duty/grants/${ids.grant}/decision`, body: () => ({ approve: true, note: '同意' }), allowed: ['admin'] },
  // 撤回 (R-DIS-3): only the requester withdraws a request; the district's users may watch but it is not theirs (403 in scope, audited), 404 outside.
  { name: 'cancel remote view', method: 'POST', url: (ids) => `/api/duty/grants/${ids.grant}/cancel`, allowed: ['admin', 'operator', 'leader'], inScopeForbidden: ['admin', 'operator', 'leader'] },
  // Requests received from a lower level over the channel, decided here and sent down (docs/design/duty.md "Downward approvals").
  { name: 'remote-view requests received', method: 'GET', url: () => '/api/duty/grants/received', allowed: ['admin', 'operator', 'leader'], scopeless: true },
  { name: 'decide received remote view', method: 'POST', url: (ids) => `/api/duty/grants/received/${ids.receivedGrant}/decision`, body: () => ({ approve: false, note: '不予批准' }), allowed: ['admin'] },
  // Custody review (保密室回看, video.playback): the logged-in person signs their own task; outside scope 404, audited.
  { name: 'sign custody review', method: 'POST', url: (ids, role) => `/api/duty/reviews/${ids.review[role]}/sign`, body: () => ({ note: '已回看，无异常' }), allowed: ['admin', 'operator', 'leader'] },
  // 存为预置位 (admin): the matrix camera has no ONVIF address, so inside scope the store is tried and not approved (409, audited as error).
  { name: 'store PTZ preset', method: 'POST', url: (ids) => `/api/cameras/${ids.camera}/ptz-presets/store`, body: () => ({ presetNo: 5, label: '全景' }), allowed: ['admin'], okStatus: 409 },
  { name: 'approved PTZ presets', method: 'GET', url: (ids) => `/api/cameras/${ids.camera}/ptz-presets`, allowed: ['admin', 'operator', 'leader'] },
  // Handling a received incident (exam.seal): the administrator receives it, the operator then confirms it.
  { name: 'handle received incident', method: 'POST', url: (ids) => `/api/duty/incidents/received/${ids.incident}/handling`, body: (_ids, _n, role) => ({ state: role === 'admin' ? 'received' : 'confirmed' }), allowed: ['admin', 'operator'] },
  { name: 'close readiness campaign', method: 'POST', url: (ids) => `/api/readiness/campaigns/${ids.campaign}/close`, allowed: ['admin'] },
  // Completeness reports (issue 14 item 16): report.read, which the inspector (纪检监察) holds too, to
  // pick an exam and read/download its report in scope; exam.read (windows, alarms) and writes stay refused.
  { name: 'list exams', method: 'GET', url: () => '/api/exams', allowed: ['admin', 'operator', 'leader', 'inspector'], scopeless: true },
  { name: 'exam', method: 'GET', url: (ids) => `/api/exams/${ids.exam}`, allowed: ['admin', 'operator', 'leader', 'inspector'] },
  { name: 'completeness report', method: 'GET', url: (ids) => `/api/exams/${ids.exam}/report`, allowed: ['admin', 'operator', 'leader', 'inspector'] },
  { name: 'completeness report xlsx', method: 'GET', url: (ids) => `/api/exams/${ids.exam}/report.xlsx`, allowed: ['admin', 'operator', 'leader', 'inspector'] },
  { name: 'completeness report pdf', method: 'GET', url: (ids) => `/api/exams/${ids.exam}/report.pdf`, allowed: ['admin', 'operator', 'leader', 'inspector'] },
  { name: 'timetable import template', method: 'GET', url: (ids) => `/api/exams/${ids.exam}/timetable/template.xlsx`, allowed: ['admin', 'operator', 'leader', 'inspector'] },
  { name: 'exam windows', method: 'GET', url: (ids) => `/api/exams/${ids.exam}/windows`, allowed: ['admin', 'operator', 'leader'] },
  { name: 'add exam session', method: 'POST', url: (ids) => `/api/exams/${ids.exam}/sessions`, body: (_ids, n) => ({ subject: `科目${n}`, startMs: 1_900_000_000_000 + n * 10_000_000, endMs: 1_900_000_000_000 + n * 10_000_000 + 3_600_000 }), allowed: ['admin'] },
  // Lower levels' audit checkpoints judged here (issue 13): audit.read, rows filtered by scope, acknowledging audited.
  { name: 'lower audit checkpoints', method: 'GET', url: () => '/api/audit/checkpoints', allowed: ['admin', 'leader', 'inspector'], scopeless: true },
  { name: 'acknowledge lower audit checkpoint problem', method: 'POST', url: (ids) => `/api/audit/checkpoints/${ids.checkpointOrigin}/ack`, body: () => ({ note: '已核实' }), allowed: ['admin', 'leader', 'inspector'] },
];

describe.each(DIALECTS)('role × endpoint × scope on %s', (dialect) => {
  let t: TestApp;
  let server: FastifyInstance;
  const ids: Record<Target, Ids> = {} as Record<Target, Ids>;
  const sessions = new Map<Role, { cookie: string; csrf: string }>();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    server = await buildServer(t.app, pino({ level: 'silent' }));
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    const setup = async (districtName: string, siteName: string, target: Target) => {
      const district = nodes.find((n) => n.name === districtName)!;
      const site = await t.app.org.createNode(admin, { parentId: district.id, kind: 'site', name: siteName });
      const room = await t.app.devices.createRoom(admin, { siteId: site.id, kind: 'exam', name: '第01考场', seats: 30 });
      const camera = await t.app.devices.createCamera(admin, { roomId: room.id, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.9', username: 'u', password: 'p' });
      const user = await t.app.users.create(admin, { username: `someone_${target}`, displayName: 'x', role: 'operator', orgNodeId: site.id, password: PASSWORD });
      const tours = new TourService(t.app.store, t.app.audit, t.app.clock);
      const tour = (name: string) => tours.create(admin, { name, intervalS: 10, layoutTiles: 4, orgNodeId: site.id, shared: true, items: [{ kind: 'camera', refId: camera.id }] });
      const doomed = {} as Record<Role, number>;
      for (const role of ROLES) doomed[role] = (await tour(`${siteName}待删${role}`)).id;
      // An item of the site on the channel, and a lower platform attached to the site (names carry the site's).
      const sitePath = (await t.app.store.db.selectFrom('org_node').select('path').where('id', '=', site.id).executeTakeFirstOrThrow()).path;
      await createUplinkModule(t.app).service.publishNow({ topic: 'matrix.test', key: `k-${target}`, body: { site: siteName }, scopePath: sitePath });
      const lower = await repos(t.app.store.db).cascade.insertLower({ sip_id: target === 'in' ? '32010600002000000011' : '32010200002000000011', name: `${siteName}下级`, kind: 'platform', org_node_id: site.id, ha1: '0'.repeat(32), ha1_sm3: null, gb_version: null, auth_algorithm: null, enabled: 1, online: 0, registered_at_ms: null, expires_at_ms: null, last_keepalive_ms: null, contact_host: null, contact_port: null, transport: null, catalog_at_ms: null, channel_count: 0, created_at_ms: 0, updated_at_ms: 0 });
      const grantOrigin = target === 'in' ? '32010600002000000031' : '32010200002000000031';
      await repos(t.app.store.db).uplink.upsertItem({
        origin_code: grantOrigin, topic: 'duty.view_request', item_key: '1', origin_seq: 1, updated_at_ms: 0, received_at_ms: 0, scope_path: sitePath, via_lower_id: lower,
        body: JSON.stringify({ id: 1, requester: `${siteName}巡查员`, requesterUsername: 'lower_viewer', cameras: [{ id: 1, name: '前' }], rooms: [], reason: '远程巡查', fromMs: 1_900_000_000_000, toMs: 1_900_000_600_000, createdAtMs: 1_780_000_000_000, state: 'pending', decidedBy: null, decidedAtMs: null, note: null }),
      });
      const campaign = await t.app.readiness.campaigns.open(admin, { name: `${siteName}考前检测`, orgNodeId: site.id, checks: 'full', deadlineMs: 1_900_000_000_000, contacts: [] });
      const template = await t.app.readiness.signoff.saveTemplate(admin, undefined, { orgNodeId: site.id, requirement: 'R-PRE-7', title: '安全检查', checks: 'full', items: [{ text: '消防器材齐全', per: 'site' }] });
      const item = template.items[0].id;
      const signature = (await t.app.readiness.signoff.sign(admin, campaign.id, { itemId: item, siteId: site.id, subject: '', outcome: 'ok', signerName: '李四', file: { name: 'photo.jpg', dataBase64: Buffer.from('photo').toString('base64') } })).id;
      const dev = (code: string) => t.app.ledger.ledger.create(admin, { orgNodeId: site.id, roomId: null, deviceClass: 'nvr', code, name: `${siteName}录像机`, model: '', serial: '', firmware: '', installedOnMs: null, warrantyUntilMs: null, responsibleName: '张三', responsiblePhone: '' });
      const device = (await dev('NVR-1')).id;
      const doomedDevice = (await dev('NVR-9')).id;
      const ticket = (await t.app.ledger.faults.open(admin, { deviceId: device, kind: 'manual', summary: '无法录像' })).id;
      const checkpointOrigin = target === 'in' ? '32010600002000000021' : '32010200002000000021';
      await repos(t.app.store.db).auditCheckpoints.save({ origin_code: checkpointOrigin, scope_path: sitePath, last_seq: 5, last_hash: 'a'.repeat(64), last_at_ms: 1_780_000_000_000, received_at_ms: 1_780_000_000_000, accepted: 2, problem: 'rollback', problem_detail: '{}', problem_at_ms: 1_780_000_000_000 });
      const training = (await t.app.ledger.ledger.addTraining(admin, user.id, { course: '培训', trainedOnMs: 1_780_000_000_000, certificate: '', certifiedUntilMs: null })).id;
      // Duty: a monitoring room with two workstations (one to revoke) and no roster, so anyone of the site may
      // check in there; a second monitoring room holds the roster entry to remove.
      const duty = dutyOf(t.app);
      const monitoring = await t.app.devices.createRoom(admin, { siteId: site.id, kind: 'monitoring', name: '监控室', seats: 0 });
      const rostered = await t.app.devices.createRoom(admin, { siteId: site.id, kind: 'monitoring', name: '备用监控室', seats: 0 });
      const ws = await duty.enroll(admin, monitoring.id, '值班终端');
      const doomedWorkstation = (await duty.enroll(admin, monitoring.id, '待注销终端')).id;
      const doomedCheckin = {} as Record<Role, number>;
      for (const role of ROLES) {
        await t.app.users.create(admin, { username: `ci_${role}_${target}`, displayName: `签到${role}`, role: 'operator', orgNodeId: site.id, password: PASSWORD });
        await t.app.users.create(admin, { username: `co_${role}_${target}`, displayName: `签退${role}`, role: 'operator', orgNodeId: site.id, password: PASSWORD });
        doomedCheckin[role] = (await duty.checkIn(admin, ws.credential, { username: `co_${role}_${target}`, password: PASSWORD })).id;
      }
      // One custody review task per role, its 6-hour period over before the test clock's now (2026-06-07).
      const review = {} as Record<Role, number>;
      for (const [i, role] of ROLES.entries()) {
        const from = 1_780_000_000_000 + i * 21_600_000;
        await repos(t.app.store.db).reviews.ensureTask({ room_id: monitoring.id, window_id: 0, period_from_ms: from, period_to_ms: from + 21_600_000, due_at_ms: from + 25_200_000 });
        review[role] = (await t.app.store.db.selectFrom('duty_review_task').select('id').where('room_id', '=', monitoring.id).where('period_from_ms', '=', from).executeTakeFirstOrThrow()).id;
      }
      const roster = (await new RosterService(t.app).add(admin, { roomId: rostered.id, userId: user.id, dutyRole: 'watcher', fromMs: 1_900_000_000_000, toMs: 1_900_000_600_000 })).id;
      const grant = (await new GrantService(t.app).request(await t.actor(user.username), { cameraIds: [camera.id], roomIds: [], reason: '远程巡查', fromMs: 1_900_000_000_000, toMs: 1_900_000_600_000 })).id;
      const incidentId = (await incidentsOf(t.app).create(admin, { cameraIds: [camera.id], fromMs: 1_780_000_000_000, toMs: 1_780_000_060_000, category: 'device', description: '画面异常' })).id;
      const received = (await incidentsOf(t.app).received(admin)).find((i) => i.key === String(incidentId))!;
      const incident = `${received.originCode}/${received.key}`;
      const exam = await t.app.exams.exams.create(admin, { name: `${siteName}考试`, kind: 'gaokao', ownerNodeId: district.id });
      await t.app.exams.exams.setSites(admin, exam.id, [{ siteId: site.id }]);
      await t.app.exams.exams.createSessions(admin, exam.id, [{ subject: '语文', startMs: 1_780_000_000_000, endMs: 1_780_000_000_000 + 9_000_000 }]);
      ids[target] = { district: district.id, site: site.id, room: room.id, camera: camera.id, user: user.id, tour: (await tour(`${siteName}轮巡`)).id, doomed, campaign: campaign.id, template: template.id, item, signature, device, doomedDevice, ticket, training, checkpointOrigin, workstationCookie: `xuncha_ws=${ws.credential}`, doomedWorkstation, doomedCheckin, grant, roster, incident, review, exam: exam.id, lower, receivedGrant: `${grantOrigin}/1` };
    };
    await setup('鼓楼区', '鼓楼测试考点', 'in');
    await setup('玄武区', '玄武测试考点', 'out');
    for (const role of ROLES) {
      await t.app.users.create(admin, { username: `gulou_${role}`, displayName: role, role, orgNodeId: ids.in.district, password: PASSWORD });
      const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `gulou_${role}`, password: PASSWORD } });
      expect(res.statusCode).toBe(200);
      sessions.set(role, { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken });
    }
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  // What a refused request must leave untouched: the tree, and every tour with its items.
  const state = async () => ({
    tree: await t.app.org.tree({ userId: null, username: 'system', role: 'system', ip: '-', workstation: '-', scope: { kind: 'all' } }),
    tours: await t.app.store.db.selectFrom('patrol_tour').selectAll().orderBy('id').execute(),
    tourItems: await t.app.store.db.selectFrom('patrol_tour_item').selectAll().orderBy('id').execute(),
  });
  const deniedCount = async () => (await repos(t.app.store.db).audit.list({ kind: 'all' }, { outcome: 'denied' })).total;
  let n = 0;

  for (const c of CASES) {
    for (const role of ROLES) {
      for (const target of c.scopeless ? (['in'] as Target[]) : (['in', 'out'] as Target[])) {
        const allowed = c.allowed.includes(role);
        const expected = !allowed ? 403 : target === 'out' ? (c.outStatus ?? 404) : c.inScopeForbidden?.includes(role) ? 403 : (c.okStatus ?? 200);
        it(`${c.name} as ${role}, ${c.scopeless ? 'own scope' : `${target}side scope`} → ${expected}`, async () => {
          const s = sessions.get(role)!;
          const before = await deniedCount();
          const treeBefore = expected >= 400 ? await state() : undefined;
          const res = await server.inject({ method: c.method, url: c.url(ids[target], role), headers: { cookie: [s.cookie, c.cookie?.(ids[target])].filter(Boolean).join('; '), 'x-csrf-token': s.csrf }, payload: c.body?.(ids[target], ++n, role, target) as Record<string, unknown> | undefined });
          expect(res.statusCode, res.body).toBe(expected);
          if (expected === 403 || expected === 404) expect(await deniedCount()).toBe(before + 1);
          if (treeBefore) expect(await state()).toEqual(treeBefore);
          if (expected === 200 && c.scopeless) {
            // What comes back is only what lies inside the district.
            const text = res.body;
            expect(text).not.toContain('玄武测试考点');
            expect(text).not.toContain('someone_out');
            if (c.name.startsWith('uplink')) expect(text).toContain('鼓楼测试考点');
          }
        });
      }
    }
  }
});
