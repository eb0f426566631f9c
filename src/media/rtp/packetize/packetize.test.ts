import { describe, expect, it } from 'vitest';
import {
  aacAudioSpecificConfig,
  packetizeAacHbr,
  packetizeG711,
  packetizeH264,
  packetizeH265,
  type RtpPayload,
} from './index.ts';

function nal(header: number[], size: number, seed = 1): Uint8Array {
  const b = new Uint8Array(size);
  b.set(header);
  for (let i = header.length; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Minimal RFC 6184 reassembly used to check the packetizer round-trips. */
function depacketizeH264(packets: RtpPayload[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let fu: number[] | null = null;
  for (const { payload: p } of packets) {
    const type = p[0] & 0x1f;
    if (type === 24) {
      for (let off = 1; off < p.length; ) {
        const len = (p[off] << 8) | p[off + 1];
        out.push(p.slice(off + 2, off + 2 + len));
        off += 2 + len;
      }
    } else if (type === 28) {
      if (p[1] & 0x80) fu = [(p[0] & 0xe0) | (p[1] & 0x1f)];
      fu!.push(...p.subarray(2));
      if (p[1] & 0x40) {
        out.push(Uint8Array.from(fu!));
        fu = null;
      }
    } else out.push(p.slice());
  }
  return out;
}

function depacketizeH265(packets: RtpPayload[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let fu: number[] | null = null;
  for (const { payload: p } of packets) {
    const type = (p[0] >> 1) & 0x3f;
    if (type === 49) {
      if (p[2] & 0x80) fu = [(p[0] & 0x81) | ((p[2] & 0x3f) << 1), p[1]];
      fu!.push(...p.subarray(3));
      if (p[2] & 0x40) {
        out.push(Uint8Array.from(fu!));
        fu = null;
      }
    } else out.push(p.slice());
  }
  return out;
}

describe('packetizeH264 (RFC 6184)', () => {
  const sps = nal([0x67, 0x4d, 0x40, 0x1f], 20);
  const pps = nal([0x68], 5);
  const idr = nal([0x65], 5000, 7);
  const small = nal([0x41], 300, 3);

  it('sends small NAL units as single NAL packets with the marker on the last one', () => {
    const pk = packetizeH264([sps, pps, small]);
    expect(pk.map((p) => p.payload)).toEqual([sps, pps, small]);
    expect(pk.map((p) => p.marker)).toEqual([false, false, true]);
  });

  it('fragments large NAL units with FU-A within the MTU and round-trips', () => {
    const pk = packetizeH264([sps, pps, idr], { mtu: 1400 });
    expect(pk.length).toBe(2 + Math.ceil(4999 / 1386));
    for (const p of pk) expect(p.payload.length + 12).toBeLessThanOrEqual(1400);
    const fus = pk.slice(2);
    expect(fus.every((p) => (p.payload[0] & 0x1f) === 28 && (p.payload[0] & 0x60) === (idr[0] & 0x60))).toBe(true);
    expect(fus[0].payload[1]).toBe(0x80 | 5);
    expect(fus[fus.length - 1].payload[1]).toBe(0x40 | 5);
    expect(fus.slice(1, -1).every((p) => p.payload[1] === 5)).toBe(true);
    expect(pk.filter((p) => p.marker)).toHaveLength(1);
    expect(pk[pk.length - 1].marker).toBe(true);
    expect(depacketizeH264(pk)).toEqual([sps, pps, idr]);
  });

  it('aggregates SPS+PPS into one STAP-A when asked', () => {
    const pk = packetizeH264([sps, pps, idr], { stapA: true, mtu: 1400 });
    expect(pk[0].payload[0]).toBe(0x60 | 24);
    expect(depacketizeH264(pk)).toEqual([sps, pps, idr]);
    expect(pk[pk.length - 1].marker).toBe(true);
  });

  it('handles a NAL exactly at the payload limit and skips empty ones', () => {
    const exact = nal([0x41], 1388);
    const pk = packetizeH264([new Uint8Array(0), exact], { mtu: 1400 });
    expect(pk).toHaveLength(1);
    expect(pk[0]).toEqual({ payload: exact, marker: true });
    expect(packetizeH264([nal([0x41], 1389)], { mtu: 1400 })).toHaveLength(2);
  });

  it('rejects an absurd MTU', () => {
    expect(() => packetizeH264([sps], { mtu: 10 })).toThrow(RangeError);
  });
});

describe('packetizeH265 (RFC 7798)', () => {
  const vps = nal([0x40, 0x01], 24);
  const idr = nal([0x26, 0x01], 4000, 9); // IDR_W_RADL (19)
  it('single NAL + FU with S/E bits and type 49, round-trips', () => {
    const pk = packetizeH265([vps, idr], { mtu: 1400 });
    expect(pk[0].payload).toBe(vps);
    const fus = pk.slice(1);
    expect(fus.length).toBe(Math.ceil(3998 / 1385));
    for (const p of fus) {
      expect((p.payload[0] >> 1) & 0x3f).toBe(49);
      expect(p.payload.length + 12).toBeLessThanOrEqual(1400);
    }
    expect(fus[0].payload[2]).toBe(0x80 | 19);
    expect(fus[fus.length - 1].payload[2]).toBe(0x40 | 19);
    expect(pk.map((p) => p.marker).filter(Boolean)).toHaveLength(1);
    expect(pk[pk.length - 1].marker).toBe(true);
    expect(depacketizeH265(pk)).toEqual([vps, idr]);
  });
});

describe('packetizeAacHbr (RFC 3640)', () => {
  it('prefixes one 13+3-bit AU header', () => {
    const au = nal([0x21], 371);
    const p = packetizeAacHbr(au);
    expect([...p.subarray(0, 4)]).toEqual([0x00, 0x10, 371 >> 5, (371 & 0x1f) << 3]);
    expect(p.subarray(4)).toEqual(au);
    expect(() => packetizeAacHbr(new Uint8Array(8192))).toThrow(RangeError);
  });
  it('builds AudioSpecificConfig 1408 for AAC-LC 16 kHz mono and 1210 for 44.1 kHz stereo', () => {
    expect(Buffer.from(aacAudioSpecificConfig(2, 8, 1)).toString('hex')).toBe('1408');
    expect(Buffer.from(aacAudioSpecificConfig(2, 4, 2)).toString('hex')).toBe('1210');
  });
});

describe('packetizeG711', () => {
  it('splits into 20 ms (160-sample) packets without copying', () => {
    const s = new Uint8Array(500);
    const pk = packetizeG711(s);
    expect(pk.map((p) => p.length)).toEqual([160, 160, 160, 20]);
    expect(pk[1].buffer).toBe(s.buffer);
    expect(() => packetizeG711(s, 0)).toThrow(RangeError);
  });
});
