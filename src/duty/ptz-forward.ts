// Moving the real camera once the PTZ lock allowed a command (R-DIS-2, docs/design/duty.md "PTZ
// lock"). Only called after checkPtz said yes: a refused command never reaches here. ONVIF
// cameras (network config names an ONVIF device service) get ContinuousMove / Stop / GotoPreset /
// SetPreset / RemovePreset on
// their first media profile; GB/T 28181 channels (source gb28181) get the same command encoded as
// a PTZCmd in a DeviceControl to the lower platform that owns the channel, whose own lock decides
// again. Other cameras (plain RTSP) cannot be moved: answered `forwarded: false` with the reason.
import type { Logger } from 'pino';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { PtzCommand } from '../gb28181/index.ts';
import { decodePtz, encodePtz } from '../gb28181/index.ts';
import { OnvifClient } from '../onvif/client.ts';
import type { PtzPreset, PtzVelocity } from '../onvif/client.ts';
import { openNetwork } from '../org/network-config.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { LensCommand } from './ptz-lock.ts';

export interface PtzForwardDeps {
  box: SecretBox;
  log?: Logger;
  /** GB/T 28181 DeviceControl PTZCmd to the lower owning `channelId`; its Result ('OK', 'ERROR'). Absent: no cascade here. */
  gbPtz?: (channelId: string, ptzCmd: string) => Promise<string>;
}

export interface PtzForwardResult {
  forwarded: boolean;
  via: 'onvif' | 'gb28181' | null;
  /** Chinese reason when not forwarded (no PTZ on this camera, device error). */
  error?: string;
}

/** ONVIF velocity of a GB-style move: speeds 0…255 (zoom 0…15) to the generic −1…1 space (tilt up positive). */
export function onvifVelocity(cmd: Extract<PtzCommand, { kind: 'ptz' }>): PtzVelocity {
  const sp = (s: number, max: number) => Math.max(0.05, Math.min(1, s / max));
  return {
    pan: cmd.pan === 'left' ? -sp(cmd.panSpeed, 255) : cmd.pan === 'right' ? sp(cmd.panSpeed, 255) : 0,
    tilt: cmd.tilt === 'up' ? sp(cmd.tiltSpeed, 255) : cmd.tilt === 'down' ? -sp(cmd.tiltSpeed, 255) : 0,
    zoom: cmd.zoom === 'in' ? sp(cmd.zoomSpeed, 15) : cmd.zoom === 'out' ? -sp(cmd.zoomSpeed, 15) : 0,
  };
}

export class PtzForwarder {
  /** One client per camera and device address: it keeps the PTZ service address and the device's clock offset. */
  private readonly clients = new Map<string, { client: OnvifClient; profile?: string }>();

  constructor(private readonly d: PtzForwardDeps) {}

  /** `presetName`: the name an ONVIF SetPreset stores (default 预置位N; GB PTZCmd carries no name). */
  async forward(camera: CameraRow, command: PtzCommand | LensCommand | string, presetName?: string): Promise<PtzForwardResult> {
    let cmd: PtzCommand | LensCommand;
    try {
      cmd = typeof command === 'string' ? decodePtz(command) : command;
    } catch {
      return { forwarded: false, via: null, error: '云台指令无法识别 (undecodable PTZ command)' };
    }
    const res = await this.send(camera, cmd, presetName);
    const line = { cameraId: camera.id, camera: camera.name, ptz: cmd, ...res };
    if (res.forwarded) this.d.log?.info(line, 'PTZ command sent to the camera');
    else this.d.log?.warn(line, 'PTZ command not sent to the camera');
    return res;
  }

  private async send(camera: CameraRow, cmd: PtzCommand | LensCommand, presetName?: string): Promise<PtzForwardResult> {
    if (camera.source_kind === 'gb28181') {
      const channel = /^(?:gb28181:\/\/)?(\d{20})$/.exec(camera.main_stream.trim())?.[1];
      if (!channel || !this.d.gbPtz) return { forwarded: false, via: 'gb28181', error: '本节点未配置国标级联，无法控制该国标设备云台 (no GB/T 28181 cascade for this channel)' };
      if (cmd.kind === 'lens') return { forwarded: false, via: 'gb28181', error: '该镜头指令不支持转发 (lens command not forwarded)' };
      const result = await this.d.gbPtz(channel, encodePtz(cmd));
      return result === 'OK' ? { forwarded: true, via: 'gb28181' } : { forwarded: false, via: 'gb28181', error: `国标设备拒绝或未应答云台指令 (device answered ${result})` };
    }
    const found = this.clientOf(camera);
    if (!found) return { forwarded: false, via: null, error: '该摄像机未配置 ONVIF 地址，无法控制云台 (no ONVIF address: PTZ not possible)' };
    const { key, entry } = found;
    try {
      entry.profile ??= (await entry.client.getProfiles()).find((p) => p.token)?.token ?? 'Profile_1';
      const c = entry.client;
      if (cmd.kind === 'ptz') await c.continuousMove(entry.profile, onvifVelocity(cmd));
      else if (cmd.kind === 'stop') await c.ptzStop(entry.profile);
      else if (cmd.kind === 'preset' && cmd.action === 'call') await c.gotoPreset(entry.profile, String(cmd.preset));
      else if (cmd.kind === 'preset' && cmd.action === 'set') await c.setPreset(entry.profile, String(cmd.preset), presetName ?? `预置位${cmd.preset}`);
      else if (cmd.kind === 'preset' && cmd.action === 'delete') await c.removePreset(entry.profile, String(cmd.preset));
      else return { forwarded: false, via: 'onvif', error: '该云台指令暂不支持通过 ONVIF 下发 (command not supported over ONVIF)' };
      return { forwarded: true, via: 'onvif' };
    } catch (err) {
      // A later command asks again (the device may have been replaced or its clock set).
      this.clients.delete(key);
      return { forwarded: false, via: 'onvif', error: `摄像机云台未执行：${(err as Error).message}` };
    }
  }

  /** The ONVIF client of a camera whose sealed network config names a device service; undefined otherwise. */
  private clientOf(camera: CameraRow): { key: string; entry: { client: OnvifClient; profile?: string } } | undefined {
    const net = camera.network_enc ? openNetwork(this.d.box, camera.network_enc) : undefined;
    if (!net?.onvifUrl) return undefined;
    const key = `${camera.id}|${net.onvifUrl}|${net.username}`;
    let entry = this.clients.get(key);
    if (!entry) {
      entry = { client: new OnvifClient({ url: net.onvifUrl, username: net.username || undefined, password: net.password || undefined, timeoutMs: 4000 }) };
      this.clients.set(key, entry);
    }
    return { key, entry };
  }

  /**
   * The presets an ONVIF camera holds (GetPresets on its first profile), for an upper's PresetQuery
   * (issue 15). `undefined`: the camera has no ONVIF address. `error`: the camera did not answer in
   * time (4 s) or answered something malformed — the upper is told so, never given a guess.
   */
  async presets(camera: CameraRow): Promise<{ presets: PtzPreset[] } | { error: string } | undefined> {
    const found = this.clientOf(camera);
    if (!found) return undefined;
    const { key, entry } = found;
    try {
      entry.profile ??= (await entry.client.getProfiles()).find((p) => p.token)?.token ?? 'Profile_1';
      return { presets: await entry.client.getPresets(entry.profile) };
    } catch (err) {
      this.clients.delete(key);
      const error = `摄像机未给出预置位：${(err as Error).message}`;
      this.d.log?.warn({ cameraId: camera.id, camera: camera.name, error }, 'ONVIF GetPresets failed');
      return { error };
    }
  }
}
