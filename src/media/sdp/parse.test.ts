import { describe, it, expect } from 'vitest';
import { parseSdp, resolveControlUrl, SdpError, parseFmtp } from './parse.ts';
import { SDP_AAC, SDP_DAHUA_H265, SDP_HIKVISION_H264_PCMA } from './fixtures.ts';

describe('parseSdp', () => {
  it('parses a Hikvision H.264 + PCMA SDP', () => {
    const s = parseSdp(SDP_HIKVISION_H264_PCMA);
    expect(s.sessionName).toBe('Media Presentation');
    expect(s.control).toBe('rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast');
    expect(s.media).toHaveLength(2);
    const [v, a] = s.media;
    expect(v).toMatchObject({ type: 'video', port: 0, protocol: 'RTP/AVP', payloadType: 96, encoding: 'H264', clockRate: 90000 });
    expect(v.fmtp['packetization-mode']).toBe('1');
    expect(v.fmtp['sprop-parameter-sets']).toBe('Z2QAKKwbGoB4AiflQA==,aO48MA==');
    expect(v.control).toBe('rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast');
    expect(a).toMatchObject({ type: 'audio', payloadType: 8, encoding: 'PCMA', clockRate: 8000 });
  });

  it('parses a Dahua H.265 SDP with sprop-vps/sps/pps and static PCMU without rtpmap', () => {
    const s = parseSdp(SDP_DAHUA_H265);
    expect(s.control).toBe('*');
    const [v, a] = s.media;
    expect(v.encoding).toBe('H265');
    expect(v.payloadType).toBe(98);
    expect(v.fmtp['sprop-vps']).toBe('QAEMAf//AWAAAAMAsAAAAwAAAwB4LAk=');
    expect(v.fmtp['sprop-sps']).toMatch(/^QgEB/);
    expect(v.fmtp['sprop-pps']).toBe('RAHA8vA8kAA=');
    expect(v.control).toBe('trackID=0');
    expect(a).toMatchObject({ payloadType: 0, encoding: 'PCMU', clockRate: 8000, channels: 1, control: 'trackID=1' });
  });

  it('parses AAC mpeg4-generic with lower-cased fmtp keys, LF line endings, multiple PTs per m-line', () => {
    const s = parseSdp(SDP_AAC);
    expect(s.media[0].payloadType).toBe(96); // first PT with an rtpmap
    expect(s.media[0].fmtp['profile-level-id']).toBe('64001F');
    const a = s.media[1];
    expect(a).toMatchObject({ encoding: 'MPEG4-GENERIC', clockRate: 48000, channels: 2 });
    expect(a.fmtp).toEqual({
      'profile-level-id': '1', mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3', config: '119056E500',
    });
  });

  it('keeps undescribable m-lines with empty encoding and clockRate 0', () => {
    const s = parseSdp('v=0\r\ns=x\r\nm=application 0 RTP/AVP 107\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264\r\n');
    expect(s.media[0]).toMatchObject({ type: 'application', payloadType: 107, encoding: '', clockRate: 0 });
    expect(s.media[1].clockRate).toBe(90000); // missing clock defaults by media type
  });

  it('rejects malformed input with SdpError', () => {
    expect(() => parseSdp('')).toThrow(SdpError);
    expect(() => parseSdp('hello world')).toThrow(SdpError);
    expect(() => parseSdp('v=1\r\n')).toThrow(/version/);
    expect(() => parseSdp('v=0\r\nm=video\r\n')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\nm=video x RTP/AVP 96\r\n')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:abc H264/90000\r\n')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/0\r\n')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\n' + 'a=x\r\n'.repeat(20000))).toThrow(/too large/);
  });

  it('parseFmtp does not pollute prototypes', () => {
    const f = parseFmtp('__proto__=1; constructor=2');
    expect(f.constructor).toBe('2');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('resolveControlUrl', () => {
  it('handles absolute, relative, wildcard and path-absolute controls', () => {
    expect(resolveControlUrl('rtsp://h/a/', 'trackID=1')).toBe('rtsp://h/a/trackID=1');
    expect(resolveControlUrl('rtsp://h/a', 'trackID=1')).toBe('rtsp://h/a/trackID=1');
    expect(resolveControlUrl('rtsp://h/cam?channel=1&subtype=0/', 'trackID=0')).toBe('rtsp://h/cam?channel=1&subtype=0/trackID=0');
    expect(resolveControlUrl('rtsp://h/a/', '*')).toBe('rtsp://h/a/');
    expect(resolveControlUrl('rtsp://h/a/', undefined)).toBe('rtsp://h/a/');
    expect(resolveControlUrl('rtsp://h/a/', 'rtsp://other:8554/x')).toBe('rtsp://other:8554/x');
    expect(resolveControlUrl('rtsp://h:554/a/b', '/c/d')).toBe('rtsp://h:554/c/d');
  });
});
