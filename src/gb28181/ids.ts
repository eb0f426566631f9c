// GB/T 28181 identifiers. Device/channel IDs (Annex D) are 20 digits:
//   1-8 centre code (province 2, city 2, county 2, unit 2) | 9-10 industry | 11-13 type | 14 network | 15-20 serial
// SSRC (Annex F, SDP y= field) is 10 decimal digits: 1 live(0)/history(1) | 2-6 digits 4-8 of the
// SIP domain ID | 7-10 serial. The same number is the RTP SSRC of the stream.

export class GbIdError extends Error {
  override readonly name = 'GbIdError';
}

/** Type codes (digits 11-13) that GB/T 28181-2016 Table D.1 defines and this system meets. */
export const DEVICE_TYPES: Record<string, string> = {
  '111': 'dvr', '112': 'video-server', '113': 'encoder', '114': 'decoder', '115': 'video-matrix', '116': 'audio-matrix',
  '117': 'alarm-controller', '118': 'nvr', '130': 'hvr', '131': 'camera', '132': 'ipc', '133': 'display',
  '134': 'alarm-input', '135': 'alarm-output', '136': 'audio-input', '137': 'audio-output', '138': 'mobile-transmitter',
  '139': 'peripheral', '200': 'sip-server', '201': 'web-server', '202': 'media-server', '203': 'proxy-server',
  '204': 'security-server', '205': 'alarm-server', '206': 'database-server', '207': 'gis-server', '208': 'management-server',
  '209': 'gateway', '210': 'media-storage', '211': 'security-gateway', '215': 'business-group', '216': 'virtual-organisation',
  '300': 'centre-user', '400': 'terminal-user',
};

export interface DeviceIdParts {
  centreCode: string;
  industryCode: string;
  typeCode: string;
  /** Known type name from DEVICE_TYPES, or undefined for unassigned codes. */
  type?: string;
  networkCode: string;
  serial: string;
}

export function isDeviceId(id: string): boolean {
  return /^\d{20}$/.test(id);
}

export function parseDeviceId(id: string): DeviceIdParts {
  if (!isDeviceId(id)) throw new GbIdError('device ID must be 20 digits');
  const typeCode = id.slice(10, 13);
  const parts: DeviceIdParts = {
    centreCode: id.slice(0, 8), industryCode: id.slice(8, 10), typeCode, networkCode: id.slice(13, 14), serial: id.slice(14, 20),
  };
  const type = DEVICE_TYPES[typeCode];
  if (type !== undefined) parts.type = type;
  return parts;
}

export function buildDeviceId(p: { centreCode: string; industryCode?: string; typeCode: string; networkCode?: string; serial: number | string }): string {
  const serial = String(p.serial).padStart(6, '0');
  const id = `${p.centreCode}${p.industryCode ?? '00'}${p.typeCode}${p.networkCode ?? '0'}${serial}`;
  if (!isDeviceId(id)) throw new GbIdError('parts do not make a 20-digit device ID');
  return id;
}

/** Cameras and channels the platform can play (131/132) — NVR/DVR channels are reported as these. */
export function isVideoChannelId(id: string): boolean {
  return isDeviceId(id) && (id.slice(10, 13) === '131' || id.slice(10, 13) === '132');
}

export interface Ssrc {
  playback: boolean;
  /** Five digits taken from the SIP domain ID. */
  domainDigits: string;
  serial: number;
  /** 10-digit y= value. */
  text: string;
  /** Numeric value used as the RTP SSRC. */
  value: number;
}

/** Builds the y= SSRC from the SIP domain ID (10- or 20-digit) and a serial 0..9999. */
export function buildSsrc(opts: { playback: boolean; domainId: string; serial: number }): Ssrc {
  if (!/^\d{10}(\d{10})?$/.test(opts.domainId)) throw new GbIdError('SIP domain ID must be 10 or 20 digits');
  if (!Number.isInteger(opts.serial) || opts.serial < 0 || opts.serial > 9999) throw new GbIdError('SSRC serial must be 0..9999');
  const text = `${opts.playback ? 1 : 0}${opts.domainId.slice(3, 8)}${String(opts.serial).padStart(4, '0')}`;
  return parseSsrc(text);
}

export function parseSsrc(text: string): Ssrc {
  if (!/^[01]\d{9}$/.test(text)) throw new GbIdError('SSRC must be 10 digits starting with 0 or 1');
  return { playback: text[0] === '1', domainDigits: text.slice(1, 6), serial: Number(text.slice(6)), text, value: Number(text) };
}
