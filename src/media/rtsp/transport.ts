// Parsers for the RTSP headers the client acts on: Transport (RFC 2326 §12.39), Session (§12.37)
// and Public (§12.28). All lenient: cameras vary in spacing and case.

export interface TransportInfo {
  protocol: string;
  interleaved?: [number, number];
  clientPort?: [number, number];
  serverPort?: [number, number];
  source?: string;
  ssrc?: number;
}

export function parseTransport(value: string): TransportInfo {
  // Several comma-separated specs may be offered; a server reply carries the chosen one first.
  const first = value.split(',')[0] ?? '';
  const parts = first.split(';').map((p) => p.trim());
  const info: TransportInfo = { protocol: parts[0] ?? '' };
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const val = p.slice(eq + 1).trim();
    if (key === 'interleaved') info.interleaved = parseRange(val, 255);
    else if (key === 'client_port') info.clientPort = parseRange(val, 65535);
    else if (key === 'server_port') info.serverPort = parseRange(val, 65535);
    else if (key === 'source') info.source = val;
    else if (key === 'ssrc' && /^[0-9a-f]{1,8}$/i.test(val)) info.ssrc = parseInt(val, 16);
  }
  return info;
}

/** "0-1" -> [0, 1]; "6970" -> [6970, 6971]; undefined when malformed or out of range. */
function parseRange(val: string, max: number): [number, number] | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(val);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a + 1 : Number(m[2]);
  return a <= max && b <= max ? [a, b] : undefined;
}

export interface SessionInfo {
  id: string;
  timeoutS?: number;
}

export function parseSession(value: string): SessionInfo {
  const [id, ...params] = value.split(';').map((s) => s.trim());
  const info: SessionInfo = { id: id ?? '' };
  for (const p of params) {
    const m = /^timeout\s*=\s*(\d{1,6})$/i.exec(p);
    if (m && Number(m[1]) > 0) info.timeoutS = Number(m[1]);
  }
  return info;
}

export function parsePublic(value: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const m of (value ?? '').split(',')) {
    const t = m.trim().toUpperCase();
    if (t !== '') out.add(t);
  }
  return out;
}
