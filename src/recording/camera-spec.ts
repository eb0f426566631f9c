// Turns a camera row into what the ingest layer needs. Credentials are decrypted only here, in
// memory, for the connection; they are never logged.
import type { SecretBox } from '../crypto/secret-box.ts';
import type { StreamSpec } from '../ingest/source.ts';
import type { NetworkConfig } from '../org/network-config.ts';
import { openNetwork } from '../org/network-config.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';

export function streamSpecOf(cam: CameraRow, box: SecretBox, stream: 'main' | 'sub' = 'main'): StreamSpec | undefined {
  if (cam.source_kind !== 'rtsp') return undefined; // ONVIF discovery and GB/T 28181 devices come through their own openers
  const net: Partial<NetworkConfig> = openNetwork(box, cam.network_enc) ?? {};
  const path = stream === 'main' ? cam.main_stream : cam.sub_stream;
  let url: string;
  if (/^rtsp:\/\//i.test(path)) url = path;
  else if (net.host) url = `rtsp://${net.host}:${net.port || 554}${path.startsWith('/') ? '' : '/'}${path}`;
  else return undefined;
  return { cameraId: cam.id, stream, url, username: net.username || undefined, password: net.password || undefined };
}
