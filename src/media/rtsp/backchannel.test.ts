// Back-channel track selection and RTP packetizing (ONVIF Streaming §5.3; issue 15).
import { describe, expect, it } from 'vitest';
import { parseSdp } from '../sdp/parse.ts';
import { parseRtpPacket } from '../rtp/packet.ts';
import { BackchannelPacketizer, backchannelLaw, findBackchannel } from './backchannel.ts';

// Shaped like a Hikvision answer to DESCRIBE with the Require tag: receive audio PCMU, back channel PCMU.
const HIK = ['v=0', 's=Media Presentation', 't=0 0', 'a=control:*',
  'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=recvonly', 'a=control:trackID=1',
  'm=audio 0 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=recvonly', 'a=control:trackID=2',
  'm=audio 0 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendonly', 'a=control:trackID=4', ''].join('\r\n');

describe('back channel in the SDP', () => {
  it('is the sendonly audio media; its law is read from the rtpmap', () => {
    const back = findBackchannel(parseSdp(HIK).media);
    expect(back).toMatchObject({ control: 'trackID=4', direction: 'sendonly', encoding: 'PCMU' });
    expect(backchannelLaw(back!)).toEqual({ law: 'pcmu' });
  });

  it('is absent from a plain SDP, and a non-G.711 back channel is refused with the codec named', () => {
    expect(findBackchannel(parseSdp(HIK.replace('a=sendonly', 'a=recvonly')).media)).toBeUndefined();
    const g726 = parseSdp(HIK.replace('m=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly', 'm=audio 0 RTP/AVP 97\r\na=rtpmap:97 G726-32/8000\r\na=sendonly'));
    expect(backchannelLaw(findBackchannel(g726.media)!)).toEqual({ error: expect.stringContaining('G726-32/8000') });
  });
});

describe('BackchannelPacketizer', () => {
  it('cuts audio into 20 ms packets with continuous sequence numbers and 8 kHz timestamps, marker on the first', () => {
    const p = new BackchannelPacketizer('pcmu', 0);
    const packets = [...p.packetize('pcmu', new Uint8Array(400)), ...p.packetize('pcmu', new Uint8Array(160))].map(parseRtpPacket);
    expect(packets.map((x) => x.payload.length)).toEqual([160, 160, 80, 160]);
    expect(packets.map((x) => x.marker)).toEqual([true, false, false, false]);
    for (let i = 1; i < packets.length; i++) {
      expect(packets[i].sequence).toBe((packets[i - 1].sequence + 1) & 0xffff);
      expect(packets[i].timestamp).toBe((packets[i - 1].timestamp + packets[i - 1].payload.length) >>> 0);
      expect(packets[i].payloadType).toBe(0);
    }
    expect(p.stats).toEqual({ packetsSent: 4, bytesSent: 560 });
  });
});
