// A camera added twice (R-DIS-2, issue 18 item 5: "no path … a camera added twice can move a locked
// camera"): two camera rows that reach the same device stream are the same camera, so a PTZ lock on
// one locks the other. Identity is the stream a row is pulled from — the RTSP URL without its
// credentials (host lower-cased, default port 554), or the GB/T 28181 channel id — read after
// decrypting the row's network config (sealed at rest, R-SEC-6), so it cannot be a SQL match.
import type { SecretBox } from '../crypto/secret-box.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { streamSpecOf } from '../recording/camera-spec.ts';
import type { Store } from '../store/db.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { repos } from '../store/repos/index.ts';

/**
 * Device keys already worked out, per row: every PTZ command and PTZ state read compares a camera
 * with all rows of the node, and opening each row's sealed config (AES-GCM + JSON) every time costs
 * milliseconds per call at a few thousand cameras. The entry is reused only while the row's inputs
 * (source kind, main stream, sealed config) are the same strings; any edit re-derives it.
 */
const keyCache = new WeakMap<SecretBox, Map<number, { inputs: string; key: string | undefined }>>();

/** The device stream a camera row is pulled from, or undefined when it has none (ONVIF-only, unset). */
export function deviceKey(camera: CameraRow, box: SecretBox): string | undefined {
  let cache = keyCache.get(box);
  if (!cache) keyCache.set(box, (cache = new Map()));
  const inputs = `${camera.source_kind}\n${camera.main_stream}\n${camera.network_enc ?? ''}`;
  const hit = cache.get(camera.id);
  if (hit?.inputs === inputs) return hit.key;
  const key = deriveDeviceKey(camera, box);
  cache.set(camera.id, { inputs, key });
  return key;
}

function deriveDeviceKey(camera: CameraRow, box: SecretBox): string | undefined {
  let url: string | undefined;
  try {
    url = streamSpecOf(camera, box, 'main')?.url;
  } catch {
    return undefined; // a row whose network config does not open has no identity to share
  }
  if (!url) return undefined;
  if (url.startsWith('gb28181://')) return url;
  try {
    const u = new URL(url);
    return `rtsp://${u.hostname.toLowerCase()}:${u.port || '554'}${u.pathname}${u.search}`;
  } catch {
    return url.toLowerCase();
  }
}

/** Every other camera row of this node that is the same device stream as `camera`. */
export async function twinsOf(store: Store, box: SecretBox, camera: CameraRow): Promise<CameraRow[]> {
  const key = deviceKey(camera, box);
  if (!key) return [];
  const all = await repos(store.db).cameras.list(SYSTEM_ACTOR.scope);
  return all.filter((c) => c.id !== camera.id && deviceKey(c, box) === key);
}
