// ONVIF SOAP 1.2 envelopes with WS-Security UsernameToken (PasswordDigest), as Hikvision, Dahua
// and every ONVIF Profile S device accept them. Pure protocol code: no application imports.
//   PasswordDigest = Base64( SHA-1( nonce bytes + Created + password ) )
import { createHash, randomBytes } from 'node:crypto';

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  digestType: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest',
  base64: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary',
} as const;

export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest('base64');
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

export interface Credentials {
  username: string;
  password: string;
  /** The Created instant, ms since the epoch: the device's clock when known (devices reject tokens far from their own time). */
  createdMs: number;
  /** Fixed nonce for tests; random otherwise. */
  nonce?: Buffer;
}

export function securityHeader(c: Credentials): string {
  const nonce = c.nonce ?? randomBytes(16);
  const created = new Date(Math.floor(c.createdMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return (
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><wsse:UsernameToken>` +
    `<wsse:Username>${xmlEscape(c.username)}</wsse:Username>` +
    `<wsse:Password Type="${NS.digestType}">${passwordDigest(nonce, created, c.password)}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${NS.base64}">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

/** A request envelope; `body` is the operation element (tds:, trt:, tptz: and tt: prefixes are declared). */
export function envelope(body: string, creds?: Credentials): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}" xmlns:tptz="${NS.tptz}" xmlns:tt="${NS.tt}"><s:Header>${creds ? securityHeader(creds) : ''}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

/** SetSystemDateAndTime body: manual time, the instant given in UTC, time zone China Standard Time (POSIX "CST-8"). */
export function setDateTimeBody(utcMs: number, tz = 'CST-8'): string {
  const d = new Date(Math.round(utcMs / 1000) * 1000);
  return (
    `<tds:SetSystemDateAndTime><tds:DateTimeType>Manual</tds:DateTimeType><tds:DaylightSavings>false</tds:DaylightSavings>` +
    `<tds:TimeZone><tt:TZ>${xmlEscape(tz)}</tt:TZ></tds:TimeZone><tds:UTCDateTime>` +
    `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>` +
    `</tds:UTCDateTime></tds:SetSystemDateAndTime>`
  );
}

/** GetStreamUri body: RTP unicast over RTSP (TCP interleaved or UDP, the client chooses at SETUP). */
export function streamUriBody(profileToken: string): string {
  return `<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>${xmlEscape(profileToken)}</trt:ProfileToken></trt:GetStreamUri>`;
}

/** Pan/tilt/zoom velocities in the ONVIF generic space, each −1…1 (clamped). */
export interface PtzVelocity {
  pan: number;
  tilt: number;
  zoom: number;
}

const unit = (x: number) => Math.max(-1, Math.min(1, Number.isFinite(x) ? x : 0)).toFixed(3);

export function continuousMoveBody(profileToken: string, v: PtzVelocity): string {
  return `<tptz:ContinuousMove><tptz:ProfileToken>${xmlEscape(profileToken)}</tptz:ProfileToken><tptz:Velocity><tt:PanTilt x="${unit(v.pan)}" y="${unit(v.tilt)}"/><tt:Zoom x="${unit(v.zoom)}"/></tptz:Velocity></tptz:ContinuousMove>`;
}

export function ptzStopBody(profileToken: string): string {
  return `<tptz:Stop><tptz:ProfileToken>${xmlEscape(profileToken)}</tptz:ProfileToken><tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>`;
}

export function gotoPresetBody(profileToken: string, presetToken: string): string {
  return `<tptz:GotoPreset><tptz:ProfileToken>${xmlEscape(profileToken)}</tptz:ProfileToken><tptz:PresetToken>${xmlEscape(presetToken)}</tptz:PresetToken></tptz:GotoPreset>`;
}

/** Stores the current position as preset `presetToken` (ONVIF SetPreset with a token overwrites that preset). */
export function setPresetBody(profileToken: string, presetToken: string, presetName: string): string {
  return `<tptz:SetPreset><tptz:ProfileToken>${xmlEscape(profileToken)}</tptz:ProfileToken><tptz:PresetName>${xmlEscape(presetName)}</tptz:PresetName><tptz:PresetToken>${xmlEscape(presetToken)}</tptz:PresetToken></tptz:SetPreset>`;
}

export function removePresetBody(profileToken: string, presetToken: string): string {
  return `<tptz:RemovePreset><tptz:ProfileToken>${xmlEscape(profileToken)}</tptz:ProfileToken><tptz:PresetToken>${xmlEscape(presetToken)}</tptz:PresetToken></tptz:RemovePreset>`;
}

/** GetPresets: the presets the camera holds for a profile (ONVIF PTZ ver20). */
export function getPresetsBody(profileToken: string): string {
  return `<tptz:GetPresets><tptz:ProfileToken>${xmlEscape(profileToken)}</tptz:ProfileToken></tptz:GetPresets>`;
}
