// H.264 RTP depacketizer (RFC 6184, non-interleaved mode): single NAL unit, STAP-A and
// FU-A packets. STAP-B/MTAP/FU-B belong to interleaved mode that cameras do not use; they
// are dropped and counted. Frame assembly and loss handling live in VideoDepacketizerBase.

import type { SdpMedia, VideoParams } from '../../types.ts';
import { BitstreamError } from '../../h264/bit-reader.ts';
import { H264Nal } from '../../h264/nal.ts';
import { h264VideoParams } from '../../h264/params.ts';
import { decodeSpropList } from './sprop.ts';
import { sameBytes } from '../../params-equal.ts';
import { VideoDepacketizerBase } from './video-base.ts';

export class H264Depacketizer extends VideoDepacketizerBase {
  private sps: Uint8Array | undefined;
  private pps: Uint8Array | undefined;
  private pendingSps: Uint8Array | undefined;
  private pendingPps: Uint8Array | undefined;

  constructor(media: SdpMedia) {
    super(media.payloadType, media.clockRate || 90000);
    for (const nal of decodeSpropList(media.fmtp['sprop-parameter-sets'])) {
      const type = nal[0] & 0x1f;
      if (type === H264Nal.sps) this.pendingSps = nal;
      else if (type === H264Nal.pps) this.pendingPps = nal;
    }
    const params = this.commitParams();
    if (params) this.setParams(params);
  }

  protected unpack(p: Uint8Array): boolean {
    const type = p[0] & 0x1f;
    if (type >= 1 && type <= 23) {
      this.addNal(p);
      return true;
    }
    if (type === H264Nal.stapA) return this.aggregate(p, 1, 1);
    if (type === H264Nal.fuA) return this.unpackFuA(p);
    if (type === H264Nal.stapB || type === H264Nal.mtap16 || type === H264Nal.mtap24 || type === H264Nal.fuB) {
      this.unsupportedPackets++;
    }
    return false; // 0, 30, 31 reserved, or unsupported
  }

  private unpackFuA(p: Uint8Array): boolean {
    if (p.length < 3) return false;
    const fuHeader = p[1];
    return this.fragment((fuHeader & 0x80) !== 0, (fuHeader & 0x40) !== 0, (p[0] & 0xe0) | (fuHeader & 0x1f), -1, p.subarray(2));
  }

  protected startsAccessUnit(p: Uint8Array): boolean {
    let type = p[0] & 0x1f;
    let firstSliceByte = p.length > 1 ? p[1] : 0;
    if (type === H264Nal.stapA) {
      if (p.length < 4) return false;
      type = p[3] & 0x1f;
      firstSliceByte = p.length > 4 ? p[4] : 0;
    } else if (type === H264Nal.fuA) {
      if (p.length < 3 || (p[1] & 0x80) === 0) return false;
      type = p[1] & 0x1f;
      firstSliceByte = p[2];
    }
    if (type >= 1 && type <= 5) return (firstSliceByte & 0x80) !== 0; // first_mb_in_slice == 0
    return type === H264Nal.aud || type === H264Nal.sps || type === H264Nal.pps || type === H264Nal.sei;
  }

  protected inspectNal(nal: Uint8Array): boolean {
    const type = nal[0] & 0x1f;
    if (type === H264Nal.sps) this.pendingSps = nal;
    else if (type === H264Nal.pps) this.pendingPps = nal;
    return type === H264Nal.idr;
  }

  protected commitParams(): VideoParams | undefined {
    const newSps = this.pendingSps;
    const newPps = this.pendingPps;
    this.pendingSps = undefined;
    this.pendingPps = undefined;
    if (newSps === undefined && newPps === undefined) return undefined;
    const sps = newSps ?? this.sps;
    const pps = newPps ?? this.pps;
    if (sps === undefined || pps === undefined) {
      // Keep the half we have until the other arrives.
      if (newSps) this.pendingSps = newSps;
      if (newPps) this.pendingPps = newPps;
      return undefined;
    }
    if (sameBytes(sps, this.sps) && sameBytes(pps, this.pps)) return undefined;
    try {
      // Copy: the NALs are views into packet buffers that the caller may recycle.
      const params = h264VideoParams(sps.slice(), pps.slice());
      this.sps = params.sps;
      this.pps = params.pps;
      return params;
    } catch (err) {
      if (!(err instanceof BitstreamError)) throw err;
      this.badParameterSets++;
      return undefined;
    }
  }
}
