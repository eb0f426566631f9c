// MSB-first bit reader over an RBSP (emulation prevention already removed), with
// exp-Golomb decoding as used by H.264/H.265 parameter sets.
// Every overrun throws BitstreamError so parsers can declare exactly one failure type.

/** The only error class thrown by the bitstream parsers (SPS/PPS/VPS, AudioSpecificConfig). */
export class BitstreamError extends Error {
  override name = 'BitstreamError';
}

export class BitReader {
  private bitPos = 0;
  private readonly bitLength: number;

  constructor(private readonly data: Uint8Array) {
    this.bitLength = data.length * 8;
  }

  get bitsLeft(): number {
    return this.bitLength - this.bitPos;
  }

  get position(): number {
    return this.bitPos;
  }

  readBit(): number {
    if (this.bitPos >= this.bitLength) throw new BitstreamError('read past end of bitstream');
    const byte = this.data[this.bitPos >>> 3];
    const bit = (byte >>> (7 - (this.bitPos & 7))) & 1;
    this.bitPos++;
    return bit;
  }

  readFlag(): boolean {
    return this.readBit() === 1;
  }

  /** Reads n <= 32 bits as an unsigned number. */
  readBits(n: number): number {
    if (n < 0 || n > 32) throw new BitstreamError(`cannot read ${n} bits at once`);
    if (n > this.bitsLeft) throw new BitstreamError('read past end of bitstream');
    let value = 0;
    for (let i = 0; i < n; i++) {
      // Multiply instead of shift so 32-bit values stay unsigned.
      value = value * 2 + this.readBit();
    }
    return value;
  }

  skipBits(n: number): void {
    if (n > this.bitsLeft) throw new BitstreamError('skip past end of bitstream');
    this.bitPos += n;
  }

  /** ue(v): unsigned exp-Golomb. Values above 2^32-2 are rejected (no legal syntax element needs them). */
  readUE(): number {
    let leadingZeros = 0;
    while (this.readBit() === 0) {
      leadingZeros++;
      if (leadingZeros > 31) throw new BitstreamError('exp-Golomb code too long');
    }
    if (leadingZeros === 0) return 0;
    return 2 ** leadingZeros - 1 + this.readBits(leadingZeros);
  }

  /** se(v): signed exp-Golomb (k -> (-1)^(k+1) * ceil(k/2)). */
  readSE(): number {
    const k = this.readUE();
    return k & 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** ue(v) with an upper bound; out-of-range values mean a corrupt or unsupported stream. */
  readUEMax(max: number, what: string): number {
    const v = this.readUE();
    if (v > max) throw new BitstreamError(`${what} out of range: ${v} > ${max}`);
    return v;
  }
}
