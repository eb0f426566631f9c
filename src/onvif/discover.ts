// Adding a camera by address + user + password alone (issue 17): the ONVIF device service is
// asked for its facts, its media profiles (tokens, encoder configurations) and each profile's
// RTSP address, so nobody types stream paths. Pure protocol code.
import { OnvifClient, OnvifError } from './client.ts';
import type { DeviceInformation, MediaProfile } from './parse.ts';

export interface DiscoveredProfile extends MediaProfile {
  token: string;
  /** rtsp://host:port/path from GetStreamUri, on the host we reach the device at. */
  streamUri: string;
}

export interface DiscoveredCamera {
  /** The device service URL that answered (stored as the camera's ONVIF URL). */
  deviceUrl: string;
  facts?: DeviceInformation;
  /** Video profiles in the device's order, main stream first, each with its RTSP address. */
  profiles: DiscoveredProfile[];
}

/**
 * The device service URL of an address as a person types it: `10.0.0.9`, `10.0.0.9:8080`, or a
 * full `http(s)://…` URL (kept as is). A bare host gets the path every ONVIF device serves,
 * /onvif/device_service (ONVIF Core, "Device management").
 */
export function deviceServiceUrl(address: string): string {
  const a = address.trim();
  if (/^https?:\/\//i.test(a)) return new URL(a).href;
  if (!/^[\w.-]{1,253}(:\d{1,5})?$/.test(a) && !/^\[[0-9a-f:]{2,39}\](:\d{1,5})?$/i.test(a)) throw new OnvifError(`地址无效 (address must be host, host:port or an http URL): ${a.slice(0, 60)}`, 'parse');
  return new URL(`http://${a}/onvif/device_service`).href;
}

/** Asks the device everything needed to add it; at most `maxProfiles` stream addresses are asked (default 2: main and sub). */
export async function discoverCamera(address: string, username: string, password: string, opts: { timeoutMs?: number; maxProfiles?: number } = {}): Promise<DiscoveredCamera> {
  const url = deviceServiceUrl(address);
  const c = new OnvifClient({ url, username, password, timeoutMs: opts.timeoutMs ?? 5000 });
  // The clock first: the digest token's Created must follow the camera's clock.
  await c.getSystemDateAndTime();
  const facts = await c.getDeviceInformation().catch((err: unknown) => {
    if (err instanceof OnvifError && err.subcode === 'NotAuthorized') throw err;
    return undefined; // facts are nice to have; profiles are what adding needs
  });
  const profiles = (await c.getProfiles()).filter((p): p is MediaProfile & { token: string } => p.token !== undefined).slice(0, opts.maxProfiles ?? 2);
  if (profiles.length === 0) throw new OnvifError('摄像机未给出带视频的媒体配置 (no video profile with a token)', 'parse');
  const out: DiscoveredProfile[] = [];
  for (const p of profiles) out.push({ ...p, streamUri: await c.getStreamUri(p.token) });
  return { deviceUrl: url, facts, profiles: out };
}
