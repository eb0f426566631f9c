// Annex-B byte stream splitter (H.264 Annex B, also used by H.265): NAL units separated
// by 00 00 01 or 00 00 00 01 start codes. The simulator reads raw .h264/.h265 files this way.

/**
 * Splits an Annex-B buffer into NAL units (views into `buf`, no copies).
 * Leading garbage before the first start code is ignored; trailing zero bytes of each
 * NAL (trailing_zero_8bits or the first byte of a 4-byte start code) are trimmed.
 */
export function splitAnnexB(buf: Uint8Array): Uint8Array[] {
  const nalus: Uint8Array[] = [];
  const n = buf.length;
  let nalStart = -1;
  let i = 0;
  while (i + 2 < n) {
    // Fast skip: a start code needs buf[i+2] <= 1.
    if (buf[i + 2] > 1) {
      i += 3;
      continue;
    }
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      if (nalStart >= 0) pushTrimmed(nalus, buf, nalStart, i);
      i += 3;
      nalStart = i;
      continue;
    }
    i++;
  }
  if (nalStart >= 0) pushTrimmed(nalus, buf, nalStart, n);
  return nalus;
}

function pushTrimmed(out: Uint8Array[], buf: Uint8Array, start: number, end: number): void {
  // A NAL never ends in 0x00 (rbsp_trailing_bits), so trailing zeros belong to the next start code.
  while (end > start && buf[end - 1] === 0) end--;
  if (end > start) out.push(buf.subarray(start, end));
}

/** Joins NAL units into an Annex-B stream with 4-byte start codes (tests and debugging dumps). */
export function joinAnnexB(nalus: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const nal of nalus) total += 4 + nal.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const nal of nalus) {
    out[o + 3] = 1;
    out.set(nal, o + 4);
    o += 4 + nal.length;
  }
  return out;
}
