// PTZ lock (R-DIS-2, docs/design/duty.md "PTZ lock"): the one decision every PTZ path asks — the
// console/API route and the cascade (GB/T 28181 DeviceControl) handler. Inside an exam or custody
// window of the camera's room (room_window), or a required exam recording window of the camera
// (recording_schedule `exam:*`), only "go to preset N" with N approved beforehand by an
// administrator is allowed; every other command is refused. Every attempt is audited
// (`ptz.command`, ok/denied); a refused one raises a `ptz_refused` alarm (one open per camera).
// Outside windows, storing or removing an *approved* preset (which changes what the approval lets
// the camera point at during the next window) needs a logged-in administrator (org.write): an
// operator, or a GB/T 28181 upper, redefining preset 1 before the exam would defeat the lock.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/roles.ts';
import type { AlarmEmitter } from '../exams/alarm-monitor.ts';
import { alarmView } from '../exams/views.ts';
import type { PtzCommand } from '../gb28181/index.ts';
import { decodePtz } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { twinsOf } from './camera-twins.ts';

export interface PtzLockDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  alarms?: AlarmEmitter;
  /** Opens the cameras' network config to find a camera added twice (camera-twins.ts); without it each row stands alone. */
  box?: SecretBox;
}
export type PtzVia = 'api' | 'cascade';
/** GB/T 28181 lens commands (HomePosition, DragZoomIn/Out) that are not a PTZCmd byte string. */
export interface LensCommand { kind: 'lens'; name: string; fields: Record<string, string> }

export interface PtzLockDecision {
  allowed: boolean;
  /** Chinese reason when refused (shown to the user). */
  reason?: string;
  /** End of the window that locks the camera, ms since epoch; absent when not locked. */
  lockedUntilMs?: number;
  /** Approved presets (allowed even while locked). */
  approvedPresets: number[];
}

interface LockState { lockedUntilMs: number | null; kinds: string[]; approvedPresets: number[]; lockedTwinIds?: number[] }

async function ownLockState(deps: Pick<PtzLockDeps, 'store' | 'clock'>, camera: Pick<CameraRow, 'id' | 'room_id'>): Promise<LockState> {
  const now = deps.clock.nowMs();
  const r = repos(deps.store.db);
  const windows = await r.duty.windowsAt([camera.room_id], now);
  const sched = await r.cascade.examWindowCovering(camera.id, now);
  const ends = [...windows.map((w) => w.end_ms), ...(sched ? [Number(sched.end_ms)] : [])];
  const kinds = [...new Set([...windows.map((w) => w.kind as string), ...(sched ? ['exam'] : [])])];
  const approvedPresets = (await r.dutyCases.approvedPresets(camera.id)).map((p) => p.preset_no);
  return { lockedUntilMs: ends.length > 0 ? Math.max(...ends) : null, kinds, approvedPresets };
}

/**
 * Whether `camera` is locked now, and which presets stay allowed (no audit: for display). A camera
 * added twice is one camera: locked when any of its rows is in a window, and then only presets
 * approved on every locked row may be called (the presets live in the one device).
 */
export async function ptzLockState(deps: Pick<PtzLockDeps, 'store' | 'clock' | 'box'>, camera: CameraRow): Promise<LockState> {
  const own = await ownLockState(deps, camera);
  const twins = deps.box ? await twinsOf(deps.store, deps.box, camera) : [];
  if (twins.length === 0) return own;
  const states = [{ id: camera.id, s: own }, ...(await Promise.all(twins.map(async (t) => ({ id: t.id, s: await ownLockState(deps, t) }))))];
  const locked = states.filter((x) => x.s.lockedUntilMs !== null);
  if (locked.length === 0) return own;
  const approvedPresets = locked.map((x) => x.s.approvedPresets).reduce((a, b) => a.filter((p) => b.includes(p)));
  const lockedTwinIds = locked.map((x) => x.id).filter((id) => id !== camera.id);
  return {
    lockedUntilMs: Math.max(...locked.map((x) => x.s.lockedUntilMs!)),
    kinds: [...new Set(locked.flatMap((x) => x.s.kinds))],
    approvedPresets,
    ...(lockedTwinIds.length ? { lockedTwinIds } : {}),
  };
}

/** Decides, audits and (when refused) raises the alarm. `command` is decoded or the raw GB PTZCmd hex. */
export async function checkPtz(deps: PtzLockDeps, actor: Actor, camera: CameraRow, command: PtzCommand | LensCommand | string, via: PtzVia): Promise<PtzLockDecision> {
  let cmd: PtzCommand | LensCommand | undefined;
  try {
    cmd = typeof command === 'string' ? decodePtz(command) : command;
  } catch {
    cmd = undefined;
  }
  const state = await ptzLockState(deps, camera);
  const isApprovedPreset = cmd?.kind === 'preset' && cmd.action === 'call' && state.approvedPresets.includes(cmd.preset);
  const locked = state.lockedUntilMs !== null;
  const redefinesApproved = cmd?.kind === 'preset' && cmd.action !== 'call' && state.approvedPresets.includes(cmd.preset) && !(actor.role !== 'system' && can(actor.role, 'org.write'));
  const allowed = cmd !== undefined && (!locked || isApprovedPreset) && !redefinesApproved;
  const kindText = state.kinds.includes('custody') ? '试卷保密' : '考试';
  const reason = allowed
    ? undefined
    : cmd === undefined
      ? '云台指令无法识别，已拒绝 (undecodable PTZ command)'
      : !locked && redefinesApproved
        ? '该预置位已获批准用于考试时段，只有管理员可以设置或删除 (approved preset: administrators only)'
        : `${state.lockedTwinIds ? `同一摄像机（另一条登记，编号 ${state.lockedTwinIds.join('、')}）处于` : ''}${kindText}时段云台已锁定：只能调用管理员事先批准的预置位${state.approvedPresets.length ? `（${state.approvedPresets.join('、')}）` : '（无）'} (PTZ locked during exam/custody windows; only approved presets)`;
  await deps.audit.record(actor, {
    action: 'ptz.command', objectType: 'camera', objectId: camera.id, outcome: allowed ? 'ok' : 'denied', scopePath: camera.site_path,
    detail: { via, command: typeof command === 'string' ? command : undefined, ptz: cmd ?? 'undecodable', locked, ...(redefinesApproved ? { approvedPresetChange: true } : {}), ...(locked ? { lockedUntilMs: state.lockedUntilMs, windows: state.kinds, approvedPresets: state.approvedPresets, rule: 'R-DIS-2' } : {}), ...(state.lockedTwinIds ? { sameCameraAs: state.lockedTwinIds } : {}) },
  });
  if (!allowed) await raiseRefusedAlarm(deps, actor, camera, reason!);
  return { allowed, reason, approvedPresets: state.approvedPresets, ...(locked ? { lockedUntilMs: state.lockedUntilMs! } : {}) };
}

async function raiseRefusedAlarm(deps: PtzLockDeps, actor: Actor, camera: CameraRow, reason: string): Promise<void> {
  const r = repos(deps.store.db);
  if (await r.exams.openAlarm(camera.id, 'ptz_refused')) return;
  const now = deps.clock.nowMs();
  const row = await r.exams.insertAlarm({
    kind: 'ptz_refused', camera_id: camera.id, room_id: camera.room_id, site_id: camera.site_id, session_id: null, raised_at_ms: now,
    gap_start_ms: null, gap_end_ms: null, cleared_at_ms: null, reason: 'ptz_refused', detail: `${actor.username}: ${reason}`.slice(0, 512), acknowledged_by: null, acknowledged_at_ms: null,
  });
  deps.alarms?.emit('alarm.raised', alarmView(row));
}
