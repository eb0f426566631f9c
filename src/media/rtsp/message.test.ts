import { describe, it, expect } from 'vitest';
import {
  RtspMessageParser, RtspParseError, serializeInterleaved, serializeRequest, serializeResponse,
} from './message.ts';
import type { RtspMessage } from './message.ts';

type Item = { kind: 'msg'; msg: RtspMessage } | { kind: 'frame'; channel: number; data: Uint8Array };

function collector(opts = {}): { parser: RtspMessageParser; items: Item[] } {
  const items: Item[] = [];
  const parser = new RtspMessageParser({
    onMessage: (msg) => items.push({ kind: 'msg', msg }),
    onInterleaved: (channel, data) => items.push({ kind: 'frame', channel, data }),
  }, opts);
  return { parser, items };
}

const describeResponse = Buffer.from(
  'RTSP/1.0 200 OK\r\nCSeq: 2\r\ncontent-type: application/sdp\r\nContent-Base: rtsp://h/a/\r\n' +
  'WWW-Authenticate: Basic realm="x"\r\nwww-authenticate: Digest realm="x", nonce="n"\r\nContent-Length: 5\r\n\r\nv=0\r\n',
);

function sample(): Buffer {
  const frames: Buffer[] = [];
  for (let i = 0; i < 5; i++) {
    const data = Buffer.alloc(100 + i * 300, i + 1);
    frames.push(serializeInterleaved(i % 4, data));
  }
  return Buffer.concat([frames[0], describeResponse, frames[1], frames[2], Buffer.from('GET_PARAMETER rtsp://h/a RTSP/1.0\r\nCSeq: 9\r\n\r\n'), frames[3], frames[4]]);
}

const EXPECTED_FRAMES = [0, 1, 2, 3, 4].map((i) => Buffer.alloc(100 + i * 300, i + 1));

function summary(items: Item[]): string {
  return items.map((i) => (i.kind === 'frame'
    ? `f${i.channel}:${i.data.length}:${i.data[0]}:${i.data[i.data.length - 1]}`
    : `m${i.msg.headers.size}:${i.msg.body.length}`)).join(',');
}

function check(items: Item[]): void {
  expect(items.map((i) => i.kind)).toEqual(['frame', 'msg', 'frame', 'frame', 'msg', 'frame', 'frame']);
  const res = (items[1] as { msg: RtspMessage }).msg;
  expect(res.kind).toBe('response');
  if (res.kind !== 'response') return;
  expect(res.statusCode).toBe(200);
  expect(res.headers.get('CONTENT-TYPE')).toBe('application/sdp');
  expect(res.headers.getAll('WWW-Authenticate')).toHaveLength(2);
  expect(Buffer.from(res.body).toString()).toBe('v=0\r\n');
  const req = (items[4] as { msg: RtspMessage }).msg;
  expect(req).toMatchObject({ kind: 'request', method: 'GET_PARAMETER', uri: 'rtsp://h/a', version: 'RTSP/1.0' });
  const f = items.filter((i) => i.kind === 'frame');
  f.forEach((it, i) => {
    expect(it.channel).toBe(i % 4);
    expect(it.data.length).toBe(100 + i * 300);
    expect(Buffer.compare(it.data, EXPECTED_FRAMES[i])).toBe(0);
  });
}

describe('RtspMessageParser', () => {
  it('parses messages and interleaved frames in one chunk', () => {
    const { parser, items } = collector();
    parser.push(sample());
    check(items);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('handles chunks split at every possible single point', () => {
    const buf = sample();
    const whole = collector();
    whole.parser.push(buf);
    check(whole.items);
    const expected = summary(whole.items);
    for (let cut = 1; cut < buf.length; cut++) {
      const { parser, items } = collector();
      parser.push(buf.subarray(0, cut));
      parser.push(buf.subarray(cut));
      if (summary(items) !== expected) check(items); // cheap compare; full check explains a mismatch
    }
  });

  it('handles byte-by-byte and random chunkings; handed-out frames stay intact', () => {
    const buf = sample();
    let seed = 7;
    for (let round = 0; round < 200; round++) {
      const { parser, items } = collector();
      let pos = 0;
      while (pos < buf.length) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const n = round === 0 ? 1 : 1 + (seed % 700);
        parser.push(Uint8Array.from(buf.subarray(pos, pos + n)));
        pos += n;
      }
      check(items);
    }
  });

  it('hands out a frame split over reads into one slab as a view of that memory; copies when the rest comes from elsewhere (issue 16)', () => {
    const payload = Buffer.alloc(3000, 7);
    const frame = serializeInterleaved(2, payload);
    const slab = new Uint8Array(8192);
    slab.set(frame, 100);
    const contiguous = collector();
    contiguous.parser.push(slab.subarray(100, 1100));
    expect(contiguous.items).toHaveLength(0);
    contiguous.parser.push(slab.subarray(1100, 100 + frame.length));
    const a = (contiguous.items[0] as { data: Uint8Array }).data;
    expect(a.buffer, 'no copy').toBe(slab.buffer);
    expect(a.byteOffset).toBe(104);
    expect(Buffer.compare(a, payload)).toBe(0);
    expect(contiguous.parser.bufferedBytes).toBe(0);

    const elsewhere = collector();
    elsewhere.parser.push(slab.subarray(100, 1100));
    elsewhere.parser.push(Uint8Array.from(frame.subarray(1000, 2000)));
    elsewhere.parser.push(Uint8Array.from(frame.subarray(2000)));
    slab.fill(0); // a copy: what happens to the first read's memory later does not reach the frame
    const b = (elsewhere.items[0] as { data: Uint8Array }).data;
    expect(b.buffer).not.toBe(slab.buffer);
    expect(Buffer.compare(b, payload)).toBe(0);
  });

  it('resynchronises after garbage between elements', () => {
    const { parser, items } = collector({ maxChannel: 3 });
    parser.push(Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0x24, 0xf0, 0, 0]), Buffer.from('xyz ABC def\r\n'), sample()]));
    check(items);
    expect(parser.garbageBytes).toBeGreaterThan(0);
  });

  it('bounds header size and garbage runs with RtspParseError', () => {
    const { parser } = collector();
    expect(() => parser.push(Buffer.from('RTSP/1.0 200 OK\r\n' + 'X-A: b\r\n'.repeat(3000)))).toThrow(RtspParseError);
    const p2 = collector({ maxGarbageBytes: 1000 }).parser;
    expect(() => { for (let i = 0; i < 10; i++) p2.push(Buffer.alloc(200, 0x01)); }).toThrow(/no RTSP message/);
    const p3 = collector().parser;
    expect(() => p3.push(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n'))).toThrow(/exceeds/);
    const p4 = collector().parser;
    expect(() => p4.push(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n'))).toThrow(/Content-Length/);
    // Carry stays under its limit while waiting for a header end.
    const p5 = collector().parser;
    p5.push(Buffer.from('RTSP/1.0 200 OK\r\nX: ' + 'a'.repeat(10000)));
    expect(p5.bufferedBytes).toBeLessThanOrEqual(p5.maxBufferedBytes);
  });

  it('stays linear when a server trickles one byte at a time', () => {
    const { parser, items } = collector();
    const body = Buffer.alloc(200_000, 0x61);
    const msg = Buffer.concat([Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\n' + 'X-Pad: 0123456789\r\n'.repeat(700) + `Content-Length: ${body.length}\r\n\r\n`), body]);
    const t0 = performance.now();
    for (let i = 0; i < msg.length; i++) parser.push(msg.subarray(i, i + 1));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(items).toHaveLength(1);
    expect((items[0] as { msg: RtspMessage }).msg.body.length).toBe(200_000);
  });

  it('accepts LF-only line endings and folded headers', () => {
    const { parser, items } = collector();
    parser.push(Buffer.from('RTSP/1.0 401 Unauthorized\nCSeq: 1\nWWW-Authenticate: Digest realm="a",\n nonce="b"\n\n'));
    const m = (items[0] as { msg: RtspMessage }).msg;
    expect(m.kind === 'response' && m.statusCode).toBe(401);
    expect(m.headers.get('www-authenticate')).toBe('Digest realm="a", nonce="b"');
  });
});

describe('serialize', () => {
  it('round-trips requests and responses', () => {
    const { parser, items } = collector();
    parser.push(serializeRequest({ method: 'DESCRIBE', uri: 'rtsp://h/a', headers: { CSeq: 1, Accept: 'application/sdp' } }));
    parser.push(serializeResponse({ statusCode: 200, headers: { CSeq: 1 }, body: 'v=0\r\n' }));
    expect(items).toHaveLength(2);
    const [a, b] = items.map((i) => (i as { msg: RtspMessage }).msg);
    expect(a).toMatchObject({ kind: 'request', method: 'DESCRIBE', uri: 'rtsp://h/a' });
    expect(a.headers.get('accept')).toBe('application/sdp');
    expect(b).toMatchObject({ kind: 'response', statusCode: 200, reason: 'OK' });
    expect(b.headers.get('content-length')).toBe('5');
  });

  it('refuses header injection', () => {
    expect(() => serializeRequest({ method: 'OPTIONS', uri: 'rtsp://h/a', headers: { X: 'a\r\nEvil: 1' } })).toThrow(RangeError);
    expect(() => serializeRequest({ method: 'OPTIONS', uri: 'rtsp://h/a\r\n' })).toThrow(RangeError);
  });
});
