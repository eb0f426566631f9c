// Server-side parsing of the RTSP Transport request header (RFC 2326 §12.39): unlike a client, a
// server must look at every comma-separated alternative and recognise multicast requests.

export interface TransportSpec {
  /** The transport token as the client sent it (echoed back), e.g. 'RTP/AVP/TCP' or 'RTP/AVP'. */
  protocol: string;
  tcp: boolean;
  multicast: boolean;
  interleaved?: [number, number];
  clientPort?: [number, number];
}

function range(v: string | undefined): [number, number] | undefined {
  if (!v) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a + 1;
  return [a, b];
}

/** Parses the first acceptable transport of a Transport header (alternatives separated by ','). */
export function parseTransports(header: string): TransportSpec[] {
  const out: TransportSpec[] = [];
  for (const alt of header.split(',')) {
    const parts = alt.trim().split(';').map((p) => p.trim());
    const protocol = parts[0];
    if (!/^RTP\/AVP(\/(TCP|UDP))?$/i.test(protocol)) continue;
    const params = new Map<string, string>();
    for (const p of parts.slice(1)) {
      const i = p.indexOf('=');
      params.set((i < 0 ? p : p.slice(0, i)).toLowerCase(), i < 0 ? '' : p.slice(i + 1));
    }
    const spec: TransportSpec = {
      protocol,
      tcp: /\/TCP$/i.test(protocol),
      multicast: params.has('multicast'),
    };
    const il = range(params.get('interleaved'));
    if (il) spec.interleaved = il;
    const cp = range(params.get('client_port'));
    if (cp) spec.clientPort = cp;
    out.push(spec);
  }
  return out;
}
