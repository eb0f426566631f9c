// Decoding of base64 parameter sets from SDP fmtp (RFC 6184 sprop-parameter-sets,
// RFC 7798 sprop-vps/sps/pps). Bad base64 yields nothing rather than an exception.

/** Comma-separated base64 NAL units -> byte arrays (empty entries skipped). */
export function decodeSpropList(value: string | undefined): Uint8Array[] {
  if (!value) return [];
  const out: Uint8Array[] = [];
  for (const part of value.split(',')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length > 0) out.push(new Uint8Array(bytes));
  }
  return out;
}
