// Credentials typed into a camera's stream field (`rtsp://user:pass@host/path`, as devices print
// them) are taken out of the URL on every save — console, PATCH, CSV/Excel import — and kept
// only in the sealed network configuration (issue 13 item 4, R-SEC-6): the stored and shown URL
// never carries them. Pure: no I/O; fuzzed (src/org/fuzz-targets.ts).

export interface StreamCredentials {
  /** The stream field without user information. */
  stream: string;
  username?: string;
  password?: string;
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_]+)(?::\d{0,5})?$/;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a stray '%': keep what was typed
  }
}

/** Splits `scheme://userinfo@host…` into the URL without userinfo and the credentials. */
export function splitStreamCredentials(value: string): StreamCredentials {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)(.*)$/s.exec(value);
  if (!m) return { stream: value };
  const [, scheme, rest] = m;
  // The '@' that ends the user information is the last one followed by a host. A typed password
  // may itself hold '/' or '@'; a '/' before that '@' is part of the path instead when what
  // precedes the first '/' is already a host (rtsp://10.0.0.5/Streaming@1 has no credentials).
  const firstSlash = rest.search(/[/?#]/);
  const pathAfterHost = firstSlash >= 0 && HOST.test(rest.slice(0, firstSlash));
  let at = -1;
  for (let i = rest.lastIndexOf('@'); i >= 0; i = i === 0 ? -1 : rest.lastIndexOf('@', i - 1)) {
    const after = rest.slice(i + 1);
    const end = after.search(/[/?#]/);
    if (!HOST.test(end < 0 ? after : after.slice(0, end))) continue;
    if (/[/?#]/.test(rest.slice(0, i)) && pathAfterHost) continue;
    at = i;
    break;
  }
  if (at < 0) return { stream: value };
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const username = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? undefined : decode(userinfo.slice(colon + 1));
  return { stream: scheme + rest.slice(at + 1), username: username || undefined, password: password || undefined };
}

/** The stream as it may be shown (views, exports, audit): user information replaced by nothing. */
export function streamForDisplay(value: string): string {
  return splitStreamCredentials(value).stream;
}

/**
 * Both stream fields of a camera: the URLs cleaned, and the credentials found (the main stream's
 * first; the sub stream's only when the main one had none).
 */
export function extractStreamCredentials(main: string | undefined, sub: string | undefined): { mainStream?: string; subStream?: string; username?: string; password?: string } {
  const a = main === undefined ? undefined : splitStreamCredentials(main);
  const b = sub === undefined ? undefined : splitStreamCredentials(sub);
  const from = a?.username !== undefined || a?.password !== undefined ? a : b;
  return { mainStream: a?.stream, subStream: b?.stream, username: from?.username, password: from?.password };
}
