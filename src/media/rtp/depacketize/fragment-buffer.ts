// Reassembly buffer for fragmented NAL units (H.264 FU-A, H.265 FU) and AAC AU fragments.
// Fragments are kept as views and copied exactly once when the unit completes. A size cap
// bounds memory when a stream never sends the end fragment.

/** Largest reassembled unit we accept; a 4K IDR slice is well under this. */
export const MAX_REASSEMBLY_BYTES = 8 * 1024 * 1024;

export class FragmentBuffer {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  private header: Uint8Array | undefined;
  private overflowed = false;

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
   * Completes the unit: one allocation + copy; undefined if nothing valid was collected. The
   * array is not zero-filled (every byte is copied in), and units under 4 KB share Node's
   * buffer pool instead of an ArrayBuffer each: less work per NAL and less external memory
   * for the GC to chase.
   */
  finish(): Uint8Array | undefined {
    const header = this.header;
    if (header === undefined || this.overflowed) {
      this.reset();
      return undefined;
    }
    const pooled = Buffer.allocUnsafe(this.total);
    const out = new Uint8Array(pooled.buffer, pooled.byteOffset, this.total);
    out.set(header, 0);
    let o = header.length;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.reset();
    return out;
  }

  reset(): void {
    this.chunks.length = 0;
    this.total = 0;
    this.header = undefined;
    this.overflowed = false;
  }
}
