import { describe, it, expect } from 'vitest';
import { parseRtpPacket, RtpError, serializeRtpPacket } from './packet.ts';

const base = { payloadType: 96, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, marker: true, payload: Uint8Array.from([1, 2, 3, 4, 5]) };

describe('RTP packet', () => {
  it('round-trips plain packets with unsigned 32-bit fields', () => {
    const p = parseRtpPacket(serializeRtpPacket(base));
    expect(p).toEqual(base);
  });

  it('strips CSRCs, extension and padding', () => {
    const wire = serializeRtpPacket(base, { csrcs: [1, 2], extension: { profile: 0xbede, data: Uint8Array.from([9, 9, 9]) }, paddingBytes: 3 });
    expect(wire.length).toBe(12 + 8 + 8 + 5 + 3);
    const p = parseRtpPacket(wire);
    expect(Array.from(p.payload)).toEqual([1, 2, 3, 4, 5]);
    expect(p.payload.buffer).toBe(wire.buffer); // zero copy
  });

  it('parses a captured H.264 packet header', () => {
    // V=2 M=1 PT=96 seq=0x1234 ts=0x00112233 ssrc=0x01020304, FU-A payload 7c 85
    const p = parseRtpPacket(Uint8Array.from([0x80, 0xe0, 0x12, 0x34, 0, 0x11, 0x22, 0x33, 1, 2, 3, 4, 0x7c, 0x85]));
    expect(p).toMatchObject({ payloadType: 96, marker: true, sequence: 0x1234, timestamp: 0x112233, ssrc: 0x01020304 });
    expect(Array.from(p.payload)).toEqual([0x7c, 0x85]);
  });

  it('throws RtpError on malformed packets', () => {
    const good = serializeRtpPacket(base);
    expect(() => parseRtpPacket(good.subarray(0, 11))).toThrow(RtpError);
    const v1 = Uint8Array.from(good); v1[0] = 0x40;
    expect(() => parseRtpPacket(v1)).toThrow(/version/);
    const csrc = Uint8Array.from(good); csrc[0] = 0x8f; // 15 CSRCs, not present
    expect(() => parseRtpPacket(csrc)).toThrow(RtpError);
    const ext = Uint8Array.from(good); ext[0] = 0x90;
    expect(() => parseRtpPacket(ext)).toThrow(RtpError);
    const pad = Uint8Array.from(good); pad[0] = 0xa0; pad[pad.length - 1] = 200;
    expect(() => parseRtpPacket(pad)).toThrow(RtpError);
    pad[pad.length - 1] = 0;
    expect(() => parseRtpPacket(pad)).toThrow(RtpError);
  });
});
