// Shared media types. Pure data: no I/O, no app imports (see docs/design/layers.md).
// Time units are in the names: *90k = 90 kHz ticks, *Ms = milliseconds, audio pts in sample-rate ticks.

export type VideoCodec = 'h264' | 'h265';
export type AudioCodec = 'aac' | 'pcma' | 'pcmu';

/** One RTP packet (RFC 3550), header fields decoded, payload without padding/extension. */
export interface RtpPacket {
  payloadType: number;
  /** 16-bit sequence number as on the wire. */
  sequence: number;
  /** 32-bit RTP timestamp as on the wire, in the track's clock rate. */
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Uint8Array;
}

/** One media section of an SDP (RFC 4566) with its rtpmap/fmtp resolved. */
export interface SdpMedia {
  type: string; // 'video' | 'audio' | other
  port: number;
  protocol: string; // e.g. 'RTP/AVP'
  payloadType: number;
  /** Encoding name upper-cased: 'H264', 'H265', 'MPEG4-GENERIC', 'PCMA', 'PCMU', ... */
  encoding: string;
  /** RTP clock rate in Hz. */
  clockRate: number;
  channels?: number;
  /** fmtp parameters with lower-cased keys. */
  fmtp: Record<string, string>;
  /** a=control value (absolute or relative URL), if any. */
  control?: string;
  /**
   * a=sendonly / recvonly / sendrecv / inactive as written, from the server's point of view (RFC
   * 4566 §6). An ONVIF back channel (Streaming spec §5.3) is the audio media marked 'sendonly':
   * the camera receives on it. Absent when the SDP does not say (RFC 4566 default: sendrecv).
   */
  direction?: 'sendonly' | 'recvonly' | 'sendrecv' | 'inactive';
}

export interface SessionDescription {
  sessionName?: string;
  /** Session-level a=control, if any. */
  control?: string;
  media: SdpMedia[];
}

/** Video parameters learned from SPS/PPS (and VPS for H.265). */
export interface VideoParams {
  codec: VideoCodec;
  width: number;
  height: number;
  /** Frames per second from VUI timing info when present. */
  fps?: number;
  /** RFC 6381 codec string for MSE / HLS, e.g. 'avc1.64001f', 'hvc1.1.6.L93.B0'. */
  rfc6381: string;
  profileName?: string;
  sps: Uint8Array;
  pps: Uint8Array;
  vps?: Uint8Array;
}

export interface AudioParams {
  codec: AudioCodec;
  /** Samples per second; also the track timescale. */
  sampleRate: number;
  channels: number;
  /** AAC AudioSpecificConfig bytes (from fmtp config=). */
  aacConfig?: Uint8Array;
  /** RFC 6381 codec string where one exists ('mp4a.40.2'). */
  rfc6381?: string;
}

/** One video access unit (a picture) as received: NAL units without start codes or length prefixes. */
export interface VideoFrame {
  kind: 'video';
  /** Presentation time in 90 kHz ticks, unwrapped (monotonic across 32-bit RTP wrap). */
  pts90k: number;
  keyframe: boolean;
  nalus: Uint8Array[];
  /** Server wall clock when the last packet of the frame arrived, ms since the Unix epoch. */
  receivedAtMs: number;
  /**
   * Set on the first frame emitted with parameter sets different from the previous frame's
   * (the very first frame, or a camera resolution/profile change): consumers start a new file.
   */
  newParams?: VideoParams;
}

/** One audio frame: an AAC access unit or a run of G.711 samples. */
export interface AudioFrame {
  kind: 'audio';
  /** Presentation time in sample-rate ticks, unwrapped. */
  pts: number;
  /** Number of samples in this frame (1024 for AAC-LC, payload length for G.711). */
  samples: number;
  data: Uint8Array;
  receivedAtMs: number;
}

export type MediaFrame = VideoFrame | AudioFrame;

/** Turns RTP packets of one track into frames. Never throws on bad input: bad packets are counted and dropped. */
export interface Depacketizer {
  push(packet: RtpPacket, receivedAtMs: number): MediaFrame[];
  /** Parameters once known (from SDP fmtp or in-band parameter sets). Changes when the camera changes resolution. */
  readonly videoParams?: VideoParams;
  readonly audioParams?: AudioParams;
  /** Count of packets dropped as malformed or out of order. */
  readonly droppedPackets: number;
}
