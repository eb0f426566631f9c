// G.711 (PCMA/PCMU, RFC 3551 4.5.14): one byte per sample at 8 kHz, so the payload is the
// frame as-is and the sample count is its length. No reassembly, no copies.

import type { AudioFrame, AudioParams, Depacketizer, MediaFrame, RtpPacket, SdpMedia } from '../../types.ts';
import { RtpTimestampUnwrapper, seqDelta } from './timestamp.ts';
import { NO_FRAMES } from './video-base.ts';

export class G711Depacketizer implements Depacketizer {
  readonly audioParams: AudioParams;
  droppedPackets = 0;
  lostPackets = 0;
  private readonly unwrapper = new RtpTimestampUnwrapper();
  private lastSeq = -1;

  constructor(private readonly media: SdpMedia) {
    this.audioParams = {
      codec: media.encoding === 'PCMU' ? 'pcmu' : 'pcma',
      sampleRate: media.clockRate || 8000,
      channels: 1,
    };
  }

  push(packet: RtpPacket, receivedAtMs: number): MediaFrame[] {
    if (packet.payloadType !== this.media.payloadType || packet.payload.length === 0) {
      this.droppedPackets++;
      return NO_FRAMES;
    }
    const seq = packet.sequence & 0xffff;
    if (this.lastSeq >= 0) {
      const d = seqDelta(this.lastSeq, seq);
      if (d <= 0) {
        this.droppedPackets++;
        return NO_FRAMES;
      }
      if (d > 1) this.lostPackets += d - 1;
    }
    this.lastSeq = seq;
    const frame: AudioFrame = {
      kind: 'audio',
      pts: this.unwrapper.unwrap(packet.timestamp),
      samples: packet.payload.length,
      data: packet.payload,
      receivedAtMs,
    };
    return [frame];
  }
}
