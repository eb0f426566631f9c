import { describe, expect, it } from 'vitest';
import { G711Depacketizer } from './g711.ts';
import { packetizeG711 } from './test-packetize.ts';
import { runAudio } from './test-run.ts';

describe('G711Depacketizer', () => {
  it('R-REC-4: one frame per packet, samples = payload length, 8 kHz pts with wrap', () => {
    const d = new G711Depacketizer({ type: 'audio', port: 0, protocol: 'RTP/AVP', payloadType: 8, encoding: 'PCMA', clockRate: 8000, fmtp: {} });
    expect(d.audioParams).toEqual({ codec: 'pcma', sampleRate: 8000, channels: 1 });
    const samples = new Uint8Array(1600).map((_, i) => i & 0xff);
    const packets = packetizeG711(samples, { startTs: 0xffffff00, samplesPerPacket: 320 });
    const frames = runAudio(d, [...packets, packets[2]]); // trailing duplicate dropped
    expect(frames.map((f) => [f.pts, f.samples])).toEqual([0, 1, 2, 3, 4].map((i) => [0xffffff00 + i * 320, 320]));
    expect(frames[4].data).toBe(packets[4].payload); // no copy
    expect(d.droppedPackets).toBe(1);
  });

  it('maps PCMU and counts losses', () => {
    const d = new G711Depacketizer({ type: 'audio', port: 0, protocol: 'RTP/AVP', payloadType: 0, encoding: 'PCMU', clockRate: 8000, fmtp: {} });
    expect(d.audioParams.codec).toBe('pcmu');
    const packets = packetizeG711(new Uint8Array(800), { payloadType: 0 });
    runAudio(d, packets.filter((_, i) => i !== 2));
    expect(d.lostPackets).toBe(1);
  });
});
