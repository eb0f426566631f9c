// Socket reads into slabs (issue 16). Node's default read path allocates a 64 KB buffer for every
// read, copies what arrived into a fresh one of the right size, and pushes it through the Readable
// stream machinery ('data' event, nextTick bookkeeping): at 50 cameras that is thousands of native
// allocations and short-lived ArrayBuffers a second, the main driver of the recorder's GC and of
// glibc heap growth. With net's `onread` option the kernel copies straight into memory we hand it:
// each read lands right after the previous one in a slab of SLAB_BYTES, and the chunk handed on is
// a view of it. A slab is never written twice, so the parser's and depacketizers' zero-copy views
// (RTP payloads, NAL units) stay valid for as long as they are referenced — a slab is freed by the
// GC once the last frame that points into it has been written. One allocation per ~SLAB_BYTES read
// instead of one (plus a copy) per read.
import type { OnReadOpts } from 'node:net';

/**
 * Bytes per slab (~0.25 s of a 2 Mb/s camera). Small on purpose: a slab stays alive while any frame
 * read into it waits for its fragment to be written (≤ ~0.6 s), and 500 cameras each hold a few.
 */
export const SLAB_BYTES = 64 * 1024;
/** A read gets at least this much room; a slab with less left is retired (≤ this much unused). */
export const MIN_READ_BYTES = 16 * 1024;

export type ChunkSink = (chunk: Uint8Array) => void;

export class SlabReader {
  /** Where the chunks go (the connection that owns the socket); chunks read before it is set wait. */
  private sink: ChunkSink | undefined;
  private early: Uint8Array[] | undefined = [];
  /** Reads since creation (diagnostics). */
  reads = 0;
  private slab: Uint8Array = newSlab();
  private offset = 0;
  /** The region the socket reads into next (kept here so that it cannot be collected meanwhile). */
  private region: Uint8Array = this.slab;

  /** Options for `net.connect({ …, onread })`. */
  readonly onread: OnReadOpts = {
    buffer: () => this.nextRegion(),
    callback: (nread: number): boolean => {
      this.reads++;
      const chunk = this.region.subarray(0, nread);
      this.offset += nread;
      if (this.sink) this.sink(chunk);
      else this.early?.push(chunk);
      return true;
    },
  };

  setSink(sink: ChunkSink): void {
    this.sink = sink;
    const early = this.early ?? [];
    this.early = undefined;
    for (const chunk of early) sink(chunk);
  }

  private nextRegion(): Uint8Array {
    if (this.slab.length - this.offset < MIN_READ_BYTES) {
      this.slab = newSlab();
      this.offset = 0;
    }
    this.region = this.slab.subarray(this.offset);
    return this.region;
  }
}

function newSlab(): Uint8Array {
  // Not zero-filled: only bytes the kernel wrote are ever handed out.
  const b = Buffer.allocUnsafeSlow(SLAB_BYTES);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
