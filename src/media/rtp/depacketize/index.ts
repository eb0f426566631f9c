// Depacketizer factory: picks the payload format from the SDP rtpmap encoding name.

import type { Depacketizer, SdpMedia } from '../../types.ts';
import { AacDepacketizer } from './aac.ts';
import { G711Depacketizer } from './g711.ts';
import { H264Depacketizer } from './h264.ts';
import { H265Depacketizer } from './h265.ts';

export class UnsupportedEncodingError extends Error {
  override name = 'UnsupportedEncodingError';
}

export function createDepacketizer(media: SdpMedia): Depacketizer {
  const encoding = media.encoding.toUpperCase();
  switch (encoding) {
    case 'H264':
      if (media.fmtp['packetization-mode'] === '2') {
        throw new UnsupportedEncodingError('H264 packetization-mode=2 (interleaved) is not supported');
      }
      return new H264Depacketizer(media);
    case 'H265':
    case 'HEVC':
      if (Number(media.fmtp['sprop-max-don-diff'] ?? '0') > 0) {
        throw new UnsupportedEncodingError('H265 with sprop-max-don-diff > 0 (DONL fields) is not supported');
      }
      return new H265Depacketizer(media);
    case 'MPEG4-GENERIC': {
      const mode = (media.fmtp['mode'] ?? '').toLowerCase();
      if (mode !== 'aac-hbr' && mode !== 'aac-lbr') {
        throw new UnsupportedEncodingError(`mpeg4-generic mode "${media.fmtp['mode'] ?? ''}" is not supported (need AAC-hbr or AAC-lbr)`);
      }
      try {
        return new AacDepacketizer(media);
      } catch (err) {
        throw new UnsupportedEncodingError((err as Error).message);
      }
    }
    case 'PCMA':
    case 'PCMU':
      return new G711Depacketizer(media);
    default:
      throw new UnsupportedEncodingError(
        `unsupported RTP encoding "${media.encoding}" (payload type ${media.payloadType}); supported: H264, H265, MPEG4-GENERIC (AAC), PCMA, PCMU`,
      );
  }
}

export { AacDepacketizer, G711Depacketizer, H264Depacketizer, H265Depacketizer };
