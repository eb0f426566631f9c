// Memory that fMP4 fragments are laid out in, shared by every FragmentBuilder of the process
// (issue 16). A fragment's buffer is in use only from the cut until its write is durable (a few
// ms); per-builder spares (two per camera, ~160–250 KB each at 2 Mb/s) held ~25 MB for 50 cameras
// that sat idle almost all the time. One pool for all cameras holds a handful, sized by the
// largest fragments seen, whatever the number of cameras.

export class FragmentBufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** @param maxFree spare buffers kept; a release beyond leaves the buffer to the GC. */
  constructor(readonly maxFree: number) {}

  /** Spare buffers held now (diagnostics, tests). */
  get spares(): number {
    return this.free.length;
  }

  /** A buffer of at least `size` bytes: a spare that fits, else fresh memory with 25 % headroom. */
  take(size: number): ArrayBuffer {
    const i = this.free.findIndex((b) => b.byteLength >= size);
    if (i >= 0) return this.free.splice(i, 1)[0];
    // No spare fits: the smallest one is the least likely ever to.
    if (this.free.length >= this.maxFree) this.dropSmallest();
    // Not zero-filled: the fragment writer writes every byte of what it uses.
    return Buffer.allocUnsafeSlow(Math.ceil((size * 1.25) / 4096) * 4096).buffer as ArrayBuffer;
  }

  /** Gives back a buffer whose bytes are no longer needed (written to disk). */
  give(buf: ArrayBuffer): void {
    if (this.free.length < this.maxFree) this.free.push(buf);
  }

  private dropSmallest(): void {
    let k = 0;
    for (let j = 1; j < this.free.length; j++) if (this.free[j].byteLength < this.free[k].byteLength) k = j;
    this.free.splice(k, 1);
  }
}

/**
 * The process's pool. 16 spares cover the fragments of one write round in flight at once (the
 * recorder writes each fragment as it is cut; 50 cameras at 500 ms cut ~100 a second) with
 * room to spare; at 4 Mb/s, 16 × ~400 KB = 6 MB at most.
 */
export const sharedFragmentBuffers = new FragmentBufferPool(16);
