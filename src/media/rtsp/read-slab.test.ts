// Socket reads into slabs (issue 16): every byte arrives once, in order; consecutive reads lie one
// after the other in a slab and are never overwritten (the parser and depacketizers keep views of
// them). Real TCP sockets on loopback.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_READ_BYTES, SLAB_BYTES, SlabReader } from './read-slab.ts';

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A server that sends `writes` (with `gapMs` between them) to the first client, then ends. */
async function serve(writes: Uint8Array[], gapMs: number): Promise<number> {
  server = createServer((s: Socket) => {
    void (async () => {
      for (const w of writes) {
        s.write(w);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      s.end();
    })();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** Reads everything with a SlabReader; resolves with the chunks at the end of the stream. */
function readAll(port: number, reader: SlabReader): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  reader.setSink((c) => chunks.push(c));
  const socket = connect({ host: '127.0.0.1', port, onread: reader.onread });
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('end', () => resolve(chunks));
  });
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('SlabReader', () => {
  it('delivers every byte in order as views of a few slabs, none overwritten by later reads', async () => {
    const writes = Array.from({ length: 60 }, (_, i) => pattern(1000 + i * 97, i));
    const reader = new SlabReader();
    const chunks = await readAll(await serve(writes, 1), reader);
    expect(Buffer.compare(Buffer.concat(chunks), Buffer.concat(writes)), 'all bytes, in order, intact at the end').toBe(0);
    const total = writes.reduce((n, w) => n + w.length, 0);
    const slabs = new Set(chunks.map((c) => c.buffer));
    expect(slabs.size).toBeLessThanOrEqual(Math.ceil(total / (SLAB_BYTES - MIN_READ_BYTES)) + 1);
    for (let i = 1; i < chunks.length; i++) {
      const [a, b] = [chunks[i - 1], chunks[i]];
      if (a.buffer === b.buffer) expect(b.byteOffset, 'the next read lands right after the previous one').toBe(a.byteOffset + a.length);
    }
    expect(reader.reads).toBe(chunks.length);
  });
});
