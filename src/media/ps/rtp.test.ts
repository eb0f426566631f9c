import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { splitAnnexB } from '../h264/annexb.ts';
import { groupH264AccessUnits } from '../h264/access-unit.ts';
import { h264NalType } from '../h264/nal.ts';
import { parseRtpPacket, serializeRtpPacket } from '../rtp/packet.ts';
import { PsMuxer } from './mux.ts';
import { PsRtpDepacketizer, PsRtpPacketizer } from './rtp.ts';
import { frameRfc4571, Rfc4571Deframer, Rfc4571Error } from './rfc4571.ts';
import type { RtpPacket, VideoFrame, MediaFrame } from '../types.ts';

const frames: VideoFrame[] = groupH264AccessUnits(splitAnnexB(readFileSync(new URL('../../../assets/clips/sub.h264', import.meta.url))))
  .slice(0, 120)
  .map((nalus, i) => ({ kind: 'video', pts90k: i * 3600, keyframe: nalus.some((n) => h264NalType(n) === 5), nalus, receivedAtMs: 0 }));

function units(): RtpPacket[][] {
  const mux = new PsMuxer({ video: 'h264' });
  const pk = new PsRtpPacketizer({ ssrc: 200000001, initialSequence: 65500 });
  return frames.map((f) => pk.packetize(mux.muxVideo(f), f.pts90k));
}

const ptsOf = (fs: MediaFrame[]): number[] => fs.map((f) => (f as VideoFrame).pts90k);

describe('PS over RTP (R-FN-3)', () => {
  it('R-FN-3: packetizes at ≤ 1400 bytes, PT 96, marker on the last packet, and reassembles', () => {
    const all = units();
    for (const u of all) {
      for (const p of u) expect(serializeRtpPacket(p).length).toBeLessThanOrEqual(1400);
      expect(u.map((p) => p.marker)).toEqual(u.map((_, i) => i === u.length - 1));
      expect(u.every((p) => p.payloadType === 96 && p.ssrc === 200000001 && p.timestamp === u[0].timestamp)).toBe(true);
    }
    const d = new PsRtpDepacketizer();
    // Through the wire format, across the 16-bit sequence wrap.
    const got = all.flat().flatMap((p) => d.push(parseRtpPacket(serializeRtpPacket(p)), 1));
    expect(ptsOf(got)).toEqual(frames.map((f) => f.pts90k));
    expect((got[5] as VideoFrame).nalus.map((n) => n.length)).toEqual(frames[5].nalus.map((n) => n.length));
    expect(d.videoParams).toMatchObject({ width: 640, height: 360 });
    expect(d.droppedPackets).toBe(0);
  });

  it('R-FN-3: tolerates reordering within and across units', () => {
    const all = units();
    const seq = all.flat();
    // Swap neighbours every 5 packets (crosses unit boundaries too).
    for (let i = 0; i + 1 < seq.length; i += 5) [seq[i], seq[i + 1]] = [seq[i + 1], seq[i]];
    const d = new PsRtpDepacketizer();
    const got = seq.flatMap((p) => d.push(p, 1));
    expect(ptsOf(got)).toEqual(frames.map((f) => f.pts90k));
  });

  it('R-FN-3: drops a damaged unit and then waits for the next keyframe', () => {
    const all = units();
    const lostFrame = 10; // a P-frame; next keyframe at 50 (GOP 50)
    all[lostFrame].splice(1, 1);
    const d = new PsRtpDepacketizer();
    const got = all.flat().flatMap((p) => d.push(p, 1));
    const expected = frames.filter((_, i) => i < lostFrame || i >= 50).map((f) => f.pts90k);
    expect(ptsOf(got)).toEqual(expected);
    expect(d.droppedPackets).toBeGreaterThan(0);
  });

  it('R-FN-3: a wholly lost unit (marker included) is detected by the sequence gap', () => {
    const all = units();
    all.splice(20, 1);
    const d = new PsRtpDepacketizer();
    const got = all.flat().flatMap((p) => d.push(p, 1));
    expect(ptsOf(got)).toEqual(frames.filter((_, i) => i < 20 || i >= 50).map((f) => f.pts90k));
  });

  it('frames RTP over TCP with RFC 4571 length prefixes', () => {
    const pkts = units().slice(0, 3).flat().map((p) => serializeRtpPacket(p));
    const stream = Buffer.concat(pkts.map(frameRfc4571));
    const de = new Rfc4571Deframer();
    const out: Uint8Array[] = [];
    for (let o = 0; o < stream.length; o += 333) out.push(...de.push(stream.subarray(o, o + 333)));
    expect(out.map((b) => Buffer.from(b).toString('hex'))).toEqual(pkts.map((b) => Buffer.from(b).toString('hex')));
    expect(de.bufferedBytes).toBe(0);
    expect(() => frameRfc4571(new Uint8Array(70000))).toThrow(Rfc4571Error);
  });
});
