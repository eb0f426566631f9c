// Seed corpus for depacketizer fuzzing: synthetic access units (real x264/x265 parameter
// sets, filler slices) packetized with the test packetizer, serialized as a packet stream.
// Record format (see decodePacketStream): flags u8, length u16 BE, payload.
//   flags bit 7: marker; bits 0-2: sequence step (0 duplicate, 7 = step back 3);
//   bits 3-4: timestamp step (0 same, 1 +step, 2 -step, 3 +2^31-1); bit 5: wrong payload type.

import type { RtpPacket } from '../types.ts';
import { packetizeAacHbr, packetizeG711, packetizeVideo } from '../rtp/depacketize/test-packetize.ts';
import { Prng } from './prng.ts';

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** x264 High 1280x720@25, 4:4:4 322x242@15 and Baseline 640x480@29.97 SPS/PPS. */
export const H264_PARAM_SETS: Array<[Uint8Array, Uint8Array]> = [
  [b64('Z2QAH6yyAKALdgIgAAADACAAAAZB4wZJ'), b64('aOvDyyLA')],
  [b64('Z/QADJGWQFQh4+PwEQAAAwABAAADAB4PFCpI'), b64('aOvDxEwABEA=')],
  [b64('Z0LAHtkAoD2wEQAAAwPpAADqYA8WLkg='), b64('aMuDyyA=')],
];
/** x265 Main 1280x720@25 VPS/SPS/PPS. */
export const H265_PARAM_SETS: [Uint8Array, Uint8Array, Uint8Array] = [
  b64('QAEMAf//AWAAAAMAkAAAAwAAAwBdugJA'),
  b64('QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WW6SkwvAWgIAAAAMAgAAADIQ='),
  b64('RAHAc8GJ'),
];

export function decodePacketStream(input: Uint8Array, payloadType: number, tsStep: number): RtpPacket[] {
  const packets: RtpPacket[] = [];
  let seq = 100;
  let ts = 0;
  let o = 0;
  while (o + 3 <= input.length) {
    const flags = input[o];
    const len = (input[o + 1] << 8) | input[o + 2];
    o += 3;
    const payload = input.subarray(o, Math.min(input.length, o + len));
    o += len;
    const seqStep = flags & 7;
    seq = (seq + (seqStep === 7 ? -3 : seqStep)) & 0xffff;
    const tsMode = (flags >> 3) & 3;
    ts = tsMode === 0 ? ts : tsMode === 1 ? ts + tsStep : tsMode === 2 ? ts - tsStep : ts + 0x7fffffff;
    packets.push({
      payloadType: flags & 0x20 ? payloadType + 1 : payloadType,
      sequence: seq,
      timestamp: ts >>> 0,
      ssrc: 1,
      marker: (flags & 0x80) !== 0,
      payload,
    });
  }
  return packets;
}

export function encodePacketStream(packets: readonly RtpPacket[], tsStep: number): Uint8Array {
  const parts: number[] = [];
  let prevSeq = 100;
  let prevTs = 0;
  for (const p of packets) {
    const seqStep = (p.sequence - prevSeq) & 0xffff;
    const tsDelta = (p.timestamp - prevTs) | 0;
    const tsMode = tsDelta === 0 ? 0 : tsDelta === tsStep ? 1 : tsDelta === -tsStep ? 2 : 3;
    parts.push((p.marker ? 0x80 : 0) | (tsMode << 3) | Math.min(seqStep, 6), p.payload.length >> 8, p.payload.length & 0xff, ...p.payload);
    prevSeq = p.sequence;
    prevTs = p.timestamp;
  }
  return Uint8Array.from(parts);
}

function filler(rng: Prng, header: number[], size: number): Uint8Array {
  const b = rng.bytes(size);
  b.set(header);
  return b;
}

export function h264Seeds(): Uint8Array[] {
  const rng = new Prng(264);
  return H264_PARAM_SETS.map(([sps, pps], k) => {
    const units: Uint8Array[][] = [];
    for (let i = 0; i < 6; i++) {
      const slice = filler(rng, i === 0 ? [0x65, 0x88] : [0x41, 0x9a], i === 0 ? 3000 : 150 + rng.int(2000));
      units.push(i === 0 ? [Uint8Array.of(0x09, 0xf0), sps, pps, Uint8Array.of(0x06, 5, 1, 0x80), slice] : [slice]);
    }
    const packets = packetizeVideo('h264', units, { mtu: k === 2 ? 400 : 1200, startSeq: 100, startTs: 3600 });
    return encodePacketStream(packets, 3600);
  });
}

export function h265Seeds(): Uint8Array[] {
  const rng = new Prng(265);
  const [vps, sps, pps] = H265_PARAM_SETS;
  const units: Uint8Array[][] = [];
  for (let i = 0; i < 6; i++) {
    const slice = filler(rng, i === 0 ? [0x26, 0x01, 0xaf] : [0x02, 0x01, 0xd0], i === 0 ? 2500 : 100 + rng.int(1500));
    units.push(i === 0 ? [vps, sps, pps, Uint8Array.of(0x4e, 0x01, 5, 1, 0x80), slice] : [slice]);
  }
  return [500, 1200].map((mtu) => encodePacketStream(packetizeVideo('h265', units, { mtu, startSeq: 100, startTs: 3600 }), 3600));
}

export function aacSeeds(): Uint8Array[] {
  const rng = new Prng(3640);
  const aus = Array.from({ length: 12 }, (_, i) => rng.bytes(i === 5 ? 1500 : 60 + rng.int(300)));
  return [1, 3].map((per) =>
    encodePacketStream(packetizeAacHbr(aus, { ausPerPacket: per, mtu: 600, payloadType: 97, startSeq: 100, startTs: 1024 }), 1024),
  );
}

export function g711Seeds(): Uint8Array[] {
  return [encodePacketStream(packetizeG711(new Prng(711).bytes(1600), { startSeq: 100, startTs: 160 }), 160)];
}
