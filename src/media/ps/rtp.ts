// PS over RTP (GB/T 28181 Annex C / RFC 2250-style): one PS unit per RTP timestamp, cut into
// payloads of at most maxPacketBytes, marker on the last packet of the unit. The receive side
// reorders within a small window, and drops a unit with any missing packet (then video waits
// for the next keyframe) rather than feeding a decoder corrupt data.
import { PsDemuxer } from './demux.ts';
import { PACK_START } from './constants.ts';
import { RTP_HEADER_BYTES } from '../rtp/packet.ts';
import type { PsDemuxerOptions } from './demux.ts';
import type { AudioParams, Depacketizer, MediaFrame, RtpPacket, VideoParams } from '../types.ts';

export const PS_PAYLOAD_TYPE = 96;
export const PS_MAX_RTP_PACKET_BYTES = 1400;

export interface PsRtpPacketizerOptions {
  ssrc: number;
  payloadType?: number;
  /** Whole RTP packet size limit including the 12-byte header. Default 1400. */
  maxPacketBytes?: number;
  initialSequence?: number;
}

export class PsRtpPacketizer {
  private seq: number;
  private readonly maxPayload: number;

  constructor(private readonly opts: PsRtpPacketizerOptions) {
    this.seq = (opts.initialSequence ?? Math.floor(Math.random() * 0x10000)) & 0xffff;
    this.maxPayload = (opts.maxPacketBytes ?? PS_MAX_RTP_PACKET_BYTES) - RTP_HEADER_BYTES;
    if (this.maxPayload < 1) throw new RangeError('maxPacketBytes too small');
  }

  /** RTP packets for one PS unit; `timestamp90k` is the unit's (video) timestamp. */
  packetize(psUnit: Uint8Array, timestamp90k: number): RtpPacket[] {
    const out: RtpPacket[] = [];
    const ts = ((Math.floor(timestamp90k) % 2 ** 32) + 2 ** 32) % 2 ** 32;
    for (let o = 0; o < psUnit.length; o += this.maxPayload) {
      const payload = psUnit.subarray(o, o + this.maxPayload);
      out.push({ payloadType: this.opts.payloadType ?? PS_PAYLOAD_TYPE, sequence: this.seq, timestamp: ts, ssrc: this.opts.ssrc >>> 0, marker: o + this.maxPayload >= psUnit.length, payload });
      this.seq = (this.seq + 1) & 0xffff;
    }
    return out;
  }
}

const seqDiff = (a: number, b: number): number => ((a - b + 0x18000) & 0xffff) - 0x8000;

interface Unit {
  timestamp: number;
  packets: Map<number, Uint8Array>;
  /** Lowest sequence seen (wrap-aware): units are processed in this order, not arrival order. */
  minSeq: number;
  markerSeq?: number;
  bytes: number;
}

export interface PsRtpDepacketizerOptions extends PsDemuxerOptions {
  /** Units held waiting for late packets before the oldest incomplete one is dropped. Default 3. */
  reorderUnits?: number;
}

const MAX_UNIT_BYTES = 4 * 1024 * 1024;

export class PsRtpDepacketizer implements Depacketizer {
  droppedPackets = 0;
  droppedUnits = 0;
  private readonly demux: PsDemuxer;
  private readonly units: Unit[] = [];
  /** Sequence number after the last emitted or dropped unit. */
  private nextSeq?: number;

  constructor(private readonly opts: PsRtpDepacketizerOptions = {}) {
    this.demux = new PsDemuxer(opts);
  }

  get videoParams(): VideoParams | undefined {
    return this.demux.videoParams;
  }

  get audioParams(): AudioParams | undefined {
    return this.demux.audioParams;
  }

  get streamTypes(): ReadonlyMap<number, number> {
    return this.demux.streamTypes;
  }

  push(packet: RtpPacket, receivedAtMs: number): MediaFrame[] {
    if (this.nextSeq !== undefined && seqDiff(packet.sequence, this.nextSeq) < 0 && seqDiff(packet.sequence, this.nextSeq) > -1000) {
      this.droppedPackets++; // late or duplicate: its unit is gone already
      return [];
    }
    let unit = this.units.find((u) => u.timestamp === packet.timestamp);
    if (!unit) {
      unit = { timestamp: packet.timestamp, packets: new Map(), bytes: 0, minSeq: packet.sequence };
      this.units.push(unit);
    }
    if (seqDiff(packet.sequence, unit.minSeq) < 0) unit.minSeq = packet.sequence;
    this.units.sort((a, b) => seqDiff(a.minSeq, b.minSeq));
    if (!unit.packets.has(packet.sequence)) {
      unit.packets.set(packet.sequence, packet.payload.slice());
      unit.bytes += packet.payload.length;
    }
    if (packet.marker) unit.markerSeq = packet.sequence;
    if (unit.bytes > MAX_UNIT_BYTES) this.dropUnit(this.units.indexOf(unit));
    const out: MediaFrame[] = [];
    while (this.units.length > 0) {
      const oldest = this.units[0];
      const ps = assemble(oldest);
      const gap = ps !== undefined && this.nextSeq !== undefined && ps.firstSeq !== this.nextSeq;
      const windowFull = this.units.length > (this.opts.reorderUnits ?? 3);
      // A complete unit after a sequence gap may just be early: wait for the window to fill.
      if (ps && (!gap || windowFull)) {
        this.units.shift();
        this.nextSeq = ((oldest.markerSeq ?? 0) + 1) & 0xffff;
        if (gap) this.demux.noteLoss();
        out.push(...this.demux.push(ps.data, receivedAtMs), ...this.demux.flush(receivedAtMs));
        continue;
      }
      if (!windowFull) break;
      this.dropUnit(0);
    }
    return out;
  }

  private dropUnit(i: number): void {
    const [u] = this.units.splice(i, 1);
    this.droppedPackets += u.packets.size;
    this.droppedUnits++;
    if (u.markerSeq !== undefined && i === 0) this.nextSeq = (u.markerSeq + 1) & 0xffff;
    this.demux.noteLoss();
  }
}

/** The unit's bytes if it is complete: starts with a pack header and has every packet up to the marker. */
function assemble(u: Unit): { data: Uint8Array; firstSeq: number } | undefined {
  if (u.markerSeq === undefined) return undefined;
  let first = u.markerSeq;
  for (const s of u.packets.keys()) if (seqDiff(s, first) < 0) first = s;
  const count = seqDiff(u.markerSeq, first) + 1;
  if (count !== u.packets.size) return undefined;
  const head = u.packets.get(first);
  if (!head || head.length < 4 || head[0] !== 0 || head[1] !== 0 || head[2] !== 1 || head[3] !== PACK_START) return undefined;
  const data = new Uint8Array(u.bytes);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const p = u.packets.get((first + i) & 0xffff);
    if (!p) return undefined;
    data.set(p, o);
    o += p.length;
  }
  return { data, firstSeq: first };
}
