// Start line + header block of an RTSP message (the part before the body), as text.
import { RtspHeaders } from './headers.ts';
import { RtspParseError } from './message.ts';
import type { RtspMessage } from './message.ts';

/** Start line + headers (text up to and including the blank line). */
export function parseHead(text: string): RtspMessage {
  const lines = text.split('\n');
  const first = stripCr(lines[0]);
  const headers = new RtspHeaders();
  let lastName: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = stripCr(lines[i]);
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && lastName !== undefined) {
      // Obsolete line folding: continuation of the previous header value.
      const all = headers.getAll(lastName);
      all[all.length - 1] += ' ' + line.trim();
      headers.delete(lastName);
      for (const v of all) headers.append(lastName, v);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // tolerate junk header lines from cameras
    lastName = line.slice(0, colon).trim();
    headers.append(lastName, line.slice(colon + 1).trim());
  }
  if (first.startsWith('RTSP/')) {
    const sp1 = first.indexOf(' ');
    const statusText = sp1 < 0 ? '' : first.slice(sp1 + 1, sp1 + 4);
    if (!/^[1-9]\d\d$/.test(statusText)) throw new RtspParseError(`bad status line "${first.slice(0, 64)}"`);
    return {
      kind: 'response',
      version: first.slice(0, sp1),
      statusCode: Number(statusText),
      reason: first.slice(sp1 + 4).trim(),
      headers,
      body: EMPTY,
    };
  }
  const parts = first.split(' ');
  if (parts.length !== 3 || !parts[2].startsWith('RTSP/') || parts[1] === '') {
    throw new RtspParseError(`bad request line "${first.slice(0, 64)}"`);
  }
  return { kind: 'request', method: parts[0], uri: parts[1], version: parts[2], headers, body: EMPTY };
}

const EMPTY = new Uint8Array(0);

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}
