// Credentials typed into stream URLs (issue 13 item 4, R-SEC-6).
import { describe, expect, it } from 'vitest';
import { extractStreamCredentials, splitStreamCredentials } from './stream-url.ts';

describe('splitStreamCredentials (R-SEC-6)', () => {
  it.each([
    ['rtsp://admin:Secr3t@10.0.0.5:554/Streaming/Channels/101', 'rtsp://10.0.0.5:554/Streaming/Channels/101', 'admin', 'Secr3t'],
    ['rtsp://admin:p%40ss%2Fw@cam.local/live', 'rtsp://cam.local/live', 'admin', 'p@ss/w'],
    ['rtsp://admin:p@ss/w@10.1.2.3/ch1', 'rtsp://10.1.2.3/ch1', 'admin', 'p@ss/w'],
    ['RTSP://user@[fe80::1]:8554/a', 'RTSP://[fe80::1]:8554/a', 'user', undefined],
    ['rtsp://10.0.0.5/Streaming@1', 'rtsp://10.0.0.5/Streaming@1', undefined, undefined],
    ['/Streaming/Channels/102', '/Streaming/Channels/102', undefined, undefined],
    ['rtsp://a:b%zz@h/p', 'rtsp://h/p', 'a', 'b%zz'],
  ])('%s', (input, stream, username, password) => {
    expect(splitStreamCredentials(input)).toEqual({ stream, username, password });
  });

  it('takes the main stream credentials first, the sub stream ones otherwise', () => {
    expect(extractStreamCredentials('rtsp://h/main', 'rtsp://u:p@h/sub')).toEqual({ mainStream: 'rtsp://h/main', subStream: 'rtsp://h/sub', username: 'u', password: 'p' });
    expect(extractStreamCredentials('rtsp://m:1@h/main', 'rtsp://u:p@h/sub')).toMatchObject({ username: 'm', password: '1', subStream: 'rtsp://h/sub' });
  });
});
