// Incremental SIP parser for stream transports (TCP): messages are framed by Content-Length
// (mandatory on streams, RFC 3261 §18.3). Buffers at most one message (64 KiB); anything larger
// or malformed throws SipParseError and the caller must close the connection (no resync on TCP).
import { findHeaderEnd, parseHead, SIP_MAX_MESSAGE_BYTES, SipParseError } from './message.ts';
import type { SipMessage } from './message.ts';

const utf8 = new TextDecoder('utf-8');

export class SipStreamParser {
  private buf: Uint8Array = new Uint8Array(0);
  /** Most bytes this parser may hold between pushes. */
  readonly maxBufferedBytes = SIP_MAX_MESSAGE_BYTES;

  get bufferedBytes(): number {
    return this.buf.length;
  }

  /** Appends bytes and returns every complete message now available. */
  push(chunk: Uint8Array): SipMessage[] {
    this.buf = this.buf.length === 0 ? chunk.slice() : concat(this.buf, chunk);
    const out: SipMessage[] = [];
    for (;;) {
      let skip = 0;
      // RFC 5626 keepalives ("\r\n\r\n" pings) and stray CRLFs between messages.
      while (skip < this.buf.length && (this.buf[skip] === 0x0d || this.buf[skip] === 0x0a)) skip++;
      if (skip > 0) this.buf = this.buf.subarray(skip);
      if (this.buf.length === 0) break;
      const end = findHeaderEnd(this.buf);
      if (!end) {
        if (this.buf.length > SIP_MAX_MESSAGE_BYTES) throw new SipParseError(`header block exceeds ${SIP_MAX_MESSAGE_BYTES} bytes`);
        break;
      }
      const { start, contentLength } = parseHead(utf8.decode(this.buf.subarray(0, end.headerEnd)));
      if (contentLength === undefined) throw new SipParseError('Content-Length is mandatory on stream transports');
      const total = end.bodyStart + contentLength;
      if (total > SIP_MAX_MESSAGE_BYTES) throw new SipParseError(`message of ${total} bytes exceeds ${SIP_MAX_MESSAGE_BYTES}`);
      if (this.buf.length < total) break;
      start.body = this.buf.slice(end.bodyStart, total);
      out.push(start);
      this.buf = this.buf.subarray(total);
    }
    // Keep the remainder compact so a long-lived connection does not pin old chunks.
    if (this.buf.byteOffset > 0) this.buf = this.buf.slice();
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
