// MPEG program stream (GB/T 28181 media): mux, demux, PS-over-RTP and RFC 4571 TCP framing.
export { PsMuxer, packHeader } from './mux.ts';
export type { PsMuxerOptions, PsAudioConfig } from './mux.ts';
export { PsDemuxer, PS_MAX_FRAME_BYTES } from './demux.ts';
export type { PsDemuxerOptions } from './demux.ts';
export { PsRtpPacketizer, PsRtpDepacketizer, PS_PAYLOAD_TYPE, PS_MAX_RTP_PACKET_BYTES } from './rtp.ts';
export type { PsRtpPacketizerOptions, PsRtpDepacketizerOptions } from './rtp.ts';
export { frameRfc4571, Rfc4571Deframer, Rfc4571Error } from './rfc4571.ts';
export { StreamType, codecOfStreamType } from './constants.ts';
export type { PsCodec } from './constants.ts';
