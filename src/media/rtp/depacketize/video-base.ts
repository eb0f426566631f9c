// Shared frame assembly for H.264 and H.265 depacketizers: sequence-gap detection, frame
// boundaries (marker bit or timestamp change), damaged-frame dropping, waiting for a
// keyframe after loss, and parameter-set change tracking. Codec subclasses only unpack
// payload formats and classify NAL units.

import type { Depacketizer, MediaFrame, RtpPacket, VideoFrame, VideoParams } from '../../types.ts';
import { FragmentBuffer } from './fragment-buffer.ts';
import { RtpTimestampUnwrapper, seqDelta } from './timestamp.ts';

/** Returned when a packet completes no frame, so the hot path allocates nothing. */
export const NO_FRAMES: MediaFrame[] = Object.freeze([]) as unknown as MediaFrame[];

export abstract class VideoDepacketizerBase implements Depacketizer {
  videoParams: VideoParams | undefined;
  /** Malformed, duplicate, late (reordered), wrong payload type or unsupported packets. */
  droppedPackets = 0;
  /** Packets never received, from sequence-number gaps. */
  lostPackets = 0;
  /** Frames discarded: damaged by loss, or undecodable while waiting for a keyframe. */
  droppedFrames = 0;
  /** Packets of valid but unsupported types (STAP-B, MTAP, FU-B, PACI), also in droppedPackets. */
  unsupportedPackets = 0;
  /** In-band parameter sets that failed to parse (old params are kept). */
  badParameterSets = 0;
  /** Increments each time videoParams is replaced; consumers start a new file on change. */
  paramsVersion = 0;

  protected readonly fu = new FragmentBuffer();
  private readonly unwrapper = new RtpTimestampUnwrapper();
  private readonly ptsScale: number;
  private lastSeq = -1;
  private waitKeyframe = true;
  private emittedParamsVersion = 0;

  // Frame being assembled.
  private active = false;
  private frameTs = 0;
  private framePts90k = 0;
  private nalus: Uint8Array[] = [];
  private damaged = false;
  private keyframe = false;
  private lastPacketAtMs = 0;

  protected constructor(
    private readonly payloadType: number,
    clockRate: number,
  ) {
    this.ptsScale = clockRate > 0 ? 90000 / clockRate : 1;
  }

  /** Bytes held in reassembly (bounded by MAX_REASSEMBLY_BYTES). */
  get bufferedBytes(): number {
    return this.fu.size;
  }

  /** Splits one RTP payload into NAL units via addNal(); returns false if malformed. */
  protected abstract unpack(payload: Uint8Array): boolean;
  /** True if the payload begins a new access unit (used to judge loss between frames). */
  protected abstract startsAccessUnit(payload: Uint8Array): boolean;
  /** Codec hook per complete NAL: remember parameter sets, report keyframe NALs. */
  protected abstract inspectNal(nal: Uint8Array): boolean;
  /** Applies parameter sets seen in the frame; returns new params or undefined if unchanged. */
  protected abstract commitParams(): VideoParams | undefined;

  push(packet: RtpPacket, receivedAtMs: number): MediaFrame[] {
    if (packet.payloadType !== this.payloadType || packet.payload.length === 0) {
      this.droppedPackets++;
      return NO_FRAMES;
    }
    const seq = packet.sequence & 0xffff;
    let gap = false;
    if (this.lastSeq >= 0) {
      const d = seqDelta(this.lastSeq, seq);
      if (d <= 0) {
        // Duplicate or late: we do not reorder (RTSP over TCP never needs it).
        this.droppedPackets++;
        return NO_FRAMES;
      }
      if (d > 1) {
        this.lostPackets += d - 1;
        gap = true;
      }
    }
    this.lastSeq = seq;

    let out: MediaFrame[] | undefined;
    const ts = packet.timestamp >>> 0;
    if (this.active && ts !== this.frameTs) {
      // Timestamp change closes the frame (marker lost or not sent); lost packets may be its tail.
      if (gap) this.damaged = true;
      out = this.finishFrame(out);
    }
    let newFrame = false;
    if (!this.active) {
      newFrame = ts !== this.frameTs;
      this.startFrame(ts);
    }
    if (gap) {
      this.waitKeyframe = true;
      // The lost packets cannot belong to this frame if it has a new timestamp and this packet
      // begins an access unit (AUD/SPS/PPS/SEI or first slice): keep it, so an IDR right
      // after the loss still restarts the stream.
      if (!(newFrame && this.startsAccessUnit(packet.payload))) {
        this.damaged = true;
        this.fu.reset();
      }
    }
    this.lastPacketAtMs = receivedAtMs;
    if (!this.unpack(packet.payload)) {
      this.droppedPackets++;
      this.damaged = true;
    }
    if (packet.marker) out = this.finishFrame(out);
    return out ?? NO_FRAMES;
  }

  /** Called by subclasses for each complete NAL unit of the current frame. */
  protected addNal(nal: Uint8Array): void {
    if (nal.length === 0) return;
    if (this.inspectNal(nal)) this.keyframe = true;
    this.nalus.push(nal);
  }

  /**
   * One aggregation packet (H.264 STAP-A from `offset` 1, H.265 AP from 2): 16-bit sizes, each
   * followed by a NAL of at least `minNalBytes`. False when the sizes do not add up.
   */
  protected aggregate(p: Uint8Array, offset: number, minNalBytes: number): boolean {
    let o = offset;
    let any = false;
    while (o + 2 <= p.length) {
      const size = (p[o] << 8) | p[o + 1];
      o += 2;
      if (size < minNalBytes || o + size > p.length) return false;
      this.addNal(p.subarray(o, o + size));
      o += size;
      any = true;
    }
    return any && o === p.length;
  }

  /**
   * One fragmentation unit (H.264 FU-A, H.265 FU): starts, extends or ends the fragmented NAL.
   * `h0`/`h1` are the rebuilt NAL header bytes (h1 < 0: one-byte H.264 header), used only on a
   * start fragment, so nothing is allocated per packet. Returns false when the packet is unusable
   * (reassembly cap hit).
   */
  protected fragment(start: boolean, end: boolean, h0: number, h1: number, body: Uint8Array): boolean {
    if (start) {
      if (this.fu.active) this.markDamaged(); // the previous NAL never ended
      this.fu.start(h1 < 0 ? Uint8Array.of(h0) : Uint8Array.of(h0, h1));
    } else if (!this.fu.active) {
      this.markDamaged(); // its start fragment was lost earlier
      return true;
    }
    if (!this.fu.append(body)) {
      this.markDamaged();
      this.fu.reset();
      return false;
    }
    if (end) {
      const nal = this.fu.finish();
      if (nal) this.addNal(nal);
    }
    return true;
  }

  /** Called by subclasses when a fragment sequence is broken (missing start). */
  protected markDamaged(): void {
    this.damaged = true;
  }

  /** Installs params (from SDP or in-band) and bumps the version. */
  protected setParams(params: VideoParams): void {
    this.videoParams = params;
    this.paramsVersion++;
  }

  private startFrame(ts: number): void {
    this.active = true;
    this.frameTs = ts;
    this.framePts90k = Math.round(this.unwrapper.unwrap(ts) * this.ptsScale);
    this.nalus = [];
    this.damaged = false;
    this.keyframe = false;
  }

  private finishFrame(out: MediaFrame[] | undefined): MediaFrame[] | undefined {
    this.active = false;
    // An unfinished fragmented NAL at the frame end means we lost its end.
    const incomplete = this.fu.active;
    this.fu.reset();
    // Parameter sets are complete NALs even in a damaged frame, so always learn them.
    const changed = this.commitParams();
    if (changed) this.setParams(changed);
    const nalus = this.nalus;
    if (this.damaged || incomplete || nalus.length === 0) {
      if (nalus.length > 0 || this.damaged) this.droppedFrames++;
      this.waitKeyframe = this.waitKeyframe || this.damaged || incomplete;
      return out;
    }
    if (this.waitKeyframe) {
      if (!this.keyframe || this.videoParams === undefined) {
        this.droppedFrames++;
        return out;
      }
      this.waitKeyframe = false;
    }
    const frame: VideoFrame = {
      kind: 'video',
      pts90k: this.framePts90k,
      keyframe: this.keyframe,
      nalus,
      receivedAtMs: this.lastPacketAtMs,
    };
    if (this.emittedParamsVersion !== this.paramsVersion) {
      frame.newParams = this.videoParams;
      this.emittedParamsVersion = this.paramsVersion;
    }
    (out ??= []).push(frame);
    return out;
  }
}
