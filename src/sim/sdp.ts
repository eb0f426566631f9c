// SDP (RFC 4566) for one simulated camera stream, shaped like Hikvision/Dahua answers:
// session-level a=control:*, relative a=control:trackID=N per track (resolved against Content-Base).
import type { AudioClip, VideoClip } from './clips.ts';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

export interface SdpInput {
  sessionId: string;
  /** Address of the server as seen by the client (o= line). */
  address: string;
  video: VideoClip;
  audio?: AudioClip;
  sessionName?: string;
  /** Add the ONVIF back channel: a PCMA track the camera receives (a=sendonly), trackID=3. */
  backchannel?: boolean;
}

export function videoFmtp(v: VideoClip): string {
  if (v.codec === 'h264') {
    const pli = hex(v.sps.subarray(1, 4));
    return `packetization-mode=1;profile-level-id=${pli};sprop-parameter-sets=${b64(v.sps)},${b64(v.pps)}`;
  }
  return `sprop-vps=${b64(v.vps ?? new Uint8Array(0))};sprop-sps=${b64(v.sps)};sprop-pps=${b64(v.pps)}`;
}

export function buildSdp(input: SdpInput): string {
  const { video: v, audio: a } = input;
  const ip = input.address.includes(':') ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=- ${input.sessionId} 1 IN ${ip} ${input.address}`,
    `s=${input.sessionName ?? 'Media Presentation'}`,
    'e=NONE',
    `b=AS:${Math.ceil(v.bitrate / 1000) + (a ? 64 : 0)}`,
    't=0 0',
    'a=control:*',
    'm=video 0 RTP/AVP 96',
    `c=IN ${ip} ${ip === 'IP6' ? '::' : '0.0.0.0'}`,
    `b=AS:${Math.ceil(v.bitrate / 1000)}`,
    `a=rtpmap:96 ${v.codec === 'h264' ? 'H264' : 'H265'}/90000`,
    `a=fmtp:96 ${videoFmtp(v)}`,
    `a=framerate:${v.fps}`,
    ...(v.width > 0 ? [`a=x-dimensions:${v.width},${v.height}`] : []),
    'a=recvonly',
    'a=control:trackID=1',
  ];
  if (a) {
    lines.push(`m=audio 0 RTP/AVP ${a.payloadType}`, `c=IN ${ip} ${ip === 'IP6' ? '::' : '0.0.0.0'}`);
    if (a.codec === 'pcma') {
      lines.push('b=AS:64', 'a=rtpmap:8 PCMA/8000');
    } else {
      lines.push(
        'b=AS:32',
        `a=rtpmap:${a.payloadType} MPEG4-GENERIC/${a.sampleRate}/${a.channels}`,
        `a=fmtp:${a.payloadType} streamtype=5;profile-level-id=15;mode=AAC-hbr;config=${hex(a.config ?? new Uint8Array(0))};sizeLength=13;indexLength=3;indexDeltaLength=3`,
      );
    }
    lines.push('a=recvonly', 'a=control:trackID=2');
  }
  if (input.backchannel) {
    lines.push(`m=audio 0 RTP/AVP 8`, `c=IN ${ip} ${ip === 'IP6' ? '::' : '0.0.0.0'}`, 'b=AS:64', 'a=rtpmap:8 PCMA/8000', 'a=sendonly', 'a=control:trackID=3');
  }
  return lines.join('\r\n') + '\r\n';
}
