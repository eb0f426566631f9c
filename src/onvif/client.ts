// ONVIF device-service client (GetSystemDateAndTime, SetSystemDateAndTime, GetDeviceInformation,
// and the media service's GetProfiles at the address GetCapabilities names) over HTTP SOAP with WS-UsernameToken digest. The token's Created time follows the device's own
// clock (learnt from GetSystemDateAndTime, which devices answer without authentication), so a
// camera whose clock is far off still accepts the request that sets it. Pure protocol code.
import { continuousMoveBody, envelope, getPresetsBody, gotoPresetBody, NS, ptzStopBody, removePresetBody, setDateTimeBody, setPresetBody, streamUriBody } from './soap.ts';
import type { PtzVelocity } from './soap.ts';
import { MAX_RESPONSE_BYTES, OnvifError, parseDeviceInformation, parseEmptyResponse, parseMediaXAddr, parsePresets, parseProfiles, parsePtzXAddr, parseSetSystemDateAndTime, parseStreamUri, parseSystemDateAndTime } from './parse.ts';
import type { DeviceDateTime, DeviceInformation, MediaProfile, PtzPreset } from './parse.ts';

export interface OnvifClientOptions {
  /** Device service URL, e.g. http://10.0.0.9/onvif/device_service. */
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
  nowMs?: () => number;
}

export interface ClockReading extends DeviceDateTime {
  /** Device UTC − local clock, ms (at the midpoint of the request; ±0.5 s from the device's whole seconds plus half the round trip). */
  offsetMs: number;
  roundTripMs: number;
}

export class OnvifClient {
  private deviceOffsetMs = 0;
  private mediaUrl: string | undefined;
  private ptzUrl: string | undefined;
  private readonly now: () => number;

  constructor(private readonly o: OnvifClientOptions) {
    this.now = o.nowMs ?? Date.now;
  }

  private async call(body: string, action: string, auth: boolean, service: { url: string; ns: string } = { url: this.o.url, ns: 'http://www.onvif.org/ver10/device/wsdl' }): Promise<string> {
    const creds = auth && this.o.username ? { username: this.o.username, password: this.o.password ?? '', createdMs: this.now() + this.deviceOffsetMs } : undefined;
    let res: Response;
    try {
      res = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': `application/soap+xml; charset=utf-8; action="${service.ns}/${action}"` },
        body: envelope(body, creds),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new OnvifError(`ONVIF ${action} 超时 (timed out)`, 'timeout');
      throw new OnvifError(`ONVIF 无法连接: ${(e.cause as Error | undefined)?.message ?? e.message}`, 'network');
    }
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_RESPONSE_BYTES) throw new OnvifError(`应答过大 (${len} bytes)`, 'parse');
    const xml = await res.text();
    // A SOAP fault comes with 400/500: let the parser name it; other errors are HTTP errors.
    if (!res.ok && !xml.includes('Fault')) throw new OnvifError(`ONVIF ${action} HTTP ${res.status}`, 'http');
    return xml;
  }

  async getSystemDateAndTime(): Promise<ClockReading> {
    const t0 = this.now();
    const xml = await this.call('<tds:GetSystemDateAndTime/>', 'GetSystemDateAndTime', false);
    const t1 = this.now();
    const dt = parseSystemDateAndTime(xml);
    // The device truncates to whole seconds: its clock is on average 0.5 s past what it says.
    const offsetMs = dt.utcMs + 500 - (t0 + t1) / 2;
    this.deviceOffsetMs = offsetMs;
    return { ...dt, offsetMs: Math.round(offsetMs), roundTripMs: t1 - t0 };
  }

  /** Sets the device's clock to `utcMs` (manual, China Standard Time zone). */
  async setSystemDateAndTime(utcMs: number, tz = 'CST-8'): Promise<void> {
    parseSetSystemDateAndTime(await this.call(setDateTimeBody(utcMs, tz), 'SetSystemDateAndTime', true));
    this.deviceOffsetMs = 0;
  }

  async getDeviceInformation(): Promise<DeviceInformation> {
    return parseDeviceInformation(await this.call('<tds:GetDeviceInformation/>', 'GetDeviceInformation', true));
  }

  /**
   * The media service's address (GetCapabilities, Category Media). Devices name their own (e.g.
   * Hikvision /onvif/Media); one that answers with a fault or names none is asked at the device
   * service address, which many devices also serve media requests on. Only the path of the named
   * address is used, on the host and port we reach the device at: cameras behind NAT name their
   * inner address, and a camera must not make us send requests to another host.
   */
  async getMediaUrl(): Promise<string> {
    if (this.mediaUrl) return this.mediaUrl;
    try {
      const x = parseMediaXAddr(await this.call('<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>', 'GetCapabilities', true));
      this.mediaUrl = x ? this.onDeviceHost(x) : this.o.url;
      return this.mediaUrl;
    } catch (err) {
      if (err instanceof OnvifError && err.kind === 'fault' && err.subcode !== 'NotAuthorized') return this.o.url;
      throw err;
    }
  }

  /** A service address the device names, as the path on the host and port we reach the device at (NAT; no request to another host). */
  private onDeviceHost(named: string): string {
    const u = new URL(named);
    return new URL(`${u.pathname}${u.search}`, this.o.url).href;
  }

  /** The camera's media profiles with their video encoder configurations (ONVIF Media ver10), main stream first. */
  async getProfiles(): Promise<MediaProfile[]> {
    const url = await this.getMediaUrl();
    return parseProfiles(await this.call('<trt:GetProfiles/>', 'GetProfiles', true, { url, ns: NS.trt }));
  }

  /**
   * The RTSP address of a profile (GetStreamUri, RTP unicast over RTSP). Like the service
   * addresses, a camera behind NAT names its inner host: the answer keeps its port, path and query
   * on the host we reach the device at.
   */
  async getStreamUri(profileToken: string): Promise<string> {
    const url = await this.getMediaUrl();
    const named = new URL(parseStreamUri(await this.call(streamUriBody(profileToken), 'GetStreamUri', true, { url, ns: NS.trt })));
    named.hostname = new URL(this.o.url).hostname;
    return named.href;
  }

  /** PTZ service address (GetCapabilities, Category PTZ); undefined for a fixed camera that names none. */
  async getPtzUrl(): Promise<string | undefined> {
    if (this.ptzUrl) return this.ptzUrl;
    const x = parsePtzXAddr(await this.call('<tds:GetCapabilities><tds:Category>PTZ</tds:Category></tds:GetCapabilities>', 'GetCapabilities', true));
    this.ptzUrl = x ? this.onDeviceHost(x) : undefined;
    return this.ptzUrl;
  }

  private async ptz(body: string, action: string, profileToken: string): Promise<void> {
    const url = await this.getPtzUrl();
    if (!url) throw new OnvifError(`摄像机无云台服务 (no PTZ service) for ${profileToken}`, 'fault', 'ActionNotSupported');
    parseEmptyResponse(await this.call(body, action, true, { url, ns: NS.tptz }), `${action}Response`);
  }

  /** Starts moving at the given velocities (−1…1 each) until `ptzStop`. */
  continuousMove(profileToken: string, v: PtzVelocity): Promise<void> {
    return this.ptz(continuousMoveBody(profileToken, v), 'ContinuousMove', profileToken);
  }

  ptzStop(profileToken: string): Promise<void> {
    return this.ptz(ptzStopBody(profileToken), 'Stop', profileToken);
  }

  gotoPreset(profileToken: string, presetToken: string): Promise<void> {
    return this.ptz(gotoPresetBody(profileToken, presetToken), 'GotoPreset', profileToken);
  }

  /** Stores the current position under `presetToken` (overwriting it), named `presetName`. */
  setPreset(profileToken: string, presetToken: string, presetName: string): Promise<void> {
    return this.ptz(setPresetBody(profileToken, presetToken, presetName), 'SetPreset', profileToken);
  }

  removePreset(profileToken: string, presetToken: string): Promise<void> {
    return this.ptz(removePresetBody(profileToken, presetToken), 'RemovePreset', profileToken);
  }

  /** The presets the camera holds for a profile (GetPresets); a malformed answer throws OnvifError 'parse'. */
  async getPresets(profileToken: string): Promise<PtzPreset[]> {
    const url = await this.getPtzUrl();
    if (!url) throw new OnvifError(`摄像机无云台服务 (no PTZ service) for ${profileToken}`, 'fault', 'ActionNotSupported');
    return parsePresets(await this.call(getPresetsBody(profileToken), 'GetPresets', true, { url, ns: NS.tptz }));
  }
}

export { OnvifError } from './parse.ts';
export type { DeviceDateTime, DeviceInformation, MediaProfile, PtzPreset } from './parse.ts';
export type { PtzVelocity } from './soap.ts';
