// PTZ from the console/API (R-DIS-2, docs/design/duty.md "PTZ lock"): the lock state of a camera,
// commands (each through checkPtz: audited, refused ones raise an alarm) and the presets an
// administrator approves beforehand. An allowed command then moves the real camera (ptz-forward.ts:
// ONVIF PTZ, or PTZCmd to the GB/T 28181 lower owning the channel); a refused one never leaves.
import type { Actor } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { PtzCommand } from '../gb28181/index.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { repos } from '../store/repos/index.ts';
import { AppError } from '../util/errors.ts';
import type { PtzLockDeps } from './ptz-lock.ts';
import { checkPtz, ptzLockState } from './ptz-lock.ts';
import type { PtzForwarder, PtzForwardResult } from './ptz-forward.ts';

export interface PtzPresetView { presetNo: number; label: string; approvedBy: string; approvedAtMs: number }
export interface PtzStateView { cameraId: number; locked: boolean; lockedUntilMs: number | null; windows: string[]; reason: string | null; presets: PtzPresetView[] }

export class PtzService {
  constructor(private readonly d: PtzLockDeps & { forwarder?: PtzForwarder }) {}

  private async camera(actor: Actor, id: number, action: string): Promise<CameraRow> {
    const c = await repos(this.d.store.db).cameras.get(actor.scope, id);
    return c ?? denyOutOfScope(this.d.audit, actor, action, 'camera', id);
  }

  async state(actor: Actor, cameraId: number): Promise<PtzStateView> {
    await requirePermission(this.d.audit, actor, 'video.live', 'ptz.state', 'camera', cameraId);
    const c = await this.camera(actor, cameraId, 'ptz.state');
    const s = await ptzLockState(this.d, c);
    const presets = await this.presets(actor, cameraId, false);
    const locked = s.lockedUntilMs !== null;
    return { cameraId, locked, lockedUntilMs: s.lockedUntilMs, windows: s.kinds, reason: locked ? `${s.kinds.includes('custody') ? '试卷保密' : '考试'}时段云台已锁定，只能调用已批准的预置位` : null, presets };
  }

  /** One command; refused (403, Chinese reason) inside a window unless it calls an approved preset. */
  async command(actor: Actor, cameraId: number, cmd: PtzCommand): Promise<{ allowed: true } & PtzForwardResult> {
    await requirePermission(this.d.audit, actor, 'video.live', 'ptz.command', 'camera', cameraId);
    const c = await this.camera(actor, cameraId, 'ptz.command');
    const d = await checkPtz(this.d, actor, c, cmd, 'api');
    if (!d.allowed) throw new AppError('forbidden', d.reason!, { rule: 'ptz_locked', lockedUntilMs: d.lockedUntilMs ?? null, approvedPresets: d.approvedPresets });
    const sent = this.d.forwarder ? await this.d.forwarder.forward(c, cmd) : { forwarded: false, via: null, error: '本节点未接入云台控制 (PTZ forwarding not configured)' };
    return { allowed: true, ...sent };
  }

  async presets(actor: Actor, cameraId: number, check = true): Promise<PtzPresetView[]> {
    if (check) {
      await requirePermission(this.d.audit, actor, 'video.live', 'ptz.presets', 'camera', cameraId);
      await this.camera(actor, cameraId, 'ptz.presets');
    }
    return (await repos(this.d.store.db).dutyCases.approvedPresets(cameraId)).map((p) => ({ presetNo: p.preset_no, label: p.label, approvedBy: p.approved_by, approvedAtMs: p.approved_at_ms }));
  }

  /** An administrator approves preset `presetNo` for use during windows (audited; org.write). */
  async approvePreset(actor: Actor, cameraId: number, presetNo: number, label: string): Promise<PtzPresetView[]> {
    await requirePermission(this.d.audit, actor, 'org.write', 'ptz.preset.approve', 'camera', cameraId);
    const c = await this.camera(actor, cameraId, 'ptz.preset.approve');
    const now = this.d.clock.nowMs();
    await this.d.store.db.transaction().execute(async (trx) => {
      await repos(trx).dutyCases.approvePreset({ camera_id: cameraId, preset_no: presetNo, label, approved_by: actor.username, approved_at_ms: now });
      await this.d.audit.append(trx, actor, { action: 'ptz.preset.approve', objectType: 'camera', objectId: cameraId, scopePath: c.site_path, detail: { presetNo, label } });
    });
    return this.presets(actor, cameraId, false);
  }

  /**
   * 存为预置位 (R-DIS-2): an administrator, outside the camera's exam/custody windows, stores the
   * camera's current position as preset `presetNo` named `label` (ONVIF SetPreset, or GB/T 28181
   * PTZCmd preset-set to the lower) and approves it for the windows, in one step. In a window the
   * store is refused by checkPtz (audited `ptz.command` denied, `ptz_refused` alarm, nothing sent);
   * a camera that did not take it is not approved (409, the device's error). Audited `ptz.preset.store`.
   */
  async storePreset(actor: Actor, cameraId: number, presetNo: number, label: string): Promise<{ presets: PtzPresetView[]; via: 'onvif' | 'gb28181' | null }> {
    await requirePermission(this.d.audit, actor, 'org.write', 'ptz.preset.store', 'camera', cameraId);
    const c = await this.camera(actor, cameraId, 'ptz.preset.store');
    const cmd: PtzCommand = { kind: 'preset', action: 'set', preset: presetNo };
    const d = await checkPtz(this.d, actor, c, cmd, 'api');
    if (!d.allowed) throw new AppError('forbidden', d.reason!, { rule: 'ptz_locked', lockedUntilMs: d.lockedUntilMs ?? null, approvedPresets: d.approvedPresets });
    const sent = this.d.forwarder ? await this.d.forwarder.forward(c, cmd, label) : { forwarded: false, via: null, error: '本节点未接入云台控制 (PTZ forwarding not configured)' };
    const now = this.d.clock.nowMs();
    if (!sent.forwarded) {
      await this.d.audit.record(actor, { action: 'ptz.preset.store', objectType: 'camera', objectId: cameraId, outcome: 'error', scopePath: c.site_path, detail: { presetNo, label, via: sent.via, error: sent.error } });
      throw new AppError('conflict', `摄像机未能保存预置位，未批准：${sent.error ?? ''}`);
    }
    await this.d.store.db.transaction().execute(async (trx) => {
      await repos(trx).dutyCases.approvePreset({ camera_id: cameraId, preset_no: presetNo, label, approved_by: actor.username, approved_at_ms: now });
      await this.d.audit.append(trx, actor, { action: 'ptz.preset.store', objectType: 'camera', objectId: cameraId, scopePath: c.site_path, detail: { presetNo, label, via: sent.via, approved: true } });
    });
    return { presets: await this.presets(actor, cameraId, false), via: sent.via };
  }
}
