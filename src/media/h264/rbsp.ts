// Emulation prevention removal (H.264 7.4.1 / H.265 7.4.2): encoders insert 0x03 after
// any 0x00 0x00 so payload never imitates a start code; parsers need the raw RBSP back.

/**
 * Returns the RBSP of a NAL unit (header included). When no emulation prevention byte is
 * present (the common case for small parameter sets) the input is returned without copying.
 */
export function removeEmulationPrevention(nal: Uint8Array): Uint8Array {
  const n = nal.length;
  let first = -1;
  for (let i = 2; i < n; i++) {
    if (nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) {
      first = i;
      break;
    }
  }
  if (first < 0) return nal;
  const out = new Uint8Array(n);
  out.set(nal.subarray(0, first), 0);
  let o = first;
  let zeros = 0;
  for (let i = first + 1; i < n; i++) {
    const b = nal[i];
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}
