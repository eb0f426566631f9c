// Sending side of an ONVIF RTSP audio back channel (ONVIF Streaming spec §5.3): the camera's SDP,
// when DESCRIBE carries `Require: www.onvif.org/ver20/backchannel`, has an extra audio media marked
// a=sendonly (the server sends nothing on it: it receives); the client SETUPs it like any track and,
// after PLAY, sends RTP on its interleaved channel. This module picks that track and turns G.711
// payloads into RTP packets with our own SSRC, sequence and 8 kHz timestamps.
import { randomBytes } from 'node:crypto';
import type { SdpMedia } from '../types.ts';
import { serializeRtpPacket } from '../rtp/packet.ts';
import { transcodeG711 } from '../g711/encode.ts';
import type { G711Law } from '../g711/level.ts';

export const BACKCHANNEL_REQUIRE = 'www.onvif.org/ver20/backchannel';
/** 20 ms of 8 kHz G.711 per packet: what cameras' jitter buffers expect. */
export const BACKCHANNEL_PACKET_SAMPLES = 160;

/** The back-channel media of an SDP: the first sendonly audio track; undefined when none. */
export function findBackchannel(media: readonly SdpMedia[]): SdpMedia | undefined {
  return media.find((m) => m.type === 'audio' && m.direction === 'sendonly');
}

/** The G.711 law a back-channel track takes, or an error text when it takes something else. */
export function backchannelLaw(m: SdpMedia): { law: G711Law } | { error: string } {
  if (m.encoding === 'PCMA' && m.clockRate === 8000) return { law: 'pcma' };
  if (m.encoding === 'PCMU' && m.clockRate === 8000) return { law: 'pcmu' };
  return { error: `the camera's back channel takes ${m.encoding || `payload type ${m.payloadType}`}/${m.clockRate}; only G.711 (PCMA/PCMU 8000) can be sent` };
}

export interface BackchannelStats {
  packetsSent: number;
  /** G.711 payload bytes sent (= samples at 8 kHz). */
  bytesSent: number;
}

/** RTP packetizer for one back-channel track. */
export class BackchannelPacketizer {
  readonly stats: BackchannelStats = { packetsSent: 0, bytesSent: 0 };
  private seq = randomBytes(2).readUInt16BE(0);
  private timestamp = randomBytes(4).readUInt32BE(0);
  private first = true;

  constructor(
    readonly law: G711Law,
    readonly payloadType: number,
    /** Random by default; a GB/T 28181 broadcast sends the SSRC its receiver named (SDP y=). */
    private readonly ssrc = randomBytes(4).readUInt32BE(0),
  ) {}

  /**
   * RTP packets for one G.711 payload in `from` law (re-encoded when the camera takes the other),
   * cut into 20 ms packets. The timestamp advances by the samples carried, so a source that skips
   * (lost packets upstream) is heard as a short gap, never as a time jump the camera must resync to.
   */
  packetize(from: G711Law, payload: Uint8Array): Uint8Array[] {
    const g711 = transcodeG711(from, this.law, payload);
    const out: Uint8Array[] = [];
    for (let off = 0; off < g711.length; off += BACKCHANNEL_PACKET_SAMPLES) {
      const chunk = g711.subarray(off, off + BACKCHANNEL_PACKET_SAMPLES);
      out.push(serializeRtpPacket({ payloadType: this.payloadType, sequence: this.seq, timestamp: this.timestamp, ssrc: this.ssrc, marker: this.first, payload: chunk }));
      this.first = false;
      this.seq = (this.seq + 1) & 0xffff;
      this.timestamp = (this.timestamp + chunk.length) >>> 0;
      this.stats.packetsSent++;
      this.stats.bytesSent += chunk.length;
    }
    return out;
  }
}
