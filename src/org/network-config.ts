// Device network configuration (host, port, user, password), sealed at rest with the node's
// secret box (R-SEC-6). One format for every writer: the console, the import, the recorder.
import type { SecretBox } from '../crypto/secret-box.ts';

export interface NetworkConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  /** ONVIF device service URL (http://host/onvif/device_service), when the camera speaks ONVIF: its clock is read and set, its facts read (issue 17). */
  onvifUrl?: string;
}

export function sealNetwork(box: SecretBox, input: Partial<NetworkConfig>): { network_enc: string | null; has_credentials: number } {
  if (!input.host && !input.username && !input.password && !input.onvifUrl) return { network_enc: null, has_credentials: 0 };
  const net: NetworkConfig = { host: input.host ?? '', port: input.port ?? 554, username: input.username ?? '', password: input.password ?? '', ...(input.onvifUrl ? { onvifUrl: input.onvifUrl } : {}) };
  return { network_enc: box.seal(JSON.stringify(net)), has_credentials: net.username || net.password ? 1 : 0 };
}

export function openNetwork(box: SecretBox, sealed: string | null): NetworkConfig | undefined {
  return sealed ? (JSON.parse(box.open(sealed)) as NetworkConfig) : undefined;
}
