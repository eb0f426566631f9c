// RTSP URL handling. Credentials embedded in the URL are split off at once so that every URL the
// client sends, stores or reports is credential-free (R-SEC-5: credentials never logged).

export interface ParsedRtspUrl {
  /** URL without user info, as sent in requests. */
  href: string;
  host: string;
  port: number;
  username?: string;
  password?: string;
}

export class RtspUrlError extends Error {
  override readonly name = 'RtspUrlError';
}

export function parseRtspUrl(url: string): ParsedRtspUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Do not echo the input: it may contain a password.
    throw new RtspUrlError('invalid RTSP URL');
  }
  if (u.protocol !== 'rtsp:') throw new RtspUrlError(`unsupported URL scheme "${u.protocol}" (only rtsp:)`);
  if (u.hostname === '') throw new RtspUrlError('RTSP URL without host');
  const out: ParsedRtspUrl = {
    href: '',
    // WHATWG keeps IPv6 brackets in hostname; net.connect wants them off.
    host: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
    port: u.port === '' ? 554 : Number(u.port),
  };
  if (u.username !== '') out.username = safeDecode(u.username);
  if (u.password !== '') out.password = safeDecode(u.password);
  u.username = '';
  u.password = '';
  out.href = u.href;
  return out;
}

/** For log lines: the URL with any user info removed (never throws). */
export function redactRtspUrl(url: string): string {
  try {
    return parseRtspUrl(url).href;
  } catch {
    return '<invalid url>';
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
