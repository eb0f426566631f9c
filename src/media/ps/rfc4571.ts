// RTP over TCP framing (RFC 4571): each packet is preceded by a 16-bit big-endian length.
// GB/T 28181 uses it for TCP active/passive media.

export class Rfc4571Error extends Error {
  override readonly name = 'Rfc4571Error';
}

export function frameRfc4571(packet: Uint8Array): Uint8Array {
  if (packet.length > 0xffff) throw new Rfc4571Error(`packet of ${packet.length} bytes does not fit a 16-bit length`);
  const out = new Uint8Array(packet.length + 2);
  out[0] = packet.length >> 8;
  out[1] = packet.length & 0xff;
  out.set(packet, 2);
  return out;
}

/** Incremental deframer; holds at most one partial packet (≤ 65537 bytes). */
export class Rfc4571Deframer {
  private buf: Uint8Array = new Uint8Array(0);

  get bufferedBytes(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    let b = chunk;
    if (this.buf.length > 0) {
      b = new Uint8Array(this.buf.length + chunk.length);
      b.set(this.buf, 0);
      b.set(chunk, this.buf.length);
    }
    const out: Uint8Array[] = [];
    let o = 0;
    while (o + 2 <= b.length) {
      const len = (b[o] << 8) | b[o + 1];
      if (o + 2 + len > b.length) break;
      if (len > 0) out.push(b.slice(o + 2, o + 2 + len));
      o += 2 + len;
    }
    this.buf = b.slice(o);
    return out;
  }
}
