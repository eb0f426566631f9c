// The per-file fragment index, packed: for each fragment, LEB128 varints of
// (byteLength, duration90k, frameCount, keyframeOffset90k + 1 or 0 when the fragment has no
// keyframe). About 8 bytes per one-second fragment, so a camera-hour costs ~30 KB of index.
export interface FragmentEntry {
  /** Bytes of moof+mdat. */
  byteLength: number;
  /** 90 kHz ticks. */
  duration90k: number;
  frameCount: number;
  /** Offset of the first keyframe from the fragment start, 90 kHz; undefined when none. */
  keyframeOffset90k?: number;
}

export class FragmentIndexWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  get byteLength(): number {
    return this.len;
  }

  add(e: FragmentEntry): void {
    this.varint(e.byteLength);
    this.varint(e.duration90k);
    this.varint(e.frameCount);
    this.varint(e.keyframeOffset90k === undefined ? 0 : e.keyframeOffset90k + 1);
  }

  /** A copy of the bytes so far (the index row is written while the file grows). */
  snapshot(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`fragment index value out of range: ${n}`);
    if (this.len + 8 > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }
}

export class FragmentIndexError extends Error {
  override name = 'FragmentIndexError';
}

/** Decodes a packed index; `fileOffset` of each entry starts after the init segment. */
export function decodeFragmentIndex(bytes: Uint8Array, initBytes: number): Array<FragmentEntry & { fileOffset: number; start90k: number }> {
  const out: Array<FragmentEntry & { fileOffset: number; start90k: number }> = [];
  let pos = 0;
  const read = (): number => {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (pos >= bytes.length) throw new FragmentIndexError('fragment index truncated');
      const b = bytes[pos++];
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
    throw new FragmentIndexError('fragment index varint too long');
  };
  let fileOffset = initBytes;
  let start90k = 0;
  while (pos < bytes.length) {
    const byteLength = read();
    const duration90k = read();
    const frameCount = read();
    const kf = read();
    out.push({ byteLength, duration90k, frameCount, keyframeOffset90k: kf === 0 ? undefined : kf - 1, fileOffset, start90k });
    fileOffset += byteLength;
    start90k += duration90k;
  }
  return out;
}
