// ONVIF device-service client (GetSystemDateAndTime, SetSystemDateAndTime, GetDeviceInformation,
// and the media service's GetProfiles at the address GetCapabilities names) over HTTP SOAP with WS-UsernameToken digest. The token's Created time follows the device's own
// clock (learnt from GetSystemDateAndTime, which devices answer without authentication), so a
// camera whose clock is far off still accepts the request that sets it. Pure protocol code.
import { envelope, setDateTimeBody } from './soap.ts';
import { MAX_RESPONSE_BYTES, OnvifError, parseDeviceInformation, parseMediaXAddr, parseProfiles, parseSetSystemDateAndTime, parseSystemDateAndTime } from './parse.ts';
import type { DeviceDateTime, DeviceInformation, MediaProfile } from './parse.ts';

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
    try {
      const x = parseMediaXAddr(await this.call('<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>', 'GetCapabilities', true));
      if (!x) return this.o.url;
      const u = new URL(x);
      return new URL(`${u.pathname}${u.search}`, this.o.url).href;
    } catch (err) {
      if (err instanceof OnvifError && err.kind === 'fault' && err.subcode !== 'NotAuthorized') return this.o.url;
      throw err;
    }
  }

  /** The camera's media profiles with their video encoder configurations (ONVIF Media ver10), main stream first. */
  async getProfiles(): Promise<MediaProfile[]> {
    const url = await this.getMediaUrl();
    return parseProfiles(await this.call('<trt:GetProfiles/>', 'GetProfiles', true, { url, ns: 'http://www.onvif.org/ver10/media/wsdl' }));
  }
}

export { OnvifError } from './parse.ts';
export type { DeviceDateTime, DeviceInformation, MediaProfile } from './parse.ts';
