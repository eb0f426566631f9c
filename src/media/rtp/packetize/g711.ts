// G.711 (PCMA payload type 8 / PCMU payload type 0) RTP packetizer, RFC 3551 §4.5.14:
// one byte per sample at 8 kHz, 20 ms = 160 samples per packet by default.

export const G711_SAMPLES_PER_PACKET = 160;

/** Splits G.711 samples into packet payloads (subarrays, no copy); the last one may be shorter. */
export function packetizeG711(samples: Uint8Array, samplesPerPacket = G711_SAMPLES_PER_PACKET): Uint8Array[] {
  if (!Number.isInteger(samplesPerPacket) || samplesPerPacket <= 0) throw new RangeError(`bad samplesPerPacket: ${samplesPerPacket}`);
  const out: Uint8Array[] = [];
  for (let off = 0; off < samples.length; off += samplesPerPacket) {
    out.push(samples.subarray(off, Math.min(off + samplesPerPacket, samples.length)));
  }
  return out;
}
