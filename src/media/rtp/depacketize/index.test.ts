import { describe, expect, it } from 'vitest';
import type { SdpMedia } from '../../types.ts';
import { AacDepacketizer, G711Depacketizer, H264Depacketizer, H265Depacketizer, UnsupportedEncodingError, createDepacketizer } from './index.ts';

const m = (encoding: string, fmtp: Record<string, string> = {}): SdpMedia => ({
  type: 'video', port: 0, protocol: 'RTP/AVP', payloadType: 96, encoding, clockRate: 90000, fmtp,
});

describe('createDepacketizer', () => {
  it('picks the depacketizer from the rtpmap encoding', () => {
    expect(createDepacketizer(m('H264'))).toBeInstanceOf(H264Depacketizer);
    expect(createDepacketizer(m('H265'))).toBeInstanceOf(H265Depacketizer);
    expect(createDepacketizer(m('PCMA'))).toBeInstanceOf(G711Depacketizer);
    expect(createDepacketizer(m('PCMU'))).toBeInstanceOf(G711Depacketizer);
    expect(createDepacketizer(m('MPEG4-GENERIC', { mode: 'AAC-hbr', config: '1408' }))).toBeInstanceOf(AacDepacketizer);
  });

  it('throws UnsupportedEncodingError with a clear message otherwise', () => {
    expect(() => createDepacketizer(m('MP4A-LATM'))).toThrow(UnsupportedEncodingError);
    expect(() => createDepacketizer(m('VP8'))).toThrow(/unsupported RTP encoding "VP8" \(payload type 96\)/);
    expect(() => createDepacketizer(m('MPEG4-GENERIC', { mode: 'CELP-cbr' }))).toThrow(/mode "CELP-cbr"/);
    expect(() => createDepacketizer(m('H264', { 'packetization-mode': '2' }))).toThrow(/interleaved/);
    expect(() => createDepacketizer(m('H265', { 'sprop-max-don-diff': '2' }))).toThrow(/DONL/);
    expect(() => createDepacketizer(m('MPEG4-GENERIC', { mode: 'AAC-hbr', sizelength: '0' }))).toThrow(UnsupportedEncodingError);
  });
});
