// Turns a camera row into what the ingest layer needs. Credentials are decrypted only here, in
// memory, for the connection; they are never logged.
import type { SecretBox } from '../crypto/secret-box.ts';
import type { StreamSpec } from '../ingest/source.ts';
import type { NetworkConfig } from '../org/network-config.ts';
import { openNetwork } from '../org/network-config.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';

/** The 20-digit GB id of a lower platform's channel (main_stream of a 'gb28181' camera); undefined otherwise. */
export function gbChannelIdOf(cam: Pick<CameraRow, 'source_kind' | 'main_stream'>): string | undefined {
  if (cam.source_kind !== 'gb28181') return undefined;
  return /^(?:gb28181:\/\/)?(\d{20})$/.exec(cam.main_stream.trim())?.[1];
}

export function streamSpecOf(cam: CameraRow, box: SecretBox, stream: 'main' | 'sub' = 'main'): StreamSpec | undefined {
  if (cam.source_kind === 'gb28181') {
    // A lower platform's channel (docs/design/cascade.md): main_stream holds its 20-digit GB id.
    // One stream per channel (the INVITE selects none), so 'sub' is the main stream too: live
    // viewers then share the recorder's connection instead of opening a second INVITE.
    const id = gbChannelIdOf(cam);
    return id ? { cameraId: cam.id, stream: 'main', url: `gb28181://${id}` } : undefined;
  }
  if (cam.source_kind !== 'rtsp') return undefined; // ONVIF discovery comes through its own opener
  const net: Partial<NetworkConfig> = openNetwork(box, cam.network_enc) ?? {};
  const path = stream === 'main' ? cam.main_stream : cam.sub_stream;
  let url: string;
  if (/^rtsp:\/\//i.test(path)) url = path;
  else if (net.host) url = `rtsp://${net.host}:${net.port || 554}${path.startsWith('/') ? '' : '/'}${path}`;
  else return undefined;
  return { cameraId: cam.id, stream, url, username: net.username || undefined, password: net.password || undefined };
}
