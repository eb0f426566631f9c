// Test-only RTP packetizers (RFC 6184 / 7798 / 3640 / 3551) used to feed real encoder output
// into the depacketizers: single NAL packets, STAP-A/AP aggregation of small NALs, FU-A/FU
// fragmentation of large ones, AAC-hbr with several AUs per packet, G.711 chunks.

import type { RtpPacket } from '../../types.ts';

export interface PacketizeOptions {
  payloadType?: number;
  ssrc?: number;
  /** First sequence number (set near 65535 to exercise wrap). */
  startSeq?: number;
  /** First RTP timestamp (set near 2^32 to exercise wrap). */
  startTs?: number;
  /** Largest RTP payload in bytes. */
  mtu?: number;
}

class Sequencer {
  seq: number;
  constructor(private readonly o: PacketizeOptions) {
    this.seq = (o.startSeq ?? 1000) & 0xffff;
  }
  packet(timestamp: number, marker: boolean, payload: Uint8Array): RtpPacket {
    const p: RtpPacket = {
      payloadType: this.o.payloadType ?? 96,
      sequence: this.seq,
      timestamp: timestamp >>> 0,
      ssrc: this.o.ssrc ?? 0x1234abcd,
      marker,
      payload,
    };
    this.seq = (this.seq + 1) & 0xffff;
    return p;
  }
}

type VideoCodec = 'h264' | 'h265';

/** Packetizes access units (arrays of NALs without start codes), one timestamp step apart. */
export function packetizeVideo(
  codec: VideoCodec,
  units: readonly Uint8Array[][],
  opts: PacketizeOptions & { tsStep90k?: number; aggregate?: boolean } = {},
): RtpPacket[] {
  const mtu = opts.mtu ?? 1200;
  const seq = new Sequencer(opts);
  const out: RtpPacket[] = [];
  const headerLen = codec === 'h264' ? 1 : 2;
  units.forEach((nalus, i) => {
    const ts = (opts.startTs ?? 0) + i * (opts.tsStep90k ?? 3600);
    const payloads: Uint8Array[] = [];
    let group: Uint8Array[] = [];
    const flushGroup = (): void => {
      if (group.length === 1) payloads.push(group[0]);
      else if (group.length > 1) payloads.push(aggregate(codec, group));
      group = [];
    };
    for (const nal of nalus) {
      if (nal.length > mtu) {
        flushGroup();
        payloads.push(...fragment(codec, nal, mtu, headerLen));
        continue;
      }
      const groupSize = group.reduce((s, n) => s + 2 + n.length, headerLen);
      if (opts.aggregate === false || groupSize + 2 + nal.length > mtu) flushGroup();
      group.push(nal);
    }
    flushGroup();
    payloads.forEach((p, j) => out.push(seq.packet(ts, j === payloads.length - 1, p)));
  });
  return out;
}

function aggregate(codec: VideoCodec, nalus: Uint8Array[]): Uint8Array {
  const headerLen = codec === 'h264' ? 1 : 2;
  const size = nalus.reduce((s, n) => s + 2 + n.length, headerLen);
  const out = new Uint8Array(size);
  if (codec === 'h264') {
    let nri = 0;
    for (const n of nalus) nri = Math.max(nri, n[0] & 0x60);
    out[0] = nri | 24;
  } else {
    out[0] = (nalus[0][0] & 0x81) | (48 << 1);
    out[1] = nalus[0][1];
  }
  let o = headerLen;
  for (const n of nalus) {
    out[o] = n.length >> 8;
    out[o + 1] = n.length & 0xff;
    out.set(n, o + 2);
    o += 2 + n.length;
  }
  return out;
}

function fragment(codec: VideoCodec, nal: Uint8Array, mtu: number, headerLen: number): Uint8Array[] {
  const fuHeaderLen = headerLen + 1;
  const body = nal.subarray(headerLen);
  const chunk = mtu - fuHeaderLen;
  const out: Uint8Array[] = [];
  for (let o = 0; o < body.length; o += chunk) {
    const part = body.subarray(o, Math.min(body.length, o + chunk));
    const p = new Uint8Array(fuHeaderLen + part.length);
    const se = (o === 0 ? 0x80 : 0) | (o + chunk >= body.length ? 0x40 : 0);
    if (codec === 'h264') {
      p[0] = (nal[0] & 0xe0) | 28;
      p[1] = se | (nal[0] & 0x1f);
    } else {
      p[0] = (nal[0] & 0x81) | (49 << 1);
      p[1] = nal[1];
      p[2] = se | ((nal[0] >> 1) & 0x3f);
    }
    p.set(part, fuHeaderLen);
    out.push(p);
  }
  return out;
}

/** RFC 3640 AAC-hbr (sizelength 13, indexlength 3, indexdeltalength 3); fragments AUs over mtu. */
export function packetizeAacHbr(
  aus: readonly Uint8Array[],
  opts: PacketizeOptions & { ausPerPacket?: number; frameLength?: number } = {},
): RtpPacket[] {
  const mtu = opts.mtu ?? 1200;
  const perPacket = opts.ausPerPacket ?? 1;
  const frameLength = opts.frameLength ?? 1024;
  const seq = new Sequencer(opts);
  const out: RtpPacket[] = [];
  for (let i = 0; i < aus.length; i += perPacket) {
    const group = aus.slice(i, i + perPacket);
    const ts = (opts.startTs ?? 0) + i * frameLength;
    const dataLen = group.reduce((s, a) => s + a.length, 0);
    if (group.length === 1 && 4 + dataLen > mtu) {
      // Fragment one AU; every fragment repeats the AU header with the full size.
      const au = group[0];
      for (let o = 0; o < au.length; o += mtu - 4) {
        const part = au.subarray(o, Math.min(au.length, o + mtu - 4));
        out.push(seq.packet(ts, o + mtu - 4 >= au.length, auPacket([au.length], [part])));
      }
      continue;
    }
    out.push(seq.packet(ts, true, auPacket(group.map((a) => a.length), group)));
  }
  return out;
}

function auPacket(sizes: number[], data: Uint8Array[]): Uint8Array {
  const headerBytes = sizes.length * 2;
  const dataLen = data.reduce((s, d) => s + d.length, 0);
  const p = new Uint8Array(2 + headerBytes + dataLen);
  const bits = sizes.length * 16;
  p[0] = bits >> 8;
  p[1] = bits & 0xff;
  sizes.forEach((size, i) => {
    // 13-bit size + 3-bit index/index-delta (0).
    p[2 + i * 2] = size >> 5;
    p[3 + i * 2] = (size & 0x1f) << 3;
  });
  let o = 2 + headerBytes;
  for (const d of data) {
    p.set(d, o);
    o += d.length;
  }
  return p;
}

/** G.711: fixed-size chunks of samples, timestamp = sample index. */
export function packetizeG711(samples: Uint8Array, opts: PacketizeOptions & { samplesPerPacket?: number } = {}): RtpPacket[] {
  const n = opts.samplesPerPacket ?? 160;
  const seq = new Sequencer({ payloadType: 8, ...opts });
  const out: RtpPacket[] = [];
  for (let o = 0; o < samples.length; o += n) {
    out.push(seq.packet((opts.startTs ?? 0) + o, false, samples.subarray(o, Math.min(samples.length, o + n))));
  }
  return out;
}
