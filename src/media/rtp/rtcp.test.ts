import { describe, it, expect } from 'vitest';
import {
  buildBye, buildReceiverReport, buildSdesCname, buildSenderReport, concatBytes, ntpToUnixMs, parseRtcpCompound,
  RtcpError, unixMsToNtp,
} from './rtcp.ts';
import type { ReportBlock, SenderReport } from './rtcp.ts';
import { buildFir, buildPli, keyframeRequestsIn } from './rtcp-feedback.ts';

describe('RTCP', () => {
  it('converts NTP timestamps to Unix ms', () => {
    expect(ntpToUnixMs(2208988800, 0)).toBe(0);
    expect(ntpToUnixMs(2208988800 + 1_700_000_000, 0x8000_0000)).toBe(1_700_000_000_500);
    // Era 1: NTP seconds wrapped in Feb 2036.
    expect(ntpToUnixMs(0, 0)).toBe((0x1_0000_0000 - 2208988800) * 1000);
    const ms = 1_717_171_717_123.25;
    const ntp = unixMsToNtp(ms);
    expect(Math.abs(ntpToUnixMs(ntp.seconds, ntp.fraction) - ms)).toBeLessThan(0.001);
  });

  it('parses a captured-style SR + SDES compound packet', () => {
    // SR: ssrc 0x1234abcd, NTP 0xe9b1b6a0.80000000, rtp 0x00010000, 100 packets, 140000 octets.
    const sr = Uint8Array.from([
      0x80, 200, 0, 6, 0x12, 0x34, 0xab, 0xcd, 0xe9, 0xb1, 0xb6, 0xa0, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 100, 0, 2, 0x22, 0xe0,
    ]);
    const pkts = parseRtcpCompound(concatBytes([sr, buildSdesCname(0x1234abcd, 'cam')]));
    expect(pkts.map((p) => p.type)).toEqual(['sr', 'other']);
    const p = pkts[0] as SenderReport;
    expect(p).toMatchObject({ ssrc: 0x1234abcd, rtpTimestamp: 65536, packetCount: 100, octetCount: 140000 });
    expect(p.ntpMs).toBe((0xe9b1b6a0 - 2208988800) * 1000 + 500);
    expect(p.ntpMiddle32).toBe(0xb6a08000);
  });

  it('round-trips SR, RR with report blocks, BYE', () => {
    const block: ReportBlock = { ssrc: 7, fractionLost: 25, cumulativeLost: -3, extendedHighestSequence: 70000, jitter: 12, lastSr: 0xb6a08000, delaySinceLastSr: 65536 };
    const buf = concatBytes([
      buildSenderReport({ ssrc: 1, ntpMs: 1_700_000_000_250, rtpTimestamp: 0xffffffff, packetCount: 5, octetCount: 6, reports: [block] }),
      buildReceiverReport(2, [block, { ...block, cumulativeLost: 100000 }]),
      buildSdesCname(2, 'xuncha'),
      buildBye(2),
    ]);
    const [sr, rr, sdes, bye] = parseRtcpCompound(buf);
    expect(sr).toMatchObject({ type: 'sr', ssrc: 1, ntpMs: 1_700_000_000_250, rtpTimestamp: 0xffffffff, reports: [block] });
    expect(rr).toMatchObject({ type: 'rr', ssrc: 2, reports: [block, { ...block, cumulativeLost: 100000 }] });
    expect(sdes).toEqual({ type: 'other', packetType: 202 });
    expect(bye).toEqual({ type: 'bye', ssrcs: [2] });
  });

  it('throws RtcpError on malformed input', () => {
    const rr = buildReceiverReport(1, []);
    expect(() => parseRtcpCompound(rr.subarray(0, 3))).toThrow(RtcpError);
    expect(() => parseRtcpCompound(Uint8Array.from([0x40, 201, 0, 1, 0, 0, 0, 0]))).toThrow(/version/);
    expect(() => parseRtcpCompound(Uint8Array.from([0x80, 201, 0, 9, 0, 0, 0, 0]))).toThrow(/exceeds/);
    expect(() => parseRtcpCompound(Uint8Array.from([0x81, 201, 0, 1, 0, 0, 0, 0]))).toThrow(/too short/);
    expect(() => parseRtcpCompound(Uint8Array.from([0x80, 200, 0, 1, 0, 0, 0, 0]))).toThrow(/too short/);
    expect(() => parseRtcpCompound(concatBytes([rr, Uint8Array.from([0x80, 201])]))).toThrow(/truncated/);
  });

  it('PLI and FIR are laid out as RFC 4585 §6.1/§6.3.1 and RFC 5104 §4.3.1 prescribe (issue 15 IFameCmd)', () => {
    // PLI: V=2 FMT=1, PT=206, length 2 words; sender SSRC; media source SSRC.
    expect([...buildPli(0x11223344, 0xaabbccdd)]).toEqual([0x81, 206, 0, 2, 0x11, 0x22, 0x33, 0x44, 0xaa, 0xbb, 0xcc, 0xdd]);
    // FIR: V=2 FMT=4, PT=206, length 4; sender SSRC; media source 0; FCI = SSRC, seq nr, 3 reserved bytes.
    expect([...buildFir(0x11223344, 0xaabbccdd, 258)]).toEqual([0x84, 206, 0, 4, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd, 2, 0, 0, 0]);
    const compound = concatBytes([buildReceiverReport(5), buildSdesCname(5, 'x'), buildPli(5, 9), buildFir(5, 9, 7)]);
    expect(parseRtcpCompound(compound).map((p) => p.type)).toEqual(['rr', 'other', 'other', 'other']); // a valid compound packet
    expect(keyframeRequestsIn(compound)).toEqual([{ type: 'pli', senderSsrc: 5, mediaSsrc: 9 }, { type: 'fir', senderSsrc: 5, mediaSsrc: 9, seq: 7 }]);
    expect(keyframeRequestsIn(buildReceiverReport(5))).toEqual([]);
    expect(keyframeRequestsIn(buildPli(5, 9).subarray(0, 8))).toEqual([]); // truncated: nothing read
  });
});
