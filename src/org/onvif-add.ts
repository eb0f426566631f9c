// Adding a camera by address + user + password alone (issue 17, R-ORG-2): the ONVIF device tells
// its profiles and RTSP addresses (src/onvif/discover.ts) and the camera is created with them, the
// same way as one typed in full (DeviceService.createCamera: scope, name rules, sealed network
// configuration, audit). Permission and scope are checked before the node sends anything, so a
// user cannot make the node knock on addresses for a room they do not manage.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import { discoverCamera } from '../onvif/discover.ts';
import type { DiscoveredCamera } from '../onvif/discover.ts';
import { OnvifError } from '../onvif/client.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { CameraPosition } from '../store/schema.ts';
import { AppError } from '../util/errors.ts';
import type { DeviceService } from './device-service.ts';
import type { CameraView } from './views.ts';

export interface OnvifAddInput {
  roomId: number;
  name: string;
  position: CameraPosition;
  /** host, host:port or the device service URL. */
  address: string;
  username: string;
  password: string;
}

export interface OnvifAddResult {
  camera: CameraView;
  /** What the device said, for the console to show (no secrets). */
  discovered: { deviceUrl: string; manufacturer?: string; model?: string; profiles: Array<{ token: string; name: string; encoding: string; width: number; height: number; fps?: number; bitrateKbps?: number; streamUri: string }> };
}

/** Path and query of an RTSP address: what the camera row stores (host and port are sealed apart). */
const pathOf = (u: URL) => `${u.pathname}${u.search}`;

export type OnvifDiscoverInput = Pick<OnvifAddInput, 'roomId' | 'address' | 'username' | 'password'>;
type Deps = { store: Store; audit: AuditService; devices: DeviceService; discover?: typeof discoverCamera };

/** A stream URI as shown: without any user:password the device put in it. */
const shownUri = (u: string) => {
  try {
    const url = new URL(u);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return u;
  }
};

/**
 * Asks the device what it has without creating anything (the console's 发现 step). Same permission
 * and scope as adding: the node knocks on an address only for a room the caller manages.
 */
export async function discoverOnvif(deps: Deps, actor: Actor, input: OnvifDiscoverInput): Promise<OnvifAddResult['discovered']> {
  return view(await discover(deps, actor, input, input.address));
}

async function discover(deps: Deps, actor: Actor, input: OnvifDiscoverInput, objectId: string): Promise<DiscoveredCamera> {
  await requirePermission(deps.audit, actor, 'org.write', 'camera.create', 'camera', objectId);
  if (!(await repos(deps.store.db).rooms.get(actor.scope, input.roomId))) await denyOutOfScope(deps.audit, actor, 'camera.create', 'room', input.roomId);
  try {
    return await (deps.discover ?? discoverCamera)(input.address, input.username, input.password);
  } catch (err) {
    if (err instanceof OnvifError) throw new AppError('invalid_input', `ONVIF 发现失败 (discovery failed): ${err.message}`, { field: 'address', kind: err.kind, subcode: err.subcode });
    throw err;
  }
}

function view(found: DiscoveredCamera): OnvifAddResult['discovered'] {
  return {
    deviceUrl: found.deviceUrl,
    manufacturer: found.facts?.manufacturer,
    model: found.facts?.model,
    profiles: found.profiles.map(({ token, name, encoding, width, height, fps, bitrateKbps, streamUri }) => ({ token, name, encoding, width, height, fps, bitrateKbps, streamUri: shownUri(streamUri) })),
  };
}

export async function addCameraByOnvif(deps: Deps, actor: Actor, input: OnvifAddInput): Promise<OnvifAddResult> {
  const found = await discover(deps, actor, input, input.name);
  const main = new URL(found.profiles[0].streamUri);
  const sub = new URL((found.profiles[1] ?? found.profiles[0]).streamUri);
  const camera = await deps.devices.createCamera(actor, {
    roomId: input.roomId,
    name: input.name,
    position: input.position,
    sourceKind: 'rtsp',
    mainStream: pathOf(main),
    subStream: pathOf(sub),
    host: main.hostname,
    port: main.port ? Number(main.port) : 554,
    username: input.username,
    password: input.password,
    onvifUrl: found.deviceUrl,
  });
  return { camera, discovered: view(found) };
}
