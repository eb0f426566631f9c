// Seed corpora for the built-in fuzz targets: valid, real-world-shaped inputs to mutate.
import { SDP_AAC, SDP_DAHUA_H265, SDP_HIKVISION_H264_PCMA, SDP_ONVIF_BACKCHANNEL } from '../sdp/fixtures.ts';
import { serializeInterleaved, serializeRequest, serializeResponse } from '../rtsp/message.ts';
import { serializeRtpPacket } from '../rtp/packet.ts';
import { buildBye, buildReceiverReport, buildSdesCname, buildSenderReport, concatBytes } from '../rtp/rtcp.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export const SDP_SEEDS: Uint8Array[] = [SDP_HIKVISION_H264_PCMA, SDP_DAHUA_H265, SDP_AAC, SDP_ONVIF_BACKCHANNEL].map(text);

const rtp = (seq: number, size: number, pt = 96): Uint8Array =>
  serializeRtpPacket({ payloadType: pt, sequence: seq, timestamp: seq * 3600, ssrc: 0x11223344, marker: seq % 3 === 0, payload: new Uint8Array(size).fill(seq & 0xff) });

export const RTP_SEEDS: Uint8Array[] = [
  rtp(1, 20),
  rtp(65535, 1400),
  serializeRtpPacket({ payloadType: 8, sequence: 7, timestamp: 160, ssrc: 1, marker: false, payload: new Uint8Array(160) },
    { csrcs: [1, 2, 3], extension: { profile: 0xbede, data: new Uint8Array([1, 2, 3, 4, 5]) }, paddingBytes: 4 }),
];

const block = { ssrc: 5, fractionLost: 3, cumulativeLost: 10, extendedHighestSequence: 65600, jitter: 30, lastSr: 0x1234, delaySinceLastSr: 100 };

export const RTCP_SEEDS: Uint8Array[] = [
  concatBytes([buildSenderReport({ ssrc: 9, ntpMs: 1_700_000_000_000, rtpTimestamp: 90000, packetCount: 10, octetCount: 14000 }), buildSdesCname(9, 'cam')]),
  concatBytes([buildReceiverReport(9, [block, block]), buildSdesCname(9, 'xuncha'), buildBye(9)]),
];

export const RTSP_SEEDS: Uint8Array[] = [
  concatBytes([
    serializeResponse({ statusCode: 200, headers: { CSeq: 1, Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER' } }),
    serializeResponse({ statusCode: 401, headers: { CSeq: 2, 'WWW-Authenticate': 'Digest realm="cam", nonce="abc", qop="auth"' } }),
    serializeResponse({ statusCode: 200, headers: { CSeq: 3, 'Content-Type': 'application/sdp', 'Content-Base': 'rtsp://h/a/' }, body: SDP_HIKVISION_H264_PCMA }),
  ]),
  concatBytes([
    serializeResponse({ statusCode: 200, headers: { CSeq: 5, Session: '1234;timeout=60', Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' } }),
    serializeInterleaved(0, rtp(1, 1400)),
    serializeInterleaved(1, RTCP_SEEDS[0]),
    serializeInterleaved(2, rtp(2, 160, 8)),
    serializeRequest({ method: 'GET_PARAMETER', uri: 'rtsp://h/a', headers: { CSeq: 9 } }),
    serializeInterleaved(0, rtp(3, 3000)),
  ]),
];

export const AUTH_SEEDS: Uint8Array[] = [
  text('Digest realm="IP Camera(23049)", nonce="a1b2, c3", stale="FALSE", qop="auth,auth-int", opaque="xyz"'),
  text('Basic realm="r", Digest realm="r", nonce="n", algorithm=MD5'),
  text('Digest username="admin", realm="cam", nonce="n", uri="rtsp://h/a", response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="c"'),
];

export const TRANSPORT_SEEDS: Uint8Array[] = [
  text('RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;ssrc=1A2B3C4D;source=10.0.0.1'),
  text('RTP/AVP/TCP;unicast;interleaved=0-1,RTP/AVP;unicast'),
  text('12345678;timeout=60'),
];
