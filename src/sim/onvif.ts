// ONVIF device service of the simulated cameras (issue 17, R-PRE-6): GetSystemDateAndTime (no
// authentication, as real devices), SetSystemDateAndTime and GetDeviceInformation (WS-UsernameToken
// PasswordDigest, Created within ±5 min of the camera's own clock, nonces not reused). The camera's
// clock is the simulator's clock offset, so setting it here also moves its RTCP sender reports.
// GetCapabilities names the media service, whose GetProfiles gives the encoder configurations of
// the camera's streams (what make-clips.sh encoded, unless a test states otherwise), GetStreamUri
// their RTSP addresses (on the camera's inner NAT address, as a real camera would), and the PTZ
// service ContinuousMove / Stop / GotoPreset / SetPreset / RemovePreset, whose state a test reads (`ptz(id)`).
//   POST http://host:port/onvif/<cameraId>/device_service
//   POST http://host:port/onvif/<cameraId>/media_service
//   POST http://host:port/onvif/<cameraId>/ptz_service
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { NS, passwordDigest } from '../onvif/soap.ts';
import type { MediaProfile } from '../onvif/parse.ts';
import type { Simulator } from './simulator.ts';

export interface OnvifSimOptions {
  port?: number;
  host?: string;
  /** Credentials the cameras require for authenticated operations (none: everything is open). */
  auth?: { username: string; password: string };
  now?: () => number;
}

export interface OnvifSim {
  readonly port: number;
  /** Device service URL of a camera. */
  url(cameraId: string): string;
  /** A camera that refuses SetSystemDateAndTime (a locked or NTP-managed device). */
  refuseTimeSet(cameraId: string, refuse: boolean): void;
  /** What GetProfiles states for a camera from now on (a camera configured unlike what it sends); undefined = the clips' own. */
  setProfiles(cameraId: string, profiles: MediaProfile[] | undefined): void;
  /**
   * What GetDeviceInformationResponse contains for a camera from now on (its inner XML, e.g. a
   * replacement device's other serial, or a malformed answer); undefined = the simulator's own.
   */
  setDeviceInformation(cameraId: string, innerXml: string | undefined): void;
  /** The camera's PTZ state: last velocity (0 when stopped), last preset gone to, profile token used. */
  ptz(cameraId: string): SimPtzState;
  /** Requests answered, per operation (tests check a camera is not asked again and again). */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

export interface SimPtzState {
  moving: boolean;
  pan: number;
  tilt: number;
  zoom: number;
  preset?: string;
  profileToken?: string;
  /** Presets stored by SetPreset and not removed: token → name. */
  stored?: Record<string, string>;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, processEntities: false });
const envelope = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}" xmlns:tptz="${NS.tptz}" xmlns:tt="${NS.tt}"><s:Body>${body}</s:Body></s:Envelope>`;
const fault = (sub: string, reason: string) => envelope(`<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:${sub}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason></s:Fault>`);

function dateTimeXml(ms: number): string {
  const d = new Date(ms);
  return `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>`;
}

/** The streams of scripts/make-clips.sh (assets/clips/clips.json): main 720p H.264 2 Mbit/s, sub 360p 512 kbit/s, GOP 50 at 25 fps. */
export const CLIP_PROFILES: readonly MediaProfile[] = [
  { name: 'mainStream', encoding: 'H264', width: 1280, height: 720, fps: 25, bitrateKbps: 2000, govLength: 50 },
  { name: 'subStream', encoding: 'H264', width: 640, height: 360, fps: 25, bitrateKbps: 512, govLength: 50 },
];

function profilesXml(ps: readonly MediaProfile[]): string {
  return ps
    .map((p, i) => {
      const gov = p.govLength === undefined ? '' : `<tt:${p.encoding === 'H265' ? 'H265' : 'H264'}><tt:GovLength>${p.govLength}</tt:GovLength></tt:${p.encoding === 'H265' ? 'H265' : 'H264'}>`;
      return `<trt:Profiles token="Profile_${i + 1}" fixed="true"><tt:Name>${p.name}</tt:Name><tt:VideoEncoderConfiguration token="VEC_${i + 1}"><tt:Name>VEC_${i + 1}</tt:Name><tt:Encoding>${p.encoding}</tt:Encoding><tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution><tt:Quality>4</tt:Quality><tt:RateControl><tt:FrameRateLimit>${p.fps ?? 25}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>${p.bitrateKbps ?? 0}</tt:BitrateLimit></tt:RateControl>${gov}</tt:VideoEncoderConfiguration></trt:Profiles>`;
    })
    .join('');
}

type Node = Record<string, unknown>;
const o = (v: unknown) => (v && typeof v === 'object' ? (v as Node) : {});
const s = (v: unknown) => (typeof v === 'string' ? v : typeof o(v)['#text'] === 'string' ? (o(v)['#text'] as string) : '');

export async function startOnvifSim(sim: Simulator, opts: OnvifSimOptions = {}): Promise<OnvifSim> {
  const now = opts.now ?? Date.now;
  const refusing = new Set<string>();
  const seenNonces = new Set<string>();
  const calls = new Map<string, number>();
  const profiles = new Map<string, MediaProfile[]>();
  const deviceInfo = new Map<string, string>();
  const ptzState = new Map<string, SimPtzState>();
  const ptzOf = (id: string): SimPtzState => ptzState.get(id) ?? { moving: false, pan: 0, tilt: 0, zoom: 0 };
  const host = opts.host ?? '127.0.0.1';

  const authorized = (header: Node, cameraNowMs: number): boolean => {
    if (!opts.auth) return true;
    const tok = o(o(header.Security).UsernameToken);
    const created = s(tok.Created);
    const nonce = s(tok.Nonce);
    const createdMs = Date.parse(created);
    if (s(tok.Username) !== opts.auth.username || !nonce || !Number.isFinite(createdMs)) return false;
    if (Math.abs(createdMs - cameraNowMs) > 5 * 60_000 || seenNonces.has(nonce)) return false;
    if (passwordDigest(Buffer.from(nonce, 'base64'), created, opts.auth.password) !== s(tok.Password)) return false;
    seenNonces.add(nonce);
    if (seenNonces.size > 10_000) seenNonces.clear();
    return true;
  };

  const answer = (cameraId: string, service: string, xml: string): { status: number; body: string } => {
    const stats = sim.stats(cameraId);
    if (!stats) return { status: 404, body: fault('NoSuchDevice', 'unknown camera') };
    let env: Node;
    try {
      env = o(o(parser.parse(xml)).Envelope);
    } catch {
      return { status: 400, body: fault('WellFormed', 'not XML') };
    }
    const body = o(env.Body);
    const op = Object.keys(body)[0] ?? '';
    calls.set(op, (calls.get(op) ?? 0) + 1);
    const cameraNow = now() + stats.clockOffsetMs;
    if (op === 'GetSystemDateAndTime') {
      return { status: 200, body: envelope(`<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone><tt:UTCDateTime>${dateTimeXml(cameraNow)}</tt:UTCDateTime><tt:LocalDateTime>${dateTimeXml(cameraNow + 8 * 3_600_000)}</tt:LocalDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`) };
    }
    const ops = service === 'media_service' ? ['GetProfiles', 'GetStreamUri'] : service === 'ptz_service' ? ['ContinuousMove', 'Stop', 'GotoPreset', 'SetPreset', 'RemovePreset', 'GetPresets'] : ['SetSystemDateAndTime', 'GetDeviceInformation', 'GetCapabilities'];
    if (!ops.includes(op)) return { status: 400, body: fault('ActionNotSupported', `${op} not supported`) };
    if (!authorized(o(env.Header), cameraNow)) return { status: 400, body: fault('NotAuthorized', 'Sender not Authorized') };
    if (op === 'GetCapabilities') {
      // The address a camera behind NAT would name: its own inner one (the client keeps only the path).
      const inner = `http://192.168.1.64/onvif/${encodeURIComponent(cameraId)}`;
      return { status: 200, body: envelope(`<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>${inner}/media_service</tt:XAddr></tt:Media><tt:PTZ><tt:XAddr>${inner}/ptz_service</tt:XAddr></tt:PTZ></tds:Capabilities></tds:GetCapabilitiesResponse>`) };
    }
    if (op === 'GetStreamUri') {
      const token = s(o(body.GetStreamUri).ProfileToken);
      const n = (profiles.get(cameraId) ?? CLIP_PROFILES).length;
      const i = /^Profile_(\d+)$/.exec(token);
      if (!i || Number(i[1]) < 1 || Number(i[1]) > n) return { status: 400, body: fault('NoProfile', `no profile ${token.slice(0, 40)}`) };
      // The camera names its inner address; the simulator's RTSP port (what a port forward keeps).
      return { status: 200, body: envelope(`<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://192.168.1.64:${sim.port}/cam/${encodeURIComponent(cameraId)}/${i[1] === '1' ? 'main' : 'sub'}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`) };
    }
    if (service === 'ptz_service') {
      const req = o(body[op]);
      const token = s(req.ProfileToken);
      const cur = ptzOf(cameraId);
      const num = (v: unknown) => Number(s(o(v)['@_x'] ?? '0'));
      if (op === 'GetPresets') {
        // What SetPreset stored, in slot order, as a camera lists them (names as the request wrote them: still XML-escaped, the parser keeps entities).
        const items = Object.entries(cur.stored ?? {}).sort(([a], [b]) => Number(a) - Number(b));
        return { status: 200, body: envelope(`<tptz:GetPresetsResponse>${items.map(([t, n]) => `<tptz:Preset token="${t}"><tt:Name>${n}</tt:Name></tptz:Preset>`).join('')}</tptz:GetPresetsResponse>`) };
      }
      if (op === 'ContinuousMove') {
        const vel = o(req.Velocity);
        const pan = num(vel.PanTilt);
        const tilt = Number(s(o(vel.PanTilt)['@_y'] ?? '0'));
        const zoom = num(vel.Zoom);
        if (![pan, tilt, zoom].every((x) => Number.isFinite(x) && Math.abs(x) <= 1)) return { status: 400, body: fault('InvalidVelocity', 'velocity out of range') };
        ptzState.set(cameraId, { ...cur, moving: pan !== 0 || tilt !== 0 || zoom !== 0, pan, tilt, zoom, profileToken: token });
      } else if (op === 'Stop') {
        ptzState.set(cameraId, { ...cur, moving: false, pan: 0, tilt: 0, zoom: 0, profileToken: token });
      } else if (op === 'SetPreset' || op === 'RemovePreset') {
        // Presets are numbered slots, as on most cameras: a token 1…255 is stored or removed.
        const preset = s(req.PresetToken);
        if (!/^\d{1,3}$/.test(preset) || Number(preset) < 1 || Number(preset) > 255) return { status: 400, body: fault('NoToken', `no preset ${preset.slice(0, 40)}`) };
        const stored = { ...cur.stored };
        if (op === 'SetPreset') stored[preset] = s(req.PresetName);
        else delete stored[preset];
        ptzState.set(cameraId, { ...cur, stored, profileToken: token });
        if (op === 'SetPreset') return { status: 200, body: envelope(`<tptz:SetPresetResponse><tptz:PresetToken>${preset}</tptz:PresetToken></tptz:SetPresetResponse>`) };
      } else {
        const preset = s(req.PresetToken);
        if (!/^\d{1,3}$/.test(preset)) return { status: 400, body: fault('NoToken', `no preset ${preset.slice(0, 40)}`) };
        ptzState.set(cameraId, { ...cur, moving: false, pan: 0, tilt: 0, zoom: 0, preset, profileToken: token });
      }
      return { status: 200, body: envelope(`<tptz:${op}Response/>`) };
    }
    if (op === 'GetProfiles') return { status: 200, body: envelope(`<trt:GetProfilesResponse>${profilesXml(profiles.get(cameraId) ?? CLIP_PROFILES)}</trt:GetProfilesResponse>`) };
    if (op === 'GetDeviceInformation') {
      const inner = deviceInfo.get(cameraId) ?? `<tds:Manufacturer>XUNCHA-SIM</tds:Manufacturer><tds:Model>SIM-IPC-2T</tds:Model><tds:FirmwareVersion>V5.7.3 build 250101</tds:FirmwareVersion><tds:SerialNumber>${cameraId}</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId>`;
      return { status: 200, body: envelope(`<tds:GetDeviceInformationResponse>${inner}</tds:GetDeviceInformationResponse>`) };
    }
    if (refusing.has(cameraId)) return { status: 400, body: fault('OperationProhibited', 'time is managed by the device') };
    const set = o(body.SetSystemDateAndTime);
    const utc = o(set.UTCDateTime);
    const d = o(utc.Date);
    const t = o(utc.Time);
    const ms = Date.UTC(Number(s(d.Year)), Number(s(d.Month)) - 1, Number(s(d.Day)), Number(s(t.Hour)), Number(s(t.Minute)), Number(s(t.Second)));
    if (s(set.DateTimeType) === 'Manual' && !Number.isFinite(ms)) return { status: 400, body: fault('InvalidDateTime', 'bad date') };
    if (Number.isFinite(ms)) sim.fault(cameraId, { type: 'clock', offsetMs: ms - now() });
    return { status: 200, body: envelope('<tds:SetSystemDateAndTimeResponse/>') };
  };

  const server = createServer((req, res) => {
    const m = /^\/onvif\/([^/]+)\/(device_service|media_service|ptz_service)$/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const a = !m || req.method !== 'POST' ? { status: 404, body: fault('NotFound', 'no such service') } : size > 64 * 1024 ? { status: 413, body: fault('TooLarge', 'request too large') } : answer(decodeURIComponent(m[1]), m[2], Buffer.concat(chunks).toString('utf8'));
      res.writeHead(a.status, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(a.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (id) => `http://${host}:${port}/onvif/${encodeURIComponent(id)}/device_service`,
    refuseTimeSet: (id, refuse) => void (refuse ? refusing.add(id) : refusing.delete(id)),
    setProfiles: (id, ps) => void (ps ? profiles.set(id, ps) : profiles.delete(id)),
    setDeviceInformation: (id, xml) => void (xml === undefined ? deviceInfo.delete(id) : deviceInfo.set(id, xml)),
    ptz: (id) => ({ ...ptzOf(id) }),
    calls,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
