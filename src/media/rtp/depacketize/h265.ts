// H.265 RTP depacketizer (RFC 7798) without DONL (sprop-max-don-diff = 0, what cameras
// send): single NAL unit, aggregation packets (AP, 48) and fragmentation units (FU, 49).
// PACI (50) is dropped and counted. Keyframe = IRAP picture (types 16..21).

import type { SdpMedia, VideoParams } from '../../types.ts';
import { BitstreamError } from '../../h264/bit-reader.ts';
import { H265Nal, isH265Irap } from '../../h265/nal.ts';
import { h265VideoParams } from '../../h265/params.ts';
import { decodeSpropList } from './sprop.ts';
import { sameBytes } from '../../params-equal.ts';
import { VideoDepacketizerBase } from './video-base.ts';

export class H265Depacketizer extends VideoDepacketizerBase {
  private vps: Uint8Array | undefined;
  private sps: Uint8Array | undefined;
  private pps: Uint8Array | undefined;
  private pendingVps: Uint8Array | undefined;
  private pendingSps: Uint8Array | undefined;
  private pendingPps: Uint8Array | undefined;

  constructor(media: SdpMedia) {
    super(media.payloadType, media.clockRate || 90000);
    const f = media.fmtp;
    this.pendingVps = decodeSpropList(f['sprop-vps'])[0];
    this.pendingSps = decodeSpropList(f['sprop-sps'])[0];
    this.pendingPps = decodeSpropList(f['sprop-pps'])[0];
    const params = this.commitParams();
    if (params) this.setParams(params);
  }

  protected unpack(p: Uint8Array): boolean {
    if (p.length < 3) return false;
    const type = (p[0] >> 1) & 0x3f;
    if (type < H265Nal.ap) {
      this.addNal(p);
      return true;
    }
    if (type === H265Nal.ap) return this.aggregate(p, 2, 2);
    if (type === H265Nal.fu) return this.unpackFu(p);
    if (type === H265Nal.paci) this.unsupportedPackets++;
    return false;
  }

  private unpackFu(p: Uint8Array): boolean {
    if (p.length < 4) return false;
    const fuHeader = p[2];
    // Rebuild the 2-byte NAL header: F and LayerId from the payload header, type from FU header.
    return this.fragment((fuHeader & 0x80) !== 0, (fuHeader & 0x40) !== 0, (p[0] & 0x81) | ((fuHeader & 0x3f) << 1), p[1], p.subarray(3));
  }

  protected startsAccessUnit(p: Uint8Array): boolean {
    if (p.length < 3) return false;
    let type = (p[0] >> 1) & 0x3f;
    let firstSliceByte = p[2];
    if (type === H265Nal.ap) {
      if (p.length < 7) return false;
      type = (p[4] >> 1) & 0x3f;
      firstSliceByte = p[6];
    } else if (type === H265Nal.fu) {
      if (p.length < 4 || (p[2] & 0x80) === 0) return false;
      type = p[2] & 0x3f;
      firstSliceByte = p[3];
    }
    if (type < 32) return (firstSliceByte & 0x80) !== 0; // first_slice_segment_in_pic_flag
    return (type >= H265Nal.vps && type <= H265Nal.aud) || type === H265Nal.seiPrefix;
  }

  protected inspectNal(nal: Uint8Array): boolean {
    if (nal.length < 2) return false;
    const type = (nal[0] >> 1) & 0x3f;
    if (type === H265Nal.vps) this.pendingVps = nal;
    else if (type === H265Nal.sps) this.pendingSps = nal;
    else if (type === H265Nal.pps) this.pendingPps = nal;
    return isH265Irap(type);
  }

  protected commitParams(): VideoParams | undefined {
    const nv = this.pendingVps;
    const ns = this.pendingSps;
    const np = this.pendingPps;
    if (nv === undefined && ns === undefined && np === undefined) return undefined;
    this.pendingVps = this.pendingSps = this.pendingPps = undefined;
    const vps = nv ?? this.vps;
    const sps = ns ?? this.sps;
    const pps = np ?? this.pps;
    if (vps === undefined || sps === undefined || pps === undefined) {
      // Keep what arrived until the set is complete.
      this.pendingVps = nv;
      this.pendingSps = ns;
      this.pendingPps = np;
      return undefined;
    }
    if (sameBytes(vps, this.vps) && sameBytes(sps, this.sps) && sameBytes(pps, this.pps)) return undefined;
    try {
      const params = h265VideoParams(vps.slice(), sps.slice(), pps.slice());
      this.vps = params.vps;
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
