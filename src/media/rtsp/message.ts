// Incremental RTSP/1.0 stream parser (RFC 2326): text messages (requests or responses, body by
// Content-Length) interleaved with binary frames "$" + channel + u16 length (§10.12).
//
// Hot path design: an interleaved frame that lies inside one pushed chunk is handed out as a
// subarray of that chunk (zero copy). A frame straddling chunks that follow each other in memory
// (socket reads into one slab, read-slab.ts) is handed out as a view of that memory too; otherwise
// it is copied once into a buffer allocated for that frame alone. Handed-out bytes are therefore
// never overwritten by the parser and stay valid after the callback (depacketizers keep fragments
// across packets). The parser takes ownership of pushed chunks: callers must not mutate them
// afterwards (socket reads are fresh memory: Node's chunks, or slab space never read into twice).
import { parseHead } from './message-head.ts';
import type { RtspHeaders } from './headers.ts';

export { serializeRequest, serializeResponse, serializeInterleaved } from './serialize.ts';
export type { RtspRequestInit, RtspResponseInit } from './serialize.ts';

export interface RtspRequest {
  kind: 'request';
  method: string;
  uri: string;
  version: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

export interface RtspResponse {
  kind: 'response';
  version: string;
  statusCode: number;
  reason: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

export type RtspMessage = RtspRequest | RtspResponse;

export class RtspParseError extends Error {
  override readonly name = 'RtspParseError';
}

export interface RtspParserSink {
  onMessage(message: RtspMessage): void;
  /** data stays valid after the call (never reused by the parser). */
  onInterleaved(channel: number, data: Uint8Array): void;
}

export interface RtspParserOptions {
  /** Max bytes of start line + headers. */
  maxHeaderBytes?: number;
  /** Max Content-Length accepted. */
  maxBodyBytes?: number;
  /** Max consecutive bytes skipped while resynchronising before giving up. */
  maxGarbageBytes?: number;
  /** '$' frames on higher channels are treated as garbage (helps resync); default 255. */
  maxChannel?: number;
}

const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;
const NEED_MORE = -1;
const MAX_METHOD_CHARS = 32;
const MAX_START_LINE = 2048;
const STATUS_LINE = /^RTSP\/\d\.\d [1-9]\d\d(?: |\r?$)/;
const REQUEST_LINE = /^[A-Z_-]{1,32} [^ ]+ RTSP\/\d\.\d\r?$/;

export class RtspMessageParser {
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
  readonly maxGarbageBytes: number;
  readonly maxChannel: number;
  /** Total bytes skipped as garbage since creation (diagnostics). */
  garbageBytes = 0;
  private garbageRun = 0;
  // Partial element (text message or short frame header) awaiting more bytes.
  private carry = new Uint8Array(0);
  private carryLen = 0;
  // Interleaved frame being filled across chunks: in `frame` (a copy), or in place when its
  // chunks follow each other in one buffer (`inPlace`: a view of the whole frame's memory, of
  // which the first frameFill bytes have been pushed).
  private frame: Uint8Array | null = null;
  private inPlace: Uint8Array | null = null;
  private frameFill = 0;
  private frameChannel = 0;
  // Progress on the text message at carry[0], reset whenever that element is consumed.
  private scannedBytes = 0;
  private pendingHead: { message: RtspMessage; headBytes: number; bodyBytes: number } | undefined;

  constructor(
    private readonly sink: RtspParserSink,
    options: RtspParserOptions = {},
  ) {
    this.maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024;
    this.maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
    this.maxGarbageBytes = options.maxGarbageBytes ?? 64 * 1024;
    this.maxChannel = options.maxChannel ?? 255;
  }

  /** Upper bound of bytes held between pushes (excluding a frame in progress, itself <= 65535). */
  get maxBufferedBytes(): number {
    return this.maxHeaderBytes + this.maxBodyBytes;
  }

  /** Bytes currently held by the parser between pushes. */
  get bufferedBytes(): number {
    return this.carryLen + this.frameFill;
  }

  /** Feed bytes. Throws RtspParseError on unrecoverable input; the parser must then be discarded. */
  push(chunk: Uint8Array): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.inPlace) {
        pos = this.extendInPlace(chunk, pos);
      } else if (this.frame) {
        pos = this.fillFrame(chunk, pos);
      } else if (this.carryLen > 0) {
        pos = this.drainCarry(chunk, pos);
      } else {
        const used = this.parseElement(chunk, pos, end, false);
        if (used === NEED_MORE) {
          this.appendCarry(chunk, pos, end);
          return;
        }
        pos += used;
      }
    }
  }

  /** Complete the element held in carry with bytes from chunk; returns the chunk offset to go on from. */
  private drainCarry(chunk: Uint8Array, pos: number): number {
    const before = this.carryLen;
    // A short frame header needs at most 4 bytes; a text message may need the whole chunk.
    const want = this.carry[0] === DOLLAR ? 4 - before : this.maxBufferedBytes - before;
    const take = Math.min(want, chunk.length - pos);
    if (take <= 0) throw new RtspParseError(`RTSP message exceeds ${this.maxBufferedBytes} bytes`);
    this.appendCarry(chunk, pos, pos + take);
    let cpos = 0;
    while (cpos < this.carryLen) {
      const used = this.parseElement(this.carry, cpos, this.carryLen, true);
      if (used === NEED_MORE) break;
      this.scannedBytes = 0;
      this.pendingHead = undefined;
      cpos += used;
      if (cpos >= before) {
        // Everything after cpos came from this chunk: drop it here and re-read it from the chunk (zero copy).
        this.carryLen = 0;
        return pos + (cpos - before);
      }
    }
    if (cpos > 0) {
      this.carry.copyWithin(0, cpos, this.carryLen);
      this.carryLen -= cpos;
    }
    return pos + take;
  }

  private appendCarry(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    const need = this.carryLen + n;
    if (need > this.maxBufferedBytes) throw new RtspParseError(`RTSP message exceeds ${this.maxBufferedBytes} bytes`);
    if (need > this.carry.length) {
      const grown = new Uint8Array(Math.min(this.maxBufferedBytes, Math.max(need, this.carry.length * 2, 4096)));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen = need;
  }

  /** The next bytes of a frame held in place: still in place if this chunk continues it in memory, else copied. */
  private extendInPlace(chunk: Uint8Array, pos: number): number {
    const view = this.inPlace as Uint8Array;
    this.inPlace = null;
    if (chunk.buffer !== view.buffer || chunk.byteOffset + pos !== view.byteOffset + this.frameFill) {
      this.frame = new Uint8Array(view.length);
      this.frame.set(view.subarray(0, this.frameFill));
      return this.fillFrame(chunk, pos);
    }
    const n = Math.min(view.length - this.frameFill, chunk.length - pos);
    this.frameFill += n;
    if (this.frameFill === view.length) {
      this.frameFill = 0;
      this.sink.onInterleaved(this.frameChannel, view);
    } else this.inPlace = view;
    return pos + n;
  }

  private fillFrame(chunk: Uint8Array, pos: number): number {
    const frame = this.frame as Uint8Array;
    const n = Math.min(frame.length - this.frameFill, chunk.length - pos);
    frame.set(chunk.subarray(pos, pos + n), this.frameFill);
    this.frameFill += n;
    if (this.frameFill === frame.length) {
      this.frame = null;
      this.frameFill = 0;
      this.sink.onInterleaved(this.frameChannel, frame);
    }
    return pos + n;
  }

  /** Parse one element at buf[start..end). Returns bytes consumed or NEED_MORE. */
  private parseElement(buf: Uint8Array, start: number, end: number, fromCarry: boolean): number {
    const b = buf[start];
    if (b === DOLLAR) {
      if (end - start < 4) return NEED_MORE;
      const channel = buf[start + 1];
      if (channel > this.maxChannel) return this.skipGarbage(buf, start, end);
      const len = (buf[start + 2] << 8) | buf[start + 3];
      const avail = end - start - 4;
      this.garbageRun = 0;
      if (avail >= len) {
        const from = start + 4;
        const data = fromCarry ? buf.slice(from, from + len) : buf.subarray(from, from + len);
        this.sink.onInterleaved(channel, data);
        return 4 + len;
      }
      this.frameFill = avail;
      this.frameChannel = channel;
      const at = buf.byteOffset + start + 4;
      if (!fromCarry && at + len <= buf.buffer.byteLength) {
        // Straddles chunks, but the rest may land right after this chunk (the next read into the
        // same slab): keep a view; extendInPlace copies only if it does not.
        this.inPlace = new Uint8Array(buf.buffer, at, len);
        return end - start;
      }
      // Straddles chunks: one allocation for this frame, filled by later pushes.
      this.frame = new Uint8Array(len);
      this.frame.set(buf.subarray(start + 4, end));
      return end - start;
    }
    if (b >= 0x41 && b <= 0x5a) {
      const verdict = this.looksLikeStartLine(buf, start, end);
      if (verdict === NEED_MORE) return NEED_MORE;
      if (verdict === 0) return this.skipGarbage(buf, start, end);
      return this.parseText(buf, start, end, fromCarry);
    }
    return this.skipGarbage(buf, start, end);
  }

  /**
   * 1 = a valid start line ("RTSP/1.0 200 OK" or "METHOD uri RTSP/1.0"), 0 = garbage, NEED_MORE =
   * undecidable yet. Checking the whole line before committing keeps random bytes that happen to
   * start with a capital letter from swallowing the stream as a never-ending header.
   */
  private looksLikeStartLine(buf: Uint8Array, start: number, end: number): number {
    // Cheap prefix test first: an upper-case token ending in '/' (RTSP/) or ' ' (method).
    let j = 0;
    for (; j <= MAX_METHOD_CHARS; j++) {
      if (start + j >= end) return NEED_MORE;
      const c = buf[start + j];
      if (c === 0x20 || c === 0x2f) break;
      if (!((c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d)) return 0;
    }
    if (j === 0 || j > MAX_METHOD_CHARS) return 0;
    const limit = Math.min(end, start + MAX_START_LINE);
    let lf = start + j;
    while (lf < limit && buf[lf] !== LF) lf++;
    if (lf === limit) return limit === end && end - start < MAX_START_LINE ? NEED_MORE : 0;
    const line = Buffer.from(buf.buffer, buf.byteOffset + start, lf - start).toString('latin1');
    return STATUS_LINE.test(line) || REQUEST_LINE.test(line) ? 1 : 0;
  }

  private skipGarbage(buf: Uint8Array, start: number, end: number): number {
    let i = start + 1;
    while (i < end) {
      const c = buf[i];
      if (c === DOLLAR || (c >= 0x41 && c <= 0x5a)) break;
      i++;
    }
    const skipped = i - start;
    this.garbageRun += skipped;
    this.garbageBytes += skipped;
    if (this.garbageRun > this.maxGarbageBytes) {
      throw new RtspParseError(`no RTSP message or interleaved frame in ${this.garbageRun} bytes`);
    }
    return skipped;
  }

  private parseText(buf: Uint8Array, start: number, end: number, fromCarry: boolean): number {
    // Resuming the element at carry[0]: skip work already done on earlier pushes, so a server
    // trickling bytes one at a time costs O(n), not O(n^2).
    const resume = fromCarry && start === 0;
    let head = resume ? this.pendingHead : undefined;
    if (!head) {
      const limit = Math.min(end, start + this.maxHeaderBytes);
      let headerEnd = -1;
      for (let i = start + (resume ? this.scannedBytes : 0); i < limit; i++) {
        if (buf[i] !== LF) continue;
        if (i + 1 < end && buf[i + 1] === LF) {
          headerEnd = i + 2;
          break;
        }
        if (i + 2 < end && buf[i + 1] === CR && buf[i + 2] === LF) {
          headerEnd = i + 3;
          break;
        }
      }
      if (headerEnd < 0) {
        if (end - start >= this.maxHeaderBytes) throw new RtspParseError(`RTSP header exceeds ${this.maxHeaderBytes} bytes`);
        this.scannedBytes = Math.max(0, limit - start - 2); // an LF near the end may still complete
        return NEED_MORE;
      }
      const text = Buffer.from(buf.buffer, buf.byteOffset + start, headerEnd - start).toString('utf8');
      const message = parseHead(text);
      const lengthText = message.headers.get('content-length');
      let bodyBytes = 0;
      if (lengthText !== undefined) {
        const t = lengthText.trim();
        if (!/^\d{1,10}$/.test(t)) throw new RtspParseError(`bad Content-Length "${t.slice(0, 20)}"`);
        bodyBytes = Number(t);
        if (bodyBytes > this.maxBodyBytes) throw new RtspParseError(`body of ${bodyBytes} bytes exceeds ${this.maxBodyBytes}`);
      }
      head = { message, headBytes: headerEnd - start, bodyBytes };
    }
    const bodyStart = start + head.headBytes;
    if (end - bodyStart < head.bodyBytes) {
      this.pendingHead = head;
      return NEED_MORE;
    }
    const message = head.message;
    message.body = buf.slice(bodyStart, bodyStart + head.bodyBytes);
    this.garbageRun = 0;
    this.sink.onMessage(message);
    return head.headBytes + head.bodyBytes;
  }

}
