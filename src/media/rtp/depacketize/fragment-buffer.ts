// Reassembly buffer for fragmented NAL units (H.264 FU-A, H.265 FU) and AAC AU fragments.
// Fragments are kept as views and copied exactly once when the unit completes. A size cap
// bounds memory when a stream never sends the end fragment.

/** Largest reassembled unit we accept; a 4K IDR slice is well under this. */
export const MAX_REASSEMBLY_BYTES = 8 * 1024 * 1024;
/** Reassembled units are carved from slabs of this size (about a quarter second of 2 Mb/s video). */
const SLAB_BYTES = 64 * 1024;

function unfilled(size: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

export class FragmentBuffer {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  private header: Uint8Array | undefined;
  private overflowed = false;
  private slab: Uint8Array | undefined;
  private slabUsed = 0;

  get active(): boolean {
    return this.header !== undefined;
  }

  /** Bytes held for the unit in progress (for memory accounting). */
  get size(): number {
    return this.overflowed ? 0 : this.total;
  }

  /** Starts a unit; `header` is the rebuilt NAL header (may be empty for AAC). */
  start(header: Uint8Array): void {
    this.reset();
    this.header = header;
    this.total = header.length;
  }

  /** Returns false when the cap is exceeded (the unit is then abandoned). */
  append(chunk: Uint8Array): boolean {
    if (this.header === undefined || this.overflowed) return false;
    if (this.total + chunk.length > MAX_REASSEMBLY_BYTES) {
      this.overflowed = true;
      this.chunks.length = 0;
      return false;
    }
    this.chunks.push(chunk);
    this.total += chunk.length;
    return true;
  }

  /**
   * Completes the unit with one copy; undefined if nothing valid was collected. Units are carved
   * one after the other from a slab of SLAB_BYTES (not zero-filled: every byte is copied in)
   * instead of an allocation each (issue 16: one native allocation per ~SLAB_BYTES of video instead
   * of one per NAL, fewer ArrayBuffers for the GC to track); a unit larger than a quarter slab gets
   * its own memory. A slab is freed by the GC once no unit carved from it is referenced any more.
   */
  finish(): Uint8Array | undefined {
    const header = this.header;
    if (header === undefined || this.overflowed) {
      this.reset();
      return undefined;
    }
    const out = this.carve(this.total);
    out.set(header, 0);
    let o = header.length;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.reset();
    return out;
  }

  private carve(size: number): Uint8Array {
    if (size > SLAB_BYTES / 4) return unfilled(size);
    if (this.slab === undefined || this.slab.length - this.slabUsed < size) {
      this.slab = unfilled(SLAB_BYTES);
      this.slabUsed = 0;
    }
    const out = this.slab.subarray(this.slabUsed, this.slabUsed + size);
    // 8-byte aligned, like Node's own buffer pool.
    this.slabUsed += (size + 7) & ~7;
    return out;
  }

  reset(): void {
    this.chunks.length = 0;
    this.total = 0;
    this.header = undefined;
    this.overflowed = false;
  }
}
