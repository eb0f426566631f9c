// Test-only: feed packets through a depacketizer and collect frames.

import type { AudioFrame, Depacketizer, RtpPacket, SdpMedia, VideoFrame } from '../../types.ts';

export function videoMedia(encoding: 'H264' | 'H265', fmtp: Record<string, string> = {}): SdpMedia {
  return { type: 'video', port: 0, protocol: 'RTP/AVP', payloadType: 96, encoding, clockRate: 90000, fmtp };
}

export function runVideo(d: Depacketizer, packets: readonly RtpPacket[], t0Ms = 1_700_000_000_000): VideoFrame[] {
  const out: VideoFrame[] = [];
  packets.forEach((p, i) => {
    for (const f of d.push(p, t0Ms + i)) if (f.kind === 'video') out.push(f);
  });
  return out;
}

export function runAudio(d: Depacketizer, packets: readonly RtpPacket[], t0Ms = 1_700_000_000_000): AudioFrame[] {
  const out: AudioFrame[] = [];
  packets.forEach((p, i) => {
    for (const f of d.push(p, t0Ms + i)) if (f.kind === 'audio') out.push(f);
  });
  return out;
}

export function bytesOf(nalus: readonly Uint8Array[]): number[][] {
  return nalus.map((n) => [...n]);
}
