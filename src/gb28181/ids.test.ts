import { describe, it, expect } from 'vitest';
import { buildDeviceId, buildSsrc, GbIdError, isVideoChannelId, parseDeviceId, parseSsrc } from './ids.ts';
import { buildGbSdp, GbSdpError, parseGbSdp } from './sdp.ts';

describe('GB/T 28181 IDs and SSRC (R-FN-3)', () => {
  it('R-FN-3: parses 20-digit IDs and their type codes', () => {
    expect(parseDeviceId('34020000001320000001')).toEqual({ centreCode: '34020000', industryCode: '00', typeCode: '132', type: 'ipc', networkCode: '0', serial: '000001' });
    expect(parseDeviceId('34020000002000000001').type).toBe('sip-server');
    expect(parseDeviceId('34020000001180000001').type).toBe('nvr');
    expect(parseDeviceId('34020000001110000001').type).toBe('dvr');
    expect(parseDeviceId('34020000002150000001').type).toBe('business-group');
    expect(parseDeviceId('34020000002160000001').type).toBe('virtual-organisation');
    expect(parseDeviceId('34020000009990000001').type).toBeUndefined();
    expect(isVideoChannelId('34020000001310000007')).toBe(true);
    expect(isVideoChannelId('34020000001180000001')).toBe(false);
    expect(buildDeviceId({ centreCode: '34020000', typeCode: '131', serial: 7 })).toBe('34020000001310000007');
    for (const bad of ['3402', '3402000000132000000x', '340200000013200000012']) expect(() => parseDeviceId(bad)).toThrow(GbIdError);
  });

  it('R-FN-3: builds and parses y= SSRC from the domain ID', () => {
    const live = buildSsrc({ playback: false, domainId: '3402000000', serial: 1 });
    expect(live.text).toBe('0200000001');
    expect(live.value).toBe(200000001);
    const hist = buildSsrc({ playback: true, domainId: '34020000002000000001', serial: 9999 });
    expect(hist).toMatchObject({ text: '1200009999', playback: true, domainDigits: '20000', serial: 9999 });
    expect(hist.value).toBeLessThan(2 ** 32);
    expect(() => parseSsrc('2200000001')).toThrow(GbIdError);
    expect(() => buildSsrc({ playback: false, domainId: '34', serial: 1 })).toThrow(GbIdError);
    expect(() => buildSsrc({ playback: false, domainId: '3402000000', serial: 10000 })).toThrow(GbIdError);
  });
});

describe('GB INVITE SDP (R-FN-3)', () => {
  it('R-FN-3: builds a live Play offer over UDP and parses it back', () => {
    const text = buildGbSdp({
      sessionName: 'Play', originId: '34020000002000000001', ip: '10.1.2.3', port: 30000, transport: 'udp', direction: 'recvonly',
      startSec: 0, endSec: 0, rtpMaps: [], ssrc: '0200000001',
    });
    expect(text).toContain('m=video 30000 RTP/AVP 96\r\n');
    expect(text).toContain('a=rtpmap:96 PS/90000\r\n');
    expect(text).toContain('y=0200000001\r\n');
    const p = parseGbSdp(text);
    expect(p).toMatchObject({ sessionName: 'Play', ip: '10.1.2.3', port: 30000, transport: 'udp', direction: 'recvonly', ssrc: '0200000001' });
    expect(p.rtpMaps).toEqual([{ payloadType: 96, encoding: 'PS', clockRate: 90000 }]);
  });

  it('R-FN-3: Playback over TCP with u=, t= and setup', () => {
    const text = buildGbSdp({
      sessionName: 'Playback', originId: '34020000002000000001', ip: '10.1.2.3', port: 30002, transport: 'tcp', setup: 'passive',
      direction: 'recvonly', uri: '34020000001320000001:0', startSec: 1718000000, endSec: 1718003600, rtpMaps: [], ssrc: '1200000002',
      format: 'v/2/5/25/1/4096a///',
    });
    expect(text).toContain('m=video 30002 TCP/RTP/AVP 96');
    expect(text).toContain('a=setup:passive');
    const p = parseGbSdp(text);
    expect(p).toMatchObject({ sessionName: 'Playback', uri: '34020000001320000001:0', startSec: 1718000000, endSec: 1718003600, transport: 'tcp', setup: 'passive', format: 'v/2/5/25/1/4096a///' });
  });

  it('parses a device answer (sendonly, y= without leading zero) and rejects junk', () => {
    const answer = 'v=0\r\no=34020000001320000001 0 0 IN IP4 192.168.1.64\r\ns=Play\r\nc=IN IP4 192.168.1.64\r\nt=0 0\r\nm=video 15060 RTP/AVP 96\r\na=sendonly\r\na=rtpmap:96 PS/90000\r\ny=200000001\r\n';
    expect(parseGbSdp(answer)).toMatchObject({ direction: 'sendonly', ssrc: '0200000001', ip: '192.168.1.64', port: 15060 });
    for (const bad of ['x', 'v=0\r\n', answer.replace('t=0 0', 't=a b'), answer.replace('a=rtpmap:96 PS/90000', 'a=rtpmap:x'), answer.replace('m=video 15060', 'm=video 99999')]) {
      expect(() => parseGbSdp(bad)).toThrow(GbSdpError);
    }
  });
});
