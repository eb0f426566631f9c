// Minimal ISO BMFF box writer: a growable big-endian buffer where box() back-patches the
// 32-bit size once the body is written. Used for init segments (written once per file);
// fragments use a precomputed-size writer instead (see fragment.ts).

export class BoxWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.pos, v & 0xffff);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos] = (v >>> 16) & 0xff;
    this.buf[this.pos + 1] = (v >>> 8) & 0xff;
    this.buf[this.pos + 2] = v & 0xff;
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, v | 0);
    this.pos += 4;
    return this;
  }

  u64(v: number): this {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt(Math.max(0, Math.floor(v))));
    this.pos += 8;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Four-character code (ASCII). */
  fourcc(code: string): this {
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.buf[this.pos + i] = code.charCodeAt(i) & 0xff;
    this.pos += 4;
    return this;
  }

  /** Writes a box: size placeholder, type, body from `body`, then patches the size. */
  box(type: string, body: (w: this) => void): this {
    const start = this.pos;
    this.u32(0).fourcc(type);
    body(this);
    this.view.setUint32(start, this.pos - start);
    return this;
  }

  /** FullBox: box with version (8 bits) and flags (24 bits). */
  fullBox(type: string, version: number, flags: number, body: (w: this) => void): this {
    return this.box(type, (w) => {
      w.u8(version).u24(flags);
      body(w);
    });
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
