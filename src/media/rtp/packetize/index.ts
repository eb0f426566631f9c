// RTP packetizers: pure functions from media units to RTP payloads (headers are added by the caller).
export { DEFAULT_MTU, RTP_HEADER_SIZE, maxPayloadSize } from './common.ts';
export type { RtpPayload, VideoPacketizeOptions } from './common.ts';
export { packetizeH264, H264_NAL_FU_A, H264_NAL_STAP_A } from './h264.ts';
export type { H264PacketizeOptions } from './h264.ts';
export { packetizeH265, H265_NAL_FU, H265_NAL_AP } from './h265.ts';
export { packetizeAacHbr, aacAudioSpecificConfig, AAC_HBR_MAX_AU_SIZE } from './aac.ts';
export { packetizeG711, G711_SAMPLES_PER_PACKET } from './g711.ts';
